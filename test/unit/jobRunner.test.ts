import {
	JobCancelledError,
	JobFailedError,
	JobStillRenderingError,
	JobTimedOutError,
	SubmitOutcomeUnknownError,
	VendorHttpError,
	VendorNetworkError,
} from '../../nodes/shared/errors';
import { mapWithConcurrency } from '../../nodes/shared/runtime/concurrency';
import {
	MAX_QUEUED_MS,
	runJob,
	waitForResumed,
	type JobAdapter,
	type JobStatus,
	type WaitPolicy,
} from '../../nodes/shared/runtime/jobRunner';
import { pacedWait, RenderTimes } from '../../nodes/shared/runtime/renderTimes';
import { FakeClock } from '../harness/fakeClock';

const policy: WaitPolicy = {
	firstDelayMs: 1000,
	intervalMs: 1000,
	maxIntervalMs: 8000,
	factor: 2,
	jitter: 0,
	timeoutMs: 600_000,
	maxConsecutivePollErrors: 3,
	maxSubmitRetries: 2,
};

const running: JobStatus = { phase: 'running', vendorStatus: 'RUNNING', body: {} };
/** Runway's answer for a task held back for the account's concurrency. */
const throttled: JobStatus = {
	phase: 'queued',
	vendorStatus: 'THROTTLED',
	throttled: true,
	body: {},
};
const succeeded: JobStatus = {
	phase: 'succeeded',
	vendorStatus: 'SUCCEEDED',
	body: { output: ['https://cdn/x.mp4'] },
};
const ctx = { vendor: 'runway' as const, itemIndex: 2 };

const http = (statusCode: number, retryAfterMs?: number) =>
	new VendorHttpError({
		...ctx,
		jobId: 'task-1',
		statusCode,
		vendorMessage: 'nope',
		retryAfterMs,
		operation: 'Poll',
	});
const network = (neverSent: boolean) =>
	new VendorNetworkError({
		...ctx,
		code: neverSent ? 'ECONNREFUSED' : 'ECONNRESET',
		detail: 'socket',
		neverSent,
		operation: 'Submit',
	});

/** An adapter whose submit and poll answers come from scripts; calls are counted. */
function scripted(
	submits: Array<string | Error>,
	polls: Array<JobStatus | Error>,
	extra: Partial<JobAdapter> = {},
) {
	const calls = { submit: 0, poll: 0, events: [] as string[] };
	const adapter: JobAdapter = {
		...ctx,
		async submit() {
			calls.submit++;
			calls.events.push('submit');
			const next = submits.shift();
			if (next instanceof Error) throw next;
			return { jobId: next ?? 'task-1' };
		},
		async poll(jobId) {
			calls.poll++;
			calls.events.push(`poll:${jobId}`);
			const next = polls.shift() ?? running;
			if (next instanceof Error) throw next;
			return next;
		},
		onSubmitted: (jobId) => void calls.events.push(`recorded:${jobId}`),
		...extra,
	};
	return { adapter, calls };
}

