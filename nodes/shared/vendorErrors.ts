import type { Vendor } from './contract/schemas';
import { retryAfterFromGoogleBody } from './runtime/retryHints';

/** What a vendor's error body says, in one shape. */
export interface VendorErrorBody {
	code?: string;
	message: string;
	retryAfterMs?: number;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * OpenAI: `{error:{message,type,code,param}}`; Google: `{error:{code,message,status,details}}`
 * (google.rpc.Status, retry hint in RetryInfo); Runway: `{error:"text"}` plus optional `issues`.
 */
export function parseVendorErrorBody(vendor: Vendor, body: unknown, statusText: string): VendorErrorBody {
	const record = asRecord(body);
	const error = record?.error;
	if (typeof body === 'string' && body.trim()) return { message: body.trim().slice(0, 500) };
	if (vendor === 'openai') {
		const e = asRecord(error);
		if (e) {
			const param = typeof e.param === 'string' ? ` (param: ${e.param})` : '';
			return { code: String(e.code ?? e.type ?? '') || undefined, message: `${String(e.message ?? statusText)}${param}` };
		}
	}
	if (vendor === 'google') {
		const e = asRecord(error);
		if (e) {
			return {
				code: typeof e.status === 'string' ? e.status : undefined,
				message: String(e.message ?? statusText),
				retryAfterMs: retryAfterFromGoogleBody(body),
			};
		}
	}
	if (vendor === 'runway') {
		if (typeof error === 'string') {
			const issues = Array.isArray(record?.issues)
				? (record.issues as Array<{ path?: unknown[]; message?: string }>)
						.map((issue) => `${(issue.path ?? []).join('.')}: ${issue.message ?? ''}`)
						.join('; ')
				: '';
			return { message: issues ? `${error} (${issues})` : error };
		}
	}
	const message = asRecord(error)?.message ?? record?.message ?? statusText;
	return { message: String(message) };
}
