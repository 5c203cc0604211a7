import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './n8nCli';

const BIN = '/usr/lib/postgresql/15/bin';
const USER = 'n8n';
const DATABASE = 'n8n';

/**
 * A throwaway PostgreSQL cluster (Debian's postgresql 15) in a temp folder on loopback, for n8n's
 * production database setup. PostgreSQL refuses to run as root, so under root the cluster belongs
 * to the `postgres` system user the package creates.
 */
export class Postgres {
	private constructor(
		readonly port: number,
		private readonly dir: string,
		private readonly data: string,
	) {}

	private static asOwner(): string[] {
		return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
	}

	private static run(command: string, args: string[]): string {
		const [cmd, ...prefix] = [...Postgres.asOwner(), path.join(BIN, command)];
		return execFileSync(cmd, [...prefix, ...args], {
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
		});
	}

	static async start(): Promise<Postgres> {
		const dir = mkdtempSync(path.join(tmpdir(), 'vp-postgres-'));
		chmodSync(dir, 0o755);
		if (process.getuid?.() === 0) {
			const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
			const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
			chownSync(dir, uid, gid);
		}
		const data = path.join(dir, 'data');
		Postgres.run('initdb', ['-D', data, '-U', USER, '-A', 'trust', '--no-sync', '-E', 'UTF8']);
		const port = await freePort();
		const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
		Postgres.run('pg_ctl', [
			'start',
			'-D',
			data,
			'-w',
			'-t',
			'60',
			'-l',
			path.join(dir, 'postgres.log'),
			'-o',
			options,
		]);
		const postgres = new Postgres(port, dir, data);
		Postgres.run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', USER, DATABASE]);
		return postgres;
	}

	/** The environment that puts an n8n process on this database. */
	env(): Record<string, string> {
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.port),
			DB_POSTGRESDB_DATABASE: DATABASE,
			DB_POSTGRESDB_USER: USER,
			DB_POSTGRESDB_PASSWORD: '',
		};
	}

	/** Rows of a query, as JSON objects (column names as written in the query). */
	query<T = Record<string, unknown>>(sql: string): T[] {
		const out = execFileSync(
			'psql',
			[
				'-h',
				'127.0.0.1',
				'-p',
				String(this.port),
				'-U',
				USER,
				'-d',
				DATABASE,
				'-At',
				'-v',
				'ON_ERROR_STOP=1',
				'-c',
				`SELECT coalesce(json_agg(t), '[]'::json) FROM (${sql}) t`,
			],
			// A busy night's execution data runs to hundreds of megabytes.
			{ encoding: 'utf8', maxBuffer: 1 << 30 },
		);
		return JSON.parse(out) as T[];
	}

	/** Runs a statement that returns no rows. */
	exec(sql: string): void {
		execFileSync(
			'psql',
			[
				'-h',
				'127.0.0.1',
				'-p',
				String(this.port),
				'-U',
				USER,
				'-d',
				DATABASE,
				'-At',
				'-v',
				'ON_ERROR_STOP=1',
				'-c',
				sql,
			],
			{ stdio: 'ignore' },
		);
	}

	async stop(): Promise<void> {
		try {
			Postgres.run('pg_ctl', ['stop', '-D', this.data, '-m', 'fast', '-w']);
		} finally {
			rmSync(this.dir, { recursive: true, force: true });
		}
	}
}
