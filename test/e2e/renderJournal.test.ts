import { sandboxCredentials } from '../../sandbox/credentials';
import { executions } from '../harness/batchRun';
import { ensureN8nRuntime, freePort, N8nInstance, type N8nProcess } from '../harness/n8nCli';
import { shotItems } from '../harness/pipeline';
import { RENDER_JOURNAL_CREDENTIALS, renderJournalCredential } from '../harness/renderJournal';
import { sandboxJobs, sandboxLedger, withSandbox, type Sandbox } from '../harness/sandbox';
import { deliveryEndpoint, runwaySubmitThenWait } from '../harness/submitWorkflow';

const E2E_TIMEOUT = 15 * 60 * 1000;
const WORKFLOW = 'vpRenderJournal';
const SHOTS = 5;

interface Delivered {
	shot: string;
	jobId: string | null;
	startedAt: string | null;
	renderError: { code: string } | null;
}

/**
 * In the real n8n: the process dies with SIGKILL while a Submit Only step is sending, after the
 * vendor has accepted some of its renders. n8n saved nothing of that step, so the operator's Retry
 * runs it again from its input; with the Render Journal credential the step takes over the jobs
 * the journal holds instead of paying for them again, and holds the one it was sending.
 */
describe('render journal: a Submit step killed mid-send, retried, pays nothing twice', () => {
	let sandbox: Sandbox;
	let n8n: N8nInstance;
	let server: N8nProcess | undefined;
	let notify: Awaited<ReturnType<typeof deliveryEndpoint<Delivered>>>;
	let port: number;
	let received: Delivered[] = [];

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { runway: 300 } } });
		notify = await deliveryEndpoint<Delivered>();
		received = notify.received;
		n8n = new N8nInstance(ensureN8nRuntime());
		port = await freePort();

		// The operator's API key, made in Settings > n8n API with the scopes n8n offers the owner.
		server = await n8n.start({ N8N_PORT: String(port) });
		const journalCredential = await renderJournalCredential(server);
		await server.stop();
		server = undefined;
		await n8n.importCredentials([...sandboxCredentials(sandbox), journalCredential]);
		const shots = shotItems(
			SHOTS,
			undefined,
			{ layer: 'broll', durationSeconds: 5, resolution: '720p' },
			{ runId: 'journal-run', budgetUsd: 100 },
		);
		const workflow = runwaySubmitThenWait({
			id: WORKFLOW,
			name: 'Render journal',
			path: 'render-journal',
			webhookId: '0d7e3b52-8a41-4f4e-9c1b-5b2f6f0a7e31',
			shots,
			notifyUrl: notify.url,
			timeoutMinutes: 1,
			credentials: RENDER_JOURNAL_CREDENTIALS,
		});
		await n8n.importWorkflow(workflow);
		await n8n.publish(WORKFLOW);
		server = await n8n.start({ N8N_PORT: String(port) });
	}, E2E_TIMEOUT);

	afterAll(async () => {
		await server?.stop();
		await sandbox?.stop();
		notify?.close();
	}, E2E_TIMEOUT);

	const until = async <T>(
		what: string,
		check: () => T | undefined | false | Promise<T | undefined | false>,
	): Promise<T> => {
		const deadline = Date.now() + 3 * 60 * 1000;
		for (;;) {
			const value = await check();
			if (value) return value;
			if (Date.now() > deadline)
				throw new Error(`timed out waiting for ${what}:\n${server?.output().slice(-4000)}`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	};
	const journal = () =>
		n8n.dataTable<{ state: string; jobId: string; shotId: string }>('video_render_journal');

	it(
		'takes over the renders the killed step had sent, holds the one it was sending, and sends the rest once',
		async () => {
			// Each submit takes 1.5 s at the vendor before it is accepted (and billed).
			sandbox.setFaults({
				rules: [{ fault: 'slow', vendor: 'runway', op: 'submit', params: { delayMs: 1500 } }],
			});
			expect((await server!.webhook('render-journal', {})).status).toBe(200);
			// Two renders accepted and journaled, the third at the vendor and not yet answered: the process dies.
			await until('two accepted submits and a third in flight', () =>
				journal().filter((row) => row.state === 'accepted').length >= 2 &&
				(sandbox.context.traffic.get('runway:submit') ?? 0) >= 3
					? true
					: undefined,
			);
			const sentBeforeKill = journal()
				.filter((row) => row.state === 'accepted')
				.map((row) => row.jobId);
			const killedAt = Date.now();
			await server!.stop('SIGKILL');
			server = undefined;
			const acceptedAtKill = (await sandboxJobs(sandbox)).length;
			expect(acceptedAtKill).toBeGreaterThanOrEqual(2);
			expect(received).toEqual([]);

			// The submit in flight reaches the vendor after its delay and is billed, though nobody hears.
			// The submit in flight reaches the vendor after its delay and becomes a job, though nobody hears.
			await until('the in-flight submit to become a job', async () =>
				(await sandboxJobs(sandbox)).length > acceptedAtKill ? true : undefined,
			);
			sandbox.setFaults({ rules: [] });
			// Three jobs before the retry (two heard, one not); the retry may only send the two never sent.
			expect(await sandboxJobs(sandbox)).toHaveLength(3);

			server = await n8n.start({ N8N_PORT: String(port) });
			const [killed] = await until('n8n to mark the killed execution', () => {
				const found = executions(n8n, WORKFLOW);
				return found.length === 1 && found[0].status === 'crashed' ? found : undefined;
			});
			const retried = await server.rest<{ status: string }>(
				'POST',
				`executions/${killed.id}/retry`,
				{ loadWorkflow: false },
			);
			expect(retried.status).toBe('success');

			// Evidence outside the node: the sandbox's bill, the journal table, what the client got.
			const ledger = await sandboxLedger(sandbox);
			expect(ledger.duplicates).toEqual([]);
			const billed = (ledger.entries as Array<{ jobId: string }>).map((e) => e.jobId);
			expect(await sandboxJobs(sandbox)).toHaveLength(SHOTS);
			expect(billed).toHaveLength(SHOTS);
			expect(received.map((d) => d.shot).sort()).toEqual(
				shotItems(SHOTS, undefined).map((s) => s.shot.id),
			);
			const rows = journal();
			const held = rows.filter((row) => row.state === 'unknown');
			expect(held).toHaveLength(1);
			// The one the step was sending is reported as possibly billed, never sent again.
			expect(received.find((d) => d.shot === held[0].shotId)).toMatchObject({
				jobId: null,
				renderError: { code: 'outcome_unknown' },
			});
			// Every other billed render reached the client, taken over or sent once by the retry.
			const delivered = received.map((d) => d.jobId).filter((id): id is string => Boolean(id));
			expect(delivered).toHaveLength(SHOTS - 1);
			expect(new Set(delivered).size).toBe(SHOTS - 1);
			// A job taken over keeps its real submit time (the journal's), not the retry's: render times
			// learned from it, and the take's record, start when it was sent.
			const takenOver = received.filter((d) => d.jobId && sentBeforeKill.includes(d.jobId));
			expect(takenOver.length).toBeGreaterThanOrEqual(2);
			for (const d of takenOver) expect(Date.parse(d.startedAt!)).toBeLessThan(killedAt);
			const untold = billed.filter((jobId) => !delivered.includes(jobId));
			expect(untold).toHaveLength(1);
			expect(
				rows
					.filter((row) => row.state === 'accepted')
					.map((row) => row.jobId)
					.sort(),
			).toEqual([...delivered].sort());
		},
		E2E_TIMEOUT,
	);
});
