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
import {
	readRenderSettings,
	renderConcurrency,
	renderProperties,
} from '../../../shared/render/properties';
import { renderItem } from '../../../shared/render/renderItem';
import { nextAttempt, readShotContext } from '../../../shared/render/shotContext';
import type { Batch } from '../../../shared/router';
import { VEO_DEFAULTS, veoEstimate, veoPlan } from '../../helpers/plan';
import { googleEndpoint } from '../../../shared/vendors/google/transport';
import { customModelProperty, modelId, modelProperty } from '../descriptions';
import { stringParameter } from '../../../shared/parameters';

export { validateShotItem as validate } from '../../../shared/render/properties';

const properties: INodeProperties[] = [
	modelProperty,
	customModelProperty,
	{
		displayName: 'Continuation',
		name: 'continuation',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'She opens the door and steps outside',
		description: 'What happens next; empty continues the shot’s own prompt',
	},
	...renderProperties.filter(
		(property) =>
			!['shotSource', 'prompt', 'durationSeconds', 'aspectRatio', 'resolution'].includes(
				property.name,
			),
	),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['extend'] } },
	properties,
);

export function concurrency(this: IExecuteFunctions): number {
	return renderConcurrency(this, VEO_DEFAULTS);
}

/** Extends the item's latest Veo take (Veo extends its own outputs only, at 720p, by about 7 s). */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
): Promise<INodeExecutionData[]> {
	const input = this.getInputData()[itemIndex];
	const context = readShotContext(input.json, itemIndex);
	const source = [...context.takes]
		.reverse()
		.find((take) => take.vendor === 'google' && take.status === 'succeeded' && take.asset);
	if (!source?.asset)
		throw new ContractError(itemIndex, [
			{ path: 'takes', message: 'has no succeeded Veo take to extend' },
		]);
	const endpoint = await googleEndpoint(this);
	const model = resolveModel('google', modelId(this, itemIndex), endpoint.backend);
	const video: IDataObject = {};
	if (source.asset.kind === 'gcs' && endpoint.backend === 'vertex')
		Object.assign(video, { gcsUri: source.asset.ref, mimeType: 'video/mp4' });
	else if (source.asset.kind === 'url' && endpoint.backend === 'gemini')
		Object.assign(video, { uri: source.asset.ref });
	else if (source.asset.kind === 'binary') {
		const bytes = (await this.helpers.getBinaryDataBuffer(itemIndex, source.asset.ref)).toString(
			'base64',
		);
		Object.assign(
			video,
			endpoint.backend === 'vertex'
				? { bytesBase64Encoded: bytes, mimeType: 'video/mp4' }
				: { encodedVideo: bytes, encoding: 'video/mp4' },
		);
	} else {
		throw new ContractError(itemIndex, [
			{
				path: 'takes',
				message: `the latest Veo take is a ${source.asset.kind} asset, which the ${endpoint.backend} backend cannot extend`,
			},
		]);
	}
	const continuation = stringParameter(this, 'continuation', itemIndex);
	const shot = {
		...context.shot,
		prompt: continuation || context.shot.prompt,
		resolution: '720p' as const,
	};
	const attempt = nextAttempt(context, 'hero');
	const seconds = context.shot.durationSeconds + 7;
	return await renderItem(
		this,
		itemIndex,
		batch,
		{ ...context, shot: context.shot },
		veoPlan(this, endpoint, itemIndex, {
			model: model.id,
			operation: 'extend',
			body: {
				instances: [{ prompt: composePrompt(shot, context.pin), video }],
				parameters: { resolution: '720p', sampleCount: 1 },
			},
			estimate: veoEstimate(model, {
				backend: endpoint.backend,
				durationSeconds: 7,
				resolution: '720p',
				audio: true,
				samples: 1,
			}),
			refsSent: source.refsSent ?? [],
			fileStem: `${context.pipeline.runId}-${context.shot.id}-extended-${attempt}-${seconds}s`,
		}),
		readRenderSettings(this, itemIndex, VEO_DEFAULTS),
	);
}
