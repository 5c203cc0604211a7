import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import type { RenderLayer } from '../../../shared/contract/schemas';
import { ContractError } from '../../../shared/errors';
import { stringParameter } from '../../../shared/parameters';
import { composePrompt, pickReferences, seedFor } from '../../../shared/render/prompt';
import { readShot, renderProperties } from '../../../shared/render/properties';
import { nextAttempt, type ShotContext } from '../../../shared/render/shotContext';
import type { Batch } from '../../../shared/router';
import { buildInput, fieldFor, type ShotRequest } from '../../helpers/inputSchema';
import {
	aggregatorConcurrency,
	aggregatorEstimate,
	aggregatorRender,
	imageValue,
	modelFacts,
} from '../../helpers/plan';
import { modelProperty, readBackend, readModel } from '../descriptions';
import { hardwarePrice, replicateBillingOptions } from '../../helpers/replicateHardware';

const properties: INodeProperties[] = [
	modelProperty,
	{
		displayName: 'Layer',
		name: 'layer',
		type: 'options',
		default: 'shot',
		options: [
			{
				name: 'From the Shot',
				value: 'shot',
				description: 'Hero shots render as the hero layer, b-roll as the control layer',
			},
			{ name: 'Hero', value: 'hero', description: 'QC sends failed shots back on Re-render Hero' },
			{
				name: 'Control (B-Roll)',
				value: 'control',
				description: 'QC sends failed shots back on Re-render Control',
			},
		],
	},
	...renderProperties,
	{
		displayName: 'First Frame',
		name: 'firstFrameSource',
		type: 'options',
		default: 'pin',
		description:
			'Used where the model takes a start image (image_url, start_image_url, first_frame_image, ...)',
		options: [
			{ name: 'From the Pin (First Character’s Reference)', value: 'pin' },
			{ name: 'Binary Field', value: 'binary' },
			{ name: 'URL', value: 'url' },
			{ name: 'None', value: 'none' },
		],
	},
	{
		displayName: 'Binary Field',
		name: 'firstFrameProperty',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { firstFrameSource: ['binary'] } },
	},
	{
		displayName: 'Image URL',
		name: 'firstFrameUrl',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { firstFrameSource: ['url'] } },
	},
	{
		displayName: 'Extra Input (JSON)',
		name: 'extraInput',
		type: 'json',
		default: '{}',
		description:
			'Model-specific inputs from its schema (e.g. {"cfg_scale": 0.6}); checked against the schema before anything is sent',
	},
	{
		displayName: 'Aggregator Options',
		name: 'aggregatorOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Price per Second (USD)',
				name: 'pricePerSecondUsd',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 4 },
				default: 0,
				description:
					'For models whose price neither the catalogue nor the registry reports; booked as an estimate',
			},
			{
				displayName: 'Replicate Billing',
				name: 'replicateBilling',
				type: 'options',
				options: replicateBillingOptions,
				default: 'output',
				description:
					'How Replicate bills the model: official models by output, other models by the seconds they ran on the hardware their page names (metrics.predict_time), booked as Replicate reports it. Ignored on fal.',
			},
			{
				displayName: 'Seed',
				name: 'seed',
				type: 'number',
				default: 0,
				description: '0 = take it from the pin’s seed policy',
			},
			{
				displayName: 'Webhook URL',
				name: 'webhookUrl',
				type: 'string',
				default: '',
				description:
					'Also notify this URL when the render finishes (fal_webhook / Replicate webhook); the node still polls',
			},
			{
				displayName: 'With Audio',
				name: 'audio',
				type: 'boolean',
				default: false,
				description:
					'Whether models with an audio switch render sound; a shot that says needsAudio overrides this',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['render'] } },
	properties,
);

export const concurrency = aggregatorConcurrency;

interface AggregatorOptions {
	pricePerSecondUsd?: number;
	replicateBilling?: string;
	seed?: number;
	webhookUrl?: string;
	audio?: boolean;
}

function readLayer(ctx: IExecuteFunctions, itemIndex: number, context: ShotContext): RenderLayer {
	const chosen = ctx.getNodeParameter('layer', itemIndex, 'shot') as string;
	if (chosen === 'hero' || chosen === 'control') return chosen;
	return context.shot.layer === 'hero' ? 'hero' : 'control';
}

/** A JSON text as a value, or why it is not JSON. */
function parseJson(text: string): { value: unknown } | { problem: string } {
	try {
		return { value: text.trim() ? JSON.parse(text) : {} };
	} catch (error) {
		return { problem: (error as Error).message };
	}
}

function readExtra(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	const raw = ctx.getNodeParameter('extraInput', itemIndex, '{}') as unknown;
	const parsed = typeof raw === 'string' ? parseJson(raw) : { value: raw };
	if ('problem' in parsed)
		throw new ContractError(itemIndex, [
			{ path: 'extraInput', message: `is not valid JSON (${parsed.problem})` },
		]);
	const value = parsed.value;
	if (!value || typeof value !== 'object' || Array.isArray(value))
		throw new ContractError(itemIndex, [
			{ path: 'extraInput', message: 'must be a JSON object of model inputs' },
		]);
	return value as IDataObject;
}

