import { existsSync, readFileSync } from 'node:fs';
import type { SandboxContext } from '../context';
import { decodeDataUri } from '../media/images';
import { sha256 } from '../random';

/**
 * Bytes behind a media reference any sandbox vendor may receive: data URIs, base64, gs:// objects,
 * Gemini file URIs, runway:// uploads and the sandbox's own output URLs. Unknown external URLs
 * cannot be fetched offline; they are identified by the URL itself.
 */
export function resolveMedia(
	ctx: SandboxContext,
	uri: string,
): { bytes?: Buffer; path?: string; hash: string } {
	const data = decodeDataUri(uri);
	if (data) return { bytes: data.bytes, hash: sha256(data.bytes) };
	if (uri.startsWith('gs://')) {
		const file = ctx.google.gcs.get(uri);
		return file ? fromPath(file) : { hash: sha256(uri) };
	}
	const local = ctx.media.get(stripQuery(uri)) ?? ctx.media.get(uri);
	if (local) return fromPath(local);
	const geminiFile = /\/v1beta\/(files\/[^/:?]+)/.exec(uri)?.[1];
	if (geminiFile) {
		const file = ctx.google.files.get(geminiFile);
		if (file?.bytes) return { bytes: file.bytes, hash: sha256(file.bytes) };
		if (file?.path) return fromPath(file.path);
	}
	return { hash: sha256(uri) };
}

function stripQuery(uri: string): string {
	const index = uri.indexOf('?');
	return index < 0 ? uri : uri.slice(0, index);
}

function fromPath(file: string): { bytes?: Buffer; path: string; hash: string } {
	const bytes = existsSync(file) ? readFileSync(file) : undefined;
	return { bytes, path: file, hash: sha256(bytes ?? file) };
}
