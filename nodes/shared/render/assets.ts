import type { IExecuteFunctions } from 'n8n-workflow';
import type { AssetRef } from '../contract/schemas';
import { ContractError } from '../errors';
import { readBuffer } from '../http/bytes';
import { failureReason } from '../http/failure';
import { hostForMessage } from '../http/targets';
import { settle } from '../runtime/concurrency';

/** Reference images are small; anything bigger than this is not a reference image. */
export const MAX_REFERENCE_BYTES = 20 * 1024 * 1024;

async function binaryBytes(
	ctx: IExecuteFunctions,
	itemIndex: number,
	asset: AssetRef,
	path: string,
): Promise<Buffer> {
	const binary = ctx.getInputData()[itemIndex].binary?.[asset.ref];
	if (!binary)
		throw new ContractError(itemIndex, [
			{ path, message: `names binary property "${asset.ref}", which the item does not have` },
		]);
	// The size is known before the bytes are read: from the store's metadata, or the inline data's length.
	const size = binary.id
		? (await ctx.helpers.getBinaryMetadata(binary.id)).fileSize
		: Math.floor((binary.data.length * 3) / 4);
	if (size > MAX_REFERENCE_BYTES)
		throw new ContractError(itemIndex, [
			{ path, message: `is ${size} bytes; reference images must be under 20 MB` },
		]);
	return await ctx.helpers.getBinaryDataBuffer(itemIndex, asset.ref);
}

/** Fetches a URL reference without credentials, refusing it by its declared size or cutting it off at 20 MB. */
async function urlBytes(
	ctx: IExecuteFunctions,
	itemIndex: number,
	asset: AssetRef,
	path: string,
): Promise<Buffer> {
	const host = hostForMessage(asset.ref);
	const read = await settle(
		async () =>
			(await readBuffer(ctx, { url: asset.ref, what: 'the URL', maxBytes: MAX_REFERENCE_BYTES }))
				.bytes,
	);
	if (read.ok) return read.value;
	throw new ContractError(itemIndex, [
		{ path, message: `could not be fetched: ${failureReason(read.error, host)}` },
	]);
}

/**
 * Bytes of a reference image: from the item's binary property, or fetched from its URL (without
 * credentials). gs:// and runway:// references have no bytes here; vendors that accept them take
 * the URI itself.
 */
export async function assetBytes(
	ctx: IExecuteFunctions,
	itemIndex: number,
	asset: AssetRef,
	path: string,
): Promise<Buffer | undefined> {
	if (asset.kind === 'binary') return await binaryBytes(ctx, itemIndex, asset, path);
	if (asset.kind === 'url') return await urlBytes(ctx, itemIndex, asset, path);
	return undefined;
}
