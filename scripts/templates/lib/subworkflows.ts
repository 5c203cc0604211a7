// Execute Workflow nodes and the MCP tools workflow's inputs.
import { node, type Params, type Position } from './nodes';
import type { Columns } from './dataTables';

/** The inputs of the MCP tools workflow's trigger. */
export const TOOL_FIELDS: Columns = [
	['tool', 'string'],
	['runId', 'string'],
	['brand', 'string'],
	['project', 'string'],
	['script', 'string'],
	['brief', 'string'],
	['characters', 'string'],
	['targetSeconds', 'number'],
	['budgetUsd', 'number'],
	['waitSeconds', 'number'],
	['shotId', 'string'],
	['note', 'string'],
];

/** The inputs a call passes to the tools workflow's trigger: the values given; its other fields marked removed. */
export const toolInputs = (values: Params, fields: Columns, convertFieldsToString: boolean) => ({
	mappingMode: 'defineBelow',
	value: values,
	matchingColumns: [],
	attemptToConvertTypes: false,
	convertFieldsToString,
	schema: fields.map(([id, type]) => ({
		id,
		displayName: id,
		required: false,
		defaultMatch: false,
		display: true,
		canBeUsedToMatch: true,
		type,
		removed: !(id in values),
	})),
});

/** An Execute Workflow node: with `inputs`, a call of the tools workflow; without, the items pass as they are. */
export function executeWorkflow(
	name: string,
	workflowId: string,
	position: Position,
	{ inputs, wait = true, extra = {} }: { inputs?: Params; wait?: boolean; extra?: Params } = {},
) {
	const workflowInputs = toolInputs(inputs ?? {}, inputs ? TOOL_FIELDS : [], true);
	return node(
		name,
		'n8n-nodes-base.executeWorkflow',
		{
			source: 'database',
			workflowId: { __rl: true, mode: 'id', value: workflowId },
			workflowInputs,
			mode: 'once',
			options: { waitForSubWorkflow: wait },
		},
		position,
		1.3,
		undefined,
		extra,
	);
}
