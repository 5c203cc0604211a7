import { shotItemSchema } from '../../nodes/shared/contract';
import { runWorkflow } from '../harness/engine';
import { asItems, pinWith, referenceImage, shotItems, singleNode } from '../harness/pipeline';
import {
	credentialsFor,
	sandboxFaults,
	sandboxJobs,
	sandboxLedger,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';
import { heroLoop, veoNode } from '../harness/workflows';

jest.setTimeout(5 * 60_000);

const CAP = 3;

/** Most jobs the sandbox had running at one moment, from its own start and finish times. */
function peakRunning(jobs: Array<{ startedAt?: number; finishedAt?: number }>): number {
	const events = jobs.flatMap((job) =>
		job.startedAt ? [[job.startedAt, 1] as const, [job.finishedAt ?? Infinity, -1] as const] : [],
	);
	events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let running = 0;
	let peak = 0;
	for (const [, step] of events) peak = Math.max(peak, (running += step));
	return peak;
}

describe('adaptive concurrency against an account cap the node is not told (engine, sandbox)', () => {
	let sandbox: Sandbox;
	let pin: ReturnType<typeof pinWith>;

	beforeAll(async () => {
		// The sandbox's Google account takes 3 renders at once and refuses a fourth with 429 RESOURCE_EXHAUSTED.
		sandbox = await withSandbox({
			config: {
				renderMs: { google: 400 },
				concurrency: { openai: 8, google: CAP, runway: 3 },
				refuseOverConcurrency: { google: true },
			},
		});
		pin = pinWith([{ tag: 'mara', url: (await referenceImage(sandbox, 'mara.png', 4)).url }]);
	});
	afterAll(async () => sandbox.stop());

	const traffic = async () =>
		(await (await fetch(`${sandbox.origin}/_sandbox/traffic`)).json()) as Record<string, number>;
	const run = async (items: unknown[]) =>
		await runWorkflow(
			{
				name: 'undisclosed cap',
				nodes: [
					veoNode({
						pollIntervalSeconds: 0.2,
						timeoutMinutes: 2,
						concurrency: 10,
						output: 'reference',
					}),
				],
				connections: {},
			},
			{ credentials: credentialsFor(sandbox, 'vpSandboxVertex'), input: asItems(items as never) },
		);

	it('renders every shot once, never over the cap, with no duplicate charge, and puts the learned cap on every item', async () => {
		const items = shotItems(12, pin, { resolution: '720p' });
		const result = await run(items);
		expect(result.error).toBeUndefined();
		const output = result.output('Veo').map((o) => shotItemSchema.parse(o.json));
		expect(output).toHaveLength(12);

		// The account did push back: submits over the cap were refused (and not billed).
		expect((await traffic())['google:refused']).toBeGreaterThan(0);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.duplicates).toEqual([]);
		expect(ledger.entries).toHaveLength(12);
		const jobs = await sandboxJobs(sandbox);
		// One vendor job per shot: a refused submit never became a second job.
		expect(jobs).toHaveLength(12);
		expect(peakRunning(jobs)).toBeLessThanOrEqual(CAP);

		const billed = new Set(ledger.entries.map((entry: { jobId: string }) => entry.jobId));
		for (const item of output) {
			expect(item.renderError).toBeUndefined();
			expect(item.takes).toHaveLength(1);
			expect(item.takes[0].status).toBe('succeeded');
			expect(billed.has(item.takes[0].jobId)).toBe(true);
			expect(item.learnedConcurrency).toEqual({ google: CAP });
		}
	});

	it('the next run starts from the cap the last one left on the items', async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
		const items = shotItems(CAP, pin, { resolution: '720p' }).map((item) => ({
			...item,
			learnedConcurrency: { google: CAP, runway: 2 },
		}));
		const result = await run(items);
		expect(result.error).toBeUndefined();
		const jobs = await sandboxJobs(sandbox);
		// Started at the learned cap: all three were sent at once, so all three ran together, and none was refused.
		expect(peakRunning(jobs)).toBe(CAP);
		expect((await traffic())['google:refused'] ?? 0).toBe(0);
		expect((await sandboxLedger(sandbox)).duplicates).toEqual([]);
		for (const out of result.output('Veo'))
			expect(out.json.learnedConcurrency).toEqual({ google: CAP, runway: 2 });
	});

	const handOnRun = async (shots: number, stuck: string[], timeoutMinutes: number) => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
		sandbox.setFaults({
			rules: stuck.map((prompt) => ({
				fault: 'stuck' as const,
				vendor: 'google' as const,
				promptIncludes: prompt,
				times: 1,
			})),
		});
		const result = await runWorkflow(
			{
				name: 'handed on',
				nodes: [
					veoNode({
						pollIntervalSeconds: 0.2,
						timeoutMinutes,
						concurrency: CAP,
						handOnAfter: 4,
						output: 'reference',
					}),
				],
				connections: {},
			},
			{
				credentials: credentialsFor(sandbox, 'vpSandboxVertex'),
				input: asItems(shotItems(shots, pin, { resolution: '720p' }) as never),
			},
		);
		sandbox.setFaults({ rules: [] });
		expect(result.error).toBeUndefined();
		return result.output('Veo').map((o) => shotItemSchema.parse(o.json));
	};

	it('a job handed on while still rendering keeps its place while the vendor runs it: the account is never sent one more than it takes', async () => {
		// Shot 2 sticks at Vertex; the step hands it on at four times the render time it has seen,
		// while most shots still wait for room. The ceiling is the account's cap, so one submit too
		// many (the handed-on job's place given back while Vertex still runs it) meets a 429.
		const output = await handOnRun(20, ['Shot 2:'], 0.5);
		const handedOn = output.find((item) => item.shot.index === 1)!;
		expect(handedOn.takes[0]).toMatchObject({ status: 'running' });
		// A busy machine may hand on a job that was merely slow; it still ends at the vendor.
		for (const item of output.filter((o) => o !== handedOn))
			expect(['succeeded', 'running']).toContain(item.takes[0]?.status);
		// Handed on well before the rest were sent: most of them went while it held its place.
		const handedOnAt = Date.parse(handedOn.takes[0].startedAt) + handedOn.takes[0].watchedMs!;
		const jobs = (await sandboxJobs(sandbox)) as Array<{ startedAt?: number }>;
		expect(jobs).toHaveLength(20);
		expect(jobs.filter((job) => (job.startedAt ?? 0) > handedOnAt).length).toBeGreaterThan(3);
		// At the vendor: not one refusal, every other shot billed once.
		expect((await traffic())['google:refused'] ?? 0).toBe(0);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(19);
		expect(ledger.duplicates).toEqual([]);
	});

	it('stuck jobs handed on that hold every place do not stall the step: their places go at the render timeout, and the shots still waiting end unsent and unpaid', async () => {
		// Shot 1 renders (so the step knows the render time), Shots 2 to 4 stick and fill the account.
		const output = await handOnRun(8, ['Shot 2:', 'Shot 3:', 'Shot 4:'], 0.1);
		const stuck = output.filter((item) => [1, 2, 3].includes(item.shot.index));
		expect(stuck.map((item) => item.takes[0]?.status)).toEqual(Array(3).fill('running'));
		expect(output[0].takes[0]?.status).toBe('succeeded');
		const waiting = output.filter((item) => item.shot.index > 3);
		expect(waiting).toHaveLength(4);
		for (const item of waiting) {
			expect(item.takes).toHaveLength(0);
			expect(item.renderError?.message).toMatch(/^Not sent, nothing paid: the account has refused/);
		}
		expect(await sandboxJobs(sandbox)).toHaveLength(4);
		expect((await sandboxLedger(sandbox)).entries).toHaveLength(1);
	});

	it('in a QC loop, a round whose every submit the account refuses does not end the execution: each shot goes to Needs Review with the reason and the run gets its report', async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
		// Every Vertex submit is refused (a quota, or every place held by other jobs): no item of
		// the step holds a job, yet failing the node would end the run before QC writes its report.
		sandbox.setFaults({
			rules: [
				{
					fault: 'rate_limit',
					vendor: 'google',
					op: 'submit',
					params: { retryAfterSeconds: 0.05 },
				},
			],
		});
		const result = await runWorkflow(
			heroLoop({}, { pollIntervalSeconds: 0.2, timeoutMinutes: 1, output: 'reference' }),
			{
				credentials: credentialsFor(sandbox, 'vpSandboxVertex'),
				input: asItems(shotItems(3, pin, { resolution: '720p' }) as never),
				startNode: 'QC',
			},
		);
		const refusals = (await sandboxFaults(sandbox)).filter((f) => f.fault === 'rate_limit');
		sandbox.setFaults({ rules: [] });
		expect(result.error).toBeUndefined();
		expect(refusals.length).toBeGreaterThanOrEqual(3);
		const qcRuns = result.runs('QC');
		const review = qcRuns.flatMap((outputs) => outputs[4] ?? []);
		expect(review).toHaveLength(3);
		for (const item of review)
			expect(item.json.reviewReason).toMatch(/hero render error .*429|RESOURCE_EXHAUSTED/);
		const allDone = qcRuns.flatMap((outputs) => outputs[5] ?? []);
		expect(allDone).toHaveLength(3);
		const report = allDone[0].json.qcReport as { totals: Record<string, number> };
		expect(report.totals).toMatchObject({ shots: 3, passed: 0, needsReview: 3, renders: 0 });
		expect((await sandboxLedger(sandbox)).entries).toHaveLength(0);
	});

	it('an account whose every place is held by stuck jobs: after a render timeout of refusals, each remaining shot stops unsent and unpaid, saying why', async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
		// The first three jobs stick at Vertex (no cancel there) and hold all of the account's places.
		sandbox.setFaults({ rules: [{ fault: 'stuck', vendor: 'google', times: CAP }] });
		const result = await runWorkflow(
			{
				name: 'saturated account',
				nodes: [
					veoNode({
						pollIntervalSeconds: 0.2,
						timeoutMinutes: 0.02,
						concurrency: 10,
						output: 'reference',
					}),
				],
				connections: {},
			},
			{
				credentials: credentialsFor(sandbox, 'vpSandboxVertex'),
				input: asItems(shotItems(8, pin, { resolution: '720p' }) as never),
			},
		);
		sandbox.setFaults({ rules: [] });
		expect(result.error).toBeUndefined();
		const output = result.output('Veo').map((o) => shotItemSchema.parse(o.json));
		expect(output).toHaveLength(8);
		// The stuck three time out with their job IDs; the other five were never accepted.
		const timedOut = output.filter((item) => item.takes[0]?.status === 'timed_out');
		expect(timedOut).toHaveLength(CAP);
		const refused = output.filter((item) => item.takes.length === 0);
		expect(refused).toHaveLength(8 - CAP);
		for (const item of refused)
			expect(item.renderError?.message).toMatch(
				/^Not sent, nothing paid: the account has refused every submit for capacity for \d+ s, a whole render timeout, with none of this step's renders in flight/,
			);
		// At the vendor: nothing billed, only the three stuck jobs exist, and each refused shot was
		// refused a bounded number of times.
		expect((await sandboxLedger(sandbox)).entries).toHaveLength(0);
		expect(await sandboxJobs(sandbox)).toHaveLength(CAP);
		expect((await traffic())['google:refused']).toBeLessThanOrEqual((8 - CAP) * 4);
	});
});

