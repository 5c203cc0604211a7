import { discardBody, type BodyStream } from './request';

/** An answer bigger than the read allows; raised before the body is read when the size is declared. */
export class TooLargeError extends Error {
	readonly code = 'TOO_LARGE';

	constructor(message: string) {
		super(message);
		this.name = 'TooLargeError';
	}
}

/** The size an answer declares in Content-Length, when it declares one. */
export function declaredLength(headers: Record<string, unknown>): number | undefined {
	const value = Number(headers['content-length']);
	return Number.isFinite(value) && value >= 0 ? value : undefined;
}

export const megabytes = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/**
 * Reads a body into memory up to `maxBytes`. A declared size above the cap is refused without
 * reading; an undeclared one is cut off (and the connection closed) as soon as it passes the cap.
 */
export async function readCapped(
	body: BodyStream,
	headers: Record<string, unknown>,
	maxBytes: number,
	what: string,
): Promise<Buffer> {
	const declared = declaredLength(headers);
	if (declared !== undefined && declared > maxBytes) {
		discardBody(body);
		throw new TooLargeError(
			`${what} is ${megabytes(declared)}; the limit is ${megabytes(maxBytes)}`,
		);
	}
	const chunks: Buffer[] = [];
	let total = 0;
	for await (const chunk of body) {
		total += chunk.length;
		if (total > maxBytes) {
			discardBody(body);
			throw new TooLargeError(
				`${what} is over ${megabytes(maxBytes)}, the limit; reading stopped there`,
			);
		}
		chunks.push(Buffer.from(chunk));
	}
	return Buffer.concat(chunks);
}

/** Reads at most `maxBytes` of a body and closes the rest (an error body, a Range answer that sends more than asked). */
export async function readPrefix(body: BodyStream, maxBytes: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let total = 0;
	for await (const chunk of body) {
		const room = maxBytes - total;
		chunks.push(Buffer.from(chunk.subarray(0, room)));
		total += Math.min(room, chunk.length);
		if (total >= maxBytes) break;
	}
	discardBody(body);
	return Buffer.concat(chunks);
}

/** Passes a stream through, failing once more than `maxBytes` have come (a host that ignores Range, streamed once). */
export async function* cappedStream(
	body: BodyStream,
	maxBytes: number,
	what: string,
): AsyncGenerator<Uint8Array> {
	let total = 0;
	try {
		for await (const chunk of body) {
			total += chunk.length;
			if (total > maxBytes)
				throw new TooLargeError(
					`${what} sent more than ${megabytes(maxBytes)}, the limit; reading stopped there`,
				);
			yield chunk;
		}
	} finally {
		discardBody(body);
	}
}
