import { Mp4FormatError, Reader, type Box } from './boxes';
import type { ByteSource } from './sources';

export interface TrackInfo {
	id: number;
	kind: 'video' | 'audio' | 'other';
	handler: string;
	/** Sample entry fourcc: avc1, hvc1, mp4a, ... */
	codec: string;
	/** RFC 6381 codec string where we can tell (avc1.640028, mp4a.40.2). */
	codecString: string;
	timescale: number;
	/** How long the track plays, honouring edit lists (what ffprobe calls the stream duration). */
	durationSeconds: number;
	/** Where the track ends on the presentation timeline: start + duration. */
	endSeconds: number;
	/** Duration of the media samples themselves. */
	mediaDurationSeconds: number;
	/** Where the track starts on the presentation timeline (empty edits). */
	startSeconds: number;
	sampleCount: number;
	width?: number;
	height?: number;
	fps?: number;
	channels?: number;
	sampleRate?: number;
}

export interface ProbeResult {
	brand: string;
	compatibleBrands: string[];
	durationSeconds: number;
	fragmented: boolean;
	moovOffset: number;
	/** True when moov precedes the media data (a "fast start" file). */
	moovBeforeMdat: boolean;
	tracks: TrackInfo[];
	video?: TrackInfo;
	audio?: TrackInfo;
	hasAudio: boolean;
	/** Audio presentation end minus video presentation end, in seconds (0 without audio). */
	avSkewSeconds: number;
	/** Bytes the probe had to read from its source. */
	bytesRead: number;
}

/**
 * The largest ftyp/moov/moof read into memory. A moov of an hour at 60 fps is a few MB; a box
 * that claims more is refused before any of it is read.
 */
export const MAX_HEADER_BOX_BYTES = 32 * 1024 * 1024;

const TOP_LEVEL = new Set([
	'ftyp',
	'styp',
	'moov',
	'mdat',
	'free',
	'skip',
	'wide',
	'pdin',
	'sidx',
	'moof',
	'mfra',
	'meta',
	'uuid',
	'prft',
	'emsg',
]);

interface EditEntry {
	segmentDuration: number;
	mediaTime: number;
}

interface RawTrack {
	id: number;
	handler: string;
	codec: string;
	codecString: string;
	timescale: number;
	mediaDuration: number;
	sampleCount: number;
	edits: EditEntry[];
	width?: number;
	height?: number;
	channels?: number;
	sampleRate?: number;
	defaultSampleDuration?: number;
}

function fullBox(r: Reader, box: Box): { version: number; flags: number; body: number } {
	const word = r.u32(box.start);
	return { version: word >>> 24, flags: word & 0xffffff, body: box.start + 4 };
}

function hex2(n: number): string {
	return n.toString(16).padStart(2, '0');
}

/** Bit reader over the AudioSpecificConfig inside esds. */
function bits(r: Reader, start: number, end: number) {
	let position = start * 8;
	return (count: number): number => {
		let value = 0;
		for (let i = 0; i < count; i++, position++) {
			const byte = position >> 3;
			value = byte < end ? (value << 1) | ((r.u8(byte) >> (7 - (position & 7))) & 1) : value << 1;
		}
		return value;
	};
}

