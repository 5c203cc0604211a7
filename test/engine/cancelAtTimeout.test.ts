import { shotItemSchema } from '../../nodes/shared/contract';
import { runWorkflow, type RunResult } from '../harness/engine';
import { controlLoop } from '../harness/workflows';
import { asItems, shotItems } from '../harness/pipeline';
import {
	credentialsFor,
	renderDuplicates,
	sandboxJobs,
	sandboxLedger,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';

jest.setTimeout(180_000);

const RENDER_MS = 1500;
const TIMEOUT_MS = 6000;
const CANCEL = {
	timeoutMinutes: TIMEOUT_MS / 60_000,
	pollIntervalSeconds: 0.5,
	cancelAtTimeout: true,
};

interface SandboxJob {
	id: string;
	state: string;
	createdAt: number;
	startedAt?: number;
	finishedAt?: number;
	spec: { prompt: string };
}

describe('Cancel at Vendor on Timeout (engine, sandbox with a Runway account of one slot)', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		// One slot: a task stuck in it holds back every later task of the account until it ends.
		sandbox = await withSandbox({
			config: { renderMs: { runway: RENDER_MS }, concurrency: { runway: 1 } },
		});
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});

	async function run(stuck: Record<string, unknown> = {}): Promise<RunResult> {
		sandbox.setFaults({
			rules: [
				{ fault: 'stuck', vendor: 'runway', promptIncludes: 'Shot 2:', times: 1, params: stuck },
			],
		});
		const result = await runWorkflow(controlLoop(CANCEL), {
			credentials: credentialsFor(sandbox, 'vpSandboxRunway'),
			input: asItems(shotItems(3, undefined, { layer: 'broll', durationSeconds: 5 })),
			startNode: 'Runway',
		});
		expect(result.error).toBeUndefined();
		return result;
	}

	const finalItems = (result: RunResult) =>
		result
			.runs('QC')
			.flatMap((outputs) => outputs[5] ?? [])
			.map((item) => ({ item: shotItemSchema.parse(item.json), json: item.json }));

	it('cancels the stuck task at the timeout: its slot frees for the next task, it costs nothing, and QC has the shot rendered again', async () => {
		const result = await run();

		// Evidence at the vendor: the stuck task ended CANCELLED and was never billed; the task queued
		// behind it in the account's one slot started only once it was cancelled.
		const jobs = (await sandboxJobs(sandbox)) as SandboxJob[];
		const ofShot = (n: number) =>
			jobs
				.filter((job) => job.spec.prompt.includes(`Shot ${n}:`))
				.sort((a, b) => a.createdAt - b.createdAt);
		expect(ofShot(1)).toHaveLength(1);
		expect(ofShot(3)).toHaveLength(1);
		const [stuck, again] = ofShot(2);
		expect(ofShot(2)).toHaveLength(2);
		expect(stuck.state).toBe('cancelled');
		expect(again.state).toBe('succeeded');
		expect(ofShot(3)[0].startedAt).toBeGreaterThanOrEqual(stuck.finishedAt!);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries.map((entry: { jobId: string }) => entry.jobId).sort()).toEqual(
			[ofShot(1)[0].id, again.id, ofShot(3)[0].id].sort(),
		);
		expect(renderDuplicates(ledger)).toEqual([]);

		// What the run reports: every shot passed; shot 2 shows the cancelled take at $0, then the new one.
		const done = finalItems(result);
		expect(done).toHaveLength(3);
		expect(done.map(({ item }) => item.qc?.status)).toEqual(['passed', 'passed', 'passed']);
		const shot2 = done.find(({ item }) => item.shot.index === 1)!.item;
		expect(shot2.takes.map((take) => [take.jobId, take.status, take.costUsd])).toEqual([
			[stuck.id, 'cancelled', 0],
			[again.id, 'succeeded', expect.any(Number)],
		]);
		expect(shot2.takes[0].failure).toMatchObject({ code: 'timeout_cancelled', retryable: true });
		expect(shot2.takes[0].failure!.message).toMatch(/cancelled at runway, so nothing was charged/);
		expect(shot2.qc?.attempts.control).toBe(1);
	});

	it('a task that finishes as the cancel reaches it (Runway then deletes it) stays a timeout with its job ID and its cost held, and goes to review', async () => {
		const result = await run({ finishesOnCancel: true });

		const jobs = (await sandboxJobs(sandbox)) as SandboxJob[];
		expect(jobs.filter((job) => job.spec.prompt.includes('Shot 2:'))).toHaveLength(0);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(3);
		expect(renderDuplicates(ledger)).toEqual([]);

		const review = result.runs('QC').flatMap((outputs) => outputs[4] ?? []);
		expect(review).toHaveLength(1);
		const reviewed = shotItemSchema.parse(review[0].json);
		expect(reviewed.shot.index).toBe(1);
		expect(reviewed.takes).toHaveLength(1);
		const [take] = reviewed.takes;
		expect(take.status).toBe('timed_out');
		expect(take.costUsd).toBeGreaterThan(0);
		// The charge the vendor made for the deleted task is the one the run holds for it.
		const charged = ledger.entries.filter(
			(entry: { jobId: string }) => !jobs.some((job) => job.id === entry.jobId),
		);
		expect(charged.map((entry: { jobId: string }) => entry.jobId)).toEqual([take.jobId]);
		expect(review[0].json.reviewReason).toMatch(
			new RegExp(
				`control render error timeout \\(job ${take.jobId}\\): Still RUNNING after \\d+ s; it finished as the cancel reached it and the vendor deleted it with its output: it may have been charged, and cannot be collected`,
			),
		);
	});
});
