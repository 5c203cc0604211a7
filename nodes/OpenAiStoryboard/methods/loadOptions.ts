import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { getModel, modelOptions } from '../../shared/registry/registry';
import { credentialBaseUrl, vendorRequest } from '../../shared/transport';
import { OPENAI_CREDENTIAL } from '../../shared/vendors/openai/transport';

export async function storyboardModels(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	return modelOptions({ vendor: 'openai', capability: 'structured_output' });
}

/**
 * What the credential's host lists at /v1/models that the registry does not know: a gateway
 * serves other vendors' video models under its own IDs (minimax/h3, google/veo-3.1-fast, ...).
 * Registry text models are left out; they are not rendered here.
 */
async function gatewayModels(ctx: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	try {
		const url = `${await credentialBaseUrl(ctx, OPENAI_CREDENTIAL, 'https://api.openai.com/v1')}/models`;
		const { body } = await vendorRequest<{ data?: Array<{ id?: unknown; owned_by?: unknown }> }>(
			ctx,
			{
				vendor: 'openai',
				credentialType: OPENAI_CREDENTIAL,
				operation: 'List models',
				method: 'GET',
				url,
				itemIndex: 0,
			},
		);
		return (body.data ?? [])
			.map((model) => ({
				id: typeof model.id === 'string' ? model.id : '',
				owner: typeof model.owned_by === 'string' ? model.owned_by : '',
			}))
			.filter(({ id }) => id && !getModel(id))
			.map(({ id, owner }) => ({
				name: `${id} (listed by your gateway)`,
				value: id,
				description: `${id}${owner ? ` from ${owner}` : ''} — not in this node's registry: the gateway's own limits apply, and its cost is booked as an estimate`,
			}));
	} catch {
		// The registry list still works when the host cannot be asked.
		return [];
	}
}

/** Videos API models: the registry's (marked where OpenAI retired them), then what the gateway lists. */
export async function videoModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return [
		...modelOptions({
			vendor: 'openai',
			capability: 'text_to_video',
			backend: 'openai_compatible',
		}),
		...(await gatewayModels(this)),
		{ name: 'Custom Model ID', value: 'custom', description: 'Any model your gateway serves' },
	];
}
