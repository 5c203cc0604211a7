// Data Table parameters: table references, columns, resource mappers and row filters.
import { node, type Params, type Position } from './nodes';

export type Columns = [name: string, type: 'string' | 'number'][];

export const tableRef = (value: string) => ({ __rl: true, mode: 'name', value });

export const tableColumns = (columns: Columns) => ({
	column: columns.map(([name, type]) => ({ name, type })),
});

/** A Data Table resource mapper with the columns it writes (the schema lets the editor show them). */
export function mapped(values: Params, columns: Columns) {
	const types = Object.fromEntries(columns);
	return {
		mappingMode: 'defineBelow',
		value: values,
		matchingColumns: [],
		schema: Object.keys(values).map((id) => ({
			id,
			displayName: id,
			required: false,
			defaultMatch: false,
			display: true,
			type: types[id],
			canBeUsedToMatch: true,
		})),
	};
}

/** Each column mapped to the same-named field of the item: `={{ $json.<column> }}`. */
export const fromJsonFields = (fields: string[]) =>
	Object.fromEntries(fields.map((k) => [k, `={{ $json.${k} }}`]));

/** Rows are inserted as the items are (no column mapping). */
export const AUTO_MAP = {
	mappingMode: 'autoMapInputData',
	value: null,
	matchingColumns: [],
	schema: [],
};

export const where = (keyName: string, keyValue: string, condition = 'eq') => ({
	conditions: [{ keyName, condition, keyValue }],
});

export const createTable = (
	name: string,
	tableName: string,
	columns: Columns,
	position: Position,
) =>
	node(
		name,
		'n8n-nodes-base.dataTable',
		{
			resource: 'table',
			operation: 'create',
			tableName,
			columns: tableColumns(columns),
			options: { createIfNotExists: true },
		},
		position,
		1.1,
	);

/** Every row of `table` matching `filters` (always one item out, so an empty answer still goes on). */
export function tableGet(
	name: string,
	table: string,
	filters: Params | undefined,
	position: Position,
	extra: Params = {},
) {
	const parameters: Params = {
		resource: 'row',
		operation: 'get',
		dataTableId: tableRef(table),
		returnAll: true,
	};
	if (filters) Object.assign(parameters, { matchType: 'allConditions', filters });
	return node(name, 'n8n-nodes-base.dataTable', parameters, position, 1.1, undefined, {
		alwaysOutputData: true,
		...extra,
	});
}
