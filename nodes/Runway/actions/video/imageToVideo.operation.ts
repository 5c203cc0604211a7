import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { ContractError } from '../../../shared/errors';
import { composePrompt, pickReferences, seedFor } from '../../../shared/render/prompt';
import { readShot, renderProperties } from '../../../shared/render/properties';
import { assertRenderable } from '../../../shared/render/requestChecks';
import { nextAttempt, type ShotContext } from '../../../shared/render/shotContext';
import type { Batch } from '../../../shared/router';
import { runwayMediaUri } from '../../helpers/media';
import { runwayConcurrency, runwayEstimate, runwayModel, runwayRender } from '../../helpers/plan';
import { runwayRatio } from '../../helpers/ratios';
import { customModelProperty, modelProperty } from '../descriptions';
import { stringParameter } from '../../../shared/parameters';

export { validateShotSource as validate } from '../../../shared/render/properties';

export const promptImageProperties: INodeProperties[] = [
	{
		displayName: 'First Frame',
		name: 'promptImageSource',
		type: 'options',
		default: 'pin',
		options: [
			{ name: 'From the Pin (First Character’s Reference)', value: 'pin' },
			{ name: 'Binary Field', value: 'binary' },
			{ name: 'URL', value: 'url' },
		],
	},
	{
		displayName: 'Binary Field',
		name: 'promptImageProperty',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { promptImageSource: ['binary'] } },
	},
	{
		displayName: 'Image URL',
		name: 'promptImageUrl',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { promptImageSource: ['url'] } },
	},
];

export const runwayOptionsProperty: INodeProperties = {
	displayName: 'Runway Options',
	name: 'runwayOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Public Figure Threshold',
			name: 'publicFigureThreshold',
			type: 'options',
			default: 'auto',
			options: [
				{ name: 'Auto', value: 'auto' },
				{ name: 'Low', value: 'low' },
			],
			description: 'How strictly Runway moderates recognisable public figures',
		},
		{
			displayName: 'Seed',
			name: 'seed',
			type: 'number',
			default: 0,
			description: '0 = take it from the pin’s seed policy',
		},
		{
			displayName: 'With Audio',
			name: 'audio',
			type: 'boolean',
			default: false,
			description:
				'Whether Veo models through Runway render audio (costs more); a shot that says needsAudio overrides this',
		},
	],
};

const properties: INodeProperties[] = [
	modelProperty('imageToVideoModels', 'gen4_turbo'),
	customModelProperty,
	...renderProperties,
	...promptImageProperties,
	runwayOptionsProperty,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['imageToVideo'] } },
	properties,
);

export const concurrency = runwayConcurrency;

interface RunwayOptions {
	publicFigureThreshold?: string;
	seed?: number;
	audio?: boolean;
}

/** Body fields every Runway video render shares: prompt, ratio, duration, seed, audio, moderation. */
export function videoBody(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: ShotContext,
	model: ReturnType<typeof runwayModel>,
	withAudio: boolean,
	textOnly = false,
): { body: IDataObject; audio: boolean; duration: number } {
	const options = (ctx.getNodeParameter('runwayOptions', itemIndex, {}) ?? {}) as RunwayOptions;
	const hint = context.retryHint?.layer === 'control' ? context.retryHint : undefined;
	const duration = Math.round(hint?.durationSeconds ?? context.shot.durationSeconds);
	assertRenderable(model.spec, context, itemIndex, {
		durationSeconds: duration,
		aspectRatio: context.shot.aspectRatio,
	});
	const offered = (textOnly ? model.spec?.textToVideoRatios : undefined) ?? model.spec?.wireRatios;
	const ratio = runwayRatio(context.shot.aspectRatio, context.shot.resolution, offered);
	if (!ratio) {
		const how =
			textOnly && model.spec?.textToVideoRatios
				? ` text to video (it offers ${offered!.join(', ')}; Image to Video offers more)`
				: '';
		throw new ContractError(itemIndex, [
			{
				path: context.fromContract ? 'shot.aspectRatio' : 'aspectRatio',
				message: `${context.shot.aspectRatio} has no ratio on ${model.id}${how}`,
			},
		]);
	}
	const audio =
		withAudio && model.spec?.audio !== 'none'
			? (context.shot.needsAudio ?? options.audio ?? false)
			: false;
	const seed =
		options.seed || seedFor(context.pin, context.shot, nextAttempt(context, 'control'), hint);
	const body: IDataObject = {
		promptText: composePrompt(context.shot, context.pin, { hint, maxLength: 1000 }),
		ratio,
		duration,
		...(seed !== undefined ? { seed } : {}),
		...(model.spec?.audio === 'optional' ? { audio } : {}),
		...(options.publicFigureThreshold
			? { contentModeration: { publicFigureThreshold: options.publicFigureThreshold } }
			: {}),
	};
	return { body, audio, duration };
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
): Promise<INodeExecutionData[]> {
	const context = readShot(this, itemIndex, 'control', false);
	const model = runwayModel(this, itemIndex);
	const { body, audio, duration } = videoBody(this, itemIndex, context, model, true);
	const source = this.getNodeParameter('promptImageSource', itemIndex, 'pin') as string;
	let promptImage: string;
	let refsSent: string[] = [];
	if (source === 'pin') {
		const [first] = pickReferences(context.pin, context.shot, 1);
		if (!first)
			throw new ContractError(itemIndex, [
				{
					path: context.fromContract ? 'pin.characters' : 'promptImageSource',
					message:
						'has no reference image for the shot’s characters; choose another First Frame source',
				},
			]);
		promptImage = await runwayMediaUri(
			this,
			itemIndex,
			first.asset,
			context.pin,
			'pin.characters.refs[0]',
		);
		refsSent = [first.tag];
	} else if (source === 'binary') {
		const property = this.getNodeParameter('promptImageProperty', itemIndex) as string;
		const mimeType = this.getInputData()[itemIndex].binary?.[property]?.mimeType ?? 'image/png';
		promptImage = await runwayMediaUri(
			this,
			itemIndex,
			{ kind: 'binary', ref: property, mimeType },
			context.pin,
			'promptImageProperty',
		);
	} else {
		promptImage = stringParameter(this, 'promptImageUrl', itemIndex);
		if (!promptImage)
			throw new ContractError(itemIndex, [{ path: 'promptImageUrl', message: 'is required' }]);
	}
	return await runwayRender(this, itemIndex, batch, context, {
		endpoint: 'image_to_video',
		operation: 'imageToVideo',
		model,
		body: { ...body, promptImage },
		estimate: runwayEstimate(model, {
			durationSeconds: duration,
			resolution: context.shot.resolution,
			audio,
		}),
		refsSent,
		mimeType: 'video/mp4',
		fileStem: `${context.pipeline.runId}-${context.shot.id}-control-${nextAttempt(context, 'control')}`,
	});
}
