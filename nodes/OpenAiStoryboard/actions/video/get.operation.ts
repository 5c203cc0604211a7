import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { readShotItemParts } from '../../../shared/contract/validate';
import { withTakeStatus } from '../../../shared/takes';
import { videoJobStatus, type VideoObject } from '../../helpers/videoJob';
import { openAiBaseUrl, openAiRequest } from '../../../shared/vendors/openai/transport';
import { readVideoId, videoIdProperty } from '../descriptions';

const properties: INodeProperties[] = [
	videoIdProperty('The job ID the Videos API returned when the render was submitted'),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['get'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const jobId = readVideoId(this, itemIndex);
	const { body } = await openAiRequest<VideoObject>(this, {
		method: 'GET',
		path: `/videos/${encodeURIComponent(jobId)}`,
		operation: 'Get video status',
		itemIndex,
		jobId,
	});
	const status = videoJobStatus(body);
	const input = this.getInputData()[itemIndex].json;
	// On a shot item, the take of this job carries the vendor's latest word too.
	const asset =
		status.phase === 'succeeded'
			? {
					kind: 'url' as const,
					ref: `${await openAiBaseUrl(this)}/videos/${encodeURIComponent(jobId)}/content`,
					mimeType: 'video/mp4',
				}
			: undefined;
	const takes = Array.isArray(input.takes)
		? {
				takes: withTakeStatus(
					readShotItemParts(input, itemIndex, ['takes']).takes,
					jobId,
					status,
					new Date(),
					asset,
				),
			}
		: {};
	return [
		{
			json: {
				...input,
				...takes,
				jobId,
				status: status.phase,
				vendorStatus: status.vendorStatus,
				progress: status.progress ?? null,
				failure: status.failure ?? null,
				video: body as unknown as Record<string, never>,
			},
			pairedItem: { item: itemIndex },
		},
	];
}
