/**
 * Makes the MP4 fixtures the probe tests compare against ffprobe. They are generated, not
 * committed: each is a few seconds of ffmpeg test pattern, made once per machine and cached.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FAST_H264, mediaTool } from '../../sandbox/media/tools';

export const FIXTURE_DIR = path.resolve(__dirname, '../../.fixtures/mp4');

const AV = (size: string, rate: number, seconds: number, audioRate = 48000) => [
	'-f',
	'lavfi',
	'-i',
	`testsrc2=size=${size}:rate=${rate}`,
	'-f',
	'lavfi',
	'-i',
	`sine=frequency=440:sample_rate=${audioRate}`,
	'-t',
	String(seconds),
];
const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
const AAC = ['-c:a', 'aac', '-b:a', '96k'];

/** name -> ffmpeg arguments (output path appended). */
export const FIXTURES: Record<string, string[]> = {
	'faststart.mp4': [...AV('1280x720', 24, 4), ...H264, ...AAC, '-movflags', '+faststart'],
	'moov-at-end.mp4': [...AV('1280x720', 24, 4), ...H264, ...AAC],
	'fragmented.mp4': [
		...AV('640x360', 25, 3, 44100),
		...H264,
		'-g',
		'25',
		...AAC,
		'-movflags',
		'frag_keyframe+empty_moov',
	],
	'vertical-silent.mp4': [
		'-f',
		'lavfi',
		'-i',
		'testsrc2=size=720x1280:rate=30',
		'-t',
		'3',
		...H264,
	],
	'audio-longer.mp4': [
		'-f',
		'lavfi',
		'-i',
		'testsrc2=size=1280x720:rate=24',
		'-t',
		'4',
		'-f',
		'lavfi',
		'-i',
		'sine=frequency=440:sample_rate=48000',
		'-t',
		'5.5',
		'-shortest',
		'-fflags',
		'+shortest',
		...H264,
		...AAC,
	],
	'audio-delayed.mp4': [
		'-f',
		'lavfi',
		'-i',
		'testsrc2=size=1280x720:rate=24',
		'-t',
		'4',
		'-itsoffset',
		'0.5',
		'-f',
		'lavfi',
		'-i',
		'sine=frequency=440:sample_rate=48000',
		'-t',
		'3',
		...H264,
		...AAC,
	],
	'ntsc.mp4': [...AV('640x480', 30000 / 1001, 2), '-r', '30000/1001', ...H264, ...AAC],
	'large.mp4': [
		'-f',
		'lavfi',
		'-i',
		'testsrc2=size=1280x720:rate=24',
		'-f',
		'lavfi',
		'-i',
		'sine=frequency=440:sample_rate=48000',
		'-t',
		'6',
		'-vf',
		'noise=alls=60:allf=t',
		...FAST_H264,
		'-b:v',
		'20M',
		'-minrate',
		'20M',
		'-maxrate',
		'20M',
		'-bufsize',
		'20M',
		...AAC,
	],
};

export default async function makeFixtures(): Promise<void> {
	mkdirSync(FIXTURE_DIR, { recursive: true });
	for (const [name, args] of Object.entries(FIXTURES)) {
		const out = path.join(FIXTURE_DIR, name);
		if (existsSync(out)) continue;
		execFileSync(mediaTool('ffmpeg'), ['-v', 'error', '-y', ...args, out]);
	}
	const large = path.join(FIXTURE_DIR, 'large.mp4');
	const largeFaststart = path.join(FIXTURE_DIR, 'large-faststart.mp4');
	if (!existsSync(largeFaststart))
		execFileSync(mediaTool('ffmpeg'), [
			'-v',
			'error',
			'-y',
			'-i',
			large,
			'-c',
			'copy',
			'-movflags',
			'+faststart',
			largeFaststart,
		]);
	const faststart = readFileSync(path.join(FIXTURE_DIR, 'faststart.mp4'));
	const moovAtEnd = readFileSync(path.join(FIXTURE_DIR, 'moov-at-end.mp4'));
	writeFileSync(path.join(FIXTURE_DIR, 'truncated-in-moov.mp4'), faststart.subarray(0, 2000));
	writeFileSync(
		path.join(FIXTURE_DIR, 'truncated-in-mdat.mp4'),
		faststart.subarray(0, Math.floor(faststart.length / 2)),
	);
	writeFileSync(
		path.join(FIXTURE_DIR, 'missing-moov.mp4'),
		moovAtEnd.subarray(0, Math.floor(moovAtEnd.length / 2)),
	);
	writeFileSync(
		path.join(FIXTURE_DIR, 'not-mp4.png'),
		Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'),
	);
	writeFileSync(path.join(FIXTURE_DIR, 'text.txt'), 'just some text, not a video\n');
}
