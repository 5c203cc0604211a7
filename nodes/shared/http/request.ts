import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { credentialScope, scopeAllows, type CredentialScope } from './credentialScope';
import { settle } from '../runtime/concurrency';
import {
	isIpLiteral,
	isPrivateHost,
	parseTarget,
	TargetRefusedError,
	type Target,
} from './targets';

/** Node runs and the editor's option loaders both talk to vendors. */
export type HttpContext = IExecuteFunctions | ILoadOptionsFunctions;

/** The stream type n8n hands out, named without importing node:stream (not allowed in nodes). */
export type BodyStream = AsyncIterable<Uint8Array> & { destroy?: () => void };

export interface HttpCall {
	method: IHttpRequestMethods;
	url: string;
	/**
	 * The credential to attach. The request is refused unless the URL lies in the credential's
	 * own origins; without one the URL is fetched bare (signed URLs, reference images).
	 */
	credentialType?: string;
	/** What the URL is, for refusals: "the clip URL", "the download URI". */
	what?: string;
	headers?: IDataObject;
	qs?: IDataObject;
	body?: IHttpRequestOptions['body'];
	encoding: 'text' | 'stream';
	timeoutMs?: number;
}

export interface HttpAnswer<B> {
	statusCode: number;
	headers: Record<string, unknown>;
	body: B;
	/** Where the answer finally came from, after redirects. */
	target: Target;
}

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Releases a response body that will not be read (a redirect, an oversized or refused answer) and
 * closes its connection. Destroying the stream n8n hands out is not enough: axios wraps the socket
 * in a generator-backed stream that only lets go of the socket once it has been read from, so the
 * body is read until its first chunk and then abandoned, which closes the socket under it.
 */
export function discardBody(body: unknown): void {
	const stream = body as BodyStream | undefined;
	if (!stream || typeof stream[Symbol.asyncIterator] !== 'function') return;
	const iterator = stream[Symbol.asyncIterator]();
	// Already closed or failed: nothing left to release.
	void settle(async () => {
		await iterator.next();
		await iterator.return?.();
	});
}

function cancelSignal(ctx: HttpContext): IHttpRequestOptions['abortSignal'] {
	return 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal() : undefined;
}

/**
 * A redirect may lead anywhere; it is followed bare, and never into a private, link-local or
 * IP-literal address unless that origin is one the user configured as a base URL.
 */
function checkRedirect(
	next: Target,
	scope: CredentialScope | undefined,
	what: string,
	from: Target,
): void {
	if (scope?.origins.has(next.origin)) return;
	if (isIpLiteral(next.url.hostname) || isPrivateHost(next.url.hostname)) {
		throw new TargetRefusedError(
			`${what} redirected from ${from.host} to ${next.host}, a private or IP-literal address; refused`,
			'REDIRECT_REFUSED',
		);
	}
}

async function sendOnce<B>(
	ctx: HttpContext,
	call: HttpCall,
	target: Target,
	credentialType: string | undefined,
): Promise<{ statusCode: number; headers: Record<string, unknown>; body: B }> {
	const options: IHttpRequestOptions = {
		method: call.method,
		url: target.url.href,
		headers: call.headers,
		qs: call.qs,
		body: call.body,
		encoding: call.encoding,
		returnFullResponse: true,
		// 401 still throws so n8n can refresh an expired Google token and try once more.
		ignoreHttpStatusErrors: { ignore: true, except: [401] },
		timeout: call.timeoutMs ?? 60_000,
		// Redirects are followed here, hop by hop, after the origin of each hop is checked.
		disableFollowRedirect: true,
		sendCredentialsOnCrossOriginRedirect: false,
		// Cancelling the execution aborts the request, with or without a credential (n8n sets the
		// same signal on authenticated requests; it is set here so neither path depends on that).
		abortSignal: cancelSignal(ctx),
	};
	return credentialType
		? await ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, options)
		: await ctx.helpers.httpRequest(options);
}

/**
 * The one HTTP path of this package. Every authenticated request and every byte read passes
 * here: credentials are pinned to their own origins, redirects are re-checked at every hop and
 * never carry credentials to another origin, and the values of the credentials in use are
 * registered with the redactor before anything a vendor says can reach an error.
 */
export async function httpSend<B = unknown>(
	ctx: HttpContext,
	call: HttpCall,
): Promise<HttpAnswer<B>> {
	const what = call.what ?? 'the URL';
	const target = parseTarget(call.url, `${what} `);
	const scope = call.credentialType
		? await scopeFor(ctx, call.credentialType, target, what)
		: undefined;
	return await follow<B>(ctx, call, target, scope);
}

async function scopeFor(
	ctx: HttpContext,
	credentialType: string,
	target: Target,
	what: string,
): Promise<CredentialScope> {
	const scope = credentialScope(credentialType, await ctx.getCredentials(credentialType));
	if (!scopeAllows(scope, target)) {
		throw new TargetRefusedError(
			`${what} points at ${target.host}, which is not a host the ${scope.label} credential may be sent to (its base URL or the vendor's own API hosts); refused`,
		);
	}
	return scope;
}

/**
 * Refuses, before anything is sent, a URL the credential may not be sent to: for operations that
 * take a URL from a parameter or an item and want to name that field in the error.
 */
export async function assertCredentialTarget(
	ctx: HttpContext,
	credentialType: string,
	url: string,
	what: string,
): Promise<void> {
	await scopeFor(ctx, credentialType, parseTarget(url, `${what} `), what);
}

async function follow<B>(
	ctx: HttpContext,
	call: HttpCall,
	first: Target,
	scope: CredentialScope | undefined,
): Promise<HttpAnswer<B>> {
	const what = call.what ?? 'the URL';
	let target = first;
	let credentialType = call.credentialType;
	let request = call;
	for (let hop = 0; ; hop++) {
		let answer: { statusCode: number; headers: Record<string, unknown>; body: B };
		try {
			answer = await sendOnce<B>(ctx, request, target, credentialType);
		} finally {
			// A token minted on the way (n8n refreshes on 401) is registered before any message is made.
			if (credentialType) credentialScope(credentialType, await ctx.getCredentials(credentialType));
		}
		const location = answer.headers.location;
		const redirects =
			REDIRECT_STATUSES.has(answer.statusCode) &&
			typeof location === 'string' &&
			(call.method === 'GET' || call.method === 'HEAD');
		if (!redirects) return { ...answer, target };
		discardBody(answer.body);
		if (hop >= MAX_REDIRECTS)
			throw new TargetRefusedError(
				`${what} redirected more than ${MAX_REDIRECTS} times (last at ${target.host})`,
				'REDIRECT_REFUSED',
			);
		const next = parseTarget(
			URL.canParse(location, target.url.href) ? new URL(location, target.url).href : location,
			`${what} redirected from ${target.host} to a URL that `,
			'REDIRECT_REFUSED',
		);
		checkRedirect(next, scope, what, target);
		if (credentialType && !scopeAllows(scope!, next)) credentialType = undefined;
		target = next;
		// The Location is the whole next URL: the first request's query is not added to it again.
		request = { ...request, qs: undefined };
	}
}
