import { sandboxCredentials } from '../../sandbox/credentials';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';

export type { Sandbox };

/** Starts a sandbox on a free loopback port for one test file. */
export async function withSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	return await startSandbox({ env: {}, ...options });
}

/** The sandbox's credentials by n8n credential type, as the harness takes them. */
export function credentialsFor(sandbox: Sandbox, id: string) {
	const credential = sandboxCredentials(sandbox).find((c) => c.id === id);
	if (!credential) throw new Error(`no sandbox credential ${id}`);
	return { [credential.type]: credential.data as unknown as Record<string, string> };
}

export function openAiCredentials(sandbox: Sandbox) {
	return {
		openAiVideoPipelineApi: {
			apiKey: sandbox.context.config.keys.openai,
			baseUrl: sandbox.baseUrls.openai,
			organizationId: '',
			projectId: '',
		},
	};
}

const FINISHED = ['succeeded', 'failed', 'cancelled'];

/**
 * Waits until the sandbox job `id` (without one: every job the sandbox has that is not stuck on
 * purpose) is finished, however
 * long its render takes on a busy machine: test setup between a submit and a read, not the code
 * under test. The test's own jest timeout bounds it; the deadline only ends the loop of a test
 * that jest already gave up on.
 */
export async function waitForSandboxJob(
	sandbox: Sandbox,
	id?: string,
	timeoutMs = 10 * 60 * 1000,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	const finished = () =>
		id === undefined
			? [...sandbox.context.jobs.jobs.values()].every(
					(job) => job.outcome.kind === 'stuck' || FINISHED.includes(job.state),
				)
			: FINISHED.includes(sandbox.context.jobs.get(id)?.state ?? '');
	while (!finished()) {
		if (Date.now() > deadline) throw new Error(`sandbox job ${id ?? '(any)'} did not finish`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

/** Puts a file on the sandbox's asset host (as a reference image, LUT or music bed would be hosted); returns its URL. */
export async function sandboxAsset(
	sandbox: Sandbox,
	name: string,
	body: Buffer | string,
): Promise<string> {
	const response = await fetch(`${sandbox.origin}/_sandbox/assets/${name}`, {
		method: 'PUT',
		body,
	});
	return ((await response.json()) as { url: string }).url;
}

/** The sandbox's billing ledger, as /_sandbox/ledger serves it. */
export async function sandboxLedger(sandbox: Sandbox): Promise<any> {
	return await (await fetch(`${sandbox.origin}/_sandbox/ledger`)).json();
}

/** The faults the sandbox injected, in order, with the jobs a 5xx after send charged. */
export async function sandboxFaults(
	sandbox: Sandbox,
): Promise<Array<{ fault: string; vendor: string; jobIds?: string[] }>> {
	return ((await (await fetch(`${sandbox.origin}/_sandbox/faults`)).json()) as { log: any[] }).log;
}

/** Every job the sandbox has seen, with the request and the references it received. */
export async function sandboxJobs(sandbox: Sandbox): Promise<any[]> {
	return ((await (await fetch(`${sandbox.origin}/_sandbox/jobs`)).json()) as { jobs: any[] }).jobs;
}

/**
 * Renders the sandbox billed twice for the same request. The vision judge's calls (token-billed) are
 * left out: a re-rendered take can come back byte-identical in the sandbox, and judging it again is
 * a new call for a new job, not a render paid twice.
 */
export function renderDuplicates(ledger: {
	entries: Array<{ unit: string; requestFingerprint: string }>;
}): Array<{ fingerprint: string; count: number }> {
	const counts = new Map<string, number>();
	for (const entry of ledger.entries)
		if (entry.unit !== 'token')
			counts.set(entry.requestFingerprint, (counts.get(entry.requestFingerprint) ?? 0) + 1);
	return [...counts]
		.filter(([, count]) => count > 1)
		.map(([fingerprint, count]) => ({ fingerprint, count }));
}
