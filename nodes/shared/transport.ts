import type {
	FunctionsBase,
	IDataObject,
	IHttpRequestMethods,
	IHttpRequestOptions,
} from 'n8n-workflow';
import type { Vendor } from './contract/schemas';
import { VendorHttpError, VendorNetworkError } from './errors';
import { errorCode, provesNeverSent } from './http/failure';
import { httpSend, type HttpContext } from './http/request';
import { redactSecrets } from './redact';
import { retryAfterFromHeaders } from './runtime/retryHints';
import { settle } from './runtime/concurrency';
import { parseVendorErrorBody } from './vendorErrors';

export interface VendorCall {
	vendor: Vendor;
	credentialType: string;
	/** What the call does, for error messages ("Submit render", "Poll job"). */
	operation: string;
	method: IHttpRequestMethods;
	url: string;
	body?: IHttpRequestOptions['body'];
	qs?: IDataObject;
	headers?: IDataObject;
	itemIndex: number;
	jobId?: string;
	/** Per-request timeout; n8n's default of 300 s is far too long for a status poll. */
	timeoutMs?: number;
}

export interface VendorResponse<T = unknown> {
	statusCode: number;
	headers: Record<string, unknown>;
	body: T;
}

export function httpStatusOf(error: unknown): number | undefined {
	const candidates = [
		(error as { httpCode?: unknown })?.httpCode,
		(error as { cause?: { response?: { status?: unknown } } })?.cause?.response?.status,
		(error as { response?: { status?: unknown } })?.response?.status,
	];
	for (const candidate of candidates) {
		const status = Number(candidate);
		if (Number.isInteger(status) && status >= 100) return status;
	}
	return undefined;
}

/** What reading a credential needs: node runs and the editor's option loaders both have it. */
export type CredentialReader = Pick<FunctionsBase, 'getCredentials'>;

/** A credential's base URL without trailing slashes (the vendor's default when empty). */
export async function credentialBaseUrl(
	ctx: CredentialReader,
	credentialType: string,
	fallback: string,
): Promise<string> {
	const credentials = await ctx.getCredentials<{ baseUrl?: string }>(credentialType);
	return String(credentials.baseUrl || fallback).replace(/\/+$/, '');
}

/** Parses a JSON body that may arrive as text, a Buffer or already parsed. */
export function parseJsonBody(body: unknown): unknown {
	if (body === undefined || body === null || body === '') return undefined;
	if (typeof body === 'string' || body instanceof Uint8Array) {
		return JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
	}
	return body;
}

/**
 * The one way nodes talk to vendors. Every status comes back (401 excepted, so n8n can refresh
 * an expired Google token); non-2xx answers, dropped connections and bodies that are not JSON
 * become typed errors that carry the vendor, the job ID and the item index.
 */
export async function vendorRequest<T = unknown>(
	ctx: HttpContext,
	call: VendorCall,
): Promise<VendorResponse<T>> {
	const context = {
		vendor: call.vendor,
		itemIndex: call.itemIndex,
		jobId: call.jobId,
		operation: call.operation,
	};
	const sent = await settle(
		async () =>
			await httpSend<unknown>(ctx, {
				method: call.method,
				url: call.url,
				credentialType: call.credentialType,
				what: `the ${call.operation} URL`,
				body: call.body,
				qs: call.qs,
				headers: { Accept: 'application/json', ...(call.headers ?? {}) },
				encoding: 'text',
				timeoutMs: call.timeoutMs ?? 60_000,
			}),
	);
	if (!sent.ok) throw transportError(sent.error, context);
	const response = sent.value;

	let body: unknown;
	const parsedBody = await settle(async () => parseJsonBody(response.body));
	if (parsedBody.ok) {
		body = parsedBody.value;
	} else if (response.statusCode >= 200 && response.statusCode < 300) {
		throw new VendorNetworkError({
			...context,
			code: 'MALFORMED_BODY',
			detail: 'the vendor answered with a body that is not JSON',
			neverSent: false,
		});
	} else {
		body = String(response.body);
	}
	if (response.statusCode < 200 || response.statusCode >= 300) {
		const parsed = parseVendorErrorBody(call.vendor, body, `HTTP ${response.statusCode}`);
		throw new VendorHttpError({
			...context,
			statusCode: response.statusCode,
			vendorCode: parsed.code,
			vendorMessage: parsed.message,
			retryAfterMs: retryAfterFromHeaders(response.headers, Date.now()) ?? parsed.retryAfterMs,
		});
	}
	return { statusCode: response.statusCode, headers: response.headers, body: body as T };
}

/** An error thrown by n8n's HTTP layer (it wraps everything in NodeApiError) as one of ours. */
export function transportError(
	error: unknown,
	context: { vendor: Vendor; itemIndex: number; jobId?: string; operation: string },
): VendorHttpError | VendorNetworkError {
	const status = httpStatusOf(error);
	if (status !== undefined) {
		return new VendorHttpError({
			...context,
			statusCode: status,
			vendorMessage: redactSecrets((error as Error).message ?? 'Unauthorized'),
		});
	}
	const code = errorCode(error);
	return new VendorNetworkError({
		...context,
		code,
		detail: redactSecrets((error as Error)?.message ?? String(error)),
		neverSent: provesNeverSent(code),
	});
}
