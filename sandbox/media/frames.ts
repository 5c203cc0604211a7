import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { quadrantCentre, SWATCH_SIZE, swatchPosition } from './render';
import { mediaTool } from './tools';

const run = promisify(execFile);

export type Rgb = [number, number, number];

export function hexToRgb(hex: string): Rgb {
	const value = parseInt(hex.replace('#', ''), 16);
	return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

export function colourDistance(a: Rgb, b: Rgb): number {
	return Math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2);
}

export interface FrameSample {
	width: number;
	height: number;
	durationSeconds: number;
	/** For each identity swatch slot, the colours at the centres of its four quadrants. */
	slots: Rgb[][];
	/** Background colour (a corner the moving bar never crosses). */
	background: Rgb;
}

/** The promise `make` gives for `key`, made once; a failure is forgotten so the next call tries again. */
function once<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
	let made = cache.get(key);
	if (!made) {
		made = make();
		cache.set(key, made);
		made.catch(() => cache.delete(key));
	}
	return made;
}

const samples = new Map<string, Promise<FrameSample>>();
const sampleKey = (file: string, atSeconds: number | undefined) =>
	`${file}@${atSeconds ?? 'middle'}`;

/**
 * Decodes one frame of a clip (or an image) and reads the pixels QC cares about: at `atSeconds`
 * (clamped into the clip), or from the middle. Files are content-addressed, so samples are cached.
 */
export async function sampleFrame(file: string, atSeconds?: number): Promise<FrameSample> {
	return await once(samples, sampleKey(file, atSeconds), () => decodeFrame(file, atSeconds));
}

/**
 * The frames of one file several samples want, decoded in one pass: a judge call reads several
 * frames of a clip (and of its anchors and the shot before), and one decode of the clip costs far
 * less than a seek and decode per frame. Each sample is cached as `sampleFrame` caches it.
 */
export async function sampleFrames(
	file: string,
	times: ReadonlyArray<number | undefined>,
): Promise<FrameSample[]> {
	const wanted = [...new Set(times)].filter(
		(atSeconds) => !samples.has(sampleKey(file, atSeconds)),
	);
	if (wanted.length > 1) {
		// A decode that fails as a whole leaves each sample to a seek of its own.
		const decoded = decodeFrames(file, wanted).catch(() => undefined);
		wanted.forEach((atSeconds, index) =>
			once(
				samples,
				sampleKey(file, atSeconds),
				async () => (await decoded)?.[index] ?? (await decodeFrame(file, atSeconds)),
			),
		);
	}
	return await Promise.all(times.map((atSeconds) => sampleFrame(file, atSeconds)));
}

/** Size, length and frame rate of a file, probed once: a judge call reads several frames of the same clip. */
const probes = new Map<
	string,
	Promise<{ width: number; height: number; durationSeconds: number; fps: number }>
>();

async function probeFile(file: string) {
	const probe = JSON.parse(
		(
			await run(mediaTool('ffprobe'), [
				'-v',
				'error',
				'-select_streams',
				'v:0',
				'-show_entries',
				'stream=width,height,avg_frame_rate:format=duration',
				'-of',
				'json',
				file,
			])
		).stdout,
	) as {
		streams: Array<{ width: number; height: number; avg_frame_rate?: string }>;
		format: { duration?: string };
	};
	const { width, height, avg_frame_rate: rate = '0/0' } = probe.streams[0];
	const [num, den] = rate.split('/').map(Number);
	return {
		width,
		height,
		durationSeconds: Number(probe.format.duration ?? 0),
		fps: den > 0 && num > 0 ? num / den : 0,
	};
}

const probed = (file: string) => once(probes, file, () => probeFile(file));

/** The time a sample reads: `atSeconds` clamped into the clip, or its middle. */
function sampleTime(durationSeconds: number, atSeconds?: number): number {
	return atSeconds === undefined
		? durationSeconds / 2
		: Math.min(Math.max(0, atSeconds), Math.max(0, durationSeconds - 0.1));
}

async function decodeFrame(file: string, atSeconds?: number): Promise<FrameSample> {
	const { width, height, durationSeconds } = await probed(file);
	const seek =
		durationSeconds > 0 ? ['-ss', sampleTime(durationSeconds, atSeconds).toFixed(3)] : [];
	const { stdout } = await run(
		mediaTool('ffmpeg'),
		['-v', 'error', ...seek, '-i', file, '-frames:v', '1', ...RAW_RGB, 'pipe:1'],
		{ encoding: 'buffer', maxBuffer: width * height * 3 + 1024 },
	);
	return readSample(stdout, width, height, durationSeconds);
}

const RAW_RGB = ['-f', 'rawvideo', '-pix_fmt', 'rgb24'];

/**
 * One decode of a clip for several samples: the first frame at or after each sample's time (what
 * a seek to it shows), picked by frame number. A file without a known frame rate, or a frame the
 * decode did not reach, is read with a seek of its own.
 */
async function decodeFrames(
	file: string,
	times: ReadonlyArray<number | undefined>,
): Promise<FrameSample[]> {
	const { width, height, durationSeconds, fps } = await probed(file);
	if (!(durationSeconds > 0 && fps > 0))
		return await Promise.all(times.map((atSeconds) => decodeFrame(file, atSeconds)));
	// The time to the millisecond, as the seek is given it.
	const frameOf = times.map((atSeconds) =>
		Math.max(0, Math.ceil(Number(sampleTime(durationSeconds, atSeconds).toFixed(3)) * fps - 1e-6)),
	);
	const numbers = [...new Set(frameOf)].sort((a, b) => a - b);
	const frameBytes = width * height * 3;
	const { stdout } = await run(
		mediaTool('ffmpeg'),
		[
			'-v',
			'error',
			'-i',
			file,
			'-vf',
			`select='${numbers.map((n) => `eq(n,${n})`).join('+')}'`,
			// Every selected frame as it is (ffmpeg 4's spelling, which later versions still take).
			'-vsync',
			'0',
			...RAW_RGB,
			'pipe:1',
		],
		{ encoding: 'buffer', maxBuffer: frameBytes * numbers.length + 1024 },
	);
	return await Promise.all(
		frameOf.map(async (n, index) => {
			const at = numbers.indexOf(n) * frameBytes;
			return at + frameBytes <= stdout.length
				? readSample(stdout.subarray(at, at + frameBytes), width, height, durationSeconds)
				: await decodeFrame(file, times[index]);
		}),
	);
}

/** The pixels QC cares about in one decoded RGB frame. */
function readSample(
	frame: Buffer,
	width: number,
	height: number,
	durationSeconds: number,
): FrameSample {
	const pixel = (x: number, y: number): Rgb => {
		const offset = (Math.min(height - 1, y) * width + Math.min(width - 1, x)) * 3;
		return [frame[offset], frame[offset + 1], frame[offset + 2]];
	};
	const slots: Rgb[][] = [];
	for (let index = 0; index < 8; index++) {
		const { x, y } = swatchPosition(index);
		if (x + SWATCH_SIZE > width) break;
		slots.push(
			[0, 1, 2, 3].map((quadrant) => {
				const centre = quadrantCentre(x, y, quadrant);
				return pixel(centre.x, centre.y);
			}),
		);
	}
	return { width, height, durationSeconds, slots, background: pixel(width - 8, height - 8) };
}
