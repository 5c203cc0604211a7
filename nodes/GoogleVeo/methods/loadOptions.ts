import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { modelOptions } from '../../shared/registry/registry';
import { settle } from '../../shared/runtime/concurrency';
import { vendorRequest } from '../../shared/transport';
import { GOOGLE_CREDENTIAL, googleEndpoint } from '../../shared/vendors/google/transport';

interface GeminiModelList {
	models?: Array<{ name?: string; displayName?: string; supportedGenerationMethods?: string[] }>;
}

/**
 * Veo models for the credential's backend: the registry's, with availability notes, plus any Veo
 * model the Gemini API lists live that the registry does not know yet.
 */
export async function veoModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const endpoint = await settle(async () => await googleEndpoint(this));
	const backend = endpoint.ok ? endpoint.value.backend : 'vertex';
	const known = modelOptions({ vendor: 'google', capability: 'text_to_video', backend });
	const live: INodePropertyOptions[] = [];
	const url = endpoint.ok ? endpoint.value.modelListUrl : undefined;
	if (url) {
		try {
			const { body: list } = await vendorRequest<GeminiModelList>(this, {
				vendor: 'google',
				credentialType: GOOGLE_CREDENTIAL,
				operation: 'List models',
				method: 'GET',
				url,
				qs: { pageSize: 1000 },
				itemIndex: 0,
			});
			for (const model of list.models ?? []) {
				const id = String(model.name ?? '').replace(/^models\//, '');
				if (
					id.startsWith('veo') &&
					model.supportedGenerationMethods?.includes('predictLongRunning') &&
					!known.some((option) => option.value === id)
				) {
					live.push({
						name: `${model.displayName ?? id} (listed by the Gemini API)`,
						value: id,
						description: `${id} — not in this node's model registry yet; priced at $0 until it is`,
					});
				}
			}
		} catch {
			// The registry list still works when the live list cannot be fetched.
		}
	}
	return [
		...known,
		...live,
		{ name: 'Custom Model ID', value: 'custom', description: 'A model released after this node' },
	];
}
