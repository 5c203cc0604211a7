import { cappedStream, declaredLength, readPrefix } from '../http/bounded';
import { MAX_CLIP_BYTES, readBytes } from '../http/bytes';
import { discardBody, type HttpContext } from '../http/request';
import { parseTarget } from '../http/targets';
import { Mp4FormatError } from './boxes';
import { rangeSource, type ByteSource } from './sources';

/** The most a host that ignores Range may stream at the probe (it stops at moov; this bounds the rest). */
export const MAX_STREAMED_CLIP_BYTES = MAX_CLIP_BYTES;

/** A Range request answered with the wrong bytes: the probe cannot trust what it would read. */
export class RangeNotHonouredError extends Error {
	readonly code = 'RANGE_IGNORED';

	constructor(message: string) {
		super(message);
		this.name = 'RangeNotHonouredError';
	}
}

const NOT_VIDEO_TYPES = /^(text\/|application\/(json|xml|xhtml))/;

/**
 * Reads a clip by HTTP Range requests through the shared HTTP path. Every 206 must start at the
 * byte asked for; a 200 (Range ignored) is read once, as a stream capped at
 * MAX_STREAMED_CLIP_BYTES, and never requested again.
 */
export function httpByteSource(
	ctx: HttpContext,
	request: { url: string; credentialType?: string; what: string },
): ByteSource {
	const host = parseTarget(request.url, `${request.what} `).host;
	let streamed = false;
	return rangeSource(async (start, end) => {
		if (streamed)
			throw new RangeNotHonouredError(`${host} ignored Range and its one answer was already read`);
		// Every status comes back: what a refused Range read means is decided below.
		const { statusCode, headers, body } = await readBytes(ctx, {
			url: request.url,
			credentialType: request.credentialType,
			what: request.what,
			headers: { Range: `bytes=${start}-${end}` },
			maxBytes: MAX_STREAMED_CLIP_BYTES,
			tooLargeMessage: (size) =>
				`${host} ignored Range and offers ${size} bytes, more than the ${MAX_STREAMED_CLIP_BYTES} a probe reads`,
			accept: () => true,
		});
		const contentType = String(headers['content-type'] ?? '')
			.split(';')[0]
			.trim()
			.toLowerCase();
		if (statusCode === 416) {
			discardBody(body);
			const total = /^bytes \*\/(\d+)$/.exec(String(headers['content-range'] ?? ''))?.[1];
			return { body: new Uint8Array(0), totalSize: total === undefined ? start : Number(total) };
		}
		if (statusCode !== 200 && statusCode !== 206) {
			discardBody(body);
			throw new RangeNotHonouredError(`${host} answered HTTP ${statusCode} to a Range request`);
		}
		if (NOT_VIDEO_TYPES.test(contentType)) {
			discardBody(body);
			throw new Mp4FormatError('not_mp4', `not a video: ${host} answered ${contentType}`);
		}
		if (statusCode === 200) {
			// A declared size over the cap was refused by readBytes; an undeclared one is cut off at it.
			const size = declaredLength(headers);
			streamed = true;
			return {
				wholeBody: cappedStream(body, MAX_STREAMED_CLIP_BYTES, `${host} (Range ignored)`),
				size,
			};
		}
		const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(
			String(headers['content-range'] ?? '').trim(),
		);
		if (!range || Number(range[1]) !== start) {
			discardBody(body);
			throw new RangeNotHonouredError(
				`range not honoured: asked ${host} for bytes from ${start}, it answered ${range ? `from ${range[1]}` : 'without a Content-Range'}`,
			);
		}
		// A host that sends more than the range asked for is cut off at the range.
		const bytes = await readPrefix(body, end - start + 1);
		return {
			body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
			totalSize: range[3] === '*' ? undefined : Number(range[3]),
		};
	});
}