/** Codec string (mp4a.40.2) and the real channel count from the AudioSpecificConfig. */
function esdsInfo(r: Reader, esds: Box): { codecString: string; channels?: number } {
	// ES_Descriptor (3) -> DecoderConfigDescriptor (4) -> DecoderSpecificInfo (5)
	let offset = esds.start + 4;
	const readDescriptor = (at: number): { tag: number; body: number; end: number } => {
		const tag = r.u8(at);
		let length = 0;
		let cursor = at + 1;
		for (let i = 0; i < 4; i++) {
			const byte = r.u8(cursor++);
			length = (length << 7) | (byte & 0x7f);
			if (!(byte & 0x80)) break;
		}
		return { tag, body: cursor, end: cursor + length };
	};
	const es = readDescriptor(offset);
	if (es.tag !== 3) return { codecString: 'mp4a' };
	const esFlags = r.u8(es.body + 2);
	offset = es.body + 3;
	if (esFlags & 0x80) offset += 2;
	if (esFlags & 0x40) offset += 1 + r.u8(offset);
	if (esFlags & 0x20) offset += 2;
	const dc = readDescriptor(offset);
	if (dc.tag !== 4) return { codecString: 'mp4a' };
	const objectType = r.u8(dc.body);
	const after = dc.body + 13;
	if (after >= dc.end) return { codecString: `mp4a.${hex2(objectType)}` };
	const dsi = readDescriptor(after);
	if (dsi.tag !== 5 || dsi.end <= dsi.body) return { codecString: `mp4a.${hex2(objectType)}` };
	const read = bits(r, dsi.body, Math.min(dsi.end, r.bytes.length));
	let aot = read(5);
	if (aot === 31) aot = 32 + read(6);
	if (read(4) === 15) read(24);
	const channelConfiguration = read(4);
	const channels =
		channelConfiguration === 7
			? 8
			: channelConfiguration > 0 && channelConfiguration < 7
				? channelConfiguration
				: undefined;
	return { codecString: `mp4a.${hex2(objectType)}.${aot}`, channels };
}

function readSampleEntry(
	r: Reader,
	stsd: Box,
	handler: string,
): Pick<RawTrack, 'codec' | 'codecString' | 'width' | 'height' | 'channels' | 'sampleRate'> {
	const { body } = fullBox(r, stsd);
	const entries = [...r.children(body + 4, stsd.end)];
	const entry = entries[0];
	if (!entry) return { codec: 'none', codecString: 'none' };
	const codec = entry.type.trim();
	if (handler === 'vide') {
		const width = r.u16(entry.start + 24);
		const height = r.u16(entry.start + 26);
		let codecString = codec;
		const childStart = entry.start + 78;
		if (childStart <= entry.end) {
			for (const box of r.children(childStart, entry.end)) {
				if (box.type === 'avcC' && box.end - box.start >= 4) {
					codecString = `${codec}.${hex2(r.u8(box.start + 1))}${hex2(r.u8(box.start + 2))}${hex2(r.u8(box.start + 3))}`;
				}
			}
		}
		return { codec, codecString, width, height };
	}
	if (handler === 'soun') {
		const version = r.u16(entry.start + 8);
		const channels = r.u16(entry.start + 16);
		const sampleRate = r.u32(entry.start + 24) / 65536;
		const childStart = entry.start + 28 + (version === 1 ? 16 : version === 2 ? 36 : 0);
		let codecString = codec;
		let configured: number | undefined;
		if (childStart <= entry.end) {
			for (const box of r.children(childStart, entry.end)) {
				if (box.type === 'esds') ({ codecString, channels: configured } = esdsInfo(r, box));
			}
		}
		// Muxers write 2 in the sample entry for any AAC; the decoder config holds the real count.
		return { codec, codecString, channels: configured ?? channels, sampleRate };
	}
	return { codec, codecString: codec };
}

function readEdits(r: Reader, trak: Box): EditEntry[] {
	const elst = r.path(trak, 'edts', 'elst');
	if (!elst) return [];
	const { version, body } = fullBox(r, elst);
	const count = r.u32(body);
	const size = version === 1 ? 20 : 12;
	if (count > (elst.end - body - 4) / size)
		throw new Mp4FormatError('malformed', 'edit list claims more entries than it holds');
	const edits: EditEntry[] = [];
	for (let i = 0; i < count; i++) {
		const at = body + 4 + i * size;
		edits.push(
			version === 1
				? { segmentDuration: r.u64(at), mediaTime: r.i64(at + 8) }
				: { segmentDuration: r.u32(at), mediaTime: r.i32(at + 4) },
		);
	}
	return edits;
}

function readSttsTotals(r: Reader, stbl: Box | undefined): { samples: number; duration: number } {
	const stts = stbl && r.child(stbl, 'stts');
	if (!stts) return { samples: 0, duration: 0 };
	const { body } = fullBox(r, stts);
	const count = r.u32(body);
	if (count > (stts.end - body - 4) / 8)
		throw new Mp4FormatError('malformed', 'stts claims more entries than it holds');
	let samples = 0;
	let duration = 0;
	for (let i = 0; i < count; i++) {
		const sampleCount = r.u32(body + 4 + i * 8);
		samples += sampleCount;
		duration += sampleCount * r.u32(body + 8 + i * 8);
	}
	return { samples, duration };
}

