import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { runwayRequest } from '../../../shared/vendors/runway/transport';

export const description = updateDisplayOptions(
	{ show: { resource: ['account'], operation: ['organization'] } },
	[],
);

/** Credit balance and per-model tier limits (the render nodes learn the concurrency themselves; this shows the tier). */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const { body } = await runwayRequest<IDataObject>(this, {
		method: 'GET',
		path: '/v1/organization',
		operation: 'Get organization',
		itemIndex,
	});
	return [
		{
			json: { ...this.getInputData()[itemIndex].json, organization: body },
			pairedItem: { item: itemIndex },
		},
	];
}
