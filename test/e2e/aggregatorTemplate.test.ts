import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sandboxCredentials } from '../../sandbox/credentials';
import {
	TEMPLATE_DELIVERY,
	TEMPLATE_HOME,
	templateInstance,
	templateJson,
	type N8nInstance,
} from '../harness/n8nCli';
import { renderDuplicates, sandboxLedger, withSandbox, type Sandbox } from '../harness/sandbox';

const E2E_TIMEOUT = 30 * 60 * 1000;
const RUN = 'cafe-launch-001';
const TEMPLATE = 'studio-brief-aggregator-broll.json';

/** The shipped template with b-roll on Kling 3.0 via fal, imported unmodified into the real n8n CLI and run against the sandbox. */
describe('aggregator b-roll template in the real n8n CLI', () => {
	let sandbox: Sandbox;
	let n8n: N8nInstance;

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { openai: 300, google: 300, fal: 300 } } });
		n8n = await templateInstance(sandboxCredentials(sandbox), ['error-reporter.json', TEMPLATE]);
		rmSync(TEMPLATE_DELIVERY, { recursive: true, force: true });
		mkdirSync(TEMPLATE_DELIVERY, { recursive: true });
	}, E2E_TIMEOUT);
	afterAll(async () => {
		await sandbox?.stop();
	});

	it(
		'renders b-roll on fal, sends the drifted b-roll shot back to fal, and delivers every shot QC’d with fal’s cost in the ledger',
		async () => {
			sandbox.setFaults({
				rules: [{ fault: 'drift', vendor: 'fal', times: 1, params: { drift: 'duration' } }],
			});
			await n8n.execute(templateJson(TEMPLATE).id, { HOME: TEMPLATE_HOME });

			const report = JSON.parse(
				readFileSync(path.join(TEMPLATE_DELIVERY, `${RUN}-qc-report.json`), 'utf8'),
			);
			const ledger = await sandboxLedger(sandbox);
			const shots = report.shots as Array<{
				id: string;
				outcome: string;
				takes: Array<{ jobId: string; vendor: string; model: string; attempt: number }>;
			}>;
			expect(shots.length).toBeGreaterThan(1);
			expect(shots.every((shot) => shot.outcome === 'passed')).toBe(true);
			for (const shot of shots) {
				const file = path.join(TEMPLATE_DELIVERY, `${RUN}-${shot.id}.mp4`);
				expect(existsSync(file)).toBe(true);
				expect(
					Number(
						JSON.parse(
							execFileSync('ffprobe', [
								'-v',
								'error',
								'-show_format',
								'-of',
								'json',
								file,
							]).toString(),
						).format.duration,
					),
				).toBeGreaterThan(1);
			}
			// B-roll went to Kling on fal, hero shots to Veo; the one drifted b-roll take was rendered again on fal.
			const falShots = shots.filter((shot) => shot.takes.some((take) => take.vendor === 'fal'));
			expect(falShots.length).toBeGreaterThan(0);
			expect(
				falShots.every((shot) =>
					shot.takes.every(
						(take) =>
							take.vendor === 'fal' && take.model === 'fal-ai/kling-video/v3/pro/text-to-video',
					),
				),
			).toBe(true);
			expect(falShots.filter((shot) => shot.takes.length === 2)).toHaveLength(1);
			expect(report.totals).toMatchObject({ passed: shots.length, rerenders: 1 });

			// fal's charges are in the sandbox's ledger and in the report, job by job, each once.
			const falCharges = ledger.entries.filter(
				(entry: { vendor: string }) => entry.vendor === 'fal',
			);
			expect(falCharges).toHaveLength(falShots.length + 1);
			expect(report.cost.byVendor.fal).toBeCloseTo(
				falCharges.reduce((sum: number, entry: { usd: number }) => sum + entry.usd, 0),
				6,
			);
			expect(report.cost.totalUsd).toBeCloseTo(ledger.totalUsd, 4);
			// Kling 3.0 takes no seed, so QC's re-render of the drifted shot is the same request again: the
			// one repeated fingerprint must be that shot's two attempts (two jobs), never one job paid twice.
			expect(new Set(ledger.entries.map((entry: { jobId: string }) => entry.jobId)).size).toBe(
				ledger.entries.length,
			);
			const retried = falShots.find((shot) => shot.takes.length === 2)!;
			for (const duplicate of renderDuplicates(ledger)) {
				const jobs = ledger.entries
					.filter(
						(entry: { requestFingerprint: string }) =>
							entry.requestFingerprint === duplicate.fingerprint,
					)
					.map((entry: { jobId: string }) => entry.jobId);
				expect(jobs.sort()).toEqual(retried.takes.map((take) => take.jobId).sort());
			}
			const reported = new Set(shots.flatMap((shot) => shot.takes.map((take) => take.jobId)));
			for (const entry of falCharges) expect(reported.has(entry.jobId)).toBe(true);
			expect(readFileSync(path.join(TEMPLATE_DELIVERY, `${RUN}-qc-report.html`), 'utf8')).toContain(
				`${shots.length} of ${shots.length} passed`,
			);
		},
		E2E_TIMEOUT,
	);
});
