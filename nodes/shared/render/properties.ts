import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { AspectRatio, RenderLayer, Resolution } from '../contract/schemas';
import type { WaitPolicy } from '../runtime/jobRunner';
import { manualShotContext, readShotContext, type ShotContext } from './shotContext';
import type { RenderSettings } from './renderItem';
import { stringParameter } from '../parameters';

export interface RenderDefaults {
	/** Vendor guidance on how often to poll, seconds. */
	pollIntervalSeconds: number;
	timeoutMinutes: number;
	concurrency: number;
	/** The vendor's shortest poll interval, seconds, for polling that follows the render. */
	minPollSeconds: number;
}

/** Aspect ratios of the contract, as options. */
export const ASPECT_RATIO_OPTIONS = [
	{ name: '1:1', value: '1:1' },
	{ name: '16:9', value: '16:9' },
	{ name: '21:9', value: '21:9' },
	{ name: '3:4', value: '3:4' },
	{ name: '4:3', value: '4:3' },
	{ name: '9:16', value: '9:16' },
];

/** Resolutions of the contract, as options. */
export const RESOLUTION_OPTIONS = [
	{ name: '1080p', value: '1080p' },
	{ name: '4K', value: '4k' },
	{ name: '720p', value: '720p' },
];

/**
 * The fields every render operation shares: where the shot comes from, how to wait, what to
 * output. Values are the same for every vendor; what a model accepts is checked against the
 * registry when the item runs, so the error can name the field.
 */
export const renderProperties: INodeProperties[] = [
	{
		displayName: 'Shot Source',
		name: 'shotSource',
		type: 'options',
		default: 'item',
		options: [
			{
				name: 'From Item (Pipeline Shot)',
				value: 'item',
				description:
					'Render the shot, pin and attempt the item carries (from Storyboard, Pin State or QC Router)',
			},
			{
				name: 'Define Below',
				value: 'manual',
				description: 'Render a one-off prompt from the fields below',
			},
		],
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'A lighthouse keeper climbs the spiral stairs at dusk, handheld camera',
		displayOptions: { show: { shotSource: ['manual'] } },
	},
	{
		displayName: 'Duration (Seconds)',
		name: 'durationSeconds',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 120 },
		default: 8,
		description: 'Veo takes 4, 6 or 8; Runway Gen-4 2 to 10; Sora 4 to 20',
		displayOptions: { show: { shotSource: ['manual'] } },
	},
	{
		displayName: 'Aspect Ratio',
		name: 'aspectRatio',
		type: 'options',
		default: '16:9',
		options: ASPECT_RATIO_OPTIONS,
		displayOptions: { show: { shotSource: ['manual'] } },
	},
	{
		displayName: 'Resolution',
		name: 'resolution',
		type: 'options',
		default: '1080p',
		options: RESOLUTION_OPTIONS,
		displayOptions: { show: { shotSource: ['manual'] } },
	},
	{
		displayName: 'Wait for Completion',
		name: 'mode',
		type: 'options',
		default: 'wait',
		options: [
			{
				name: 'Wait for the Render',
				value: 'wait',
				description: 'Submit, poll until done (bounded by the timeout) and output the clip',
			},
			{
				name: 'Submit Only',
				value: 'submit',
				description:
					'Output the job ID at once; collect it later with Get Status / Download (for a Wait node loop)',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'renderOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Budget (USD)',
				name: 'budgetUsd',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: 0,
				description:
					'For prompts defined here: refuse a render that would cost more than this (0 = no cap). Pipeline shots use the run budget.',
			},
			{
				displayName: 'Concurrent Renders (Upper Limit)',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: 20,
				description:
					'Never more renders in flight at once than this. Within it the node finds the account’s cap itself: it starts low (or where the last run ended, see Start Concurrency), grows while the vendor accepts, and halves on 429, quota errors or Runway THROTTLED.',
			},
			{
				displayName: 'Hand On Slow Renders After (Times Expected)',
				name: 'handOnAfter',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 100, numberPrecision: 1 },
				default: 0,
				description:
					'A render still running this many times the model’s expected time (what this run observed, else its typical time) leaves the step with its job ID, so one stuck job does not hold the others; QC Router sends it back to be collected, and the passes share one timeout. 0 = wait until the timeout.',
			},
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				default: 'binary',
				options: [
					{
						name: 'Binary File',
						value: 'binary',
						description: 'Stream the clip into a binary field',
					},
					{
						name: 'Reference Only',
						value: 'reference',
						description: 'Keep the vendor URL / gs:// URI on the take; download later',
					},
				],
			},
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollIntervalSeconds',
				type: 'number',
				typeOptions: { minValue: 0.2, maxValue: 300, numberPrecision: 1 },
				default: 10,
				description:
					'First wait and starting interval between status checks; it grows gently up to 3x. Not set: polling follows the render (first check from the model’s typical render time, then from the times this run observes), noticing a finished render within about 5% of its render time.',
			},
			{
				displayName: 'Put Output File in Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
			},
			{
				displayName: 'Start Concurrency',
				name: 'startConcurrency',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 50 },
				default: 0,
				description:
					'Renders in flight to start from. 0 = the cap the last run learned (learnedConcurrency on the input items), else 2. Each output item carries the cap this run learned in learnedConcurrency.',
			},
			{
				displayName: 'Timeout (Minutes)',
				name: 'timeoutMinutes',
				type: 'number',
				typeOptions: { minValue: 0.05, maxValue: 720, numberPrecision: 2 },
				default: 20,
				description:
					'Stop waiting after this much render time (time the vendor holds the job back for the account’s concurrency does not count); the job ID stays on the item so a re-run collects the render without paying again',
			},
			{
				displayName: 'Tolerated Poll Errors',
				name: 'maxPollErrors',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 20 },
				default: 3,
				description:
					'Consecutive temporary errors (429, 5xx, dropped connections) tolerated while waiting',
			},
		],
	},
];

