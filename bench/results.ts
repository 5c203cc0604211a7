import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

	add(metric: Metric): void {
		this.metrics.push(metric);
	}

	/** A figure this suite does not measure yet, listed in BENCH.md so nobody reads it as measured. */
	notYetMeasured(what: string): void {
		this.pending.push(what);
	}

	write(root: string): void {
		const results = Object.fromEntries(this.metrics.map((m) => [m.key, Number(m.value.toFixed(4))]));
		writeFileSync(path.join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
		const rows = this.metrics.map((m) => `| \`${m.key}\` | ${Number(m.value.toFixed(4))} | ${m.target ?? ''} | ${m.detail} |`);
		const markdown = [
			'# Benchmarks',
			'',
			'Every figure is a ratio or count measured in one run of `npm run bench` against the offline sandbox and the real n8n engine.',
			'',
			'| Metric | Value | Target | How it was measured |',
			'| --- | --- | --- | --- |',
			...rows,
			'',
			...(this.pending.length ? ['## Not yet measured', '', ...this.pending.map((p) => `- ${p}`), ''] : []),
			...(existsSync(path.join(root, COMMAND_TIMES)) ? [readFileSync(path.join(root, COMMAND_TIMES), 'utf8').trimEnd(), ''] : []),
		].join('\n');
		writeFileSync(path.join(root, 'BENCH.md'), markdown);
	}
}
