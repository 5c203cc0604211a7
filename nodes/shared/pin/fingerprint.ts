import { createHash } from 'crypto';
import type { Pin } from '../contract/schemas';

/** JSON with sorted keys and no undefined, so equal content always hashes equally. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value && typeof value === 'object') {
		const record = value as Record<string, unknown>;
		return `{${Object.keys(record)
			.filter((key) => record[key] !== undefined)
			.sort()
			.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value);
}

export function sha256Hex(data: string | Uint8Array): string {
	return createHash('sha256').update(data).digest('hex');
}

/**
 * The pin's fingerprint: SHA-256 of its canonical JSON, in which every reference carries the
 * SHA-256 of its bytes. Key order does not matter; any changed word, setting or reference byte
 * changes it. Vendor-side upload copies and the fingerprint itself are left out.
 */
export function pinFingerprint(
	pin: Omit<Pin, 'fingerprint' | 'uploads'> & { fingerprint?: string; uploads?: unknown },
): string {
	const content: Record<string, unknown> = { ...pin };
	delete content.fingerprint;
	delete content.uploads;
	return sha256Hex(canonicalJson(content));
}