function readTrack(r: Reader, trak: Box): RawTrack {
	const tkhd = r.child(trak, 'tkhd');
	const mdia = r.child(trak, 'mdia');
	const mdhd = mdia && r.child(mdia, 'mdhd');
	const hdlr = mdia && r.child(mdia, 'hdlr');
	if (!tkhd || !mdia || !mdhd || !hdlr)
		throw new Mp4FormatError('malformed', 'a track lacks tkhd, mdia, mdhd or hdlr');
	const th = fullBox(r, tkhd);
	const id = th.version === 1 ? r.u32(th.body + 16) : r.u32(th.body + 8);
	const mh = fullBox(r, mdhd);
	const timescale = mh.version === 1 ? r.u32(mh.body + 16) : r.u32(mh.body + 8);
	const headerDuration = mh.version === 1 ? r.u64(mh.body + 20) : r.u32(mh.body + 12);
	const handler = r.fourcc(hdlr.start + 8);
	const stbl = r.path(mdia, 'minf', 'stbl');
	const stsd = stbl && r.child(stbl, 'stsd');
	const entry = stsd ? readSampleEntry(r, stsd, handler) : { codec: 'none', codecString: 'none' };
	const totals = readSttsTotals(r, stbl);
	if (!timescale) throw new Mp4FormatError('malformed', `track ${id} has a zero timescale`);
	return {
		id,
		handler,
		...entry,
		timescale,
		// mdhd is 0 or all-ones in fragmented files; the sample table is the truth when present.
		mediaDuration: totals.duration || (headerDuration === 0xffffffff ? 0 : headerDuration),
		sampleCount: totals.samples,
		edits: readEdits(r, trak),
	};
}

interface Fragments {
	/** track id -> [summed sample duration, sample count] */
	perTrack: Map<number, { duration: number; samples: number }>;
}

function readMoof(r: Reader, moof: Box, trex: Map<number, number>, into: Fragments): void {
	for (const traf of r.all(moof, 'traf')) {
		const tfhd = r.child(traf, 'tfhd');
		if (!tfhd) continue;
		const th = fullBox(r, tfhd);
		const trackId = r.u32(th.body);
		let cursor = th.body + 4;
		if (th.flags & 0x01) cursor += 8;
		if (th.flags & 0x02) cursor += 4;
		let defaultDuration = trex.get(trackId) ?? 0;
		if (th.flags & 0x08) defaultDuration = r.u32(cursor);
		const totals = into.perTrack.get(trackId) ?? { duration: 0, samples: 0 };
		for (const trun of r.all(traf, 'trun')) {
			const tr = fullBox(r, trun);
			const count = r.u32(tr.body);
			let at = tr.body + 4;
			if (tr.flags & 0x01) at += 4;
			if (tr.flags & 0x04) at += 4;
			const perSample =
				(tr.flags & 0x100 ? 4 : 0) +
				(tr.flags & 0x200 ? 4 : 0) +
				(tr.flags & 0x400 ? 4 : 0) +
				(tr.flags & 0x800 ? 4 : 0);
			if (perSample && count > (trun.end - at) / perSample)
				throw new Mp4FormatError('malformed', 'trun claims more samples than it holds');
			for (let i = 0; i < count; i++) {
				totals.duration += tr.flags & 0x100 ? r.u32(at + i * perSample) : defaultDuration;
			}
			totals.samples += count;
		}
		into.perTrack.set(trackId, totals);
	}
}

function presentation(
	track: RawTrack,
	movieTimescale: number,
	fragmented: boolean,
): { duration: number; start: number } {
	const media = track.mediaDuration / track.timescale;
	if (!track.edits.length) return { duration: media, start: 0 };
	let duration = 0;
	let start = 0;
	let seenMedia = false;
	for (const edit of track.edits) {
		const mediaStart = edit.mediaTime / track.timescale;
		// A zero-length edit in a fragmented file means "the rest of the media".
		const segment =
			edit.segmentDuration === 0 && fragmented && edit.mediaTime >= 0
				? Math.max(0, media - mediaStart)
				: edit.segmentDuration / movieTimescale;
		if (edit.mediaTime === -1) {
			if (!seenMedia) start += segment;
		} else {
			seenMedia = true;
			duration += segment;
		}
	}
	return { duration, start };
}

