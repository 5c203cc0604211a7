import type { ShotItem } from '../../nodes/shared/contract';
import { runWorkflow } from '../harness/engine';
import { asItems, shotItems, singleNode } from '../harness/pipeline';
import { mulberry32, runShots, threeEngineLoop } from '../harness/runBudget';
import { credentialsFor, sandboxJobs, sandboxLedger, withSandbox, type Sandbox } from '../harness/sandbox';

jest.setTimeout(900_000);

/**
 * One budget per run: whichever node, branch or QC round spends it, the sandbox never bills a run
 * more than its budget, and no paid job leaves without its ID.
 */
describe('one budget per run, and no job ID lost (engine, sandbox ledger)', () => {
	let sandbox: Sandbox;
	let credentials: ReturnType<typeof credentialsFor>;

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { openai: 50, google: 50, runway: 50 } } });
		credentials = { ...credentialsFor(sandbox, 'vpSandboxVertex'), ...credentialsFor(sandbox, 'vpSandboxRunway'), ...credentialsFor(sandbox, 'vpSandboxOpenAi') };
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});

	/** Every shot QC finished, and what the sandbox billed each run for the jobs on those shots. */
	async function billedByRun(result: Awaited<ReturnType<typeof runWorkflow>>) {
		const done = result.runs('QC').flatMap((outputs) => outputs[5] ?? []).map((o) => o.json as unknown as ShotItem);
		const ledger = await sandboxLedger(sandbox);
		const runOf = new Map<string, string>();
		for (const shot of done) for (const take of shot.takes) runOf.set(take.jobId, shot.pipeline.runId);
		const billed = new Map<string, number>();
		const unreported: string[] = [];
		for (const entry of ledger.entries) {
			const runId = runOf.get(entry.jobId);
			if (!runId) unreported.push(entry.jobId);
			else billed.set(runId, (billed.get(runId) ?? 0) + entry.usd);
		}
		return { done, ledger, billed, unreported };
	}

	it('holds a run to its budget across the Veo and Runway branches QC feeds at once', async () => {
		// Veo 8 s with audio costs $1.20, Runway Gen-4.5 8 s $0.96: both fit in $2.50, not in $1.50.
		for (const budgetUsd of [1.5, 2.5]) {
			const result = await runWorkflow(threeEngineLoop(), { credentials, input: asItems(runShots(`two-branch-${budgetUsd}`, ['hero', 'broll'], budgetUsd)), startNode: 'QC' });
			expect(result.error).toBeUndefined();
			const { done, ledger, billed, unreported } = await billedByRun(result);
			expect(unreported).toEqual([]);
			expect(ledger.duplicates).toEqual([]);
			expect(done).toHaveLength(2);
			const total = billed.get(`two-branch-${budgetUsd}`) ?? 0;
			expect(total).toBeLessThanOrEqual(budgetUsd + 1e-9);
			const report = (done[0] as unknown as { qcReport: { cost: { totalUsd: number } } }).qcReport;
			expect(report.cost.totalUsd).toBeCloseTo(ledger.totalUsd, 6);
			if (budgetUsd === 2.5) {
				expect(done.every((shot) => shot.qc?.status === 'passed')).toBe(true);
				expect(total).toBeCloseTo(2.16, 6);
			} else {
				// One shot could not be paid for: it is in review with the reason, nothing was sent for it.
				const review = done.filter((shot) => shot.qc?.status === 'needs_review');
				expect(review).toHaveLength(1);
				expect((review[0] as unknown as { reviewReason: string }).reviewReason).toMatch(/budget/);
				expect(ledger.entries).toHaveLength(1);
			}
			await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
		}
	});

	it('keeps the job IDs of the items it paid for when a sibling is refused, and a re-run pays nothing again', async () => {
		// Three 8 s Gen-4.5 shots at $0.96 each against a $2 budget: the third is refused.
		const node = singleNode('runway', { resource: 'video', operation: 'textToVideo', model: 'gen4.5', shotSource: 'item', mode: 'submit', renderOptions: { pollIntervalSeconds: 0.2, concurrency: 1 } }, { type: 'runwayVideoPipelineApi', id: 'vpSandboxRunway', name: 'Runway' });
		const input = asItems(shotItems(3, undefined, { layer: 'broll', durationSeconds: 8, resolution: '720p' }, { budgetUsd: 2 }));
		const first = await runWorkflow(node, { credentials, input });
		expect(first.error).toBeUndefined();
		const out = first.output('Node').map((o) => o.json as Record<string, any>);
		const jobs = (await sandboxJobs(sandbox)) as Array<{ id: string }>;
		expect(jobs).toHaveLength(2);
		expect(out.slice(0, 2).map((item) => item.takes[0].jobId).sort()).toEqual(jobs.map((job) => job.id).sort());
		expect(out[2]).toMatchObject({ takes: [], renderError: { code: 'budget', layer: 'control', neededUsd: 0.96 } });
		expect(out[2].error).toMatch(/^Item 2: refused before submitting/);

		// What Executions > Retry or a re-run of the node with these items does: collect, never resend.
		const again = await runWorkflow(node, { credentials, input: first.output('Node').map((o) => ({ json: o.json })) });
		expect(again.error).toBeUndefined();
		expect(again.output('Node').slice(0, 2).map((o) => (o.json as Record<string, any>).takes[0].status)).toEqual(['succeeded', 'succeeded']);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries.map((entry: { jobId: string }) => entry.jobId).sort()).toEqual(jobs.map((job) => job.id).sort());
		expect(ledger.duplicates).toEqual([]);
		expect(await sandboxJobs(sandbox)).toHaveLength(2);
	});

	it('never bills a run past its budget over 1,000 seeded runs of random engines, drift and budgets', async () => {
		const RUNS = 1000;
		const PER_EXECUTION = 100;
		const ratios: number[] = [];
		for (let execution = 0; execution < RUNS / PER_EXECUTION; execution++) {
			const random = mulberry32(1000 + execution);
			const budgets = new Map<string, number>();
			const items: ShotItem[] = [];
			for (let run = 0; run < PER_EXECUTION; run++) {
				const runId = `prop-${execution}-${run}`;
				const layers = Array.from({ length: 1 + Math.floor(random() * 4) }, () => (random() < 0.5 ? 'hero' : 'broll') as 'hero' | 'broll');
				const full = layers.reduce((sum, layer) => sum + (layer === 'hero' ? 1.2 : 0.96), 0);
				// From a budget that cannot pay one shot to one that pays every shot twice over.
				const budgetUsd = Math.round((0.1 + random() * 2) * full * 100) / 100;
				budgets.set(runId, budgetUsd);
				items.push(...runShots(runId, layers, budgetUsd));
			}
			const drift = ['duration', 'audio'][execution % 2];
			sandbox.setFaults({ seed: execution + 1, rules: [{ fault: 'drift', probability: 0.2, params: { drift } }] as never });
			// Half the executions send technical failures to the narrative layer, so re-renders go to the Videos API.
			const qc = execution % 2 === 0 ? { layerMap: { technical: 'narrative' }, retries: { narrative: 2, hero: 2, control: 2 } } : {};
			const result = await runWorkflow(threeEngineLoop(qc), { credentials, input: asItems(items), startNode: 'QC' });
			expect(result.error).toBeUndefined();
			const { done, billed, unreported } = await billedByRun(result);
			expect(unreported).toEqual([]);
			// Runs share prompts here, so the sandbox's request fingerprints repeat across runs; a
			// render paid twice would be a second job for the same take of a shot.
			const jobsPerTake = new Map<string, Set<string>>();
			for (const shot of done) {
				for (const take of shot.takes) {
					const key = `${shot.pipeline.runId}|${shot.shot.id}|${take.layer}|${take.attempt}`;
					jobsPerTake.set(key, (jobsPerTake.get(key) ?? new Set()).add(take.jobId));
				}
			}
			expect([...jobsPerTake.values()].filter((jobs) => jobs.size > 1)).toEqual([]);
			expect(done).toHaveLength(items.length);
			for (const [runId, budgetUsd] of budgets) {
				const spent = billed.get(runId) ?? 0;
				expect({ runId, spent, within: spent <= budgetUsd + 1e-9 }).toEqual({ runId, spent, within: true });
				ratios.push(spent / budgetUsd);
			}
			await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
		}
		expect(ratios).toHaveLength(RUNS);
		expect(Math.max(...ratios)).toBeLessThanOrEqual(1 + 1e-9);
		// The budgets are used, not just respected: most runs that could pay for their shots spent money.
		expect(ratios.filter((ratio) => ratio > 0.3).length).toBeGreaterThan(RUNS / 2);
	});
});