describe('job runner', () => {
	it('waits one interval before the first poll, then backs off up to the cap', async () => {
		const clock = new FakeClock();
		const { adapter, calls } = scripted(
			['task-1'],
			[running, running, running, running, running, succeeded],
		);
		const outcome = await runJob(adapter, policy, { clock });
		expect(outcome).toMatchObject({
			jobId: 'task-1',
			submitted: true,
			polls: 6,
			status: succeeded,
		});
		expect(clock.sleeps).toEqual([1000, 1000, 2000, 4000, 8000, 8000]);
		expect(calls.events.slice(0, 3)).toEqual(['submit', 'recorded:task-1', 'poll:task-1']);
	});

	it('spreads polls with jitter inside the configured fraction', async () => {
		const clock = new FakeClock();
		clock.queueRandom(0, 1, 0.5);
		const { adapter } = scripted(['task-1'], [running, running, succeeded]);
		await runJob(adapter, { ...policy, jitter: 0.25, factor: 1 }, { clock });
		expect(clock.sleeps).toEqual([750, 1250, 1000]);
	});

	it("honours the vendor's retry hint after a 429 on a poll", async () => {
		const clock = new FakeClock();
		const { adapter } = scripted(['task-1'], [http(429, 30_000), succeeded]);
		await runJob(adapter, policy, { clock });
		expect(clock.sleeps).toEqual([1000, 30_000]);
	});

	it('tolerates transient poll errors up to the limit', async () => {
		const clock = new FakeClock();
		const { adapter, calls } = scripted(
			['task-1'],
			[http(503), network(false), http(500), succeeded],
		);
		await expect(runJob(adapter, policy, { clock })).resolves.toMatchObject({ polls: 4 });
		expect(calls.poll).toBe(4);
	});

	it('gives up after one transient poll error too many, naming the job and item', async () => {
		const clock = new FakeClock();
		const { adapter, calls } = scripted(
			['task-1'],
			[http(502), http(502), http(502), http(502), succeeded],
		);
		await expect(runJob(adapter, policy, { clock })).rejects.toThrow(
			/HTTP 502.*\[runway, job task-1, item 2\]/,
		);
		expect(calls.poll).toBe(4);
	});

	it('stops at once on a poll error that will not go away', async () => {
		const { adapter, calls } = scripted(['task-1'], [http(404), succeeded]);
		await expect(runJob(adapter, policy, { clock: new FakeClock() })).rejects.toThrow(
			VendorHttpError,
		);
		expect(calls.poll).toBe(1);
	});

	it('times out with the job ID and never waits past the timeout', async () => {
		const clock = new FakeClock();
		const { adapter } = scripted(['task-9'], []);
		const error = await runJob(adapter, { ...policy, timeoutMs: 20_000 }, { clock }).catch(
			(e) => e,
		);
		expect(error).toBeInstanceOf(JobTimedOutError);
		expect(error.jobId).toBe('task-9');
		expect(error.message).toMatch(/Still RUNNING after 20 s.*job task-9, item 2/);
		expect(clock.time).toBe(20_000);
	});

	it("does not count the vendor's queue for the account's concurrency (THROTTLED) as render time", async () => {
		const clock = new FakeClock();
		// Queued until the poll at 24 s (polls at 1, 2, 4, 8, 16, 24 s), then 20 s of rendering against
		// a 20 s timeout: done at the poll of 44 s, where counting the queue would have stopped at 20 s.
		const polls = [...Array(6).fill(throttled), running, running, succeeded];
		const { adapter } = scripted(['task-3'], polls);
		const outcome = await runJob(adapter, { ...policy, timeoutMs: 20_000 }, { clock });
		expect(outcome.status.phase).toBe('succeeded');
		expect(clock.time).toBe(44_000);
	});

	it('still times out a job that renders too long after leaving the queue, and one queued past the limit', async () => {
		const clock = new FakeClock();
		const { adapter } = scripted(['task-4'], [throttled, throttled, throttled]);
		const error = await runJob(adapter, { ...policy, timeoutMs: 20_000 }, { clock }).catch(
			(e) => e,
		);
		expect(error).toBeInstanceOf(JobTimedOutError);
		// Queued until the poll at 4 s, so the render had its full 20 s after that.
		expect(clock.time).toBe(24_000);
		expect(error.message).toMatch(/Still RUNNING after 24 s/);

		const queuedClock = new FakeClock();
		const forever = scripted(['task-5'], [], { poll: async () => throttled });
		const queued = await runJob(
			forever.adapter,
			{ ...policy, timeoutMs: 20_000 },
			{ clock: queuedClock },
		).catch((e) => e);
		expect(queued).toBeInstanceOf(JobTimedOutError);
		expect(queued.message).toMatch(/Still THROTTLED/);
		expect(queuedClock.time).toBeLessThanOrEqual(MAX_QUEUED_MS + 20_000 + policy.maxIntervalMs);
		expect(queuedClock.time).toBeGreaterThanOrEqual(MAX_QUEUED_MS);
	});

	describe('a straggler handed on, and the timeout its passes share', () => {
		const handOn = { ...policy, timeoutMs: 60_000, handOn: { after: 4, typicalMs: 5000 } };

		it('hands a job still rendering on at the given times its typical render time, with its job ID', async () => {
			const clock = new FakeClock();
			const { adapter, calls } = scripted(['task-6'], []);
			const error = await runJob(adapter, handOn, { clock }).catch((e) => e);
			expect(error).toBeInstanceOf(JobStillRenderingError);
			expect(error.jobId).toBe('task-6');
			expect(error.watchedMs).toBe(20_000);
			expect(error.message).toMatch(/Still RUNNING after 20 s of rendering.*job task-6, item 2/);
			// Polls at 1, 2, 4, 8, 16 s, and the last one lands on the hand-on point, not past it.
			expect(clock.sleeps).toEqual([1000, 1000, 2000, 4000, 8000, 4000]);
			expect(calls.submit).toBe(1);
		});

		it('uses the render time this run observed over the typical one', async () => {
			const clock = new FakeClock();
			const pace = new RenderTimes().forModel('gen4.5');
			pace.observe(3000);
			const { adapter } = scripted(['task-7'], []);
			const error = await runJob(adapter, handOn, { clock, pace }).catch((e) => e);
			expect(error).toBeInstanceOf(JobStillRenderingError);
			expect(error.watchedMs).toBe(12_000);
			expect(clock.time).toBe(12_000);
		});

		it('does not count time queued at the vendor (THROTTLED) as render time watched', async () => {
			const clock = new FakeClock();
			// Queued until the poll at 8 s, then rendering: handed on 20 s of rendering later.
			const { adapter } = scripted(['task-8'], Array(4).fill(throttled));
			const error = await runJob(adapter, handOn, { clock }).catch((e) => e);
			expect(error).toBeInstanceOf(JobStillRenderingError);
			expect(error.watchedMs).toBe(20_000);
			expect(clock.time).toBe(28_000);
		});

		it('a resumed pass has only the rest of the timeout, and hands on again within it', async () => {
			const rest = new FakeClock();
			const resumed = scripted([], []);
			const timedOut = await runJob(
				resumed.adapter,
				{ ...policy, timeoutMs: 20_000, watchedMs: 15_000 },
				{ clock: rest, existingJobId: 'task-6' },
			).catch((e) => e);
			expect(timedOut).toBeInstanceOf(JobTimedOutError);
			expect(rest.time).toBe(5000);
			expect(resumed.calls.submit).toBe(0);

			const again = new FakeClock();
			const second = scripted([], []);
			const handedOn = await runJob(
				second.adapter,
				{ ...handOn, watchedMs: 8000 },
				{ clock: again, existingJobId: 'task-6' },
			).catch((e) => e);
			expect(handedOn).toBeInstanceOf(JobStillRenderingError);
			expect(handedOn.watchedMs).toBe(20_000);
			expect(second.calls.submit).toBe(0);
		});

		it('a waiting step learns the render time from the jobs it resumes, measured from their submit, and hands its straggler on by it', async () => {
			const clock = new FakeClock();
			clock.time = 60_000;
			const pace = new RenderTimes().forModel('veo');
			// Submitted 6 s before this wait: seen rendering at once and at 1 s, done at the next poll.
			const quick = scripted([], [running, running, succeeded]);
			await waitForResumed(quick.adapter, 'op-1', 54_000, handOn, { clock, pace });
			expect(pace.expectedMs()).toBe(7000);
			// The straggler of the same step is handed on at 4 x 7 s of watching, not 4 x the typical 5 s.
			const started = clock.time;
			const stuck = scripted([], []);
			const error = await waitForResumed(stuck.adapter, 'op-2', 50_000, handOn, {
				clock,
				pace,
			}).catch((e) => e);
			expect(error).toBeInstanceOf(JobStillRenderingError);
			expect(clock.time - started).toBe(28_000);
			expect(stuck.calls.submit).toBe(0);
		});

		it('a waiting step that collects long after the submit (every job done at its first poll) hands its straggler on by the typical render time, not by the delay', async () => {
			const clock = new FakeClock();
			clock.time = 300_000;
			const pace = new RenderTimes().forModel('gen4.5');
			// Submitted 200 s before this wait (the step ran after a long Veo phase): done at once.
			const late = scripted([], [succeeded]);
			await waitForResumed(late.adapter, 'task-1', 100_000, handOn, { clock, pace });
			// Polling starts from half of what the job was done by; the hand-on does not.
			expect(pace.expectedMs()).toBe(100_000);
			expect(pace.renderEstimateMs(5000)).toBe(5000);
			const started = clock.time;
			const stuck = scripted([], []);
			const error = await waitForResumed(stuck.adapter, 'task-2', 100_000, handOn, {
				clock,
				pace,
			}).catch((e) => e);
			// 4 x the typical 5 s of watching, not 4 x 100 s (past the 60 s timeout: never handed on).
			expect(error).toBeInstanceOf(JobStillRenderingError);
			expect(clock.time - started).toBe(20_000);
			// A job seen unfinished 210 s after its submit (queued before this pass, say) does not
			// lift the estimate above what the run saw jobs done by.
			pace.observe(210_000);
			expect(pace.renderEstimateMs(5000)).toBe(200_000);
			// Jobs done by less than the typical time bound it: renders of this account are faster.
			pace.finishedBy(3000);
			expect(pace.renderEstimateMs(5000)).toBe(3000);
		});

		it('a job resumed with the whole timeout watched is still polled once', async () => {
			const done = scripted([], [succeeded]);
			const collected = await runJob(
				done.adapter,
				{ ...handOn, watchedMs: 60_000 },
				{ clock: new FakeClock(), existingJobId: 'task-6' },
			);
			expect(collected.status.phase).toBe('succeeded');

			const clock = new FakeClock();
			const stuck = scripted([], []);
			const error = await runJob(
				stuck.adapter,
				{ ...handOn, watchedMs: 90_000 },
				{ clock, existingJobId: 'task-6' },
			).catch((e) => e);
			expect(error).toBeInstanceOf(JobTimedOutError);
			expect(stuck.calls.poll).toBe(1);
			expect(clock.time).toBe(0);
		});
	});

	it('stops within one interval of a cancellation and reports the job ID', async () => {
		const clock = new FakeClock();
		const controller = new AbortController();
		let pollsBeforeCancel = 0;
		const { adapter } = scripted(['task-1'], [], {
			poll: async () => {
				if (++pollsBeforeCancel === 3) controller.abort(new Error('cancelled by user'));
				return running;
			},
		});
		const error = await runJob(
			adapter,
			{ ...policy, factor: 1 },
			{ clock, signal: controller.signal },
		).catch((e) => e);
		expect(error).toBeInstanceOf(JobCancelledError);
		expect(error.jobId).toBe('task-1');
		expect(pollsBeforeCancel).toBe(3);
		expect(clock.time).toBe(3000);
	});

	it('never sends a paid submit again after a 5xx: the outcome is unknown', async () => {
		const { adapter, calls } = scripted([http(500), 'task-2'], []);
		const error = await runJob(adapter, policy, { clock: new FakeClock() }).catch((e) => e);
		expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
		expect(error.message).toMatch(/not sent again to avoid paying twice/);
		expect(calls.submit).toBe(1);
	});

	it('never sends a paid submit again after a dropped connection', async () => {
		const { adapter, calls } = scripted([network(false), 'task-2'], []);
		await expect(runJob(adapter, policy, { clock: new FakeClock() })).rejects.toThrow(
			SubmitOutcomeUnknownError,
		);
		expect(calls.submit).toBe(1);
	});

	it('repeats a submit the vendor rejected with 429, honouring its hint', async () => {
		const clock = new FakeClock();
		const { adapter, calls } = scripted([http(429, 5000), 'task-3'], [succeeded]);
		await expect(runJob(adapter, policy, { clock })).resolves.toMatchObject({ jobId: 'task-3' });
		expect(calls.submit).toBe(2);
		expect(clock.sleeps[0]).toBe(5000);
	});

	it('repeats a submit whose connection was refused before anything was sent, within the retry limit', async () => {
		const { adapter, calls } = scripted(
			[network(true), network(true), network(true), 'task-4'],
			[],
		);
		await expect(runJob(adapter, policy, { clock: new FakeClock() })).rejects.toThrow(
			/ECONNREFUSED/,
		);
		expect(calls.submit).toBe(3);
	});

	it('passes a 400 on submit through as bad input', async () => {
		const { adapter } = scripted([http(400)], []);
		await expect(runJob(adapter, policy, { clock: new FakeClock() })).rejects.toThrow(
			VendorHttpError,
		);
	});

	it('resumes a recorded job ID without paying again', async () => {
		const clock = new FakeClock();
		const { adapter, calls } = scripted([], [running, succeeded]);
		const outcome = await runJob(adapter, policy, { clock, existingJobId: 'task-old' });
		expect(outcome).toMatchObject({ jobId: 'task-old', submitted: false });
		expect(calls.submit).toBe(0);
		expect(clock.sleeps[0]).toBe(0);
	});

	it('reports a failed job with its code and whether a retry can help', async () => {
		const failed: JobStatus = {
			phase: 'failed',
			vendorStatus: 'FAILED',
			failure: { code: 'SAFETY.INPUT.TEXT', message: 'blocked', retryable: false },
			body: {},
		};
		const { adapter } = scripted(['task-5'], [failed]);
		const error = await runJob(adapter, policy, { clock: new FakeClock() }).catch((e) => e);
		expect(error).toBeInstanceOf(JobFailedError);
		expect(error).toMatchObject({
			failureCode: 'SAFETY.INPUT.TEXT',
			retryable: false,
			jobId: 'task-5',
		});
	});

	it('accepts a submit that already answers with a finished result', async () => {
		const { adapter, calls } = scripted([], [], {
			submit: async () => ({ jobId: 'instant', status: succeeded }),
		});
		await expect(runJob(adapter, policy, { clock: new FakeClock() })).resolves.toMatchObject({
			polls: 0,
		});
		expect(calls.poll).toBe(0);
	});
});

