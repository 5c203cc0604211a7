import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { locateMediaTool, mediaTool, pathWithMediaTools } from '../../sandbox/media/tools';

/** A folder holding an executable script with this name, which prints where it is. */
function fakeTool(name: string): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'vp-tools-'));
	writeFileSync(path.join(dir, name), '#!/bin/sh\necho "$0"\n');
	chmodSync(path.join(dir, name), 0o755);
	return dir;
}

describe('ffmpeg and ffprobe: one place decides which binaries run', () => {
	it("takes the system's from the PATH when it has them", () => {
		const dir = fakeTool('ffprobe');
		expect(locateMediaTool('ffprobe', { PATH: `/nonexistent${path.delimiter}${dir}` })).toBe(
			path.join(dir, 'ffprobe'),
		);
	});

	it('falls back to the binaries the dev-only npm packages ship, made executable, on a machine without its own', () => {
		for (const tool of ['ffmpeg', 'ffprobe'] as const) {
			const file = locateMediaTool(tool, { PATH: '/nonexistent' });
			expect(file).toContain(`${path.sep}node_modules${path.sep}@${tool}-installer${path.sep}`);
			expect(statSync(file).mode & 0o100).toBe(0o100);
			expect(execFileSync(file, ['-version']).toString()).toMatch(new RegExp(`^${tool} version`));
		}
	});

	it('prefers FFMPEG_PATH / FFPROBE_PATH, and names the variable when it points at nothing runnable', () => {
		const dir = fakeTool('my-ffmpeg');
		expect(
			locateMediaTool('ffmpeg', { PATH: '/usr/bin', FFMPEG_PATH: path.join(dir, 'my-ffmpeg') }),
		).toBe(path.join(dir, 'my-ffmpeg'));
		const notExecutable = path.join(dir, 'plain-file');
		writeFileSync(notExecutable, 'not a program');
		expect(() =>
			locateMediaTool('ffprobe', { PATH: '/usr/bin', FFPROBE_PATH: notExecutable }),
		).toThrow(`FFPROBE_PATH is ${notExecutable}, which is not an executable file`);
	});

	it('gives child processes a PATH on which ffmpeg and ffprobe by name are the ones this process runs', () => {
		const env = { PATH: pathWithMediaTools('/usr/local/bin:/usr/bin:/bin') };
		for (const tool of ['ffmpeg', 'ffprobe'] as const) {
			expect(
				execFileSync('sh', ['-c', `command -v ${tool}`], { env })
					.toString()
					.trim(),
			).toBe(mediaTool(tool));
		}
	});
});
