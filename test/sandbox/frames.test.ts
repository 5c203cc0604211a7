import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sampleFrame, sampleFrames } from '../../sandbox/media/frames';
import { render, type RenderSpec } from '../../sandbox/media/render';
import { locateMediaTool } from '../../sandbox/media/tools';

jest.setTimeout(60_000);

/**
 * The sandbox's judge reads several frames of every clip it scores. One decode of the clip for all
 * of them must read exactly what a seek per frame reads, and cost one ffmpeg run.
 */
describe('frame samples of one clip, decoded together', () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'vp-frames-'));
	const calls = path.join(dir, 'ffmpeg-calls.log');
	let clip: string;

	beforeAll(async () => {
		// Every ffmpeg run of this process goes through a wrapper that writes its arguments down.
		const wrapper = path.join(dir, 'ffmpeg');
		writeFileSync(
			wrapper,
			`#!/bin/sh\necho "$*" >> '${calls}'\nexec '${locateMediaTool('ffmpeg')}' "$@"\n`,
		);
		chmodSync(wrapper, 0o755);
		process.env.FFMPEG_PATH = wrapper;
		const spec: RenderSpec = {
			kind: 'video',
			width: 640,
			height: 360,
			fps: 24,
			durationSeconds: 5,
			audio: false,
			prompt: `frames ${process.pid}: a slow pan. Look: palette #335577.`,
			references: ['a1b2c3d4e5f60718293a4b5c6d7e8f90', '0f1e2d3c4b5a69788796a5b4c3d2e1f0'],
			palette: ['#335577'],
		};
		clip = await render(spec);
	});

	const copy = (name: string) => {
		const file = path.join(dir, name);
		copyFileSync(clip, file);
		return file;
	};
	const decodesOf = (file: string) =>
		readFileSync(calls, 'utf8')
			.split('\n')
			.filter((line) => line.includes('rawvideo') && line.includes(file)).length;

	it('reads what a seek per frame reads, in one decode, at every time asked (clamped into the clip, or its middle)', async () => {
		// Either side of the keyframes at 1 s and 2 s (one a second), whose pixels differ from the
		// frames between: a frame picked one too early or late reads differently there.
		const times = [0.5, 0.97, 1.01, 1.3, 1.97, 2, 2.01, 4.2, 99, undefined, 1.3, 0];
		const seeks = copy('seeks.mp4');
		const apart: unknown[] = [];
		for (const time of times) apart.push(await sampleFrame(seeks, time));

		const together = copy('together.mp4');
		const samples = await sampleFrames(together, times);

		expect(samples).toEqual(apart);
		expect(samples[0].slots.length).toBeGreaterThan(0);
		expect(decodesOf(seeks)).toBe(new Set(times).size);
		expect(decodesOf(together)).toBe(1);
		// Cached: the judge's own reads of those frames afterwards decode nothing more.
		await sampleFrame(together, 4.2);
		await sampleFrames(together, [0.5, undefined]);
		expect(decodesOf(together)).toBe(1);
	});
});
