import { sandboxCredentials } from '../../sandbox/credentials';
import { executions } from '../harness/batchRun';
import { ensureN8nRuntime, N8nInstance, type N8nProcess } from '../harness/n8nCli';
import { shotItems } from '../harness/pipeline';
import { sandboxJobs, sandboxLedger, withSandbox, type Sandbox } from '../harness/sandbox';
import { deliveryEndpoint, runwaySubmitThenWait } from '../harness/submitWorkflow';

const E2E_TIMEOUT = 15 * 60 * 1000;
const WORKFLOW = 'vpRetryPaysOnce';

/**
 * In the real n8n: a render node whose items partly fail (one refused by the budget, one render
 * stuck past its wait) keeps every paid job ID on its output, so when a later step fails and the
 * operator retries the execution (`POST /rest/executions/<id>/retry`), nothing is paid again.
 */
describe('execution retry in the real n8n never pays twice', () => {
	let sandbox: Sandbox;
	let n8n: N8nInstance;
	let server: N8nProcess;
	let notify: Awaited<ReturnType<typeof deliveryEndpoint<unknown>>>;
	let received: unknown[] = [];

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { runway: 300 } } });
		// The client's endpoint is down the first time, as a flaky downstream step would be.
		notify = await deliveryEndpoint<unknown>((count) => (count === 1 ? 503 : 200));
		received = notify.received;
		n8n = new N8nInstance(ensureN8nRuntime());
		await n8n.importCredentials(sandboxCredentials(sandbox));
		// Three 8 s Gen-4.5 shots ($0.96 each) against a $2 budget: the third is refused.
		const shots = shotItems(
			3,
			undefined,
			{ layer: 'broll', durationSeconds: 8, resolution: '720p' },
			{ runId: 'retry-run', budgetUsd: 2 },
		);
		const workflow = runwaySubmitThenWait({
			id: WORKFLOW,
			name: 'Retry pays once',
			path: 'retry-pays-once',
			webhookId: 'c4e1f0d2-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
			shots,
			notifyUrl: notify.url,
			timeoutMinutes: 0.1,
		});
		await n8n.importWorkflow(workflow);
		await n8n.publish(WORKFLOW);
		server = await n8n.start();
	}, E2E_TIMEOUT);
	afterAll(async () => {
		await server?.stop();
		await sandbox?.stop();
		notify?.close();
	}, E2E_TIMEOUT);

	const finished = async (count: number) => {
		const deadline = Date.now() + 5 * 60 * 1000;
		for (;;) {
			const done = executions(n8n, WORKFLOW).filter(
				(e) => !['new', 'running', 'waiting'].includes(e.status),
			);
			if (done.length >= count) return done;
			if (Date.now() > deadline)
				throw new Error(`no execution finished:\n${server.output().slice(-4000)}`);
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	};

	it(
		'keeps the paid job IDs of a failing render step, and a retried execution bills nothing again',
		async () => {
			// One of the two accepted renders sticks past the wait: its job goes on at the vendor.
			sandbox.setFaults({ rules: [{ fault: 'stuck', vendor: 'runway', times: 1 }] });
			expect((await server.webhook('retry-pays-once', {})).status).toBe(200);
			const [first] = await finished(1);
			expect(first.status).toBe('error');
			const jobs = (await sandboxJobs(sandbox)) as Array<{ id: string }>;
			expect(jobs).toHaveLength(2);

			sandbox.setFaults({ rules: [] });
			const retried = await server.rest<{ status: string; retryOf: string }>(
				'POST',
				`executions/${first.id}/retry`,
				{ loadWorkflow: false },
			);
			expect(retried).toMatchObject({ status: 'success', retryOf: String(first.id) });

			// The retry resumed at the failed step: both paid jobs reached the client, the refused shot said why.
			const delivered = received.slice(-3) as Array<{
				shot: string;
				jobId: string | null;
				status: string;
				renderError: { code: string } | null;
			}>;
			expect(
				delivered
					.map((d) => d.jobId)
					.filter(Boolean)
					.sort(),
			).toEqual(jobs.map((job) => job.id).sort());
			expect(delivered.find((d) => d.shot === 'shot-3')).toMatchObject({
				jobId: null,
				renderError: { code: 'budget' },
			});
			expect(delivered.some((d) => d.renderError?.code === 'timeout')).toBe(true);
			// Nothing was submitted or billed a second time.
			expect(await sandboxJobs(sandbox)).toHaveLength(2);
			const ledger = await sandboxLedger(sandbox);
			expect(ledger.duplicates).toEqual([]);
			expect(ledger.entries.length).toBeLessThanOrEqual(2);
		},
		E2E_TIMEOUT,
	);
});
