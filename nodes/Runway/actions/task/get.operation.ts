import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { readShotItemParts } from '../../../shared/contract/validate';
import { withTakeStatus } from '../../../shared/takes';
import { runwayJobStatus, type RunwayTask } from '../../helpers/task';
import { runwayRequest } from '../../../shared/vendors/runway/transport';
import { readTaskId, taskIdProperty } from '../descriptions';

export const description = updateDisplayOptions(
	{ show: { resource: ['task'], operation: ['get'] } },
	[taskIdProperty],
);

/** Reads a task once (fresh output URLs included); updates the item's take for that task. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const taskId = readTaskId(this, itemIndex);
	const { body } = await runwayRequest<RunwayTask>(this, {
		method: 'GET',
		path: `/v1/tasks/${encodeURIComponent(taskId)}`,
		operation: 'Get task',
		itemIndex,
		jobId: taskId,
	});
	const status = runwayJobStatus(body);
	const input = this.getInputData()[itemIndex].json;
	const url = body.output?.[0];
	const previous = Array.isArray(input.takes)
		? readShotItemParts(input, itemIndex, ['takes']).takes
		: undefined;
	const mimeType =
		previous?.find((take) => take.jobId === taskId)?.asset?.mimeType ??
		(url?.includes('.png') ? 'image/png' : 'video/mp4');
	const takes = previous
		? {
				takes: withTakeStatus(
					previous,
					taskId,
					status,
					new Date(),
					url ? { kind: 'url', ref: url, mimeType } : undefined,
				),
			}
		: {};
	return [
		{
			json: {
				...input,
				...takes,
				jobId: taskId,
				status: status.phase,
				vendorStatus: body.status,
				progress: status.progress ?? null,
				output: body.output ?? [],
				failure: status.failure ?? null,
				credits: body.cost?.credits ?? body.estimatedCost?.credits ?? null,
			},
			pairedItem: { item: itemIndex },
		},
	];
}
