import { AccountSaturatedError, VendorHttpError } from '../../nodes/shared/errors';
import { settle } from '../../nodes/shared/runtime/concurrency';
import {
	AdaptiveConcurrency,
	SAFE_START,
	type SubmitTicket,
} from '../../nodes/shared/runtime/adaptiveConcurrency';
import {
	submitJob,
	waitForSubmitted,
	type JobAdapter,
	type WaitPolicy,
} from '../../nodes/shared/runtime/jobRunner';
import { followingWait } from '../../nodes/shared/runtime/renderTimes';
import { concurrencyStart } from '../../nodes/shared/render/accountConcurrency';
import { FakeClock } from '../harness/fakeClock';

const fresh = (upper: number, clock = new FakeClock()) =>
	new AdaptiveConcurrency(clock, { upper, start: SAFE_START, learned: false });

/** Enters and lets the vendor accept, `count` times, returning the held tickets. */
async function acceptMany(gate: AdaptiveConcurrency, count: number): Promise<SubmitTicket[]> {
	const tickets: SubmitTicket[] = [];
	for (let i = 0; i < count; i++) {
		const ticket = await gate.enter();
		ticket.accepted();
		tickets.push(ticket);
	}
	return tickets;
}

/** True when `promise` has settled after the microtasks queued so far ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
	let done = false;
	void promise.then(
		() => (done = true),
		() => (done = true),
	);
	for (let i = 0; i < 10; i++) await Promise.resolve();
	return done;
}

describe('adaptive concurrency (AIMD) per vendor account', () => {
	it('starts from the safe default and grows by one per accepted submit', async () => {
		const gate = fresh(20);
		expect(gate.limit).toBe(SAFE_START);
		await acceptMany(gate, 5);
		expect(gate.limit).toBe(SAFE_START + 5);
		expect(gate.inFlight).toBe(5);
	});

	it('never lets more in flight than the option’s upper limit, however many accepts', async () => {
		const gate = fresh(6);
		const held = await acceptMany(gate, 6);
		expect(gate.limit).toBe(6);
		const seventh = gate.enter();
		expect(await settled(seventh)).toBe(false);
		expect(gate.inFlight).toBe(6);
		held[0].done();
		const ticket = await seventh;
		ticket.accepted();
		for (const t of [...held.slice(1), ticket]) t.done();
		for (let i = 0; i < 50; i++) {
			const next = await gate.enter();
			next.accepted();
			next.done();
		}
		expect(gate.limit).toBe(6);
		expect(gate.inFlight).toBeLessThanOrEqual(6);
		expect(gate.learnedCap()).toBe(6);
	});

	it('halves on a 429, once for a burst of refusals sent together, and learns the level the vendor held', async () => {
		const gate = fresh(20);
		await acceptMany(gate, 8);
		expect(gate.limit).toBe(10);
		const ninth = await gate.enter();
		const tenth = await gate.enter();
		const refusedNinth = ninth.refused(undefined);
		expect(gate.limit).toBe(4);
		const refusedTenth = tenth.refused(undefined);
		// The second refusal was sent in the same round: no second halving.
		expect(gate.limit).toBe(4);
		expect(gate.signals.refused).toBe(2);
		expect(gate.learnedCap()).toBe(8);
		expect(await settled(refusedNinth)).toBe(false);
		expect(await settled(refusedTenth)).toBe(false);
	});

	it('halves on Runway THROTTLED and counts only the jobs the vendor runs as what it takes', async () => {
		const gate = fresh(20);
		const held = await acceptMany(gate, 8);
		held[7].status(true);
		expect(gate.limit).toBe(3);
		held[6].status(true);
		// Same round: narrowed to what runs (6), not halved again.
		expect(gate.limit).toBe(3);
		expect(gate.learnedCap()).toBe(6);
		expect(gate.signals.throttled).toBe(2);
	});

	it('a refused submit waits for one of ours to finish, and for the vendor’s retry hint', async () => {
		const clock = new FakeClock();
		const gate = fresh(20, clock);
		const held = await acceptMany(gate, 3);
		const refused = (await gate.enter()).refused(5000);
		expect(await settled(refused)).toBe(false);
		held[0].done();
		expect(await refused).toBe(true);
		// Halved from the three the vendor held: room again once the level allows it.
		expect(gate.limit).toBe(1);
		for (const t of held.slice(1)) t.done();
		const retry = await gate.enter();
		expect(clock.now()).toBeGreaterThanOrEqual(5000);
		retry.accepted();
	});

	it('a refusal with an hour-long hint (a daily limit) is not taken for the concurrency: nobody is held, the level stays', async () => {
		const clock = new FakeClock();
		const gate = fresh(20, clock);
		const held = await acceptMany(gate, 3);
		expect(await (await gate.enter()).refused(3_600_000)).toBe(false);
		expect(gate.limit).toBe(5);
		held[0].done();
		(await gate.enter()).accepted();
		expect(clock.now()).toBe(0);
	});

	it('a refusal with none of ours in flight does not wait: no room will come from this run', async () => {
		const gate = fresh(20);
		expect(await (await gate.enter()).refused(undefined)).toBe(false);
		expect(gate.inFlight).toBe(0);
	});

	it('a submit refused with none of ours in flight gives its place to the next waiting one: nothing queued behind it waits for a release that will never come', async () => {
		const gate = fresh(20);
		const first = await gate.enter();
		const second = await gate.enter();
		const third = gate.enter();
		expect(await settled(third)).toBe(false);
		expect(await first.refused(undefined)).toBe(false);
		expect(await second.refused(undefined)).toBe(false);
		// No job of ours is in flight and nobody else enters: the waiting submit gets its turn anyway.
		expect(await settled(third)).toBe(true);
		(await third).accepted();
		expect(gate.inFlight).toBe(1);
	});

	it('a run that starts from a learned cap grows carefully above it (one per round of accepts)', async () => {
		const gate = new AdaptiveConcurrency(new FakeClock(), { upper: 20, start: 8, learned: true });
		expect(gate.limit).toBe(8);
		const round = await acceptMany(gate, 8);
		expect(gate.limit).toBe(8);
		for (const t of round) t.done();
		await acceptMany(gate, 1);
		expect(gate.limit).toBe(9);
	});

	it('a cancelled execution stops a submit waiting for room', async () => {
		const gate = fresh(1);
		await acceptMany(gate, 1);
		const controller = new AbortController();
		const waiting = gate.enter(controller.signal);
		controller.abort(new Error('cancelled'));
		await expect(waiting).rejects.toThrow('cancelled');
		expect(gate.inFlight).toBe(1);
	});

	it('starts from the option, else the highest cap on the input items, else the safe default', () => {
		const item = (learnedConcurrency?: unknown) => ({ json: { learnedConcurrency } as never });
		expect(concurrencyStart([item(), item()], 'google', { upper: 20, start: 0 })).toEqual({
			upper: 20,
			start: SAFE_START,
			learned: false,
		});
		expect(
			concurrencyStart([item({ google: 6 }), item({ google: 8, runway: 2 })], 'google', {
				upper: 20,
				start: 0,
			}),
		).toEqual({ upper: 20, start: 8, learned: true });
		expect(concurrencyStart([item({ google: 30 })], 'google', { upper: 12, start: 0 }).start).toBe(
			12,
		);
		expect(
			concurrencyStart([item({ google: 'many' }), item({ runway: 2 })], 'google', {
				upper: 20,
				start: 0,
			}).learned,
		).toBe(false);
		expect(concurrencyStart([item({ google: 8 })], 'google', { upper: 20, start: 3 })).toEqual({
			upper: 20,
			start: 3,
			learned: true,
		});
	});
});

const policy: WaitPolicy = {
	firstDelayMs: 100,
	intervalMs: 100,
	maxIntervalMs: 300,
	factor: 1.25,
	jitter: 0,
	timeoutMs: 3_600_000,
	maxConsecutivePollErrors: 3,
	maxSubmitRetries: 2,
};

/**
 * A vendor account with a concurrency cap it does not disclose: a submit over the cap is refused
 * with 429 (not paid); every accepted job is charged once and finishes `renderMs` later.
 */
