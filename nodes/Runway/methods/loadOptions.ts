import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import type { Capability } from '../../shared/registry/schema';
import { modelOptions } from '../../shared/registry/registry';
import { vendorRequest } from '../../shared/transport';
import { RUNWAY_CREDENTIAL, runwayBaseUrl } from '../../shared/vendors/runway/transport';

const CUSTOM = {
	name: 'Custom Model ID',
	value: 'custom',
	description: 'A model released after this node',
};

/** Models the account's tier lists (GET /v1/organization), to mark which the key may use. */
async function tierModels(ctx: ILoadOptionsFunctions): Promise<Set<string> | undefined> {
	try {
		const { body } = await vendorRequest<{ tier?: { models?: Record<string, unknown> } }>(ctx, {
			vendor: 'runway',
			credentialType: RUNWAY_CREDENTIAL,
			operation: 'List tier models',
			method: 'GET',
			url: `${await runwayBaseUrl(ctx)}/v1/organization`,
			itemIndex: 0,
		});
		return new Set(Object.keys(body.tier?.models ?? {}));
	} catch {
		return undefined;
	}
}

async function options(
	ctx: ILoadOptionsFunctions,
	capabilities: Capability[],
): Promise<INodePropertyOptions[]> {
	const tier = await tierModels(ctx);
	const known = capabilities.flatMap((capability) =>
		modelOptions({ vendor: 'runway', capability, backend: 'runway' }),
	);
	const marked = known.map((option) =>
		tier && !tier.has(String(option.value))
			? { ...option, description: `${option.description} — not in this account's tier` }
			: option,
	);
	return [...marked, CUSTOM];
}

export async function imageToVideoModels(this: ILoadOptionsFunctions) {
	return await options(this, ['image_to_video']);
}
export async function textToVideoModels(this: ILoadOptionsFunctions) {
	return await options(this, ['text_to_video']);
}
export async function textToImageModels(this: ILoadOptionsFunctions) {
	return await options(this, ['text_to_image']);
}
export async function videoToVideoModels(this: ILoadOptionsFunctions) {
	return await options(this, ['video_to_video']);
}
export async function upscaleModels(this: ILoadOptionsFunctions) {
	return await options(this, ['upscale', 'frame_interpolation']);
}
