// Parameters that Generate and Extend share.
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { stringParameter } from '../../shared/parameters';

export const modelProperty: INodeProperties = {
	displayName: 'Model Name or ID',
	name: 'model',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'veoModels' },
	default: 'veo-3.1-generate-001',
	description:
		'Models the credential’s backend serves, from the model registry; "Custom Model ID" for newer ones. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

export const customModelProperty: INodeProperties = {
	displayName: 'Custom Model ID',
	name: 'customModelId',
	type: 'string',
	default: '',
	placeholder: 'veo-4.0-generate-001',
	displayOptions: { show: { model: ['custom'] } },
};

export function modelId(ctx: IExecuteFunctions, itemIndex: number): string {
	const model = ctx.getNodeParameter('model', itemIndex) as string;
	return model === 'custom' ? stringParameter(ctx, 'customModelId', itemIndex) : model;
}
