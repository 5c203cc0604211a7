import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sandboxCredentials } from '../../sandbox/credentials';
import {
	BATCH_WORKFLOW,
	executionIds,
	executions,
	expectSeededBatchDelivered,
	waitForExecutions,
} from '../harness/batchRun';
import {
	templateInstance,
	TEMPLATE_DELIVERY,
	TEMPLATE_HOME,
	type N8nInstance,
	type N8nProcess,
} from '../harness/n8nCli';
import { ffprobeFile } from '../harness/media';
import { Postgres } from '../harness/postgres';
import { Redis } from '../harness/redis';
import {
	sandboxJobs,
	sandboxLedger,
	withSandbox,
	type Sandbox,
	renderDuplicates,
} from '../harness/sandbox';

const E2E_TIMEOUT = 30 * 60 * 1000;
const STUDIO_WORKFLOW = 'vpStudioBriefDelivery';
const BY_REFERENCE_WORKFLOW = 'vpStudioByReference';

/**
 * n8n's queue mode as a studio scales out: Redis, one main that takes the webhooks and two
 * `n8n worker` processes (concurrency 1 each) that run the executions, sharing one PostgreSQL
 * database (n8n's production setup; it only warns about SQLite in queue mode).
 */
describe('queue mode: one main and two workers on Redis and PostgreSQL', () => {
	let sandbox: Sandbox;
	let redis: Redis;
	let postgres: Postgres;
	let n8n: N8nInstance;
	let main: N8nProcess;
	let workers: N8nProcess[] = [];
	let env: Record<string, string>;

	beforeAll(async () => {
		sandbox = await withSandbox({
			config: { renderMs: { openai: 300, google: 300, runway: 300 } },
		});
		redis = await Redis.start();
		postgres = await Postgres.start();
		n8n = await templateInstance(
			sandboxCredentials(sandbox),
			[
				'error-reporter.json',
				'studio-brief-to-delivery.json',
				'studio-brief-by-reference.json',
				'scheduled-ad-batch.json',
			],
			[STUDIO_WORKFLOW, BY_REFERENCE_WORKFLOW, BATCH_WORKFLOW],
			postgres,
		);
		rmSync(TEMPLATE_DELIVERY, { recursive: true, force: true });
		mkdirSync(TEMPLATE_DELIVERY, { recursive: true });
		env = { HOME: TEMPLATE_HOME, ...redis.queueEnv() };
		main = await n8n.start(env);
		workers = await Promise.all([n8n.worker(env), n8n.worker(env)]);
	}, E2E_TIMEOUT);
	afterAll(async () => {
		await Promise.all([main, ...workers].map((p) => p?.stop()));
		await redis?.stop();
		await postgres?.stop();
		await sandbox?.stop();
	}, E2E_TIMEOUT);

	/** Execution ids each worker logged as started. */
	const ranOn = (worker: N8nProcess) =>
		[...worker.output().matchAll(/Worker started execution (\d+)/g)].map((m) => Number(m[1]));

	/** Sandbox requests of one kind so far (vendor:op, summed over vendors). */
	const requests = (op: string) =>
		[...sandbox.context.traffic]
			.filter(([key]) => key.endsWith(`:${op}`))
			.reduce((sum, [, n]) => sum + n, 0);

	it(
		'runs the scheduled batch through the queue; a worker killed mid-render is retried and collects the paid renders: exactly the results of a single process',
		async () => {
			sandbox.setFaults({
				rules: [{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'audio' } }],
			});
			// Renders slow enough that the worker is killed while it waits on them.
			sandbox.context.config.renderMs = { openai: 20_000, google: 20_000, runway: 20_000 };
			const before = executionIds(n8n, BATCH_WORKFLOW).length;
			const polls = requests('poll');
			const response = await main.webhook(
				'video-batch',
				{},
				{ 'X-Brief-Token': 'sandbox-brief-token' },
			);
			expect(response.status).toBe(200);

			// A render step is waiting once the sandbox sees it poll: its Submit step has finished.
			const deadline = Date.now() + 5 * 60 * 1000;
			while (requests('poll') === polls) {
				if (Date.now() > deadline)
					throw new Error(`no render was polled:\n${main.output().slice(-3000)}`);
				await new Promise((resolve) => setTimeout(resolve, 200));
			}
			const [batch] = executionIds(n8n, BATCH_WORKFLOW).slice(before);
			const victim = workers.findIndex((w) => ranOn(w).includes(batch));
			expect(victim).toBeGreaterThanOrEqual(0);
			await workers[victim].stop('SIGKILL');
			const paidBeforeCrash = (await sandboxJobs(sandbox)).map(
				(job: { requestFingerprint: string }) => job.requestFingerprint,
			);
			expect(paidBeforeCrash.length).toBeGreaterThan(0);
			expect(executions(n8n, BATCH_WORKFLOW).find((e) => e.id === batch)!.status).not.toBe(
				'success',
			);

			// The operator restarts the worker and retries the execution (as the editor's Retry button does).
			sandbox.context.config.renderMs = { openai: 300, google: 300, runway: 300 };
			workers[victim] = await n8n.worker(env);
			const retried = await main.rest<{ id: string; status: string; retryOf: string }>(
				'POST',
				`executions/${batch}/retry`,
				{ loadWorkflow: false },
			);
			expect(retried).toMatchObject({ status: 'success', retryOf: String(batch) });

			await expectSeededBatchDelivered(n8n, sandbox);
			// Every render paid for before the crash was collected by the retry: never sent again, billed once.
			const ledger = await sandboxLedger(sandbox);
			const jobs = await sandboxJobs(sandbox);
			for (const fingerprint of paidBeforeCrash) {
				expect(
					jobs.filter(
						(job: { requestFingerprint: string }) => job.requestFingerprint === fingerprint,
					),
				).toHaveLength(1);
				expect(
					ledger.entries.filter(
						(e: { requestFingerprint: string }) => e.requestFingerprint === fingerprint,
					),
				).toHaveLength(1);
			}
			expect(renderDuplicates(ledger)).toEqual([]);
		},
		E2E_TIMEOUT,
	);

	it(
		'spreads concurrent briefs over both workers, each run delivered whole and billed once',
		async () => {
			const paid = (await sandboxLedger(sandbox)).entries.length;
			const before = executionIds(n8n, STUDIO_WORKFLOW).length;
			const runIds = ['queue-brief-1', 'queue-brief-2', 'queue-brief-3', 'queue-brief-4'];
			const responses = await Promise.all(
				runIds.map((runId, i) =>
					main.webhook(
						'video-brief',
						{
							project: `Queue spot ${i + 1}`,
							runId,
							script: `Ada opens shop ${i + 1}. She smiles at the first customer: "Morning!" Rain on the window.`,
							targetSeconds: 12,
							budgetUsd: 20,
						},
						{ 'X-Brief-Token': 'sandbox-brief-token' },
					),
				),
			);
			expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
			const executions = await waitForExecutions(n8n, main, STUDIO_WORKFLOW, before, runIds.length);

			// Every execution ran on exactly one worker, and both workers took some.
			const [first, second] = workers.map(ranOn);
			for (const id of executions)
				expect([first.includes(id), second.includes(id)].filter(Boolean)).toHaveLength(1);
			expect(executions.filter((id) => first.includes(id)).length).toBeGreaterThan(0);
			expect(executions.filter((id) => second.includes(id)).length).toBeGreaterThan(0);

			const ledger = await sandboxLedger(sandbox);
			const added = ledger.entries.slice(paid) as Array<{
				usd: number;
				unit: string;
				jobId: string;
			}>;
			let reportedUsd = 0;
			const reportedJobs: string[] = [];
			for (const runId of runIds) {
				const report = JSON.parse(
					readFileSync(path.join(TEMPLATE_DELIVERY, `${runId}-qc-report.json`), 'utf8'),
				);
				expect(report.totals.passed).toBe(report.totals.shots);
				reportedUsd += report.cost.totalUsd;
				for (const shot of report.shots as Array<{ id: string; takes: Array<{ jobId: string }> }>) {
					reportedJobs.push(...shot.takes.map((t) => t.jobId));
					const master = path.join(TEMPLATE_DELIVERY, `${runId}-${shot.id}.mp4`);
					const probe = ffprobeFile(master);
					expect(Number(probe.format.duration)).toBeGreaterThan(1);
				}
			}
			expect(reportedUsd).toBeCloseTo(
				added.reduce((sum, e) => sum + e.usd, 0),
				4,
			);
			// Each paid render belongs to exactly one run's report: none lost, none paid twice.
			expect(reportedJobs.sort()).toEqual(
				added
					.filter((e) => e.unit !== 'token')
					.map((e) => e.jobId)
					.sort(),
			);
		},
		E2E_TIMEOUT,
	);

	it(
		'keeps clips by reference between stages: QC reads them from the vendors, and only the delivered masters enter the database',
		async () => {
			// One hero take drifts (no audio), so QC rejects it and Veo renders the shot again.
			sandbox.setFaults({
				rules: [{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'audio' } }],
			});
			const paid = (await sandboxLedger(sandbox)).entries.length;
			const before = executionIds(n8n, BY_REFERENCE_WORKFLOW).length;
			const runId = 'queue-by-reference-1';
			const response = await main.webhook(
				'video-brief-by-reference',
				{
					project: 'Reference spot',
					runId,
					script:
						'Ada unlocks the bakery at dawn. She smiles at the first customer: "Morning!" Rain runs down the window.',
					targetSeconds: 12,
					budgetUsd: 20,
				},
				{ 'X-Brief-Token': 'sandbox-brief-token' },
			);
			expect(response.status).toBe(200);
			const [execution] = await waitForExecutions(n8n, main, BY_REFERENCE_WORKFLOW, before, 1);

			const report = JSON.parse(
				readFileSync(path.join(TEMPLATE_DELIVERY, `${runId}-qc-report.json`), 'utf8'),
			);
			expect(report.totals).toMatchObject({
				passed: report.totals.shots,
				needsReview: 0,
				rerenders: 1,
			});
			const shots = report.shots as Array<{
				id: string;
				takes: Array<{ jobId: string; vendor: string }>;
			}>;
			for (const shot of shots) {
				const probe = ffprobeFile(path.join(TEMPLATE_DELIVERY, `${runId}-${shot.id}.mp4`));
				expect(Number(probe.format.duration)).toBeGreaterThan(1);
			}
			// Every take stayed with its vendor; the binary store holds one MP4 per delivered shot (the
			// drifted take was checked by range and never stored), fetched by the delivery steps.
			const stored = n8n.query<{ mimeType: string; fileName: string }>(
				`SELECT "mimeType", "fileName" FROM binary_data WHERE "sourceId" = '${execution}'`,
			);
			const videos = stored.filter((b) => b.mimeType === 'video/mp4');
			expect(videos).toHaveLength(shots.length);
			expect(shots.reduce((sum, shot) => sum + shot.takes.length, 0)).toBe(shots.length + 1);
			const runwayShots = shots.filter((shot) => shot.takes.at(-1)!.vendor === 'runway');
			expect(runwayShots.length).toBeGreaterThan(0);
			for (const shot of runwayShots)
				expect(videos.map((v) => v.fileName)).toContain(`${shot.takes.at(-1)!.jobId}.mp4`);

			const added = (await sandboxLedger(sandbox)).entries.slice(paid) as Array<{ usd: number }>;
			expect(report.cost.totalUsd).toBeCloseTo(
				added.reduce((sum, e) => sum + e.usd, 0),
				4,
			);
		},
		E2E_TIMEOUT,
	);
});
