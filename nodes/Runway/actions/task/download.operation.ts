import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { downloadToBinary } from '../../../shared/binary';
import { ContractError } from '../../../shared/errors';
import {
	otherVendorsProperty,
	outputFieldProperty,
	takeToDownload,
} from '../../../shared/render/deliveryTake';
import type { RunwayTask } from '../../helpers/task';
import { runwayRequest } from '../../../shared/vendors/runway/transport';
import { readTaskId, taskIdProperty } from '../descriptions';

const properties: INodeProperties[] = [
	{
		displayName: 'Output Of',
		name: 'source',
		type: 'options',
		default: 'take',
		options: [
			{ name: 'Latest Runway Take of the Item', value: 'take' },
			{ name: 'Task ID', value: 'taskId' },
		],
	},
	{ ...taskIdProperty, displayOptions: { show: { source: ['taskId'] } } },
	otherVendorsProperty,
	outputFieldProperty,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['task'], operation: ['download'] } },
	properties,
);

/**
 * Streams a finished task's output into a binary field. Runway's output URLs are signed and
 * expire, so the task is read again first for a fresh URL rather than trusting the one on the take.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const input = this.getInputData()[itemIndex];
	let taskId: string;
	let mimeType: string | undefined;
	if (this.getNodeParameter('source', itemIndex, 'take') === 'taskId') {
		taskId = readTaskId(this, itemIndex);
	} else {
		const take = takeToDownload(this, itemIndex, 'runway', 'Runway');
		if (!take) return [{ ...input, pairedItem: { item: itemIndex } }];
		taskId = take.jobId;
		mimeType = take.asset!.mimeType;
	}
	const { body } = await runwayRequest<RunwayTask>(this, {
		method: 'GET',
		path: `/v1/tasks/${encodeURIComponent(taskId)}`,
		operation: 'Download',
		itemIndex,
		jobId: taskId,
	});
	const url = body.output?.[0];
	if (body.status !== 'SUCCEEDED' || !url) {
		throw new ContractError(itemIndex, [
			{
				path: 'taskId',
				message: `task ${taskId} is ${body.status}${url ? '' : ' with no output'}; only a succeeded task can be downloaded`,
			},
		]);
	}
	mimeType ??= /\.(png|jpe?g|webp)(\?|$)/.test(url) ? 'image/png' : 'video/mp4';
	const property = this.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string;
	const binary = await downloadToBinary(this, {
		url,
		vendor: 'runway',
		itemIndex,
		jobId: taskId,
		fileName: `${taskId}.${mimeType === 'video/mp4' ? 'mp4' : 'png'}`,
		mimeType,
	});
	return [
		{
			json: { ...input.json, download: { taskId, bytes: binary.bytes ?? null } },
			binary: { ...(input.binary ?? {}), [property]: binary },
			pairedItem: { item: itemIndex },
		},
	];
}