function cappedVendor(clock: FakeClock, cap: number, renderMs: number) {
	const jobs = new Map<string, { endsAt: number; charged: number }>();
	let refusals = 0;
	let peak = 0;
	const active = () => [...jobs.values()].filter((job) => job.endsAt > clock.now()).length;
	const adapter = (itemIndex: number): JobAdapter => ({
		vendor: 'google',
		itemIndex,
		async submit() {
			if (active() >= cap) {
				refusals++;
				throw new VendorHttpError({
					vendor: 'google',
					itemIndex,
					statusCode: 429,
					vendorMessage: 'Quota exceeded',
					retryAfterMs: 1000,
					operation: 'Submit',
				});
			}
			const jobId = `job-${itemIndex}`;
			const job = jobs.get(jobId);
			if (job) job.charged++;
			else jobs.set(jobId, { endsAt: clock.now() + renderMs, charged: 1 });
			peak = Math.max(peak, active());
			return { jobId };
		},
		async poll(jobId) {
			return jobs.get(jobId)!.endsAt <= clock.now()
				? { phase: 'succeeded', vendorStatus: 'done', body: {} }
				: { phase: 'running', vendorStatus: 'running', body: {} };
		},
	});
	return { adapter, jobs, refusals: () => refusals, peak: () => peak };
}

