import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sandboxCredentials } from '../../sandbox/credentials';
import { ensureN8nRuntime, N8nInstance, TEMPLATE_DELIVERY, TEMPLATE_HOME, templateJson, type N8nProcess } from '../harness/n8nCli';
import { sandboxLedger, withSandbox, type Sandbox } from '../harness/sandbox';

const E2E_TIMEOUT = 30 * 60 * 1000;
const HOME = TEMPLATE_HOME;
const DELIVERY = TEMPLATE_DELIVERY;

interface CampaignRow { id: number; brand: string; status: string; batch: string; runsDelivered: number; shotsPassed: number; shotsNeedReview: number; costUsd: number; deliveredAt: string }
interface RunRow { campaignId: number; batch: string; brand: string; runId: string; aspectRatio: string; status: string; shots: number; passed: number; rerenders: number; costUsd: number; expectedRuns: number }

/**
 * The scheduled batch needs n8n's Data Tables, which only a running instance loads (not
 * `n8n execute`): the template is published, `n8n start` serves its webhook, and the test reads
 * the tables and executions from n8n's database.
 */
describe('scheduled ad batch in a running n8n', () => {
	let sandbox: Sandbox;
	let n8n: N8nInstance;
	let server: N8nProcess;

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { openai: 300, google: 300, runway: 300 } } });
		n8n = new N8nInstance(ensureN8nRuntime());
		await n8n.importCredentials(sandboxCredentials(sandbox));
		for (const file of ['error-reporter.json', 'scheduled-ad-batch.json']) await n8n.importWorkflow(templateJson(file));
		await n8n.publish('vpScheduledAdBatch');
		mkdirSync(DELIVERY, { recursive: true });
		server = await n8n.start({ HOME });
	}, E2E_TIMEOUT);
	afterAll(async () => {
		await server?.stop();
		await sandbox?.stop();
	});

	const campaigns = () => n8n.dataTable<CampaignRow>('video_campaigns');
	const runs = () => n8n.dataTable<RunRow>('video_campaign_runs');

	/** Fires the batch webhook and waits for the execution it started to finish. */
	async function runBatch(): Promise<void> {
		const before = n8n.query<{ id: number }>("SELECT id FROM execution_entity WHERE workflowId = 'vpScheduledAdBatch'").length;
		const response = await server.webhook('video-batch', {}, { 'X-Brief-Token': 'sandbox-brief-token' });
		expect(response.status).toBe(200);
		const deadline = Date.now() + 10 * 60 * 1000;
		for (;;) {
			const executions = n8n.query<{ id: number; status: string }>("SELECT id, status FROM execution_entity WHERE workflowId = 'vpScheduledAdBatch' ORDER BY id");
			const latest = executions.length > before ? executions.at(-1)! : undefined;
			if (latest && !['new', 'running', 'waiting'].includes(latest.status)) {
				if (latest.status !== 'success') throw new Error(`batch execution ${latest.id} ended ${latest.status}:\n${server.output().slice(-4000)}`);
				return;
			}
			if (Date.now() > deadline) throw new Error(`batch did not finish:\n${server.output().slice(-4000)}`);
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
	}

	const shotFiles = (runId: string, shots: number) => Array.from({ length: shots }, (_, i) => path.join(DELIVERY, `${runId}-shot-${String(i + 1).padStart(2, '0')}.mp4`));
	const runState = (runId: string) => JSON.parse(readFileSync(path.join(DELIVERY, `${runId}-run-state.json`), 'utf8')) as { shots: Array<{ pin: { fingerprint: string }; shot: { aspectRatio: string; layer: string }; takes: Array<{ vendor: string; jobId: string }> }> };

	it('creates and seeds the tables, renders every variant and format per brand under one pin per brand, and writes the status rows back', async () => {
		rmSync(DELIVERY, { recursive: true, force: true });
		mkdirSync(DELIVERY, { recursive: true });
		sandbox.setFaults({ rules: [{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'audio' } }] });
		await runBatch();

		const rows = campaigns();
		expect(rows.map((c) => [c.brand, c.status, c.runsDelivered])).toEqual([
			['Lumen Coffee', 'delivered', 4],
			['Northwind Outdoors', 'delivered', 1],
		]);
		const delivered = runs();
		expect(delivered).toHaveLength(5);
		expect(delivered.map((r) => r.aspectRatio).sort()).toEqual(['16:9', '1:1', '1:1', '9:16', '9:16']);
		expect(delivered.every((r) => r.status === 'delivered' && r.passed === r.shots && r.batch === rows[0].batch)).toBe(true);

		// Every master on disk is a real MP4; the runs' reports add up to the bill, per campaign and in total.
		const ledger = await sandboxLedger(sandbox);
		const duplicated = new Set(ledger.duplicates.map((d: { fingerprint: string }) => d.fingerprint));
		expect(ledger.entries.filter((e: { requestFingerprint: string }) => duplicated.has(e.requestFingerprint)).map((e: { vendor: string; model: string; jobId: string }) => `${e.vendor} ${e.model} ${e.jobId}`)).toEqual([]);
		const reported = new Set<string>();
		let rerenders = 0;
		for (const run of delivered) {
			for (const file of shotFiles(run.runId, run.shots)) {
				expect(existsSync(file)).toBe(true);
				const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file]).toString());
				expect(Number(probe.format.duration)).toBeGreaterThan(1);
				const video = probe.streams.find((s: { codec_type: string }) => s.codec_type === 'video');
				const ratio = video.width / video.height;
				expect(run.aspectRatio === '1:1' ? ratio === 1 : run.aspectRatio === '9:16' ? ratio < 1 : ratio > 1).toBe(true);
			}
			const report = JSON.parse(readFileSync(path.join(DELIVERY, `${run.runId}-qc-report.json`), 'utf8'));
			expect(report.cost.totalUsd).toBeCloseTo(run.costUsd, 4);
			rerenders += report.totals.rerenders;
			for (const shot of report.shots as Array<{ takes: Array<{ jobId: string }> }>) for (const take of shot.takes) reported.add(take.jobId);
		}
		for (const row of rows) expect(row.costUsd).toBeCloseTo(delivered.filter((r) => r.campaignId === row.id).reduce((sum, r) => sum + r.costUsd, 0), 4);
		expect(delivered.reduce((sum, r) => sum + r.costUsd, 0)).toBeCloseTo(ledger.totalUsd, 4);
		for (const entry of ledger.entries.filter((e: { unit: string }) => e.unit !== 'token')) expect(reported.has(entry.jobId)).toBe(true);
		// Only the drifted shot was rendered again.
		expect(rerenders).toBe(1);
		const paidFor = (unit: string) => ledger.entries.filter((e: { unit: string }) => e.unit === unit).length;
		expect(paidFor('second')).toBe(delivered.reduce((sum, r) => sum + r.shots, 0) + 1);
		// Square shots are animated from a keyframe still: one still per square shot, none for the rest.
		expect(paidFor('image')).toBe(delivered.filter((r) => r.aspectRatio === '1:1').reduce((sum, r) => sum + r.shots, 0));

		// One pin per brand; feed (1:1) runs render every shot on Runway.
		const fingerprints = (brand: string) => new Set(delivered.filter((r) => r.brand === brand).flatMap((r) => runState(r.runId).shots.map((s) => s.pin.fingerprint)));
		expect(fingerprints('Lumen Coffee').size).toBe(1);
		expect(fingerprints('Northwind Outdoors').size).toBe(1);
		expect([...fingerprints('Lumen Coffee')][0]).not.toBe([...fingerprints('Northwind Outdoors')][0]);
		for (const run of delivered.filter((r) => r.aspectRatio === '1:1')) {
			expect(runState(run.runId).shots.every((s) => s.takes.every((t) => t.vendor === 'runway'))).toBe(true);
		}
		expect(delivered.filter((r) => r.aspectRatio !== '1:1').some((r) => runState(r.runId).shots.some((s) => s.takes.some((t) => t.vendor === 'google')))).toBe(true);
	}, E2E_TIMEOUT);

	it('a later batch leaves delivered campaigns alone and the seeded table is not seeded again', async () => {
		const paid = (await sandboxLedger(sandbox)).entries.length;
		await runBatch();
		expect(campaigns()).toHaveLength(2);
		expect(runs()).toHaveLength(5);
		expect((await sandboxLedger(sandbox)).entries).toHaveLength(paid);
	}, E2E_TIMEOUT);
});
