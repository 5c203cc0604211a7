import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Metric {
	key: string;
	value: number;
	/** What was measured and how, for BENCH.md. */
	detail: string;
	target?: string;
}

/**
 * How long the README's two commands take (a fresh clone's first `npm run demo`, a cached one,
 * `npm test`): timed by hand, not by this suite, so kept in a file of its own that every
 * BENCH.md this suite writes ends with, unchanged.
 */
const COMMAND_TIMES = path.join('bench', 'command-times.md');

/** Collects the metrics of one run and writes bench/results.json and BENCH.md. */
export class BenchResults {
	private readonly metrics: Metric[] = [];
	private readonly pending: string[] = [];
	private readonly figures: Array<{ file: string; caption: string }> = [];
	private readonly startedAt = new Date();

	add(metric: Metric): void {
		this.metrics.push(metric);
	}

	/** A figure this suite does not measure yet, listed in BENCH.md so nobody reads it as measured. */
	notYetMeasured(what: string): void {
		this.pending.push(what);
	}

	/** A picture the bench wrote next to BENCH.md. */
	figure(file: string, caption: string): void {
		this.figures.push({ file, caption });
	}

	/**
	 * Writes results.json and BENCH.md. A run of some describe blocks (`-t`) keeps the figures of
	 * the others from the last BENCH.md, in their place, each marked with the run it came from.
	 */
	write(root: string): void {
		const file = path.join(root, 'BENCH.md');
		const earlier = existsSync(file) ? earlierRows(readFileSync(file, 'utf8')) : [];
		const measured = new Map(this.metrics.map((m) => [m.key, m]));
		const rows: Metric[] = [
			...earlier.map((row) => measured.get(row.key) ?? row),
			...this.metrics.filter((m) => !earlier.some((row) => row.key === m.key)),
		];
		const earlierFigures = existsSync(file)
			? [...readFileSync(file, 'utf8').matchAll(/^- \[([^\]]+)\]\([^)]+\): (.*)$/gm)].map(
					([, f, caption]) => ({ file: f, caption }),
				)
			: [];
		const figures = [
			...earlierFigures.filter(
				(f) => existsSync(path.join(root, f.file)) && !this.figures.some((g) => g.file === f.file),
			),
			...this.figures,
		];
		const results = Object.fromEntries(rows.map((m) => [m.key, Number(m.value.toFixed(4))]));
		writeFileSync(
			path.join(root, 'bench', 'results.json'),
			`${JSON.stringify(results, null, 2)}\n`,
		);
		const lines = rows.map(
			(m) => `| \`${m.key}\` | ${Number(m.value.toFixed(4))} | ${m.target ?? ''} | ${m.detail} |`,
		);
		const markdown = [
			'# Benchmarks',
			'',
			'Every figure is a ratio or count measured in one run of `npm run bench` against the offline sandbox and the real n8n engine.',
			'',
			...measuredOn(root, this.startedAt),
			'',
			'| Metric | Value | Target | How it was measured |',
			'| --- | --- | --- | --- |',
			...lines,
			'',
			...(figures.length
				? ['## Timelines', '', ...figures.map((f) => `- [${f.file}](${f.file}): ${f.caption}`), '']
				: []),
			...(this.pending.length
				? ['## Not yet measured', '', ...this.pending.map((p) => `- ${p}`), '']
				: []),
			...(existsSync(path.join(root, COMMAND_TIMES))
				? [readFileSync(path.join(root, COMMAND_TIMES), 'utf8').trimEnd(), '']
				: []),
		].join('\n');
		writeFileSync(file, markdown);
	}
}

const CARRIED = / \(carried over from [^)]*\)$/;

/** The rows of an earlier BENCH.md, each marked with the run it was measured in. */
function earlierRows(markdown: string): Metric[] {
	const date = /^- Date: (.+)$/m.exec(markdown)?.[1];
	const commit = /^- Commit: (\S+)/m.exec(markdown)?.[1];
	const origin = date ? `the run of ${date} at ${commit ?? 'an unknown commit'}` : 'an earlier run';
	return markdown.split('\n').flatMap((line) => {
		const match = /^\| `([^`]+)` \| ([^|]*) \| ([^|]*) \| (.*) \|$/.exec(line);
		if (!match) return [];
		const [, key, value, target, detail] = match;
		return [
			{
				key,
				value: Number(value),
				target: target.trim() || undefined,
				detail: CARRIED.test(detail) ? detail : `${detail} (carried over from ${origin})`,
			},
		];
	});
}

/** When, at which commit and on what machine the run was measured. */
function measuredOn(root: string, startedAt: Date): string[] {
	const git = (...args: string[]) => {
		try {
			return execFileSync('git', args, {
				cwd: root,
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'ignore'],
			}).trim();
		} catch {
			return '';
		}
	};
	const commit = git('rev-parse', '--short=12', 'HEAD') || 'unknown';
	const dirty = git('status', '--porcelain', '--untracked-files=no')
		? ' with uncommitted changes'
		: '';
	const cpus = os.cpus();
	return [
		`- Date: ${startedAt.toISOString().replace(/\.\d+Z$/, 'Z')}`,
		`- Commit: ${commit}${dirty}`,
		`- Machine: ${cpus[0]?.model ?? 'unknown CPU'} x ${cpus.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB RAM, ${os.type()} ${os.release()} (${os.arch()}), Node ${process.version}; load average at the end ${os
			.loadavg()
			.map((l) => l.toFixed(2))
			.join(' ')}`,
	];
}
