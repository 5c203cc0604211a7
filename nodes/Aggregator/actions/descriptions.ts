import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { ContractError } from '../../shared/errors';
import { stringParameter } from '../../shared/parameters';
import type { AggregatorVendor } from '../transport';

/** The aggregator a request goes to; it decides the credential, the catalogue and the wire. */
export const backendProperty: INodeProperties = {
	displayName: 'Aggregator',
	name: 'backend',
	type: 'options',
	noDataExpression: true,
	default: 'fal',
	options: [
		{
			name: 'Fal (Queue API)',
			value: 'fal',
			description:
				'Queue API at queue.fal.run: Kling, Seedance, Wan, MiniMax, Veo, Gemini Omni and more',
		},
		{
			name: 'Replicate (Predictions API)',
			value: 'replicate',
			description: 'Predictions at api.replicate.com: official video models by owner/name',
		},
	],
};

export const modelProperty: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description:
		'A video model from the aggregator’s catalogue; its published input schema decides the request',
	modes: [
		{
			displayName: 'From Catalogue',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchModels', searchable: true },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'fal-ai/kling-video/v3/pro/image-to-video',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^[A-Za-z0-9._-]+/[A-Za-z0-9._/:-]+$',
						errorMessage:
							'Use owner/name (fal endpoint IDs may have more path segments; Replicate may add :version)',
					},
				},
			],
		},
	],
};

export function readBackend(ctx: IExecuteFunctions, itemIndex: number): AggregatorVendor {
	return ctx.getNodeParameter('backend', itemIndex, 'fal') === 'replicate' ? 'replicate' : 'fal';
}

/** `owner/name`, with fal's sub-paths or Replicate's `:version`; never a path that climbs out. */
export function isModelId(id: string): boolean {
	return /^[A-Za-z0-9._-]+\/[A-Za-z0-9._/:-]+$/.test(id) && !id.includes('..');
}

/** The model ID, checked before anything is sent so a typo is refused by name. */
export function readModel(ctx: IExecuteFunctions, itemIndex: number): string {
	const id = String(
		ctx.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? '',
	).trim();
	if (!isModelId(id)) {
		throw new ContractError(itemIndex, [
			{ path: 'model', message: id ? `"${id}" is not a model ID (owner/name)` : 'is required' },
		]);
	}
	return id;
}

export const jobIdProperty: INodeProperties = {
	displayName: 'Request or Prediction ID',
	name: 'jobId',
	type: 'string',
	required: true,
	default: '={{ $json.jobId }}',
	description: 'The fal request ID or Replicate prediction ID a submit returned',
};

export function readJobId(ctx: IExecuteFunctions, itemIndex: number): string {
	const id = stringParameter(ctx, 'jobId', itemIndex);
	if (!/^[A-Za-z0-9_-]{4,128}$/.test(id))
		throw new ContractError(itemIndex, [
			{ path: 'jobId', message: id ? `"${id}" is not a request or prediction ID` : 'is required' },
		]);
	return id;
}
