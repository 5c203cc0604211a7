/**
 * How long a vendor asked us to wait. OpenAI and Runway use `retry-after-ms` / `retry-after`
 * headers (seconds or an HTTP date); Google puts a `google.rpc.RetryInfo` with `retryDelay`
 * ("31s", "1.5s") in the error body's `details` instead.
 */
export function retryAfterFromHeaders(
	headers: Record<string, unknown> | undefined,
	nowMs: number,
): number | undefined {
	if (!headers) return undefined;
	const header = (name: string): string | undefined => {
		const value = headers[name] ?? headers[name.toLowerCase()];
		if (Array.isArray(value)) return value[0] === undefined ? undefined : String(value[0]);
		return value === undefined || value === null ? undefined : String(value);
	};
	const ms = Number(header('retry-after-ms'));
	if (header('retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
	const after = header('retry-after');
	if (after === undefined || after.trim() === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(after.trim())) return Number(after) * 1000;
	const date = Date.parse(after);
	return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** `"31s"`, `"1.500s"` or `{ seconds, nanos }` (proto JSON) -> milliseconds. */
function parseProtoDuration(value: unknown): number | undefined {
	if (typeof value === 'string') {
		const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
		return match ? Number(match[1]) * 1000 : undefined;
	}
	if (value && typeof value === 'object') {
		const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
		const s = Number(seconds ?? 0);
		const n = Number(nanos ?? 0);
		if (Number.isFinite(s) && Number.isFinite(n)) return s * 1000 + n / 1e6;
	}
	return undefined;
}

export function retryAfterFromGoogleBody(body: unknown): number | undefined {
	const details = (body as { error?: { details?: unknown } } | undefined)?.error?.details;
	if (!Array.isArray(details)) return undefined;
	for (const detail of details) {
		const type = (detail as { '@type'?: unknown })?.['@type'];
		if (typeof type === 'string' && type.endsWith('google.rpc.RetryInfo')) {
			return parseProtoDuration((detail as { retryDelay?: unknown }).retryDelay);
		}
	}
	return undefined;
}
