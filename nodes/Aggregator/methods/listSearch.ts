import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { BACKENDS } from '../helpers/backends';

/** The aggregator's live video catalogue (models come and go without notice), searchable by name. */
export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const vendor = this.getNodeParameter('backend', 'fal') === 'replicate' ? 'replicate' : 'fal';
	const models = await BACKENDS[vendor].listModels(this, filter?.trim() || undefined);
	return {
		results: models.map((model) => ({
			name: model.name,
			value: model.id,
			url: model.url,
			description: model.description,
		})),
	};
}
