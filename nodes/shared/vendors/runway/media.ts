import type { IExecuteFunctions } from 'n8n-workflow';
import type { AssetRef, Pin } from '../../contract/schemas';
import { ContractError, VendorHttpError } from '../../errors';
import { httpSend } from '../../http/request';
import { settle } from '../../runtime/concurrency';
import { transportError } from '../../transport';
import { assetBytes } from '../../render/assets';
import { runwayRequest } from './transport';

/** Runway's limit for media sent inline as a data URI; larger files go through /v1/uploads. */
const DATA_URI_LIMIT = 5 * 1024 * 1024;

/** Uploads bytes as an ephemeral Runway upload (valid 24 h) and returns its runway:// URI. */
export async function uploadToRunway(
	ctx: IExecuteFunctions,
	itemIndex: number,
	bytes: Buffer,
	filename: string,
	mimeType: string,
): Promise<string> {
	const { body } = await runwayRequest<{
		uploadUrl: string;
		fields: Record<string, string>;
		runwayUri: string;
	}>(ctx, {
		method: 'POST',
		path: '/v1/uploads',
		operation: 'Create upload',
		itemIndex,
		body: { filename, type: 'ephemeral' },
	});
	const form = new FormData();
	for (const [key, value] of Object.entries(body.fields ?? {})) form.append(key, value);
	form.append('file', new Blob([bytes], { type: mimeType }), filename);
	// The presigned storage URL takes no Runway credentials.
	const stored = await settle(
		async () =>
			await httpSend(ctx, {
				method: 'POST',
				url: body.uploadUrl,
				what: 'the upload URL',
				body: form as never,
				encoding: 'text',
				timeoutMs: 600_000,
			}),
	);
	if (!stored.ok)
		throw transportError(stored.error, { vendor: 'runway', itemIndex, operation: 'Upload file' });
	if (stored.value.statusCode < 200 || stored.value.statusCode >= 300) {
		throw new VendorHttpError({
			vendor: 'runway',
			itemIndex,
			operation: 'Upload file',
			statusCode: stored.value.statusCode,
			vendorMessage: `the upload host ${stored.value.target.host} refused the file`,
		});
	}
	return body.runwayUri;
}

/**
 * How Runway receives a reference: URLs and runway:// URIs as they are, a pin's pre-uploaded copy
 * when there is one, item binaries inline as data URIs up to 5 MB and uploaded above that.
 */
export async function runwayMediaUri(
	ctx: IExecuteFunctions,
	itemIndex: number,
	asset: AssetRef,
	pin: Pin | undefined,
	path: string,
): Promise<string> {
	const uploaded = pin?.uploads?.runway?.[asset.ref];
	if (uploaded) return uploaded;
	if (asset.kind === 'url' || asset.kind === 'runway') return asset.ref;
	if (asset.kind === 'gcs')
		throw new ContractError(itemIndex, [
			{
				path,
				message: 'is a gs:// object, which Runway cannot fetch; give it an https URL or a binary',
			},
		]);
	const bytes = (await assetBytes(ctx, itemIndex, asset, path))!;
	if (Math.ceil(bytes.length / 3) * 4 + 64 <= DATA_URI_LIMIT)
		return `data:${asset.mimeType};base64,${bytes.toString('base64')}`;
	return await uploadToRunway(
		ctx,
		itemIndex,
		bytes,
		`${asset.ref}.${asset.mimeType.split('/')[1] ?? 'bin'}`,
		asset.mimeType,
	);
}