const round = (value: number, digits = 6): number =>
	Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Reads container facts from an MP4/MOV without decoding anything. Top-level boxes are walked by
 * their headers, so with a Range source only `ftyp`, the box headers and `moov` (plus `moof`
 * headers of fragmented files) are fetched.
 */
export async function probeMp4(source: ByteSource): Promise<ProbeResult> {
	try {
		return await walk(source);
	} finally {
		await source.close?.();
	}
}

async function walk(source: ByteSource): Promise<ProbeResult> {
	let offset = 0;
	let brand = '';
	let compatibleBrands: string[] = [];
	let moov: Reader | undefined;
	let moovOffset = -1;
	let sawMdat = false;
	let moovBeforeMdat = false;
	let needFragments = false;
	const fragments: Fragments = { perTrack: new Map() };
	const trex = new Map<number, number>();

	for (;;) {
		const head = await source.read(offset, 16);
		if (head.length === 0) break;
		if (head.length < 8) {
			if (offset === 0)
				throw new Mp4FormatError('not_mp4', 'not an MP4/MOV file: too short for a box header');
			throw new Mp4FormatError('truncated', `file ends inside a box header at byte ${offset}`);
		}
		const hr = new Reader(head);
		let size = hr.u32(0);
		const type = hr.fourcc(4);
		let header = 8;
		if (size === 1) {
			if (head.length < 16)
				throw new Mp4FormatError('truncated', `file ends inside a box header at byte ${offset}`);
			size = hr.u64(8);
			header = 16;
		}
		if (offset === 0 && (!TOP_LEVEL.has(type) || (size !== 0 && size !== 1 && size < 8))) {
			throw new Mp4FormatError(
				'not_mp4',
				'not an MP4/MOV file: it does not start with an ISO-BMFF box',
			);
		}
		if (!/^[\x20-\x7e]{4}$/.test(type))
			throw new Mp4FormatError('malformed', `unreadable box type at byte ${offset}`);
		const toEnd = size === 0;
		if (!toEnd && size < header)
			throw new Mp4FormatError(
				'malformed',
				`box ${JSON.stringify(type)} at byte ${offset} has an impossible size ${size}`,
			);

		if (type === 'ftyp' || type === 'moov' || type === 'moof') {
			const payloadLength = toEnd
				? (source.size ?? Number.MAX_SAFE_INTEGER) - offset - header
				: size - header;
			if (payloadLength > MAX_HEADER_BOX_BYTES)
				throw new Mp4FormatError(
					'malformed',
					`${type} box of ${payloadLength} bytes is implausibly large`,
				);
			const payload = await source.read(offset + header, payloadLength);
			if (!toEnd && payload.length < payloadLength) {
				throw new Mp4FormatError(
					'truncated',
					`file ends inside the ${type} box (byte ${offset + header + payload.length} of ${offset + size})`,
				);
			}
			const r = new Reader(payload);
			const self: Box = { type, start: 0, end: payload.length };
			if (type === 'ftyp') {
				brand = r.fourcc(0);
				for (let at = 8; at + 4 <= payload.length; at += 4) compatibleBrands.push(r.fourcc(at));
			} else if (type === 'moov') {
				moov = r;
				moovOffset = offset;
				moovBeforeMdat = !sawMdat;
				const mvex = r.child(self, 'mvex');
				if (mvex) {
					for (const box of r.all(mvex, 'trex')) {
						const { body } = fullBox(r, box);
						trex.set(r.u32(body), r.u32(body + 8));
					}
					needFragments = true;
				}
			} else {
				readMoof(r, self, trex, fragments);
			}
		} else if (type === 'mdat') {
			sawMdat = true;
		}
		if (toEnd) break;
		if (source.size !== undefined && offset + size > source.size) {
			throw new Mp4FormatError(
				'truncated',
				`box ${JSON.stringify(type)} claims ${size} bytes but the file ends at ${source.size}`,
			);
		}
		// Done once moov is read, except that the boxes after it are still checked for a
		// truncated file where that costs only their headers (random access), or the very next
		// header (a stream, where skipping means reading).
		if (moov && !needFragments && !source.randomAccess && type !== 'moov') break;
		offset += size;
	}

	if (!moov) {
		throw new Mp4FormatError(
			offset === 0 ? 'not_mp4' : 'no_moov',
			offset === 0 ? 'empty input' : 'no moov box: the file is incomplete or not a finished MP4',
		);
	}
	compatibleBrands = compatibleBrands.filter((b) => b.trim() && b !== '\0\0\0\0');
	return summarise(moov, {
		brand,
		compatibleBrands,
		moovOffset,
		moovBeforeMdat,
		fragmented: needFragments,
		fragments,
		bytesRead: source.bytesRead,
	});
}

