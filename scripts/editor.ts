/**
 * npm run editor: n8n on http://localhost:5678 with this package installed, the sandbox running,
 * its credentials imported and every template in workflows/ ready to open. Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sandboxCredentials } from '../sandbox/credentials';
import { startSandbox } from '../sandbox/server';
import { ensureN8nRuntime, N8nInstance } from '../test/harness/n8nCli';
import { execFileSync } from 'node:child_process';

const ROOT = path.resolve(__dirname, '..');
const PORT = process.env.N8N_PORT ?? '5678';

async function main(): Promise<void> {
	execFileSync('npm', ['run', 'build', '--silent'], {
		cwd: ROOT,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	const runtime = ensureN8nRuntime();
	const sandbox = await startSandbox({ port: Number(process.env.SANDBOX_PORT ?? 8787) });
	const n8n = new N8nInstance(runtime);
	await n8n.importCredentials(sandboxCredentials(sandbox));
	const dir = path.join(ROOT, 'workflows');
	for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')))
		await n8n.importWorkflow(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
	const child = spawn(runtime.node, [runtime.n8nBin, 'start'], {
		env: n8n.env({ N8N_PORT: PORT, N8N_SECURE_COOKIE: 'false' }),
		stdio: 'inherit',
	});
	process.stdout.write(
		`\nn8n editor: http://localhost:${PORT} (sandbox at ${sandbox.origin}; user folder ${n8n.userFolder})\n`,
	);
	const stop = async () => {
		child.kill('SIGTERM');
		await sandbox.stop();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	child.on('exit', async (code) => {
		await sandbox.stop();
		process.exit(code ?? 0);
	});
}

main().catch((error: Error) => {
	process.stderr.write(`${error.message}\n`);
	process.exit(1);
});
