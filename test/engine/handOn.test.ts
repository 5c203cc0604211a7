import { shotItemSchema } from '../../nodes/shared/contract';
import { runWorkflow } from '../harness/engine';
import { heroLoop } from '../harness/workflows';
import { asItems, pinWith, referenceImage, shotItems } from '../harness/pipeline';
import {
	credentialsFor,
	renderDuplicates,
	sandboxJobs,
	sandboxLedger,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';

jest.setTimeout(180_000);

const RENDER_MS = 2000;
const TIMEOUT_MS = 15_000;
const HAND_ON_AFTER = 3;

describe('a stuck render is handed on instead of holding the step (engine, sandbox)', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { google: RENDER_MS } } });
	});
	afterAll(async () => sandbox.stop());

	it('leaves the step with its job ID, is polled again in the next pass within what is left of the timeout, and is never sent again', async () => {
		const pin = pinWith([
			{ tag: 'mara', url: (await referenceImage(sandbox, 'mara.png', 12)).url },
		]);
		sandbox.setFaults({
			rules: [{ fault: 'stuck', vendor: 'google', promptIncludes: 'Shot 2:', times: 1 }],
		});
		const result = await runWorkflow(
			heroLoop(
				{},
				{
					pollIntervalSeconds: 0.5,
					timeoutMinutes: TIMEOUT_MS / 60_000,
					handOnAfter: HAND_ON_AFTER,
				},
			),
			{
				credentials: credentialsFor(sandbox, 'vpSandboxVertex'),
				input: asItems(shotItems(3, pin, { needsAudio: true, resolution: '720p' })),
				startNode: 'Veo',
			},
		);
		expect(result.error).toBeUndefined();

		// Evidence outside the node: three jobs, the stuck one never sent again, two billed once each.
		const jobs = await sandboxJobs(sandbox);
		expect(jobs).toHaveLength(3);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(2);
		expect(renderDuplicates(ledger)).toEqual([]);
		const stuckJob = jobs.find((job: { request: { prompt?: string } }) =>
			JSON.stringify(job.request).includes('Shot 2:'),
		);
		expect(stuckJob).toBeDefined();

		// The first pass handed the straggler on once the others were done (far before the timeout);
		// the second had only the rest of the timeout, not a fresh one.
		const veoRuns = result.run.data.resultData.runData.Veo;
		expect(veoRuns).toHaveLength(2);
		const [first, second] = veoRuns.map((run) => run.executionTime);
		expect(first).toBeLessThan(TIMEOUT_MS);
		// ...and only after the others had rendered: their takes left the same pass finished.
		expect(first).toBeGreaterThan(RENDER_MS);
		const firstPass = veoRuns[0].data!.main[0]!.map((item) => shotItemSchema.parse(item.json));
		expect(firstPass.map((item) => item.takes.at(-1)!.status).sort()).toEqual([
			'running',
			'succeeded',
			'succeeded',
		]);
		const handedOn = firstPass.find((item) => item.shot.index === 1)!;
		const watched = handedOn.takes.at(-1)!.watchedMs!;
		expect(handedOn.takes.at(-1)).toMatchObject({ status: 'running', jobId: expect.any(String) });
		expect(watched).toBeGreaterThan(0);
		expect(second).toBeLessThan(TIMEOUT_MS - watched + 3000);

		// Where it ends: Needs Review with its job ID, no retry spent on it; the others passed.
		const qcRuns = result.runs('QC');
		const review = qcRuns.flatMap((outputs) => outputs[4] ?? []);
		expect(review).toHaveLength(1);
		const reviewed = shotItemSchema.parse(review[0].json);
		expect(reviewed.shot.index).toBe(1);
		expect(reviewed.takes).toHaveLength(1);
		expect(reviewed.takes[0].jobId).toBe(handedOn.takes.at(-1)!.jobId);
		expect(reviewed.qc).toMatchObject({ status: 'needs_review', attempts: { hero: 0 } });
		expect(review[0].json.reviewReason).toMatch(
			new RegExp(`hero render error timeout \\(job ${reviewed.takes[0].jobId}\\)`),
		);
		const allDone = qcRuns.flatMap((outputs) => outputs[5] ?? []);
		expect(allDone).toHaveLength(3);
		expect(
			allDone.filter((item) => (item.json.qc as { status: string }).status === 'passed'),
		).toHaveLength(2);
	});
});
