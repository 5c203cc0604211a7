import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { cancellableRenderProperties } from '../../../shared/render/properties';
import { nextAttempt, readShotContext } from '../../../shared/render/shotContext';
import type { Batch } from '../../../shared/router';
import { runwayConcurrency, runwayEstimate, runwayModel, runwayRender } from '../../helpers/plan';
import {
	customModelProperty,
	modelProperty,
	sourceVideo,
	sourceVideoProperties,
} from '../descriptions';

export { validateShotItem as validate } from '../../../shared/render/properties';

const properties: INodeProperties[] = [
	modelProperty('upscaleModels', 'magnific_video_upscaler_creative'),
	customModelProperty,
	...sourceVideoProperties,
	{
		displayName: 'Resolution',
		name: 'upscaleResolution',
		type: 'options',
		default: '4k',
		options: [
			{ name: '1K', value: '1k' },
			{ name: '2K', value: '2k' },
			{ name: '4K', value: '4k' },
			{ name: '720p', value: '720p' },
		],
		displayOptions: { hide: { model: ['enhance_frame_rate'] } },
	},
	{
		displayName: 'Target Frame Rate',
		name: 'targetFramerate',
		type: 'options',
		default: '60',
		options: ['24', '25', '30', '48', '50', '60', '120'].map((fps) => ({
			name: `${fps} fps`,
			value: fps,
		})),
		displayOptions: { show: { model: ['enhance_frame_rate'] } },
	},
	...cancellableRenderProperties.filter((property) =>
		['mode', 'renderOptions'].includes(property.name),
	),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['upscale'] } },
	properties,
);

export const concurrency = runwayConcurrency;

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
): Promise<INodeExecutionData[]> {
	const context = readShotContext(this.getInputData()[itemIndex].json, itemIndex);
	const model = runwayModel(this, itemIndex);
	const video = await sourceVideo(this, itemIndex, context);
	const body =
		model.id === 'enhance_frame_rate'
			? {
					videoUri: video.uri,
					targetFramerate: this.getNodeParameter('targetFramerate', itemIndex, '60') as string,
				}
			: {
					videoUri: video.uri,
					resolution: this.getNodeParameter('upscaleResolution', itemIndex, '4k') as string,
				};
	return await runwayRender(this, itemIndex, batch, context, {
		endpoint: 'video_upscale',
		operation: 'upscale',
		model,
		body,
		estimate: runwayEstimate(model, { durationSeconds: video.durationSeconds }),
		refsSent: video.refsSent,
		mimeType: 'video/mp4',
		fileStem: `${context.pipeline.runId}-${context.shot.id}-upscaled-${nextAttempt(context, 'control')}`,
	});
}
