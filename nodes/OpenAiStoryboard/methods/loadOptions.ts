import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { modelOptions } from '../../shared/registry/registry';

export async function storyboardModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return modelOptions({ vendor: 'openai', capability: 'structured_output' });
}
