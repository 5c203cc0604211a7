import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { readShotItemParts } from '../../../shared/contract/validate';
import { withTakeStatus } from '../../../shared/takes';
import { BACKENDS } from '../../helpers/backends';
import {
	isModelId,
	jobIdProperty,
	modelProperty,
	readBackend,
	readJobId,
	readModel,
} from '../descriptions';

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['get'] } },
	[modelProperty, jobIdProperty],
);

/**
 * Reads a request or prediction once, without paying anything: its status, queue position and
 * output URL. The item's take for that job is updated; to collect the clip into the pipeline,
 * run Render again on the item (it resumes the recorded job instead of submitting).
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const vendor = readBackend(this, itemIndex);
	const jobId = readJobId(this, itemIndex);
	const input = this.getInputData()[itemIndex].json;
	const previous = Array.isArray(input.takes)
		? readShotItemParts(input, itemIndex, ['takes']).takes
		: undefined;
	const recorded = previous?.find((take) => take.jobId === jobId && take.vendor === vendor)?.model;
	const model = recorded && isModelId(recorded) ? recorded : readModel(this, itemIndex);
	const status = await BACKENDS[vendor].poll(this, itemIndex, model, jobId);
	const url = status.body.outputUrl;
	const takes = previous
		? {
				takes: withTakeStatus(
					previous,
					jobId,
					status,
					new Date(),
					url ? { kind: 'url', ref: url, mimeType: 'video/mp4' } : undefined,
				),
			}
		: {};
	return [
		{
			json: {
				...input,
				...takes,
				jobId,
				vendor,
				model,
				status: status.phase,
				vendorStatus: status.vendorStatus,
				progress: status.progress ?? null,
				outputUrl: url ?? null,
				failure: status.failure ?? null,
			},
			pairedItem: { item: itemIndex },
		},
	];
}