describe('job runner with the account’s concurrency', () => {
	it('an undisclosed cap: every item is charged exactly once, the cap is never exceeded and it is learned', async () => {
		const clock = new FakeClock();
		const vendor = cappedVendor(clock, 3, 60_000);
		const gate = fresh(20, clock);
		await Promise.all(
			Array.from({ length: 12 }, async (_, itemIndex) => {
				const adapter = vendor.adapter(itemIndex);
				const options = { clock, gate };
				const submitted = await submitJob(adapter, policy, options);
				await waitForSubmitted(adapter, submitted, policy, options);
				submitted.ticket!.done();
			}),
		);
		expect(vendor.jobs.size).toBe(12);
		expect([...vendor.jobs.values()].every((job) => job.charged === 1)).toBe(true);
		expect(vendor.peak()).toBeLessThanOrEqual(3);
		expect(vendor.refusals()).toBeGreaterThan(0);
		expect(gate.learnedCap()).toBe(3);
	});

	it('an account whose places are held by jobs that never end: once it has refused for a whole render timeout with none of ours in flight, each item stops after one unpaid try, says why, and an accept starts the count anew', async () => {
		const clock = new FakeClock();
		const vendor = cappedVendor(clock, 2, 1000);
		// Two jobs of another client (or stuck at the vendor) hold both places for good.
		const forever = [
			{ endsAt: Infinity, charged: 1 },
			{ endsAt: Infinity, charged: 1 },
		];
		forever.forEach((job, index) => vendor.jobs.set(`held-${index}`, job));
		const gate = fresh(20, clock);
		const window = { ...policy, timeoutMs: 5000 };
		const tries: number[] = [];
		const outcomes: unknown[] = [];
		for (let itemIndex = 0; itemIndex < 6; itemIndex++) {
			const before = vendor.refusals();
			const submitted = await settle(
				async () => await submitJob(vendor.adapter(itemIndex), window, { clock, gate }),
			);
			tries.push(vendor.refusals() - before);
			outcomes.push(submitted.ok ? submitted.value : submitted.error);
		}
		// The first items try three times (the 429 retries), as before; once the account has refused
		// for the 5 s render timeout, an item stops at its first refusal.
		expect(tries.slice(0, 2)).toEqual([3, 3]);
		expect(outcomes[0]).toBeInstanceOf(VendorHttpError);
		expect(tries.at(-1)).toBe(1);
		expect(outcomes.at(-1)).toBeInstanceOf(AccountSaturatedError);
		expect(tries.reduce((sum, n) => sum + n, 0)).toBeLessThan(6 * 3);
		expect((outcomes.at(-1) as Error).message).toMatch(
			/^Not sent, nothing paid: the account has refused every submit for capacity for \d+ s, a whole render timeout, with none of this step's renders in flight.*\[google, item 5\]$/,
		);
		expect(vendor.jobs.size).toBe(2);

		// Room again: the next item is accepted, and the count of refusals starts again from zero.
		for (const job of forever) job.endsAt = clock.now();
		const accepted = await submitJob(vendor.adapter(6), window, { clock, gate });
		expect(accepted.jobId).toBe('job-6');
		expect(gate.refusedIdleForMs()).toBe(0);
	});
});

describe('polling that follows the render', () => {
	/** Detection delay of a job that renders `renderMs`, polled on followingWait's schedule. */
	const delay = (renderMs: number, typicalMs: number, expectedMs?: number, floorMs = 1000) => {
		let t = 0;
		let polls = 0;
		while (t < renderMs) {
			t += followingWait(t, typicalMs, expectedMs, floorMs);
			polls++;
		}
		return { ratio: (t - renderMs) / renderMs, polls };
	};

	it('notices a render within 5% of its render time before the run has seen one finish, from a third to four times the typical time', () => {
		for (const factor of [0.3, 0.5, 0.8, 1, 1.5, 2, 4]) {
			const { ratio, polls } = delay(60_000 * factor, 60_000);
			expect(ratio).toBeLessThanOrEqual(0.05);
			expect(polls).toBeLessThan(80);
		}
	});

	it('once the run has seen the model finish, polls jump ahead and close in tightly: within 2.5% at a handful of polls', () => {
		const { ratio, polls } = delay(30_000, 60_000, 29_800, 200);
		expect(ratio).toBeLessThanOrEqual(0.025);
		expect(polls).toBeLessThanOrEqual(12);
		// With Google's 1 s floor, still within 5%.
		expect(delay(30_000, 60_000, 29_800).ratio).toBeLessThanOrEqual(0.05);
	});

	it('keeps the vendor’s shortest poll interval (Runway asks for 5 s)', () => {
		for (const elapsed of [0, 1000, 20_000, 44_000])
			expect(followingWait(elapsed, 45_000, 45_000, 5000)).toBeGreaterThanOrEqual(5000);
	});
});
