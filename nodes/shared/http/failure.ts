import { redactSecrets } from '../redact';

/** The most specific error code in an error and its causes (n8n wraps the socket error twice). */
export function errorCode(error: unknown): string {
	let current: unknown = error;
	for (let depth = 0; current && depth < 5; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	return 'ENETWORK';
}

/**
 * Errors raised before a connection exists: the request certainly never left, so even a paid
 * submit may be sent again. EHOSTUNREACH / ENETUNREACH are not here: on Linux an established
 * socket reports them too, after the request went out.
 */
const NEVER_SENT_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ERR_INVALID_URL',
	'TARGET_REFUSED',
]);

export function provesNeverSent(code: string): boolean {
	return NEVER_SENT_CODES.has(code);
}

/** A read that got an answer it cannot use (an HTTP error status where bytes were expected). */
export class HttpReadError extends Error {
	readonly code = 'READ_FAILED';

	constructor(message: string) {
		super(message);
		this.name = 'HttpReadError';
	}
}

/** Errors of this package's own read checks; their messages already name the host. */
const OWN_CODES = new Set([
	'TARGET_REFUSED',
	'REDIRECT_REFUSED',
	'TOO_LARGE',
	'RANGE_IGNORED',
	'READ_FAILED',
]);

const PLAIN_REASONS: Record<string, string> = {
	ECONNREFUSED: 'the host refused the connection',
	ENOTFOUND: 'the host name does not resolve',
	EAI_AGAIN: 'the host name could not be resolved (DNS)',
	ECONNRESET: 'the connection was reset',
	ETIMEDOUT: 'the request timed out',
	ECONNABORTED: 'the request timed out',
	EHOSTUNREACH: 'the host is unreachable',
	ENETUNREACH: 'the network is unreachable',
};

/** Why a read failed, in words that name the host and never the URL's query string. */
export function failureReason(error: unknown, host: string): string {
	const code = errorCode(error);
	if (OWN_CODES.has(code)) return (error as Error).message;
	const plain = PLAIN_REASONS[code];
	// The socket error code stays out of the text: n8n replaces any message that contains one with
	// its generic sentence ("The service refused the connection"), losing the field and the item.
	return plain
		? `${plain} (${host})`
		: `${redactSecrets((error as Error)?.message ?? String(error)).replace(/\?\S*/g, '')} (${host})`;
}
