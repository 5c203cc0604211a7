import { shotItemSchema } from '../../nodes/shared/contract';
import { runWorkflow, type WorkflowJson } from '../harness/engine';
import { controlLoop, heroLoop } from '../harness/workflows';
import { asItems, pinWith, referenceImage, shotItems } from '../harness/pipeline';
import { credentialsFor, sandboxLedger, withSandbox, type Sandbox } from '../harness/sandbox';

jest.setTimeout(120_000);

describe('QC Router loop (engine, sandbox with drift injection)', () => {
	let sandbox: Sandbox;
	let pin: ReturnType<typeof pinWith>;

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { google: 200 } } });
		pin = pinWith([{ tag: 'mara', url: (await referenceImage(sandbox, 'mara.png', 12)).url }]);
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});

	const run = (workflow: WorkflowJson, count = 3) =>
		runWorkflow(workflow, {
			credentials: credentialsFor(sandbox, 'vpSandboxVertex'),
			input: asItems(shotItems(count, pin, { needsAudio: true, resolution: '720p' })),
			startNode: 'Veo',
		});

	it('re-renders only the drifted shot, then fires All Done once with every shot and the report', async () => {
		sandbox.setFaults({
			rules: [{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'audio' } }],
		});
		const result = await run(heroLoop());
		expect(result.error).toBeUndefined();
		const qcRuns = result.runs('QC');
		expect(qcRuns).toHaveLength(2);
		const allDone = qcRuns.flatMap((outputs) => outputs[5] ?? []);
		expect(allDone).toHaveLength(3);
		expect(qcRuns.filter((outputs) => (outputs[5] ?? []).length > 0)).toHaveLength(1);

		const shots = allDone.map((o) => shotItemSchema.parse(o.json));
		expect(shots.map((s) => s.shot.index)).toEqual([0, 1, 2]);
		const retried = shots.filter((s) => s.takes.length === 2);
		expect(retried).toHaveLength(1);
		expect(retried[0].qc).toMatchObject({ status: 'passed', attempts: { hero: 1 } });
		expect(retried[0].takes.map((t) => t.attempt)).toEqual([1, 2]);
		expect(shots.filter((s) => s.takes.length === 1).every((s) => s.qc?.status === 'passed')).toBe(
			true,
		);

		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(4);
		expect(ledger.duplicates).toEqual([]);
		const report = allDone[0].json.qcReport as {
			totals: Record<string, number>;
			rounds: number;
			cost: { totalUsd: number; byLayer: Record<string, number> };
		};
		expect(report.totals).toEqual({
			shots: 3,
			passed: 3,
			needsReview: 0,
			renders: 4,
			rerenders: 1,
			stills: 0,
		});
		expect(report.rounds).toBe(2);
		expect(report.cost.totalUsd).toBeCloseTo(ledger.totalUsd, 6);
		expect(Object.keys(allDone[0].binary ?? {})).toEqual(
			expect.arrayContaining([
				'data',
				'qc_report_json',
				'qc_report_html',
				'timeline_otio',
				'timeline_edl',
			]),
		);
	});

	it('sends a shot that never passes to Needs Review when its retry budget is spent, and still completes the run', async () => {
		sandbox.setFaults({
			rules: [{ fault: 'drift', vendor: 'google', times: 5, params: { drift: 'duration' } }],
		});
		const result = await run(heroLoop({ retries: { hero: 1 } }), 1);
		expect(result.error).toBeUndefined();
		const qcRuns = result.runs('QC');
		const review = qcRuns.flatMap((outputs) => outputs[4] ?? []);
		expect(review).toHaveLength(1);
		expect(review[0].json).toMatchObject({
			reviewReason: 'hero retry budget (1) spent',
			qc: { status: 'needs_review', attempts: { hero: 1 } },
		});
		expect((review[0].json.qcReasons as Array<{ check: string }>).map((r) => r.check)).toContain(
			'duration',
		);
		const allDone = qcRuns.flatMap((outputs) => outputs[5] ?? []);
		expect(allDone).toHaveLength(1);
		expect(
			(allDone[0].json.qcReport as { totals: { needsReview: number } }).totals.needsReview,
		).toBe(1);
		expect((await sandboxLedger(sandbox)).entries).toHaveLength(2);
	});

	it('routes a retry that would pass the run budget to Needs Review', async () => {
		sandbox.setFaults({
			rules: [{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'audio' } }],
		});
		const items = shotItems(1, pin, { needsAudio: true, resolution: '720p' }, { budgetUsd: 1.5 });
		const result = await runWorkflow(heroLoop(), {
			credentials: credentialsFor(sandbox, 'vpSandboxVertex'),
			input: asItems(items),
			startNode: 'Veo',
		});
		const review = result.runs('QC').flatMap((outputs) => outputs[4] ?? []);
		expect(review[0].json.reviewReason).toMatch(
			/a re-render \(~\$1\.20\) would pass the run budget \(\$0\.30 left\)/,
		);
		expect((await sandboxLedger(sandbox)).entries).toHaveLength(1);
	});

	it('sends a b-roll shot that drifted back to Runway, and only that one', async () => {
		sandbox.setFaults({
			rules: [{ fault: 'drift', vendor: 'runway', times: 1, params: { drift: 'duration' } }],
		});
		const workflow = controlLoop();
		const result = await runWorkflow(workflow, {
			credentials: credentialsFor(sandbox, 'vpSandboxRunway'),
			input: asItems(shotItems(3, undefined, { layer: 'broll', durationSeconds: 6 })),
			startNode: 'Runway',
		});
		expect(result.error).toBeUndefined();
		const done = result
			.runs('QC')
			.flatMap((outputs) => outputs[5] ?? [])
			.map((o) => shotItemSchema.parse(o.json));
		expect(done).toHaveLength(3);
		expect(done.map((s) => s.takes.length).sort()).toEqual([1, 1, 2]);
		const redone = done.find((s) => s.takes.length === 2)!;
		expect(redone.qc).toMatchObject({ status: 'passed', attempts: { control: 1 } });
		expect(redone.takes[1]).toMatchObject({ layer: 'control', attempt: 2 });
		expect((await sandboxLedger(sandbox)).entries).toHaveLength(4);
	});
});
