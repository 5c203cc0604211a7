import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { BACKENDS } from '../../helpers/backends';
import { jobIdProperty, modelProperty, readBackend, readJobId, readModel } from '../descriptions';

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['cancel'] } },
	[modelProperty, jobIdProperty],
);

/** Cancels a request (fal: only while it is queued) or a prediction; the vendor's answer is kept on the item. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const vendor = readBackend(this, itemIndex);
	const jobId = readJobId(this, itemIndex);
	const answer = await BACKENDS[vendor].cancel(this, itemIndex, readModel(this, itemIndex), jobId);
	return [
		{
			json: {
				...this.getInputData()[itemIndex].json,
				jobId,
				vendor,
				cancelled: true,
				vendorAnswer: (answer ?? null) as never,
			},
			pairedItem: { item: itemIndex },
		},
	];
}
