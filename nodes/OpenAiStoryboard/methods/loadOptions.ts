import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { modelOptions } from '../../shared/registry/registry';

export async function storyboardModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return modelOptions({ vendor: 'openai', capability: 'structured_output' });
}

/** Videos API models, marked where OpenAI retired them (gateways may still serve them). */
export async function videoModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return [
		...modelOptions({ vendor: 'openai', capability: 'text_to_video', backend: 'openai_compatible' }),
		{ name: 'Custom Model ID', value: 'custom', description: 'Any model your gateway serves' },
	];
}
