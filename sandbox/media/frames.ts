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

/**
 * Decodes one frame of a clip (or an image) and reads the pixels QC cares about: at `atSeconds`
 * (clamped into the clip), or from the middle. Files are content-addressed, so samples are cached.
 */
export async function sampleFrame(file: string, atSeconds?: number): Promise<FrameSample> {
	return await once(samples, `${file}@${atSeconds ?? 'middle'}`, () =>
		decodeFrame(file, atSeconds),
	);
}

/** Size and length of a file, probed once: a judge call reads several frames of the same clip. */
const probes = new Map<
	string,
	Promise<{ width: number; height: number; durationSeconds: number }>
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
				'stream=width,height:format=duration',
				'-of',
				'json',
				file,
			])
		).stdout,
	) as { streams: Array<{ width: number; height: number }>; format: { duration?: string } };
	const { width, height } = probe.streams[0];
	return { width, height, durationSeconds: Number(probe.format.duration ?? 0) };
}

async function decodeFrame(file: string, atSeconds?: number): Promise<FrameSample> {
	const { width, height, durationSeconds } = await once(probes, file, () => probeFile(file));
	const at =
		atSeconds === undefined
			? durationSeconds / 2
			: Math.min(Math.max(0, atSeconds), Math.max(0, durationSeconds - 0.1));
	const seek = durationSeconds > 0 ? ['-ss', at.toFixed(3)] : [];
	const { stdout } = await run(
		mediaTool('ffmpeg'),
		[
			'-v',
			'error',
			...seek,
			'-i',
			file,
			'-frames:v',
			'1',
			'-f',
			'rawvideo',
			'-pix_fmt',
			'rgb24',
			'pipe:1',
		],
		{
			encoding: 'buffer',
			maxBuffer: width * height * 3 + 1024,
		},
	);
	const pixel = (x: number, y: number): Rgb => {
		const offset = (Math.min(height - 1, y) * width + Math.min(width - 1, x)) * 3;
		return [stdout[offset], stdout[offset + 1], stdout[offset + 2]];
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
