import type { Vendor } from './contract/schemas';
import { retryAfterFromGoogleBody } from './runtime/retryHints';

/** What a vendor's error body says, in one shape. */
export interface VendorErrorBody {
	code?: string;
	message: string;
	retryAfterMs?: number;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
	return value && typeof value === 'object' && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: undefined;
}

/**
 * OpenAI: `{error:{message,type,code,param}}`; Google: `{error:{code,message,status,details}}`
 * (google.rpc.Status, retry hint in RetryInfo); Runway: `{error:"text"}` plus optional `issues`.
 */
export function parseVendorErrorBody(
	vendor: Vendor,
	body: unknown,
	statusText: string,
): VendorErrorBody {
	const record = asRecord(body);
	const error = record?.error;
	if (typeof body === 'string' && body.trim()) return { message: body.trim().slice(0, 500) };
	if (vendor === 'openai') {
		const e = asRecord(error);
		if (e) {
			const param = typeof e.param === 'string' ? ` (param: ${e.param})` : '';
			return {
				code: String(e.code ?? e.type ?? '') || undefined,
				message: `${String(e.message ?? statusText)}${param}`,
			};
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
	if (vendor === 'fal' || vendor === 'replicate') {
		const aggregator = aggregatorError(record);
		if (aggregator) return aggregator;
	}
	const message = asRecord(error)?.message ?? record?.message ?? statusText;
	return { message: String(message) };
}

/**
 * fal: FastAPI's `{detail}` (a string, or for 422 a list of `{loc, msg, type}`), or the platform
 * API's `{error:{type,message}}`; Replicate: problem details `{title, detail, status}` with
 * `invalid_fields` on a 422. Field names come first, so the message says which input was refused.
 */
function aggregatorError(record: Record<string, unknown> | undefined): VendorErrorBody | undefined {
	if (!record) return undefined;
	if (Array.isArray(record.detail)) {
		const issues = (record.detail as Array<{ loc?: unknown[]; msg?: string; type?: string }>).map(
			(issue) => {
				const field = (issue.loc ?? []).filter((part) => part !== 'body').join('.');
				return `${field || 'input'}: ${issue.msg ?? issue.type ?? 'invalid'}`;
			},
		);
		return { code: 'validation_error', message: `input refused: ${issues.join('; ')}` };
	}
	if (Array.isArray(record.invalid_fields)) {
		const issues = (record.invalid_fields as Array<{ field?: string; description?: string }>).map(
			(f) => `${String(f.field ?? 'input').replace(/^input\./, '')}: ${f.description ?? 'invalid'}`,
		);
		return {
			code: typeof record.title === 'string' ? record.title : undefined,
			message: `input refused: ${issues.join('; ')}`,
		};
	}
	const e = asRecord(record.error);
	if (e && typeof e.message === 'string')
		return { code: typeof e.type === 'string' ? e.type : undefined, message: e.message };
	if (typeof record.detail === 'string')
		return {
			code: typeof record.title === 'string' ? record.title : undefined,
			message: record.detail,
		};
	return undefined;
}
