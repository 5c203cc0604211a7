/**
 * Where ffmpeg and ffprobe are, for everything in this repository that runs them (the sandbox's
 * renders and probes, the tests' fixtures and checks, the n8n processes the e2e suites and the
 * demo start). In order: FFMPEG_PATH / FFPROBE_PATH when set; the system's on the PATH; the
 * static builds that the dev-only packages @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe
 * ship inside their tarballs, so a machine with only Node and npm has them after `npm ci`.
 */
import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export type MediaTool = 'ffmpeg' | 'ffprobe';

const OVERRIDE: Record<MediaTool, string> = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' };
const PACKAGE: Record<MediaTool, string> = {
	ffmpeg: '@ffmpeg-installer/ffmpeg',
	ffprobe: '@ffprobe-installer/ffprobe',
};

function executable(file: string): boolean {
	try {
		accessSync(file, constants.X_OK);
		return statSync(file).isFile();
	} catch {
		return false;
	}
}

function onPath(tool: MediaTool, searchPath: string): string | undefined {
	return searchPath
		.split(path.delimiter)
		.filter(Boolean)
		.map((dir) => path.join(dir, tool))
		.find(executable);
}

/** The packaged binary; `npm ci --ignore-scripts` skips the packages' own `chmod u+x`, so it is done here. */
function packaged(tool: MediaTool): string | undefined {
	let file: string;
	try {
		file = (require(PACKAGE[tool]) as { path: string }).path;
	} catch {
		return undefined;
	}
	if (!executable(file)) chmodSync(file, statSync(file).mode | 0o111);
	return file;
}

/** Resolves a tool for the given environment; throws one line that says what to install. */
export function locateMediaTool(tool: MediaTool, env: NodeJS.ProcessEnv = process.env): string {
	const override = env[OVERRIDE[tool]];
	if (override) {
		if (!executable(override))
			throw new Error(`${OVERRIDE[tool]} is ${override}, which is not an executable file`);
		return override;
	}
	const found = onPath(tool, env.PATH ?? '') ?? packaged(tool);
	if (!found)
		throw new Error(
			`${tool} is not on the PATH and no build of ${PACKAGE[tool]} (a dev dependency) is installed for ${process.platform}-${process.arch}: run npm ci, or install ffmpeg (Debian: apt-get install ffmpeg)`,
		);
	return found;
}

const resolved = new Map<MediaTool, string>();

/** The tool this process runs (resolved once). */
export function mediaTool(tool: MediaTool): string {
	let file = resolved.get(tool);
	if (!file) resolved.set(tool, (file = locateMediaTool(tool)));
	return file;
}

/**
 * A PATH on which `ffmpeg` and `ffprobe` are the ones this process runs, for child processes that
 * look them up by name (n8n's Execute Command in the assemble-the-cut template). Only a tool that
 * does not already come first on `searchPath` gets its folder put in front.
 */
export function pathWithMediaTools(searchPath = process.env.PATH ?? ''): string {
	const tools = (['ffmpeg', 'ffprobe'] as const).filter(
		(tool) => onPath(tool, searchPath) !== mediaTool(tool),
	);
	const dirs = [...new Set(tools.map((tool) => path.dirname(mediaTool(tool))))];
	return [...dirs, searchPath].filter(Boolean).join(path.delimiter);
}

/** x264 at its fastest preset in the pixel format every player takes: the encoder of every generated clip. */
export const FAST_H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