describe('mapWithConcurrency', () => {
	it('keeps at most `limit` tasks in flight and returns results in input order', async () => {
		let inFlight = 0;
		let peak = 0;
		const started: number[] = [];
		const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0, 6], 3, async (value, index) => {
			started.push(index);
			inFlight++;
			peak = Math.max(peak, inFlight);
			for (let i = 0; i < value; i++) await Promise.resolve();
			inFlight--;
			if (value === 2) throw new Error('two');
			return value * 10;
		});
		expect(peak).toBe(3);
		expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
		expect(results.map((r) => (r.ok ? r.value : (r.error as Error).message))).toEqual([
			50,
			10,
			40,
			'two',
			30,
			0,
			60,
		]);
	});
});

describe('render pace', () => {
	/** A job that finishes `renderMs` after its submit, on the fake clock. */
	function timed(clock: FakeClock, renderMs: number) {
		let submittedAt = 0;
		const adapter: JobAdapter = {
			...ctx,
			async submit() {
				submittedAt = clock.now();
				return { jobId: `task-${submittedAt}` };
			},
			async poll() {
				return clock.now() - submittedAt >= renderMs ? succeeded : running;
			},
		};
		return adapter;
	}

	it('polls the next job of the same model tightly around the render time the first one showed', async () => {
		const clock = new FakeClock();
		const pace = new RenderTimes().forModel('veo-3.1-generate-001');
		const first = await runJob(timed(clock, 60_000), policy, { clock, pace });
		// 1, 2, 4, 8, 16, 24, ... 56 s unfinished; seen done at 64 s: 4 s late on a 60 s render.
		expect(first.finishedAt - first.startedAt).toBe(64_000);
		expect(pace.expectedMs()).toBe(56_000);

		const second = await runJob(timed(clock, 60_000), policy, { clock, pace });
		// Tight polls (1 s, 2.5% of 56 s capped by the interval) from 55 s on: done seen at 60 s.
		expect(second.finishedAt - second.startedAt).toBe(60_000);
		expect(second.polls).toBe(first.polls + 4);
	});

	it('polls sooner after a job that was already done at its first poll, so a fast model gives its slot back soon', async () => {
		const clock = new FakeClock();
		const pace = new RenderTimes().forModel('veo-3.1-fast-generate-001');
		const follow = { ...policy, follow: { typicalMs: 60_000, floorMs: 200 } };
		// Typical 60 s, so the first poll comes at 12 s; this model renders in 3 s.
		const first = await runJob(timed(clock, 3_000), follow, { clock, pace });
		expect(first.finishedAt - first.startedAt).toBe(12_000);
		expect(pace.expectedMs()).toBe(6_000);
		const second = await runJob(timed(clock, 3_000), follow, { clock, pace });
		// First poll at 3 s (half of the halved bound): done, so the bound halves again.
		expect(second.finishedAt - second.startedAt).toBe(3_000);
		expect(pace.expectedMs()).toBe(1_500);
		const third = await runJob(timed(clock, 3_000), follow, { clock, pace });
		// Seen unfinished at 0.75 s and followed from there: done seen within 10% of the render.
		expect(third.finishedAt - third.startedAt).toBeLessThanOrEqual(3_300);
		expect(pace.expectedMs()).toBeGreaterThan(2_500);
	});

	it('leaves the policy alone past twice the expected time, for jobs queued at the vendor', () => {
		expect(pacedWait(8000, 10_000, 56_000, 1000)).toBe(8000);
		expect(pacedWait(8000, 50_000, 56_000, 1000)).toBe(5000);
		expect(pacedWait(8000, 70_000, 56_000, 1000)).toBe(1000);
		expect(pacedWait(8000, 113_000, 56_000, 1000)).toBe(8000);
		expect(pacedWait(8000, 5_000, undefined, 1000)).toBe(8000);
		// Short renders: the tight interval never drops below 200 ms.
		expect(pacedWait(1000, 1_900, 2_000, 200)).toBe(200);
	});
});