/** The option a vendor that refunds a cancelled job adds to the render options. */
const cancelAtTimeoutOption: INodeProperties = {
	displayName: 'Cancel at Vendor on Timeout',
	name: 'cancelAtTimeout',
	type: 'boolean',
	default: false,
	description:
		'Whether to cancel a render still unfinished when the timeout ends, so it gives back its place in the account’s concurrency and costs nothing, and QC Router can send the shot for a new render. Off: the render goes on at the vendor and its job ID stays on the item for a re-run to collect.',
};

/**
 * The render properties of a vendor whose cancel refunds an unfinished job (Runway): the Options
 * gain Cancel at Vendor on Timeout, in alphabetical place.
 */
export const cancellableRenderProperties: INodeProperties[] = renderProperties.map((property) =>
	property.name === 'renderOptions'
		? {
				...property,
				options: [...(property.options as INodeProperties[]), cancelAtTimeoutOption].sort((a, b) =>
					a.displayName.localeCompare(b.displayName),
				),
			}
		: property,
);

interface RenderOptionValues {
	budgetUsd?: number;
	cancelAtTimeout?: boolean;
	concurrency?: number;
	startConcurrency?: number;
	handOnAfter?: number;
	output?: 'binary' | 'reference';
	binaryPropertyName?: string;
	pollIntervalSeconds?: number;
	timeoutMinutes?: number;
	maxPollErrors?: number;
}

function options(ctx: IExecuteFunctions, itemIndex: number): RenderOptionValues {
	return (ctx.getNodeParameter('renderOptions', itemIndex, {}) ?? {}) as RenderOptionValues;
}

export function renderConcurrency(ctx: IExecuteFunctions, defaults: RenderDefaults): number {
	return Math.max(1, Math.floor(options(ctx, 0).concurrency ?? defaults.concurrency));
}

export function readRenderSettings(
	ctx: IExecuteFunctions,
	itemIndex: number,
	defaults: RenderDefaults,
): RenderSettings {
	const values = options(ctx, itemIndex);
	const interval = (values.pollIntervalSeconds ?? defaults.pollIntervalSeconds) * 1000;
	const policy: WaitPolicy = {
		firstDelayMs: interval,
		intervalMs: interval,
		maxIntervalMs: interval * 3,
		factor: 1.25,
		jitter: 0.2,
		timeoutMs: (values.timeoutMinutes ?? defaults.timeoutMinutes) * 60_000,
		maxConsecutivePollErrors: values.maxPollErrors ?? 3,
		maxSubmitRetries: 3,
	};
	return {
		mode: ctx.getNodeParameter('mode', itemIndex, 'wait') as RenderSettings['mode'],
		policy,
		followRender:
			values.pollIntervalSeconds === undefined
				? { floorMs: defaults.minPollSeconds * 1000 }
				: undefined,
		concurrency: {
			upper: renderConcurrency(ctx, defaults),
			start: Math.floor(values.startConcurrency ?? 0),
		},
		handOnAfter: Math.max(0, values.handOnAfter ?? 0),
		cancelAtTimeout: values.cancelAtTimeout === true,
		output: values.output ?? 'binary',
		binaryPropertyName: values.binaryPropertyName || 'data',
	};
}

/** The shot an item asks to render: its contract, or the manual fields. */
export function readShot(
	ctx: IExecuteFunctions,
	itemIndex: number,
	layer: RenderLayer,
	audioDefault: boolean,
): ShotContext {
	const source = ctx.getNodeParameter('shotSource', itemIndex, 'item') as string;
	if (source === 'item') return readShotContext(ctx.getInputData()[itemIndex].json, itemIndex);
	return manualShotContext(
		ctx,
		itemIndex,
		{
			prompt: stringParameter(ctx, 'prompt', itemIndex),
			durationSeconds: Number(ctx.getNodeParameter('durationSeconds', itemIndex)),
			aspectRatio: ctx.getNodeParameter('aspectRatio', itemIndex) as AspectRatio,
			resolution: ctx.getNodeParameter('resolution', itemIndex) as Resolution,
			audio: audioDefault,
			budgetUsd: options(ctx, itemIndex).budgetUsd || undefined,
		},
		layer,
	);
}

/**
 * Checks an item's shot before any item of the node run spends money (the router runs it for every
 * item first), so bad input fails the node while failing it still loses nothing.
 */
export function validateShotSource(this: IExecuteFunctions, itemIndex: number): void {
	readShot(this, itemIndex, 'control', false);
}

/** The same check for operations that always render the item's contract shot. */
export function validateShotItem(this: IExecuteFunctions, itemIndex: number): void {
	readShotContext(this.getInputData()[itemIndex].json, itemIndex);
}
