import type { IExecuteFunctions, INodeType } from 'n8n-workflow';
import { shotItemSchema } from '../../nodes/shared/contract';
import { runWorkflow, type RunResult, type WorkflowJson } from '../harness/engine';
import { heroLoop, veoNode } from '../harness/workflows';
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
const HAND_ON = { timeoutMinutes: TIMEOUT_MS / 60_000, handOnAfter: HAND_ON_AFTER };

/**
 * The templates' crash-safe split: Veo (Submit) sends, Veo waits for what it sent (every job it
 * collects is resumed from the item), QC sends a shot back to Veo (Submit). No poll interval, so
 * polling follows the render as in the templates.
 */
function splitHeroLoop(): WorkflowJson {
	const submit = veoNode(HAND_ON) as unknown as { parameters: Record<string, unknown> };
	const loop = heroLoop({}, HAND_ON);
	return {
		...loop,
		nodes: [
			{
				...submit,
				id: 'a0',
				name: 'Veo (Submit)',
				parameters: { ...submit.parameters, mode: 'submit' },
			},
			...loop.nodes,
		] as never,
		connections: {
			'Veo (Submit)': { main: [[{ node: 'Veo', type: 'main' as never, index: 0 }]] },
			...loop.connections,
			QC: {
				main: [[], [], [{ node: 'Veo (Submit)', type: 'main' as never, index: 0 }], [], [], []],
			},
		},
	};
}

/** Time between QC and the next pass (a Wait node, or other branches n8n runs first). */
const PAUSE_MS = 5000;
const PAUSE_TYPE = 'test.pause';
const pauseNode: INodeType = {
	description: {
		displayName: 'Pause',
		name: 'pause',
		group: ['transform'],
		version: 1,
		description: 'Passes its items on after a pause',
		defaults: { name: 'Pause' },
		inputs: ['main'] as never,
		outputs: ['main'] as never,
		properties: [],
	},
	async execute(this: IExecuteFunctions) {
		await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
		return [this.getInputData()];
	},
};

/** The split loop with a pause between QC sending the straggler back and the next pass. */
function pausedSplitHeroLoop(): WorkflowJson {
	const loop = splitHeroLoop();
	return {
		...loop,
		nodes: [
			...loop.nodes,
			{
				id: 'p1',
				name: 'Pause',
				type: PAUSE_TYPE,
				typeVersion: 1,
				position: [600, 0],
				parameters: {},
			},
		] as never,
		connections: {
			...loop.connections,
			QC: { main: [[], [], [{ node: 'Pause', type: 'main' as never, index: 0 }], [], [], []] },
			Pause: { main: [[{ node: 'Veo (Submit)', type: 'main' as never, index: 0 }]] },
		},
	};
}

describe('a stuck render is handed on instead of holding the step (engine, sandbox)', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { google: RENDER_MS } } });
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});

	async function run(workflow: WorkflowJson, startNode: string): Promise<RunResult> {
		const pin = pinWith([
			{ tag: 'mara', url: (await referenceImage(sandbox, 'mara.png', 12)).url },
		]);
		sandbox.setFaults({
			rules: [{ fault: 'stuck', vendor: 'google', promptIncludes: 'Shot 2:', times: 1 }],
		});
		const result = await runWorkflow(workflow, {
			credentials: credentialsFor(sandbox, 'vpSandboxVertex'),
			input: asItems(shotItems(3, pin, { needsAudio: true, resolution: '720p' })),
			startNode,
			extraNodeTypes: { [PAUSE_TYPE]: pauseNode },
		});
		expect(result.error).toBeUndefined();
		return result;
	}

	/**
	 * What must hold whichever way the loop is wired: the waiting step's first pass handed the
	 * straggler on once the others were done, far before the timeout; the second had only the rest
	 * of the timeout; the job was never sent again; the shot ends in Needs Review with its job ID.
	 */
	async function expectHandedOnThenReviewed(result: RunResult, waiting: string) {
		// Evidence outside the node: three jobs, the stuck one never sent again, two billed once each.
		const jobs = await sandboxJobs(sandbox);
		expect(jobs).toHaveLength(3);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(2);
		expect(renderDuplicates(ledger)).toEqual([]);

		const passes = result.run.data.resultData.runData[waiting];
		expect(passes).toHaveLength(2);
		const [first, second] = passes.map((pass) => pass.executionTime);
		expect(first).toBeLessThan(TIMEOUT_MS / 2);
		expect(first).toBeGreaterThan(RENDER_MS);
		const firstPass = passes[0].data!.main[0]!.map((item) => shotItemSchema.parse(item.json));
		expect(firstPass.map((item) => item.takes.at(-1)!.status).sort()).toEqual([
			'running',
			'succeeded',
			'succeeded',
		]);
		const handedOn = firstPass.find((item) => item.shot.index === 1)!.takes.at(-1)!;
		expect(handedOn.watchedMs).toBeGreaterThan(0);
		expect(
			jobs.map((job: { extra: { operationName?: string } }) => job.extra.operationName),
		).toContain(handedOn.jobId);
		expect(second).toBeLessThan(TIMEOUT_MS - handedOn.watchedMs! + 3000);

		const qcRuns = result.runs('QC');
		const review = qcRuns.flatMap((outputs) => outputs[4] ?? []);
		expect(review).toHaveLength(1);
		const reviewed = shotItemSchema.parse(review[0].json);
		expect(reviewed.shot.index).toBe(1);
		expect(reviewed.takes).toHaveLength(1);
		expect(reviewed.takes[0].jobId).toBe(handedOn.jobId);
		expect(reviewed.qc).toMatchObject({ status: 'needs_review', attempts: { hero: 0 } });
		expect(review[0].json.reviewReason).toMatch(
			new RegExp(`hero render error timeout \\(job ${reviewed.takes[0].jobId}\\)`),
		);
		const allDone = qcRuns.flatMap((outputs) => outputs[5] ?? []);
		expect(allDone).toHaveLength(3);
		expect(
			allDone.filter((item) => (item.json.qc as { status: string }).status === 'passed'),
		).toHaveLength(2);
	}

	it('leaves the step with its job ID, is polled again in the next pass within what is left of the timeout, and is never sent again', async () => {
		const result = await run(heroLoop({}, { ...HAND_ON, pollIntervalSeconds: 0.5 }), 'Veo');
		await expectHandedOnThenReviewed(result, 'Veo');
	});

	it('split into Submit Only and a waiting step: the waiting step learns the render time from the jobs it collects and hands the straggler on by it; the Submit step passes it on without waiting', async () => {
		const result = await run(splitHeroLoop(), 'Veo (Submit)');
		await expectHandedOnThenReviewed(result, 'Veo');
		const submits = result.run.data.resultData.runData['Veo (Submit)'];
		expect(submits).toHaveLength(2);
		expect(submits[1].executionTime).toBeLessThan(1000);
	});

	it('the time between passes counts toward the timeout: the straggler times out on the clock from its submit, not only while a pass watches it', async () => {
		const result = await run(pausedSplitHeroLoop(), 'Veo (Submit)');
		await expectHandedOnThenReviewed(result, 'Veo');
		const reviewed = shotItemSchema.parse(
			result.runs('QC').flatMap((outputs) => outputs[4] ?? [])[0].json,
		);
		const passes = result.run.data.resultData.runData.Veo;
		const last = passes[passes.length - 1];
		// Submit to timeout, with the pause between the passes: the timeout, a poll and some slack.
		expect(
			last.startTime + last.executionTime - Date.parse(reviewed.takes[0].startedAt),
		).toBeLessThan(TIMEOUT_MS + 3000);
	});
});