describe('adaptive concurrency on Runway, where over-cap tasks wait THROTTLED (engine, sandbox)', () => {
	let sandbox: Sandbox;
	let pin: ReturnType<typeof pinWith>;

	beforeAll(async () => {
		// Renders far longer than the first poll, so every task is seen before any finishes.
		sandbox = await withSandbox({
			config: { renderMs: { runway: 1500 }, concurrency: { openai: 8, google: 8, runway: 2 } },
		});
		pin = pinWith([{ tag: 'mara', url: (await referenceImage(sandbox, 'mara.png', 5)).url }]);
	});
	afterAll(async () => sandbox.stop());

	it('learns the account runs two at once from THROTTLED, with every task billed once', async () => {
		const items = shotItems(6, pin, { layer: 'broll', durationSeconds: 5, aspectRatio: '9:16' });
		const workflow = singleNode(
			'runway',
			{
				resource: 'video',
				operation: 'textToVideo',
				model: 'gen4.5',
				shotSource: 'item',
				renderOptions: {
					pollIntervalSeconds: 0.2,
					timeoutMinutes: 2,
					concurrency: 10,
					output: 'reference',
				},
			},
			{ type: 'runwayVideoPipelineApi', id: 'vpSandboxRunway', name: 'Sandbox Runway' },
		);
		const result = await runWorkflow(workflow, {
			credentials: credentialsFor(sandbox, 'vpSandboxRunway'),
			input: asItems(items),
		});
		expect(result.error).toBeUndefined();
		const output = result.output('Node').map((o) => shotItemSchema.parse(o.json));
		expect(output.map((item) => item.takes[0].status)).toEqual(Array(6).fill('succeeded'));
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(6);
		expect(ledger.duplicates).toEqual([]);
		expect(await sandboxJobs(sandbox)).toHaveLength(6);
		for (const item of output) expect(item.learnedConcurrency).toEqual({ runway: 2 });
	});
});
