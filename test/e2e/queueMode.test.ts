import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sandboxCredentials } from '../../sandbox/credentials';
import { BATCH_WORKFLOW, executionIds, expectSeededBatchDelivered, runBatch, waitForExecutions } from '../harness/batchRun';
import { ensureN8nRuntime, N8nInstance, TEMPLATE_DELIVERY, TEMPLATE_HOME, templateJson, type N8nProcess } from '../harness/n8nCli';
import { Redis } from '../harness/redis';
import { sandboxLedger, withSandbox, type Sandbox } from '../harness/sandbox';

const E2E_TIMEOUT = 30 * 60 * 1000;
const STUDIO_WORKFLOW = 'vpStudioBriefDelivery';

/**
 * n8n's queue mode as a studio scales out: Redis, one main that takes the webhooks and two
 * `n8n worker` processes (concurrency 1 each) that run the executions, sharing one database.
 */
describe('queue mode: one main and two workers on Redis', () => {
	let sandbox: Sandbox;
	let redis: Redis;
	let n8n: N8nInstance;
	let main: N8nProcess;
	let workers: N8nProcess[] = [];

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { openai: 300, google: 300, runway: 300 } } });
		redis = await Redis.start();
		n8n = new N8nInstance(ensureN8nRuntime());
		await n8n.importCredentials(sandboxCredentials(sandbox));
		for (const file of ['error-reporter.json', 'studio-brief-to-delivery.json', 'scheduled-ad-batch.json']) await n8n.importWorkflow(templateJson(file));
		for (const id of [STUDIO_WORKFLOW, BATCH_WORKFLOW]) await n8n.publish(id);
		rmSync(TEMPLATE_DELIVERY, { recursive: true, force: true });
		mkdirSync(TEMPLATE_DELIVERY, { recursive: true });
		const env = { HOME: TEMPLATE_HOME, ...redis.queueEnv() };
		main = await n8n.start(env);
		workers = await Promise.all([n8n.worker(env), n8n.worker(env)]);
	}, E2E_TIMEOUT);
	afterAll(async () => {
		await Promise.all([main, ...workers].map((p) => p?.stop()));
		await redis?.stop();
		await sandbox?.stop();
	});

	/** Execution ids each worker logged as started. */
	const ranOn = (worker: N8nProcess) => [...worker.output().matchAll(/Worker started execution (\d+)/g)].map((m) => Number(m[1]));

	it('runs the scheduled batch on a worker with exactly the results of a single process', async () => {
		sandbox.setFaults({ rules: [{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'audio' } }] });
		await runBatch(n8n, main);
		await expectSeededBatchDelivered(n8n, sandbox);
		const [batch] = executionIds(n8n, BATCH_WORKFLOW);
		expect(workers.filter((w) => ranOn(w).includes(batch))).toHaveLength(1);
	}, E2E_TIMEOUT);

	it('spreads concurrent briefs over both workers, each run delivered whole and billed once', async () => {
		const paid = (await sandboxLedger(sandbox)).entries.length;
		const before = executionIds(n8n, STUDIO_WORKFLOW).length;
		const runIds = ['queue-brief-1', 'queue-brief-2', 'queue-brief-3', 'queue-brief-4'];
		const responses = await Promise.all(
			runIds.map((runId, i) =>
				main.webhook('video-brief', { project: `Queue spot ${i + 1}`, runId, script: `Ada opens shop ${i + 1}. She smiles at the first customer: "Morning!" Rain on the window.`, targetSeconds: 12, budgetUsd: 20 }, { 'X-Brief-Token': 'sandbox-brief-token' }),
			),
		);
		expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
		const executions = await waitForExecutions(n8n, main, STUDIO_WORKFLOW, before, runIds.length);

		// Every execution ran on exactly one worker, and both workers took some.
		const [first, second] = workers.map(ranOn);
		for (const id of executions) expect([first.includes(id), second.includes(id)].filter(Boolean)).toHaveLength(1);
		expect(executions.filter((id) => first.includes(id)).length).toBeGreaterThan(0);
		expect(executions.filter((id) => second.includes(id)).length).toBeGreaterThan(0);

		const ledger = await sandboxLedger(sandbox);
		const added = ledger.entries.slice(paid) as Array<{ usd: number; unit: string; jobId: string }>;
		let reportedUsd = 0;
		const reportedJobs: string[] = [];
		for (const runId of runIds) {
			const report = JSON.parse(readFileSync(path.join(TEMPLATE_DELIVERY, `${runId}-qc-report.json`), 'utf8'));
			expect(report.totals.passed).toBe(report.totals.shots);
			reportedUsd += report.cost.totalUsd;
			for (const shot of report.shots as Array<{ id: string; takes: Array<{ jobId: string }> }>) {
				reportedJobs.push(...shot.takes.map((t) => t.jobId));
				const master = path.join(TEMPLATE_DELIVERY, `${runId}-${shot.id}.mp4`);
				const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_format', '-of', 'json', master]).toString());
				expect(Number(probe.format.duration)).toBeGreaterThan(1);
			}
		}
		expect(reportedUsd).toBeCloseTo(added.reduce((sum, e) => sum + e.usd, 0), 4);
		// Each paid render belongs to exactly one run's report: none lost, none paid twice.
		expect(reportedJobs.sort()).toEqual(added.filter((e) => e.unit !== 'token').map((e) => e.jobId).sort());
	}, E2E_TIMEOUT);
});
