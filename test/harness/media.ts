import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { FAST_H264, mediaTool } from '../../sandbox/media/tools';

export interface Probed {
	width: number;
	height: number;
	durationSeconds: number;
	videoCodec: string;
	audioCodec?: string;
	fps: number;
}

/** ffprobe's JSON report (streams and format) of a file. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function ffprobeFile(file: string): any {
	return JSON.parse(
		execFileSync(mediaTool('ffprobe'), [
			'-v',
			'error',
			'-show_streams',
			'-show_format',
			'-of',
			'json',
			file,
		]).toString(),
	);
}

/** ffprobe of bytes (written to a temp file). */
export function ffprobeBytes(bytes: Buffer | Uint8Array): Probed {
	const file = path.join(
		tmpdir(),
		`vp-probe-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`,
	);
	writeFileSync(file, bytes);
	const out = ffprobeFile(file);
	const video = out.streams.find((s: any) => s.codec_type === 'video');
	const audio = out.streams.find((s: any) => s.codec_type === 'audio');
	const [n, d] = String(video.avg_frame_rate ?? '0/1')
		.split('/')
		.map(Number);
	return {
		width: video.width,
		height: video.height,
		durationSeconds: Number(out.format.duration ?? 0),
		videoCodec: video.codec_name,
		audioCodec: audio?.codec_name,
		fps: d ? n / d : 0,
	};
}

/** A real fragmented MP4 (test pattern, no audio) of the given size and length, made by ffmpeg. */
export function mp4Clip(width: number, height: number, seconds: number): Buffer {
	return execFileSync(
		mediaTool('ffmpeg'),
		[
			'-v',
			'error',
			'-f',
			'lavfi',
			'-i',
			`testsrc2=size=${width}x${height}:rate=24`,
			'-t',
			String(seconds),
			...FAST_H264,
			'-movflags',
			'frag_keyframe+empty_moov',
			'-f',
			'mp4',
			'pipe:1',
		],
		{ maxBuffer: 64 * 1024 * 1024 },
	);
}

/** A real PNG of the given size, made by ffmpeg; `seed` changes its colour (and so its content hash). */
export function pngImage(width: number, height: number, seed = 0): Buffer {
	const colour = (0x203040 + seed * 0x0b1a2f) & 0xffffff;
	return execFileSync(mediaTool('ffmpeg'), [
		'-v',
		'error',
		'-f',
		'lavfi',
		'-i',
		`color=c=0x${colour.toString(16).padStart(6, '0')}:s=${width}x${height}`,
		'-frames:v',
		'1',
		'-f',
		'image2',
		'-c:v',
		'png',
		'pipe:1',
	]);
}
