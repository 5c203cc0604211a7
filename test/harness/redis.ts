import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './n8nCli';

/** A throwaway Redis (Debian's redis-server) on loopback, without persistence, for n8n's queue mode. */
export class Redis {
	private constructor(
		readonly port: number,
		private readonly child: ChildProcess,
	) {}

	static async start(): Promise<Redis> {
		const port = await freePort();
		const child = spawn(
			'redis-server',
			['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
			{ stdio: 'ignore' },
		);
		const redis = new Redis(port, child);
		const deadline = Date.now() + 20_000;
		while (!(await redis.answers())) {
			if (child.exitCode !== null)
				throw new Error(
					`redis-server exited with ${child.exitCode} (is Debian's redis-server installed?)`,
				);
			if (Date.now() > deadline) throw new Error('redis-server did not answer PING');
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
		return redis;
	}

	/** The environment that puts an n8n process into queue mode on this Redis. */
	queueEnv(): Record<string, string> {
		return {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(this.port),
		};
	}

	private async answers(): Promise<boolean> {
		return await new Promise((resolve) => {
			const socket = createConnection({ host: '127.0.0.1', port: this.port }, () =>
				socket.write('PING\r\n'),
			);
			socket.once('data', (data) => {
				socket.destroy();
				resolve(data.toString().startsWith('+PONG'));
			});
			socket.once('error', () => resolve(false));
		});
	}

	async stop(): Promise<void> {
		if (this.child.exitCode !== null) return;
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		this.child.kill('SIGTERM');
		await exited;
	}
}
