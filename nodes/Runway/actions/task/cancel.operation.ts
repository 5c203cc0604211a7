import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { runwayRequest } from '../../../shared/vendors/runway/transport';
import { readTaskId, taskIdProperty } from '../descriptions';

export const description = updateDisplayOptions(
	{ show: { resource: ['task'], operation: ['cancel'] } },
	[taskIdProperty],
);

/** Cancels a pending or running task; a finished task is deleted (its outputs are purged). */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const taskId = readTaskId(this, itemIndex);
	await runwayRequest(this, {
		method: 'DELETE',
		path: `/v1/tasks/${encodeURIComponent(taskId)}`,
		operation: 'Cancel task',
		itemIndex,
		jobId: taskId,
	});
	return [
		{
			json: { ...this.getInputData()[itemIndex].json, jobId: taskId, cancelled: true },
			pairedItem: { item: itemIndex },
		},
	];
}
