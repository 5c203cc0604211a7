import type { IExecuteFunctions } from 'n8n-workflow';
import type { AssetRef } from '../contract/schemas';
import { ContractError } from '../errors';

/** Reference images are small; anything bigger than this is not a reference image. */
const MAX_REFERENCE_BYTES = 20 * 1024 * 1024;

/**
 * Bytes of a reference image: from the item's binary property, or fetched from its URL (without
 * credentials). gs:// and runway:// references have no bytes here; vendors that accept them take
 * the URI itself.
 */
export async function assetBytes(ctx: IExecuteFunctions, itemIndex: number, asset: AssetRef, path: string): Promise<Buffer | undefined> {
	if (asset.kind === 'binary') {
		const binary = ctx.getInputData()[itemIndex].binary?.[asset.ref];
		if (!binary) throw new ContractError(itemIndex, [{ path, message: `names binary property "${asset.ref}", which the item does not have` }]);
		const bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, asset.ref);
		if (bytes.length > MAX_REFERENCE_BYTES) throw new ContractError(itemIndex, [{ path, message: `is ${bytes.length} bytes; reference images must be under 20 MB` }]);
		return bytes;
	}
	if (asset.kind === 'url') {
		const response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: asset.ref,
			encoding: 'arraybuffer',
			returnFullResponse: true,
			timeout: 60_000,
			abortSignal: ctx.getExecutionCancelSignal(),
		})) as { body: ArrayBuffer | Buffer };
		const bytes = Buffer.from(response.body as ArrayBuffer);
		if (bytes.length > MAX_REFERENCE_BYTES) throw new ContractError(itemIndex, [{ path, message: `points at ${bytes.length} bytes; reference images must be under 20 MB` }]);
		return bytes;
	}
	return undefined;
}
