import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { canonicalJson, sha256 } from '../random';
import { FAST_H264, mediaTool } from './tools';

const run = promisify(execFile);

/**
 * What a render shows. Frame content is a pure function of this spec, so two renders with the
 * same pin look alike and a drifted one measurably differs:
 * - background: the grade's first palette colour (else a colour from the prompt);
 * - one identity swatch per reference, coloured from the reference's content hash, in fixed slots
 *   along the top edge (the vision judge reads these pixels back);
 * - a moving bar so the clip is real video; a tone whose pitch comes from the prompt.
 */
export interface RenderSpec {
	kind: 'video' | 'image';
	width: number;
	height: number;
	fps: number;
	durationSeconds: number;
	audio: boolean;
	prompt: string;
	/** Content hashes of the reference images the vendor received. */
	references: string[];
	/**
	 * Characters drawn from their text description alone (no reference image reached the vendor):
	 * one identity per `tag: description`, so the same description renders the same face every
	 * shot, as a seeded model would.
	 */
	cast?: string[];
	palette?: string[];
	/** Put moov after mdat (what a plain encoder writes) instead of fast start. */
	moovAtEnd?: boolean;
	/** Extra bitrate for large-file tests; default keeps clips small. */
	videoBitrateKbps?: number;
}

export const SWATCH_SIZE = 48;

/** Bump when what a spec renders to changes, so cached files are not reused. */
const RENDER_VERSION = 4;

/**
 * The picture repeats every two seconds (the bar crosses the frame at half its width a second),
 * so a clip's picture is one encoded loop of it, copied to the clip's length: a night of clips in
 * all their lengths encodes each look once, instead of every frame of every clip.
 */
const LOOP_SECONDS = 2;

/**
 * The four quadrant colours of a reference's identity swatch, from four slices of its content
 * hash: two different references practically never share all four.
 */
export function swatchColours(referenceHash: string): string[] {
	return [0, 6, 12, 18].map((start) => `#${referenceHash.slice(start, start + 6).padEnd(6, '0')}`);
}

/** Centre of quadrant `quadrant` (0..3, row-major) of a swatch whose top-left is (x, y). */
export function quadrantCentre(x: number, y: number, quadrant: number): { x: number; y: number } {
	const half = SWATCH_SIZE / 2;
	return {
		x: x + (quadrant % 2) * half + half / 2,
		y: y + Math.floor(quadrant / 2) * half + half / 2,
	};
}