/** Where the first frame comes from, as a URL or data URI, and the character it shows. */
async function firstFrame(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: ShotContext,
): Promise<ShotRequest['firstFrame']> {
	const source = ctx.getNodeParameter('firstFrameSource', itemIndex, 'pin') as string;
	if (source === 'none') return undefined;
	if (source === 'url') {
		const url = stringParameter(ctx, 'firstFrameUrl', itemIndex);
		if (!/^https?:\/\//.test(url))
			throw new ContractError(itemIndex, [
				{ path: 'firstFrameUrl', message: url ? 'must be an http(s) URL' : 'is required' },
			]);
		return { value: url };
	}
	if (source === 'binary') {
		const property = stringParameter(ctx, 'firstFrameProperty', itemIndex, 'data');
		const mimeType = ctx.getInputData()[itemIndex].binary?.[property]?.mimeType ?? 'image/png';
		return {
			value: await imageValue(
				ctx,
				itemIndex,
				{ kind: 'binary', ref: property, mimeType },
				'firstFrameProperty',
			),
		};
	}
	const [first] = pickReferences(context.pin, context.shot, 1);
	return first
		? {
				value: await imageValue(ctx, itemIndex, first.asset, 'pin.characters.refs[0]'),
				tag: first.tag,
			}
		: undefined;
}

/** The model's input for this item, built from its published schema; every refusal names its field. */
export async function planInput(
	ctx: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
	context: ShotContext,
	layer: RenderLayer,
) {
	const vendor = readBackend(ctx, itemIndex);
	const model = readModel(ctx, itemIndex);
	const options = (ctx.getNodeParameter('aggregatorOptions', itemIndex, {}) ??
		{}) as AggregatorOptions;
	const { schema, price } = await modelFacts(ctx, batch, vendor, model, itemIndex);
	const hint = context.retryHint?.layer === layer ? context.retryHint : undefined;
	const referencesField = fieldFor(schema, 'references');
	const references = referencesField
		? pickReferences(context.pin, context.shot, schema.properties[referencesField].maxItems ?? 3)
		: [];
	const shot: ShotRequest = {
		prompt: (maxLength) => composePrompt(context.shot, context.pin, { hint, maxLength }),
		negativePrompt: context.pin?.negativePrompt || undefined,
		durationSeconds: Math.round(hint?.durationSeconds ?? context.shot.durationSeconds),
		aspectRatio: context.shot.aspectRatio,
		resolution: context.shot.resolution,
		firstFrame: fieldFor(schema, 'firstFrame')
			? await firstFrame(ctx, itemIndex, context)
			: undefined,
		references: await Promise.all(
			references.map(async (reference, index) => ({
				value: await imageValue(ctx, itemIndex, reference.asset, `pin.characters.refs[${index}]`),
				tag: reference.tag,
			})),
		),
		seed: options.seed || seedFor(context.pin, context.shot, nextAttempt(context, layer), hint),
		audio: context.shot.needsAudio ?? options.audio ?? false,
		extra: readExtra(ctx, itemIndex),
	};
	const paths = {
		duration: context.fromContract ? 'shot.durationSeconds' : 'durationSeconds',
		aspectRatio: context.fromContract ? 'shot.aspectRatio' : 'aspectRatio',
		firstFrame: context.fromContract ? 'pin.characters' : 'firstFrameSource',
	};
	const built = buildInput(schema, shot, model, paths);
	if ('problems' in built) throw new ContractError(itemIndex, built.problems);
	// QC passes a hero take only when it carried every pinned character: a model with room for fewer
	// would be paid for a take that cannot pass, so it is refused here instead.
	const pinned = [
		...new Set(pickReferences(context.pin, context.shot, 3).map((reference) => reference.tag)),
	];
	const missing = pinned.filter((tag) => !built.built.refsSent.includes(tag));
	if (layer === 'hero' && missing.length) {
		throw new ContractError(itemIndex, [
			{
				path: 'layer',
				message: `${model} carries ${built.built.refsSent.length ? built.built.refsSent.join(', ') : 'no reference image'} but the hero shot pins ${pinned.join(', ')}: QC would fail the take for ${missing.join(', ')}. Choose a model with reference images (e.g. a reference-to-video model) or render the shot as the control layer`,
			},
		]);
	}
	const estimate = aggregatorEstimate(
		vendor,
		model,
		price,
		{
			durationSeconds: built.built.durationSeconds,
			resolution: context.shot.resolution,
			audio: shot.audio,
		},
		options.pricePerSecondUsd,
	);
	return {
		vendor,
		model,
		estimate,
		webhookUrl: options.webhookUrl?.trim() || undefined,
		replicateBilling: options.replicateBilling,
		...built.built,
	};
}

export function validate(this: IExecuteFunctions, itemIndex: number): void {
	readShot(this, itemIndex, 'control', false);
	readModel(this, itemIndex);
	readExtra(this, itemIndex);
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
): Promise<INodeExecutionData[]> {
	const shotContext = readShot(this, itemIndex, 'control', false);
	const layer = readLayer(this, itemIndex, shotContext);
	const planned = await planInput(this, itemIndex, batch, shotContext, layer);
	return await aggregatorRender(this, itemIndex, batch, shotContext, {
		vendor: planned.vendor,
		layer,
		model: planned.model,
		input: planned.input as IDataObject,
		estimate: planned.estimate,
		...(planned.vendor === 'replicate'
			? { hardwareUsdPerSecond: hardwarePrice(planned.replicateBilling) }
			: {}),
		refsSent: planned.refsSent,
		webhookUrl: planned.webhookUrl,
		fileStem: `${shotContext.pipeline.runId}-${shotContext.shot.id}-${layer}-${nextAttempt(shotContext, layer)}`,
	});
}
