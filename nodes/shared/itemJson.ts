import type { IDataObject } from 'n8n-workflow';

/** An item's JSON without the fields a node answers (an earlier round's hint, error or allowance). */
export function withoutFields(json: IDataObject, fields: readonly string[]): IDataObject {
	return Object.fromEntries(Object.entries(json).filter(([key]) => !fields.includes(key)));
}
