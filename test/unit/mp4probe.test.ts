import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
	bufferSource,
	Mp4FormatError,
	probeMp4,
	rangeSource,
	streamSource,
	type ProbeResult,
} from '../../nodes/shared/mp4';
import { sendBytes } from '../../sandbox/http';
import { ffprobeFile } from '../harness/media';
import { FIXTURE_DIR } from '../setup/fixtures';

interface FfStream {
	codec_type: string;
	codec_name: string;
	width?: number;
	height?: number;
	avg_frame_rate?: string;
	duration?: string;
	start_time?: string;
	sample_rate?: string;
	channels?: number;
}
interface FfProbe {
	streams: FfStream[];
	format: { duration: string };
}

const fixture = (name: string) => path.join(FIXTURE_DIR, name);
const ffprobe = (file: string): FfProbe => ffprobeFile(file);
const rate = (fraction = '0/1') => {
	const [n, d] = fraction.split('/').map(Number);
	return d ? n / d : 0;
};

function expectMatchesFfprobe(result: ProbeResult, file: string): void {
	const truth = ffprobe(file);
	const video = truth.streams.find((s) => s.codec_type === 'video')!;
	const audio = truth.streams.find((s) => s.codec_type === 'audio');
	const frame = 1 / rate(video.avg_frame_rate);
	expect(Math.abs(result.durationSeconds - Number(truth.format.duration))).toBeLessThanOrEqual(
		frame,
	);
	expect(result.video).toMatchObject({ codec: 'avc1', width: video.width, height: video.height });
	expect(Math.abs(result.video!.durationSeconds - Number(video.duration))).toBeLessThanOrEqual(
		frame,
	);
	expect(result.video!.fps!).toBeCloseTo(rate(video.avg_frame_rate), 2);
	expect(result.hasAudio).toBe(Boolean(audio));
	if (audio) {
		expect(result.audio).toMatchObject({
			codec: 'mp4a',
			sampleRate: Number(audio.sample_rate),
			channels: audio.channels,
		});
		expect(Math.abs(result.audio!.durationSeconds - Number(audio.duration))).toBeLessThanOrEqual(
			frame,
		);
		expect(Math.abs(result.audio!.startSeconds - Number(audio.start_time))).toBeLessThanOrEqual(
			frame,
		);
		const skew = result.audio!.endSeconds - result.video!.endSeconds;
		expect(result.avSkewSeconds).toBeCloseTo(skew, 6);
	}
}

const GOOD = [
	'faststart.mp4',
	'moov-at-end.mp4',
	'fragmented.mp4',
	'vertical-silent.mp4',
	'audio-longer.mp4',
	'audio-delayed.mp4',
	'ntsc.mp4',
	'large.mp4',
	'large-faststart.mp4',
];

describe('MP4 probe', () => {
	it.each(GOOD)('%s from a buffer matches ffprobe within one frame', async (name) => {
		const result = await probeMp4(bufferSource(readFileSync(fixture(name))));
		expectMatchesFfprobe(result, fixture(name));
	});

	it.each(GOOD)('%s from a one-pass stream matches ffprobe', async (name) => {
		const stream = createReadStream(fixture(name), { highWaterMark: 64 * 1024 });
		const result = await probeMp4(streamSource(stream, statSync(fixture(name)).size));
		expectMatchesFfprobe(result, fixture(name));
		expect(stream.destroyed).toBe(true);
	});

	it('reads codec strings, brands and layout facts', async () => {
		const faststart = await probeMp4(bufferSource(readFileSync(fixture('faststart.mp4'))));
		expect(faststart.video!.codecString).toMatch(/^avc1\.[0-9a-f]{6}$/);
		expect(faststart.audio!.codecString).toBe('mp4a.40.2');
		expect(faststart.brand).toBe('isom');
		expect(faststart.moovBeforeMdat).toBe(true);
		expect(faststart.fragmented).toBe(false);
		const atEnd = await probeMp4(bufferSource(readFileSync(fixture('moov-at-end.mp4'))));
		expect(atEnd.moovBeforeMdat).toBe(false);
		const fragmented = await probeMp4(bufferSource(readFileSync(fixture('fragmented.mp4'))));
		expect(fragmented.fragmented).toBe(true);
	});

	it('measures audio/video skew and delayed audio through the edit list', async () => {
		const delayed = await probeMp4(bufferSource(readFileSync(fixture('audio-delayed.mp4'))));
		expect(delayed.audio!.startSeconds).toBeCloseTo(0.5, 1);
		const silent = await probeMp4(bufferSource(readFileSync(fixture('vertical-silent.mp4'))));
		expect(silent.hasAudio).toBe(false);
		expect(silent.avSkewSeconds).toBe(0);
	});

	it.each([
		['truncated-in-moov.mp4', 'truncated', /ends inside the moov box/],
		['truncated-in-mdat.mp4', 'truncated', /mdat.*claims/],
		['missing-moov.mp4', 'truncated', /mdat.*claims/],
		['not-mp4.png', 'not_mp4', /not an MP4/],
		['text.txt', 'not_mp4', /not an MP4/],
	])('rejects %s as %s', async (name, reason, message) => {
		const error = await probeMp4(bufferSource(readFileSync(fixture(name)))).catch((e) => e);
		expect(error).toBeInstanceOf(Mp4FormatError);
		expect(error.reason).toBe(reason);
		expect(error.message).toMatch(message);
	});

	it('reports a file with media but no moov as incomplete when its size is unknown', async () => {
		const bytes = readFileSync(fixture('missing-moov.mp4'));
		async function* chunks() {
			for (let i = 0; i < bytes.length; i += 65536) yield bytes.subarray(i, i + 65536);
		}
		const error = await probeMp4(streamSource(chunks())).catch((e) => e);
		expect(error).toMatchObject({ reason: 'no_moov' });
	});

	it('rejects an empty input', async () => {
		await expect(probeMp4(bufferSource(Buffer.alloc(0)))).rejects.toMatchObject({
			reason: 'not_mp4',
		});
	});

	describe('over HTTP Range', () => {
		let server: Server;
		let origin: string;
		const requests: string[] = [];

		beforeAll(async () => {
			server = createServer((req, res) => {
				requests.push(String(req.headers.range ?? 'full'));
				sendBytes(
					req,
					res,
					readFileSync(fixture(decodeURIComponent(req.url!.slice(1)))),
					'video/mp4',
				);
			});
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		});
		afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

		const httpRange = (name: string) =>
			rangeSource(async (start, end) => {
				const response = await fetch(`${origin}/${name}`, {
					headers: { range: `bytes=${start}-${end}` },
				});
				expect(response.status).toBe(206);
				const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
				return {
					body: new Uint8Array(await response.arrayBuffer()),
					totalSize: total ? Number(total) : undefined,
				};
			});

		it.each(['large.mp4', 'large-faststart.mp4'])(
			'probes %s reading a small fraction of it',
			async (name) => {
				requests.length = 0;
				const size = statSync(fixture(name)).size;
				expect(size).toBeGreaterThan(10 * 1024 * 1024);
				const source = httpRange(name);
				const result = await probeMp4(source);
				expectMatchesFfprobe(result, fixture(name));
				expect(source.bytesRead).toBeLessThan(size / 50);
				expect(requests.every((range) => range.startsWith('bytes='))).toBe(true);
				expect(requests.length).toBeLessThanOrEqual(4);
			},
		);
	});
});
