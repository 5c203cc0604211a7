import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { composePrompt, seedFor } from '../../../shared/render/prompt';
import {
	ASPECT_RATIO_OPTIONS,
	cancellableRenderProperties,
} from '../../../shared/render/properties';
import { nextAttempt, readShotContext } from '../../../shared/render/shotContext';
import type { Batch } from '../../../shared/router';
import { runwayConcurrency, runwayEstimate, runwayModel, runwayRender } from '../../helpers/plan';
import {
	customModelProperty,
	modelProperty,
	sourceVideo,
	sourceVideoProperties,
} from '../descriptions';
import { stringParameter } from '../../../shared/parameters';

export { validateShotItem as validate } from '../../../shared/render/properties';

const properties: INodeProperties[] = [
	modelProperty('videoToVideoModels', 'aleph2'),
	customModelProperty,
	...sourceVideoProperties,
	{
		displayName: 'Purpose',
		name: 'purpose',
		type: 'options',
		default: 'restyle',
		options: [
			{
				name: 'Restyle to the Pinned Look',
				value: 'restyle',
				description: 'Regrade the clip to the pin’s look, palette and style',
			},
			{
				name: 'Correct the Camera Path',
				value: 'camera',
				description: 'Re-render the clip following the shot’s camera direction',
			},
			{ name: 'Custom Instruction', value: 'custom' },
		],
	},
	{
		displayName: 'Instruction',
		name: 'instruction',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		required: true,
		displayOptions: { show: { purpose: ['custom'] } },
	},
	{
		displayName: 'Target Aspect Ratio',
		name: 'targetAspectRatio',
		type: 'options',
		default: 'keep',
		options: [...ASPECT_RATIO_OPTIONS, { name: 'Keep the Source’s', value: 'keep' }],
		description: 'Outpaint to another aspect ratio (for 9:16 / 1:1 ad variants)',
	},
	...cancellableRenderProperties.filter((property) =>
		['mode', 'renderOptions'].includes(property.name),
	),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['videoToVideo'] } },
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
	const purpose = this.getNodeParameter('purpose', itemIndex, 'restyle') as string;
	const { pin, shot } = context;
	const instruction =
		purpose === 'custom'
			? stringParameter(this, 'instruction', itemIndex)
			: purpose === 'camera'
				? `Keep the content; change the camera to: ${shot.camera ?? 'a steady, level move'}.`
				: `Keep the action and characters; regrade to ${pin ? `${pin.grade.look}, palette ${pin.grade.palette.join(', ')}, ${pin.style}` : 'a consistent look'}.`;
	const target = this.getNodeParameter('targetAspectRatio', itemIndex, 'keep') as string;
	const seed = seedFor(pin, shot, nextAttempt(context, 'control'), context.retryHint);
	return await runwayRender(this, itemIndex, batch, context, {
		endpoint: 'video_to_video',
		operation: `videoToVideo:${purpose}`,
		model,
		body: {
			videoUri: video.uri,
			promptText: `${instruction} ${composePrompt(shot, pin, { maxLength: 600 })}`.slice(0, 1000),
			...(target !== 'keep' ? { targetAspectRatio: target } : {}),
			...(seed !== undefined ? { seed } : {}),
		},
		estimate: runwayEstimate(model, { durationSeconds: video.durationSeconds }),
		refsSent: video.refsSent,
		mimeType: 'video/mp4',
		fileStem: `${context.pipeline.runId}-${shot.id}-${purpose}-${nextAttempt(context, 'control')}`,
	});
}
