import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { modelOptions } from '../../shared/registry/registry';

interface GeminiModelList {
	models?: Array<{ name?: string; displayName?: string; supportedGenerationMethods?: string[] }>;
}

/**
 * Veo models for the credential's backend: the registry's, with availability notes, plus any Veo
 * model the Gemini API lists live that the registry does not know yet.
 */
export async function veoModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	let credentials: { authMode?: string; geminiBaseUrl?: string } = {};
	try {
		credentials = await this.getCredentials<{ authMode?: string; geminiBaseUrl?: string }>('googleVideoPipelineApi');
	} catch {
		credentials = {};
	}
	const backend = credentials.authMode === 'geminiApiKey' ? 'gemini' : 'vertex';
	const known = modelOptions({ vendor: 'google', capability: 'text_to_video', backend });
	const live: INodePropertyOptions[] = [];
	if (backend === 'gemini') {
		try {
			const base = String(credentials.geminiBaseUrl || 'https://generativelanguage.googleapis.com').replace(/\/+$/, '');
			const list = (await this.helpers.httpRequestWithAuthentication.call(this, 'googleVideoPipelineApi', { method: 'GET', url: `${base}/v1beta/models`, qs: { pageSize: 1000 }, json: true })) as GeminiModelList;
			for (const model of list.models ?? []) {
				const id = String(model.name ?? '').replace(/^models\//, '');
				if (id.startsWith('veo') && model.supportedGenerationMethods?.includes('predictLongRunning') && !known.some((option) => option.value === id)) {
					live.push({ name: `${model.displayName ?? id} (listed by the Gemini API)`, value: id, description: `${id} — not in this node's model registry yet; priced at $0 until it is` });
				}
			}
		} catch {
			// The registry list still works when the live list cannot be fetched.
		}
	}
	return [...known, ...live, { name: 'Custom Model ID', value: 'custom', description: 'A model released after this node' }];
}
