import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { ContractError } from '../../../shared/errors';
import { getModel } from '../../../shared/registry/registry';
import { composePrompt } from '../../../shared/render/prompt';
import { renderProperties } from '../../../shared/render/properties';
import { nextAttempt, readShotContext } from '../../../shared/render/shotContext';
import type { Batch } from '../../../shared/router';
import { videosConcurrency, videosEstimate, videosRender } from '../../helpers/plan';
import { stringParameter } from '../../../shared/parameters';

export { validateShotItem as validate } from '../../../shared/render/properties';

const properties: INodeProperties[] = [
	{
		displayName: 'Kind',
		name: 'remixKind',
		type: 'options',
		default: 'edit',
		options: [
			{
				name: 'Edit',
				value: 'edit',
				description: 'POST /videos/edits: change the item’s latest render as instructed',
			},
			{
				name: 'Extend',
				value: 'extend',
				description: 'POST /videos/extensions: continue it by the seconds below',
			},
			{
				name: 'Remix (Legacy)',
				value: 'remix',
				description: 'POST /videos/{ID}/remix, for gateways without edits',
			},
		],
	},
	{
		displayName: 'Instruction',
		name: 'instruction',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		description: 'What to change or what happens next; empty uses the shot’s prompt',
	},
	{
		displayName: 'Added Seconds',
		name: 'addSeconds',
		type: 'options',
		default: 4,
		options: [
			{ name: '4 Seconds', value: 4 },
			{ name: '8 Seconds', value: 8 },
			{ name: '12 Seconds', value: 12 },
			{ name: '16 Seconds', value: 16 },
			{ name: '20 Seconds', value: 20 },
		],
		displayOptions: { show: { remixKind: ['extend'] } },
	},
	...renderProperties.filter((property) => ['mode', 'renderOptions'].includes(property.name)),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['remix'] } },
	properties,
);

export const concurrency = videosConcurrency;

/** Edits, extends or remixes the item's latest Videos API render, recording a new take. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
): Promise<INodeExecutionData[]> {
	const context = readShotContext(this.getInputData()[itemIndex].json, itemIndex);
	const source = [...context.takes]
		.reverse()
		.find((take) => take.vendor === 'openai' && take.status === 'succeeded');
	if (!source)
		throw new ContractError(itemIndex, [
			{ path: 'takes', message: 'has no succeeded Videos API take to build on' },
		]);
	const kind = this.getNodeParameter('remixKind', itemIndex, 'edit') as string;
	const instruction = stringParameter(this, 'instruction', itemIndex);
	const prompt =
		instruction || composePrompt(context.shot, context.pin, { hint: context.retryHint });
	const seconds =
		kind === 'extend'
			? Number(this.getNodeParameter('addSeconds', itemIndex, 4))
			: context.shot.durationSeconds;
	const path =
		kind === 'remix'
			? `/videos/${encodeURIComponent(source.jobId)}/remix`
			: kind === 'extend'
				? '/videos/extensions'
				: '/videos/edits';
	const body =
		kind === 'remix'
			? { prompt }
			: kind === 'extend'
				? { prompt, seconds: String(seconds), video: { id: source.jobId } }
				: { prompt, video: { id: source.jobId } };
	const model = { id: source.model, spec: getModel(source.model) };
	return await videosRender(this, itemIndex, batch, context, {
		path,
		operation: kind,
		model: source.model,
		body,
		estimate: videosEstimate(
			model,
			seconds,
			/1920|1080x/.test(JSON.stringify(source)) ? '1920x1080' : '1280x720',
		),
		refsSent: source.refsSent ?? [],
		fileStem: `${context.pipeline.runId}-${context.shot.id}-${kind}-${nextAttempt(context, 'narrative')}`,
	});
}
