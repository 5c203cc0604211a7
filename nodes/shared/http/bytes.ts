import type { IDataObject } from 'n8n-workflow';
import { redactSecrets } from '../redact';
import { declaredLength, megabytes, readCapped, readPrefix, TooLargeError } from './bounded';
import { HttpReadError } from './failure';
import {
	discardBody,
	httpSend,
	type BodyStream,
	type HttpAnswer,
	type HttpContext,
} from './request';

/**
 * The most a clip may declare or stream: far above any clip these vendors render (seconds long,
 * tens of megabytes even at 4K), so a larger answer is the wrong URL, not a video.
 */
export const MAX_CLIP_BYTES = 2 * 1024 * 1024 * 1024;

/** How much of an error body is kept to explain a refused read (the vendor's message fits). */
const MAX_ERROR_BODY = 64 * 1024;

export interface ByteRead {
	url: string;
	/** Set for vendor endpoints that need the key; signed URLs and item URLs are read bare. */
	credentialType?: string;
	/** What the URL is, for refusals: "the download URL", "the OpenAI clip URL". */
	what: string;
	/** The most this read may declare; a larger Content-Length is refused before the body is read. */
	maxBytes: number;
	headers?: IDataObject;
	qs?: IDataObject;
	timeoutMs?: number;
	/** The refusal of a declared size over maxBytes, where the caller words it its own way. */
	tooLargeMessage?: (declaredBytes: number, host: string) => string;
	/** Statuses handed back to the caller (a Range read takes 206 and 416); others are refused. */
	accept?: (statusCode: number) => boolean;
}

/** A read answered with a status the caller did not accept; the start of the body, redacted, explains it. */
export class HttpStatusError extends HttpReadError {
	constructor(
		readonly statusCode: number,
		readonly host: string,
		readonly bodyText: string,
	) {
		super(`${host} answered HTTP ${statusCode}`);
		this.name = 'HttpStatusError';
	}
}

const fileAt = (answer: HttpAnswer<unknown>) => `the file at ${answer.target.host}`;

const isSuccess = (statusCode: number) => statusCode >= 200 && statusCode < 300;

/**
 * The one way bytes are fetched (files, reference images, clip ranges), with or without a
 * credential. It goes through the shared HTTP path (credential scope, redirect checks, the
 * execution's cancel signal, a timeout), refuses an unaccepted status with a typed error that
 * carries the redacted start of the body, and refuses a declared size over the read's cap before
 * any of the body is read. The body is handed back unread: callers stream it (downloads) or read
 * it bounded (readBuffer, Range reads).
 */
export async function readBytes<B extends BodyStream = BodyStream>(
	ctx: HttpContext,
	read: ByteRead,
): Promise<HttpAnswer<B>> {
	const answer = await httpSend<B>(ctx, {
		method: 'GET',
		url: read.url,
		credentialType: read.credentialType,
		what: read.what,
		qs: read.qs,
		headers: { Accept: '*/*', ...(read.headers ?? {}) },
		encoding: 'stream',
		timeoutMs: read.timeoutMs ?? 60_000,
	});
	if (!(read.accept ?? isSuccess)(answer.statusCode)) {
		const text = (await readPrefix(answer.body, MAX_ERROR_BODY)).toString('utf8');
		throw new HttpStatusError(answer.statusCode, answer.target.host, redactSecrets(text));
	}
	const declared = declaredLength(answer.headers);
	if (declared !== undefined && declared > read.maxBytes) {
		discardBody(answer.body);
		throw new TooLargeError(
			read.tooLargeMessage?.(declared, answer.target.host) ??
				`${fileAt(answer)} is ${megabytes(declared)}; the limit is ${megabytes(read.maxBytes)}`,
		);
	}
	return answer;
}

/** Reads a whole (small) body into memory, cut off as soon as it passes the read's cap. */
export async function readBuffer(
	ctx: HttpContext,
	read: ByteRead,
): Promise<{ bytes: Buffer; answer: HttpAnswer<BodyStream> }> {
	const answer = await readBytes(ctx, read);
	return {
		bytes: await readCapped(answer.body, answer.headers, read.maxBytes, fileAt(answer)),
		answer,
	};
}
