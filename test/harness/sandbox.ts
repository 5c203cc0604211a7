import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';

export type { Sandbox };

/** Starts a sandbox on a free loopback port for one test file. */
export async function withSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	return await startSandbox({ env: {}, ...options });
}

export function openAiCredentials(sandbox: Sandbox) {
	return { openAiVideoPipelineApi: { apiKey: sandbox.context.config.keys.openai, baseUrl: sandbox.baseUrls.openai, organizationId: '', projectId: '' } };
}

/** Polls a sandbox job until it is finished (fixture setup, not the code under test). */
export async function waitForSandboxJob(sandbox: Sandbox, id: string, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const job = sandbox.context.jobs.get(id);
		if (job && ['succeeded', 'failed', 'cancelled'].includes(job.state)) return;
		if (Date.now() > deadline) throw new Error(`sandbox job ${id} did not finish`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}
