import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { ContractError } from '../../../shared/errors';
import { resolveModel } from '../../../shared/registry/registry';
import { assetBytes } from '../../../shared/render/assets';
import { composePrompt, pickReferences, seedFor } from '../../../shared/render/prompt';
import {
	readRenderSettings,
	readShot,
	renderConcurrency,
	renderProperties,
} from '../../../shared/render/properties';
import { renderItem } from '../../../shared/render/renderItem';
import { assertRenderable } from '../../../shared/render/requestChecks';
import { nextAttempt } from '../../../shared/render/shotContext';
import type { Batch } from '../../../shared/router';
import { VEO_DEFAULTS, veoEstimate, veoPlan } from '../../helpers/plan';
import { googleEndpoint } from '../../../shared/vendors/google/transport';
import { customModelProperty, modelId, modelProperty } from '../descriptions';

export { validateShotSource as validate } from '../../../shared/render/properties';

const properties: INodeProperties[] = [
	modelProperty,
	customModelProperty,
	...renderProperties,
	{
		displayName: 'Reference Images',
		name: 'referenceMode',
		type: 'options',
		default: 'pin',
		options: [
			{ name: 'From the Pin (Up to 3 of the Shot’s Characters)', value: 'pin' },
			{ name: 'None', value: 'none' },
		],
		description: 'Veo 3.1 takes up to 3 ASSET reference images for 8 s, 16:9 shots',
	},
	{
		displayName: 'Generate Audio',
		name: 'generateAudio',
		type: 'boolean',
		default: true,
		description:
			'Whether Veo renders native audio (Vertex AI; the Gemini API always does). A shot that says needsAudio overrides this.',
	},
	{
		displayName: 'Veo Options',
		name: 'veoOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Cloud Storage Output',
				name: 'storageUri',
				type: 'string',
				default: '',
				placeholder: 'gs://my-bucket/renders/',
				description: 'Vertex AI writes the clip here instead of returning it inline',
			},
			{
				displayName: 'First Frame (Binary Field)',
				name: 'firstFrameProperty',
				type: 'string',
				default: '',
				description: 'Image to start from (image to video)',
			},
			{
				displayName: 'Last Frame (Binary Field)',
				name: 'lastFrameProperty',
				type: 'string',
				default: '',
				description: 'Image to end on; needs a first frame',
			},
			{
				displayName: 'Negative Prompt',
				name: 'negativePrompt',
				type: 'string',
				default: '',
				description: 'Added to the pin’s negative prompt',
			},
			{
				displayName: 'Person Generation',
				name: 'personGeneration',
				type: 'options',
				default: 'allow_adult',
				options: [
					{ name: 'Allow Adults', value: 'allow_adult' },
					{ name: 'Allow All (Allow-Listed Projects)', value: 'allow_all' },
					{ name: 'Do Not Allow', value: 'dont_allow' },
				],
			},
			{
				displayName: 'Samples',
				name: 'sampleCount',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 4 },
				default: 1,
				description: 'Videos per request (each is paid); the first becomes the take',
			},
			{
				displayName: 'Seed',
				name: 'seed',
				type: 'number',
				default: 0,
				description: 'Vertex AI only; 0 = take it from the pin’s seed policy',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['generate'] } },
	properties,
);

interface VeoOptions {
	storageUri?: string;
	firstFrameProperty?: string;
	lastFrameProperty?: string;
	negativePrompt?: string;
	personGeneration?: string;
	sampleCount?: number;
	seed?: number;
}

async function imageField(
	ctx: IExecuteFunctions,
	itemIndex: number,
	property: string | undefined,
	path: string,
): Promise<IDataObject | undefined> {
	if (!property) return undefined;
	const bytes = await assetBytes(
		ctx,
		itemIndex,
		{ kind: 'binary', ref: property, mimeType: 'image/png' },
		path,
	);
	const mimeType = ctx.getInputData()[itemIndex].binary?.[property]?.mimeType ?? 'image/png';
	return { bytesBase64Encoded: bytes!.toString('base64'), mimeType };
}

