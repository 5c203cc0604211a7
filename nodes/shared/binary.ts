import type { IBinaryData, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import type { Vendor } from './contract/schemas';
import { VendorHttpError, VendorNetworkError } from './errors';
import { readPrefix } from './http/bounded';
import { HttpStatusError, MAX_CLIP_BYTES, readBytes } from './http/bytes';
import { redactSecrets } from './redact';
import { settle } from './runtime/concurrency';
import { transportError } from './transport';
import { parseVendorErrorBody } from './vendorErrors';

/** The stream type n8n hands out, named without importing node:stream (not allowed in nodes). */
export type BinaryStream = Awaited<ReturnType<IExecuteFunctions['helpers']['getBinaryStream']>>;

export interface DownloadRequest {
	url: string;
	vendor: Vendor;
	itemIndex: number;
	jobId?: string;
	/** Set for vendor endpoints that need the key; signed CDN URLs are fetched without credentials. */
	credentialType?: string;
	qs?: IHttpRequestOptions['qs'];
	fileName: string;
	mimeType?: string;
	timeoutMs?: number;
}

const MAX_ERROR_BODY = 64 * 1024;

const readSmall = async (stream: BinaryStream) =>
	(await readPrefix(stream, MAX_ERROR_BODY)).toString('utf8');

/** The bytes of a binary held outside this run's input items (an earlier round's shot): from the store, or inline. */
export async function storedBinaryBytes(
	ctx: IExecuteFunctions,
	binary: IBinaryData,
): Promise<Buffer> {
	return binary.id
		? await ctx.helpers.binaryToBuffer(await ctx.helpers.getBinaryStream(binary.id))
		: Buffer.from(binary.data, 'base64');
}

/**
 * Streams a rendered file into n8n's binary store. The body is never buffered: in filesystem
 * mode peak memory stays flat whatever the clip size. A declared size no clip can have is
 * refused before the body is read; the error names the job, so the render can be fetched again.
 */
export async function downloadToBinary(
	ctx: IExecuteFunctions,
	request: DownloadRequest,
): Promise<IBinaryData> {
	const context = {
		vendor: request.vendor,
		itemIndex: request.itemIndex,
		jobId: request.jobId,
		operation: 'Download',
	};
	const sent = await settle(
		async () =>
			await readBytes<BinaryStream>(ctx, {
				url: request.url,
				credentialType: request.credentialType,
				what: 'the download URL',
				qs: request.qs,
				maxBytes: MAX_CLIP_BYTES,
				timeoutMs: request.timeoutMs ?? 600_000,
			}),
	);
	if (!sent.ok) {
		if (!(sent.error instanceof HttpStatusError)) throw transportError(sent.error, context);
		const { statusCode, bodyText } = sent.error;
		const json = await settle(async () => JSON.parse(bodyText) as unknown);
		const parsed = parseVendorErrorBody(
			request.vendor,
			json.ok ? json.value : bodyText,
			`HTTP ${statusCode}`,
		);
		throw new VendorHttpError({
			...context,
			statusCode,
			vendorCode: parsed.code,
			vendorMessage:
				statusCode === 403 || statusCode === 404 || statusCode === 410
					? `${parsed.message} (the output URL may have expired; fetch the job again for a fresh one)`
					: parsed.message,
		});
	}
	const response = sent.value;
	const contentType = String(response.headers['content-type'] ?? '')
		.split(';')[0]
		.trim();
	// A JSON answer where a file was promised is an error body (or a broken proxy), not a clip.
	if (contentType === 'application/json' && !request.mimeType?.includes('json')) {
		const text = await readSmall(response.body);
		throw new VendorNetworkError({
			...context,
			code: 'NOT_A_FILE',
			detail: `expected ${request.mimeType ?? 'a media file'} but got JSON: ${redactSecrets(text.slice(0, 200))}`,
			neverSent: false,
		});
	}
	const mimeType =
		request.mimeType ??
		(contentType && contentType !== 'application/octet-stream' ? contentType : 'video/mp4');
	return await ctx.helpers.prepareBinaryData(response.body, request.fileName, mimeType);
}
