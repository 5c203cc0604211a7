import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sandboxCredentials } from './credentials';
import { startSandbox } from './server';

async function main(): Promise<void> {
	const port = Number(process.env.SANDBOX_PORT ?? 8787);
	const sandbox = await startSandbox({ port, host: process.env.SANDBOX_HOST ?? '127.0.0.1' });
	const credentialsFile = path.resolve(
		process.env.SANDBOX_CREDENTIALS_FILE ?? 'sandbox-credentials.json',
	);
	writeFileSync(credentialsFile, `${JSON.stringify(sandboxCredentials(sandbox), null, 2)}\n`);
	const lines = [
		`Video pipeline sandbox listening on ${sandbox.origin}`,
		`  OpenAI      ${sandbox.baseUrls.openai}`,
		`  Gemini API  ${sandbox.baseUrls.gemini}`,
		`  Vertex AI   ${sandbox.baseUrls.vertex}`,
		`  Token       ${sandbox.baseUrls.token}`,
		`  Runway      ${sandbox.baseUrls.runway}`,
		`  fal         ${sandbox.baseUrls.falQueue} (queue), ${sandbox.baseUrls.falApi} (platform API)`,
		`  Replicate   ${sandbox.baseUrls.replicate}`,
		`  Control     ${sandbox.origin}/_sandbox/{ledger,jobs,faults,config,reset,webhooks}`,
		`n8n credentials for these URLs: ${credentialsFile}`,
		`  import them with: n8n import:credentials --input ${credentialsFile}`,
	];
	process.stdout.write(`${lines.join('\n')}\n`);
	const stop = async () => {
		await sandbox.stop();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
	process.stderr.write(`${error.message}\n`);
	process.exit(1);
});
