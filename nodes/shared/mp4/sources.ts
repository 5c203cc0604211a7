/**
 * Where the probe's bytes come from. The probe reads forward only, so a one-pass stream works as
 * well as random access; a Range-capable source skips `mdat` without downloading it.
 */
export interface ByteSource {
	/** Bytes at [offset, offset + length); fewer at end of file. Offsets never go backwards. */
	read(offset: number, length: number): Promise<Uint8Array>;
	/** Total bytes handed to the probe (what a caller pays for in transfer). */
	readonly bytesRead: number;
	/** Total size when known. */
	readonly size?: number;
	/** True when skipping bytes costs nothing (buffer, HTTP Range); false for one-pass streams. */
	readonly randomAccess: boolean;
	/** Releases the underlying stream when the probe stops early. */
	close?(): Promise<void>;
}

export function bufferSource(data: Uint8Array): ByteSource {
	let bytesRead = 0;
	return {
		size: data.length,
		randomAccess: true,
		get bytesRead() {
			return bytesRead;
		},
		async read(offset, length) {
			const out = data.subarray(
				Math.min(offset, data.length),
				Math.min(offset + length, data.length),
			);
			bytesRead += out.length;
			return out;
		},
	};
}

/** A one-pass source over a stream (an n8n binary stream or an HTTP body). */
export function streamSource(stream: AsyncIterable<Uint8Array>, size?: number): ByteSource {
	const iterator = stream[Symbol.asyncIterator]();
	let pending: Uint8Array = new Uint8Array(0);
	let pendingOffset = 0;
	let bytesRead = 0;
	let done = false;

	const pull = async (): Promise<boolean> => {
		if (done) return false;
		const next = await iterator.next();
		if (next.done) {
			done = true;
			return false;
		}
		const chunk =
			next.value instanceof Uint8Array ? next.value : new Uint8Array(next.value as ArrayBufferLike);
		bytesRead += chunk.length;
		pending = pending.length ? concat(pending, chunk) : chunk;
		return true;
	};

	return {
		size,
		randomAccess: false,
		get bytesRead() {
			return bytesRead;
		},
		async read(offset, length) {
			if (offset < pendingOffset) throw new Error(`stream source cannot seek back to ${offset}`);
			// Discard what lies before `offset` without keeping it: skipping mdat must not hold it in memory.
			while (pendingOffset + pending.length < offset) {
				pendingOffset += pending.length;
				pending = new Uint8Array(0);
				if (!(await pull())) return new Uint8Array(0);
			}
			pending = pending.subarray(offset - pendingOffset);
			pendingOffset = offset;
			while (pending.length < length && (await pull())) {
				/* keep pulling */
			}
			return pending.subarray(0, Math.min(length, pending.length));
		},
		async close() {
			if (!done) await iterator.return?.();
			done = true;
		},
	};
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
	const out = new Uint8Array(a.length + b.length);
	out.set(a, 0);
	out.set(b, a.length);
	return out;
}

export interface RangeResponse {
	/** The bytes served for the requested range (a server may serve fewer at end of file). */
	body: Uint8Array;
	/** Total size from `Content-Range: bytes a-b/total`, when the server says. */
	totalSize?: number;
}

/** A server that ignored Range answered with the whole file from byte 0: read on as one bounded stream. */
export interface WholeBody {
	wholeBody: AsyncIterable<Uint8Array>;
	size?: number;
}

/**
 * Random access over HTTP Range requests. Small reads are rounded up to `minChunk` so the
 * headers of neighbouring boxes come in one request. When the server ignores Range, that one
 * answer is read on as a stream: the file is fetched once, never again per read.
 */
export function rangeSource(
	fetchRange: (start: number, endInclusive: number) => Promise<RangeResponse | WholeBody>,
	minChunk = 64 * 1024,
): ByteSource {
	let cache: { offset: number; data: Uint8Array } | undefined;
	let bytesRead = 0;
	let size: number | undefined;
	let whole: ByteSource | undefined;
	return {
		get randomAccess() {
			return !whole;
		},
		get size() {
			return whole ? whole.size : size;
		},
		get bytesRead() {
			return bytesRead + (whole?.bytesRead ?? 0);
		},
		async read(offset, length) {
			if (whole) return await whole.read(offset, length);
			if (size !== undefined && offset >= size) return new Uint8Array(0);
			if (cache && offset >= cache.offset && offset + length <= cache.offset + cache.data.length) {
				return cache.data.subarray(offset - cache.offset, offset - cache.offset + length);
			}
			let want = Math.max(length, minChunk);
			if (size !== undefined) want = Math.min(want, size - offset);
			const response = await fetchRange(offset, offset + want - 1);
			if ('wholeBody' in response) {
				whole = streamSource(response.wholeBody, response.size);
				return await whole.read(offset, length);
			}
			bytesRead += response.body.length;
			if (response.totalSize !== undefined) size = response.totalSize;
			cache = { offset, data: response.body };
			return response.body.subarray(0, Math.min(length, response.body.length));
		},
		async close() {
			await whole?.close?.();
		},
	};
}
