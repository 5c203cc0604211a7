import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { modelOptions } from '../../shared/registry/registry';

/** Veo models for the backend the selected credential uses, with availability notes. */
export async function veoModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	let backend: 'vertex' | 'gemini' = 'vertex';
	try {
		const credentials = await this.getCredentials<{ authMode?: string }>('googleVideoPipelineApi');
		if (credentials.authMode === 'geminiApiKey') backend = 'gemini';
	} catch {
		backend = 'vertex';
	}
	return [
		...modelOptions({ vendor: 'google', capability: 'text_to_video', backend }),
		{ name: 'Custom Model ID', value: 'custom', description: 'A model released after this node' },
	];
}
