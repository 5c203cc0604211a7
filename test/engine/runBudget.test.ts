import type { ShotItem } from '../../nodes/shared/contract';
import { runWorkflow } from '../harness/engine';
import { asItems, shotItems, singleNode } from '../harness/pipeline';
import {
	billedByRun as billedByRunOf,
	runShots,
	seededBudgetRuns,
	threeEngineLoop,
} from '../harness/runBudget';
import {
	credentialsFor,
	sandboxJobs,
	sandboxLedger,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';

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
		credentials = {
			...credentialsFor(sandbox, 'vpSandboxVertex'),
			...credentialsFor(sandbox, 'vpSandboxRunway'),
			...credentialsFor(sandbox, 'vpSandboxOpenAi'),
		};
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});

	const billedByRun = (result: Awaited<ReturnType<typeof runWorkflow>>) =>
		billedByRunOf(sandbox, result);

	it('holds a run to its budget across the Veo and Runway branches QC feeds at once', async () => {
		// Veo 8 s with audio costs $1.20, Runway Gen-4.5 8 s $0.96: both fit in $2.50, not in $1.50.
		for (const budgetUsd of [1.5, 2.5]) {
			const result = await runWorkflow(threeEngineLoop(), {
				credentials,
				input: asItems(runShots(`two-branch-${budgetUsd}`, ['hero', 'broll'], budgetUsd)),
				startNode: 'QC',
			});
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
		const node = singleNode(
			'runway',
			{
				resource: 'video',
				operation: 'textToVideo',
				model: 'gen4.5',
				shotSource: 'item',
				mode: 'submit',
				renderOptions: { pollIntervalSeconds: 0.2, concurrency: 1 },
			},
			{ type: 'runwayVideoPipelineApi', id: 'vpSandboxRunway', name: 'Runway' },
		);
		const input = asItems(
			shotItems(
				3,
				undefined,
				{ layer: 'broll', durationSeconds: 8, resolution: '720p' },
				{ budgetUsd: 2 },
			),
		);
		const first = await runWorkflow(node, { credentials, input });
		expect(first.error).toBeUndefined();
		const out = first.output('Node').map((o) => o.json as Record<string, any>);
		const jobs = (await sandboxJobs(sandbox)) as Array<{ id: string }>;
		expect(jobs).toHaveLength(2);
		expect(
			out
				.slice(0, 2)
				.map((item) => item.takes[0].jobId)
				.sort(),
		).toEqual(jobs.map((job) => job.id).sort());
		expect(out[2]).toMatchObject({
			takes: [],
			renderError: { code: 'budget', layer: 'control', neededUsd: 0.96, vendor: 'runway' },
		});
		expect(out[2].error).toMatch(/^Item 2: refused before submitting/);

		// What Executions > Retry or a re-run of the node with these items does: collect, never resend.
		const again = await runWorkflow(node, {
			credentials,
			input: first.output('Node').map((o) => ({ json: o.json })),
		});
		expect(again.error).toBeUndefined();
		expect(
			again
				.output('Node')
				.slice(0, 2)
				.map((o) => (o.json as Record<string, any>).takes[0].status),
		).toEqual(['succeeded', 'succeeded']);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries.map((entry: { jobId: string }) => entry.jobId).sort()).toEqual(
			jobs.map((job) => job.id).sort(),
		);
		expect(ledger.duplicates).toEqual([]);
		expect(await sandboxJobs(sandbox)).toHaveLength(2);
	});

	it('never bills a run past its budget over 1,000 seeded runs of random engines, drift and budgets', async () => {
		const { outcomes, problems } = await seededBudgetRuns(sandbox, credentials, 1000, 100);
		expect(problems).toEqual([]);
		expect(outcomes).toHaveLength(1000);
		expect(outcomes.filter((run) => run.billedUsd > run.budgetUsd + 1e-9)).toEqual([]);
		// The budgets are used, not just respected: most runs spent a good part of theirs.
		expect(outcomes.filter((run) => run.billedUsd / run.budgetUsd > 0.3).length).toBeGreaterThan(
			500,
		);
	});
});
