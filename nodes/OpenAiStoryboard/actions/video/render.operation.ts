import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { ContractError } from '../../../shared/errors';
import { resolveModel } from '../../../shared/registry/registry';
import { composePrompt } from '../../../shared/render/prompt';
import { readShot, renderProperties } from '../../../shared/render/properties';
import { assertRenderable } from '../../../shared/render/requestChecks';
import { nextAttempt } from '../../../shared/render/shotContext';
import type { Batch } from '../../../shared/router';
import { videoSize, videosConcurrency, videosEstimate, videosRender } from '../../helpers/plan';
import { openAiBackend } from '../../../shared/vendors/openai/transport';
import { stringParameter } from '../../../shared/parameters';

export { validateShotSource as validate } from '../../../shared/render/properties';

export const videoModelProperty: INodeProperties = {
	displayName: 'Model Name or ID',
	name: 'model',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'videoModels' },
	default: 'sora-2',
	description:
		'OpenAI shut its Videos API down on 2026-09-24; these models work through OpenAI-compatible gateways set as the credential’s base URL. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

const properties: INodeProperties[] = [
	videoModelProperty,
	...renderProperties,
	{
		displayName: 'Input Reference',
		name: 'inputReference',
		type: 'options',
		default: 'none',
		options: [
			{ name: 'None', value: 'none' },
			{
				name: 'Binary Field',
				value: 'binary',
				description: 'An image the size of the video, guiding the first frame',
			},
			{ name: 'Image URL', value: 'url' },
		],
	},
	{
		displayName: 'Binary Field',
		name: 'inputReferenceProperty',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { inputReference: ['binary'] } },
	},
	{
		displayName: 'Image URL',
		name: 'inputReferenceUrl',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { inputReference: ['url'] } },
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['render'] } },
	properties,
);

export const concurrency = videosConcurrency;

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
): Promise<INodeExecutionData[]> {
	const context = readShot(this, itemIndex, 'narrative', true);
	const model = resolveModel(
		'openai',
		stringParameter(this, 'model', itemIndex),
		await openAiBackend(this),
	);
	const hint = context.retryHint?.layer === 'narrative' ? context.retryHint : undefined;
	const seconds = hint?.durationSeconds ?? context.shot.durationSeconds;
	assertRenderable(model.spec, context, itemIndex, {
		durationSeconds: seconds,
		aspectRatio: context.shot.aspectRatio,
	});
	const size = videoSize(context.shot, model.spec?.wireRatios);
	if (!size)
		throw new ContractError(itemIndex, [
			{
				path: context.fromContract ? 'shot.resolution' : 'resolution',
				message: `${context.shot.resolution} ${context.shot.aspectRatio} has no size on ${model.id}`,
			},
		]);
	const prompt = composePrompt(context.shot, context.pin, { hint });
	const fields: IDataObject = { model: model.id, prompt, seconds: String(seconds), size };
	let body: IDataObject | FormData = fields;
	const reference = this.getNodeParameter('inputReference', itemIndex, 'none') as string;
	if (reference === 'url') {
		body = {
			...fields,
			input_reference: { image_url: stringParameter(this, 'inputReferenceUrl', itemIndex) },
		};
	} else if (reference === 'binary') {
		const property = this.getNodeParameter('inputReferenceProperty', itemIndex) as string;
		const binary = this.getInputData()[itemIndex].binary?.[property];
		if (!binary)
			throw new ContractError(itemIndex, [
				{
					path: 'inputReferenceProperty',
					message: `names binary field "${property}", which the item does not have`,
				},
			]);
		const form = new FormData();
		for (const [key, value] of Object.entries(fields)) form.append(key, String(value));
		form.append(
			'input_reference',
			new Blob([await this.helpers.getBinaryDataBuffer(itemIndex, property)], {
				type: binary.mimeType,
			}),
			binary.fileName ?? 'reference.png',
		);
		body = form;
	}
	return await videosRender(this, itemIndex, batch, context, {
		path: '/videos',
		operation: 'render',
		model: model.id,
		body,
		estimate: videosEstimate(model, seconds, size),
		refsSent: reference === 'none' ? [] : ['input_reference'],
		fileStem: `${context.pipeline.runId}-${context.shot.id}-narrative-${nextAttempt(context, 'narrative')}`,
	});
}