function summarise(
	r: Reader,
	meta: {
		brand: string;
		compatibleBrands: string[];
		moovOffset: number;
		moovBeforeMdat: boolean;
		fragmented: boolean;
		fragments: Fragments;
		bytesRead: number;
	},
): ProbeResult {
	const root: Box = { type: 'moov', start: 0, end: r.bytes.length };
	const mvhd = r.child(root, 'mvhd');
	if (!mvhd) throw new Mp4FormatError('malformed', 'moov has no mvhd');
	const mv = fullBox(r, mvhd);
	const movieTimescale = mv.version === 1 ? r.u32(mv.body + 16) : r.u32(mv.body + 8);
	const movieDuration = mv.version === 1 ? r.u64(mv.body + 20) : r.u32(mv.body + 12);
	if (!movieTimescale) throw new Mp4FormatError('malformed', 'mvhd has a zero timescale');
	const mehd = r.path(root, 'mvex', 'mehd');
	const fragmentDuration = mehd
		? fullBox(r, mehd).version === 1
			? r.u64(mehd.start + 4)
			: r.u32(mehd.start + 4)
		: 0;

	const tracks: TrackInfo[] = r.all(root, 'trak').map((trak) => {
		const raw = readTrack(r, trak);
		const fragment = meta.fragments.perTrack.get(raw.id);
		if (fragment) {
			raw.mediaDuration += fragment.duration;
			raw.sampleCount += fragment.samples;
		}
		const { duration, start } = presentation(raw, movieTimescale, meta.fragmented);
		const mediaSeconds = raw.mediaDuration / raw.timescale;
		const kind = raw.handler === 'vide' ? 'video' : raw.handler === 'soun' ? 'audio' : 'other';
		return {
			id: raw.id,
			kind,
			handler: raw.handler,
			codec: raw.codec,
			codecString: raw.codecString,
			timescale: raw.timescale,
			durationSeconds: round(duration),
			mediaDurationSeconds: round(mediaSeconds),
			startSeconds: round(start),
			endSeconds: round(start + duration),
			sampleCount: raw.sampleCount,
			width: raw.width,
			height: raw.height,
			fps:
				kind === 'video' && mediaSeconds > 0 ? round(raw.sampleCount / mediaSeconds, 3) : undefined,
			channels: raw.channels,
			sampleRate: raw.sampleRate,
		};
	});

	const video = tracks.find((t) => t.kind === 'video');
	const audio = tracks.find((t) => t.kind === 'audio');
	const fromTracks = Math.max(0, ...tracks.map((t) => t.endSeconds));
	const headerSeconds = (fragmentDuration || movieDuration) / movieTimescale;
	const durationSeconds = round(
		meta.fragmented && !fragmentDuration ? fromTracks : headerSeconds || fromTracks,
	);
	return {
		brand: meta.brand,
		compatibleBrands: meta.compatibleBrands,
		durationSeconds,
		fragmented: meta.fragmented,
		moovOffset: meta.moovOffset,
		moovBeforeMdat: meta.moovBeforeMdat,
		tracks,
		video,
		audio,
		hasAudio: Boolean(audio && audio.sampleCount > 0),
		avSkewSeconds: audio && video ? round(audio.endSeconds - video.endSeconds) : 0,
		bytesRead: meta.bytesRead,
	};
}