export function backgroundColour(spec: Pick<RenderSpec, 'palette' | 'prompt'>): string {
	const first = spec.palette?.find((c) => /^#[0-9a-fA-F]{6}$/.test(c));
	return (first ?? `#${sha256(spec.prompt).slice(6, 12)}`).toLowerCase();
}

/** Top-left corner of the swatch of reference `index`. */
export function swatchPosition(index: number): { x: number; y: number } {
	return { x: 16 + index * (SWATCH_SIZE + 16), y: 16 };
}

let ffmpegChecked = false;

export async function assertFfmpeg(): Promise<void> {
	if (ffmpegChecked) return;
	const ffmpeg = mediaTool('ffmpeg');
	try {
		await run(ffmpeg, ['-version']);
		ffmpegChecked = true;
	} catch (error) {
		throw new Error(
			`The sandbox needs ffmpeg to make real MP4 files, and ${ffmpeg} -version failed (${(error as Error).message}); install it (Debian: apt-get install ffmpeg) and start again`,
		);
	}
}

const mediaDir = (): string => {
	const dir = process.env.SANDBOX_MEDIA_DIR ?? path.join(tmpdir(), 'vp-sandbox-media');
	mkdirSync(dir, { recursive: true });
	return dir;
};

const hex = (colour: string): string => `0x${colour.replace('#', '')}`;

/** Files being written, by path: a second job of the same spec waits for the first instead of encoding again. */
const writing = new Map<string, Promise<string>>();

/** Renders (or reuses) the file for a spec and returns its path. */
export async function render(spec: RenderSpec): Promise<string> {
	await assertFfmpeg();
	const key = sha256(canonicalJson({ version: RENDER_VERSION, spec })).slice(0, 32);
	const out = path.join(mediaDir(), `${key}.${spec.kind === 'image' ? 'png' : 'mp4'}`);
	if (existsSync(out)) return out;
	let file = writing.get(out);
	if (!file) {
		file = write(spec, out).finally(() => writing.delete(out));
		writing.set(out, file);
	}
	return await file;
}

/**
 * The picture of a clip: everything but the prompt's tone and the clip's length. A night's shots
 * share their pin (grade, references), so their pictures repeat while every prompt and length is
 * new; the picture's loop is encoded once and each clip only copies it to its length and muxes its
 * own tone onto it, which keeps the simulator's CPU per render small.
 */
const pictureOf = (spec: RenderSpec): RenderSpec => ({
	...spec,
	audio: false,
	prompt: '',
	palette: [backgroundColour(spec)],
	moovAtEnd: false,
	durationSeconds: LOOP_SECONDS,
});

async function write(spec: RenderSpec, out: string): Promise<string> {
	const tmp = `${out}.${process.pid}.${Date.now()}.tmp${path.extname(out)}`;
	const args = ['-v', 'error', '-y'];
	const picture = pictureOf(spec);
	if (spec.kind === 'video' && canonicalJson(picture) !== canonicalJson(spec)) {
		const duration = spec.durationSeconds.toFixed(3);
		args.push('-stream_loop', '-1', '-i', await render(picture));
		if (spec.audio) {
			const frequency = 220 + (parseInt(sha256(spec.prompt).slice(0, 4), 16) % 660);
			args.push(
				'-f',
				'lavfi',
				'-i',
				`sine=frequency=${frequency}:sample_rate=48000:duration=${duration}`,
				'-map',
				'0:v',
				'-map',
				'1:a',
				'-c:a',
				'aac',
				'-b:a',
				'64k',
			);
		}
		args.push('-c:v', 'copy');
		if (!spec.moovAtEnd) args.push('-movflags', '+faststart');
		args.push('-t', duration, '-f', 'mp4', tmp);
	} else {
		args.push(...encodeArgs(spec, tmp));
	}
	await run(mediaTool('ffmpeg'), args, { maxBuffer: 16 * 1024 * 1024 });
	renameSync(tmp, out);
	return out;
}

/** ffmpeg arguments that draw a still, or a silent clip's picture, from its spec. */
function encodeArgs(spec: RenderSpec, tmp: string): string[] {
	const swatches = [...spec.references, ...(spec.cast ?? [])].slice(0, 8).flatMap((ref, index) => {
		const { x, y } = swatchPosition(index);
		const half = SWATCH_SIZE / 2;
		return swatchColours(ref).map(
			(colour, quadrant) =>
				`drawbox=x=${x + (quadrant % 2) * half}:y=${y + Math.floor(quadrant / 2) * half}:w=${half}:h=${half}:color=${hex(colour)}:t=fill`,
		);
	});
	const bar = `drawbox=x='mod(t*${Math.round(spec.width / 2)}\\,${spec.width})':y=${Math.round(spec.height / 2)}:w=${Math.max(8, Math.round(spec.width / 40))}:h=${Math.round(spec.height / 3)}:color=white@0.7:t=fill`;
	const filters = [...swatches, ...(spec.kind === 'video' ? [bar] : [])].join(',') || 'null';
	const colourInput = `color=c=${hex(backgroundColour(spec))}:s=${spec.width}x${spec.height}:r=${spec.fps}`;
	if (spec.kind === 'image')
		return ['-f', 'lavfi', '-i', colourInput, '-frames:v', '1', '-vf', filters, tmp];
	const duration = spec.durationSeconds.toFixed(3);
	const args = [
		'-f',
		'lavfi',
		'-i',
		`${colourInput}:d=${duration}`,
		'-vf',
		filters,
		...FAST_H264,
		'-g',
		String(spec.fps),
	];
	if (spec.videoBitrateKbps)
		args.push(
			'-b:v',
			`${spec.videoBitrateKbps}k`,
			'-x264-params',
			'nal-hrd=cbr',
			'-minrate',
			`${spec.videoBitrateKbps}k`,
			'-maxrate',
			`${spec.videoBitrateKbps}k`,
			'-bufsize',
			`${spec.videoBitrateKbps}k`,
		);
	args.push('-movflags', '+faststart', '-t', duration, '-f', 'mp4', tmp);
	return args;
}

/** A still taken from a rendered clip (Videos API thumbnail / spritesheet variants). */
export async function still(videoPath: string, format: 'webp' | 'jpg'): Promise<string> {
	const out = videoPath.replace(/\.mp4$/, `.${format}`);
	if (existsSync(out)) return out;
	const tmp = `${out}.${process.pid}.tmp.${format}`;
	await run(mediaTool('ffmpeg'), [
		'-v',
		'error',
		'-y',
		'-i',
		videoPath,
		'-frames:v',
		'1',
		'-f',
		format === 'webp' ? 'webp' : 'mjpeg',
		tmp,
	]);
	renameSync(tmp, out);
	return out;
}

export function readMedia(file: string): Buffer {
	return readFileSync(file);
}