export function concurrency(this: IExecuteFunctions): number {
	return renderConcurrency(this, VEO_DEFAULTS);
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
): Promise<INodeExecutionData[]> {
	const settings = readRenderSettings(this, itemIndex, VEO_DEFAULTS);
	const context = readShot(
		this,
		itemIndex,
		'hero',
		this.getNodeParameter('generateAudio', itemIndex, true) as boolean,
	);
	const { shot, pin } = context;
	const endpoint = await googleEndpoint(this);
	const model = resolveModel('google', modelId(this, itemIndex), endpoint.backend);
	if (!model.id)
		throw new ContractError(itemIndex, [
			{ path: 'customModelId', message: 'is required when Model is Custom Model ID' },
		]);
	const options = (this.getNodeParameter('veoOptions', itemIndex, {}) ?? {}) as VeoOptions;
	const hint = context.retryHint?.layer === 'hero' ? context.retryHint : undefined;
	const durationSeconds = hint?.durationSeconds ?? shot.durationSeconds;
	const attempt = nextAttempt(context, 'hero');
	const references =
		this.getNodeParameter('referenceMode', itemIndex, 'pin') === 'pin'
			? pickReferences(pin, shot, 3)
			: [];
	assertRenderable(model.spec, context, itemIndex, {
		durationSeconds,
		resolution: shot.resolution,
		aspectRatio: shot.aspectRatio,
		referenceImages: references.length,
	});
	if (references.length && (durationSeconds !== 8 || shot.aspectRatio !== '16:9')) {
		throw new ContractError(itemIndex, [
			{
				path: context.fromContract ? 'shot.durationSeconds' : 'durationSeconds',
				message: `reference images need an 8 s, 16:9 shot on Veo (this one is ${durationSeconds} s, ${shot.aspectRatio}); set Reference Images to None or change the shot`,
			},
		]);
	}

	const referenceImages = await Promise.all(
		references.map(async ({ asset }, index) => {
			const path = `pin.characters.refs (reference ${index + 1})`;
			if (asset.kind === 'gcs' && endpoint.backend === 'vertex')
				return { image: { gcsUri: asset.ref, mimeType: asset.mimeType }, referenceType: 'ASSET' };
			const bytes = await assetBytes(this, itemIndex, asset, path);
			if (!bytes)
				throw new ContractError(itemIndex, [
					{
						path,
						message: `a ${asset.kind} reference cannot be sent to the ${endpoint.backend === 'gemini' ? 'Gemini API' : 'Vertex AI'} Veo endpoint`,
					},
				]);
			return {
				image: { bytesBase64Encoded: bytes.toString('base64'), mimeType: asset.mimeType },
				referenceType: 'ASSET',
			};
		}),
	);
	const image = await imageField(
		this,
		itemIndex,
		options.firstFrameProperty,
		'veoOptions.firstFrameProperty',
	);
	const lastFrame = await imageField(
		this,
		itemIndex,
		options.lastFrameProperty,
		'veoOptions.lastFrameProperty',
	);
	if (lastFrame && !image)
		throw new ContractError(itemIndex, [
			{ path: 'veoOptions.lastFrameProperty', message: 'needs a first frame as well' },
		]);

	const audio =
		shot.needsAudio ?? (this.getNodeParameter('generateAudio', itemIndex, true) as boolean);
	const samples = Math.min(4, Math.max(1, Math.floor(options.sampleCount ?? 1)));
	const negativePrompt = [pin?.negativePrompt, options.negativePrompt].filter(Boolean).join(', ');
	const parameters: IDataObject = {
		aspectRatio: shot.aspectRatio,
		resolution: shot.resolution,
		durationSeconds,
		sampleCount: samples,
		personGeneration: options.personGeneration ?? 'allow_adult',
		...(negativePrompt ? { negativePrompt } : {}),
	};
	if (endpoint.backend === 'vertex') {
		// The Gemini API rejects these; it always generates audio and takes no seed or bucket.
		parameters.generateAudio = audio;
		const seed = options.seed || seedFor(pin, shot, attempt, hint);
		if (seed !== undefined) parameters.seed = seed;
		if (options.storageUri)
			parameters.storageUri = options.storageUri.endsWith('/')
				? options.storageUri
				: `${options.storageUri}/`;
	}
	const instance: IDataObject = { prompt: composePrompt(shot, pin, { hint }) };
	if (image) instance.image = image;
	if (lastFrame) instance.lastFrame = lastFrame;
	if (referenceImages.length) instance.referenceImages = referenceImages;

	return await renderItem(
		this,
		itemIndex,
		batch,
		context,
		veoPlan(this, endpoint, itemIndex, {
			model: model.id,
			operation: 'generate',
			body: { instances: [instance], parameters },
			estimate: veoEstimate(model, {
				backend: endpoint.backend,
				durationSeconds,
				resolution: shot.resolution,
				audio: endpoint.backend === 'gemini' || audio,
				samples,
			}),
			refsSent: references.map((reference) => reference.tag),
			fileStem: `${context.pipeline.runId}-${shot.id}-hero-${attempt}`,
		}),
		settings,
	);
}
