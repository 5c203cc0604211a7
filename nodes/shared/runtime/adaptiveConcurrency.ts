import type { Clock } from './clock';

/**
 * How many renders one vendor account takes at once, learned while a node run submits. Operators
 * do not know their account's cap (Runway tiers, Vertex quotas, gateways), so the node finds it:
 * it starts from a safe level (or the cap an earlier run learned) and grows while the vendor
 * accepts submits, by one per accept below the level the vendor has already shown it takes (fast
 * to get back there), by one per round of accepts above it (careful probing). A capacity refusal
 * (429, a quota error) or a job the vendor queues for its concurrency (Runway THROTTLED) halves
 * the level, once per round, so a burst of refusals to submits sent together counts as one.
 * The node's Concurrent Renders option is the ceiling.
 *
 * A refused submit is not paid (the vendor refused it), so trying it again is safe; it waits for
 * one of this run's renders to finish (the vendor's cap frees when ours do) and for the vendor's
 * retry hint, so refusals never loop hot.
 */
export interface ConcurrencyStart {
	/** The Concurrent Renders option: never more in flight than this. */
	upper: number;
	/** Where to start: a cap an earlier run learned, or the safe default. */
	start: number;
	/** True when `start` was learned: growth above it is careful from the first accept. */
	learned: boolean;
}

/** The safe level a run starts from when nothing was learned before. */
export const SAFE_START = 2;

/** The longest vendor retry hint every submit of the run waits for together. */
const MAX_HOLD_MS = 60_000;

/** One submit's place in the run's concurrency, from asking to send until its job is done. */
export interface SubmitTicket {
	/** The vendor took the job: it holds its place until `done`. */
	accepted(): void;
	/**
	 * The vendor refused for capacity. The place is given back and the level lowered; resolves to
	 * true once there is room to send again (after one of ours finished and the vendor's hint
	 * passed), to false at once when none of ours is in flight, so no room will come from us.
	 */
	refused(retryAfterMs: number | undefined, signal?: AbortSignal): Promise<boolean>;
	/** What the vendor last said of the accepted job: held back for the account's concurrency (Runway THROTTLED) or not. */
	status(throttled: boolean): void;
	/** The submit ended otherwise (not sent, bad input, unknown outcome): the place is given back. */
	abandoned(): void;
	/** The job is no longer in flight at the vendor (finished, failed, or no longer waited for). */
	done(): void;
}

/** Where submits wait for room: the account's concurrency as the job runner sees it. */
export interface SubmitGate {
	enter(signal?: AbortSignal): Promise<SubmitTicket>;
	adopt(): SubmitTicket;
	/**
	 * How long the account has refused for capacity with none of ours in flight, since its last
	 * accept (0 when it is not refusing so): room held by jobs this run cannot see end.
	 */
	refusedIdleForMs(): number;
}

interface Waiter {
	resolve: (ticket: SubmitTicket) => void;
	reject: (error: unknown) => void;
	signal?: AbortSignal;
	onAbort?: () => void;
}

export class AdaptiveConcurrency implements SubmitGate {
	/** Current level (fractional: additive growth adds 1/level per accept). */
	private level: number;
	/** The level the vendor has shown it takes; below it growth is one per accept. */
	private threshold: number;
	private sending = 0;
	private held = 0;
	/** Jobs of ours the vendor holds back for its concurrency right now. */
	private throttledNow = 0;
	private peakHeld = 0;
	/** Bumped at each decrease; a signal from a submit sent before the last decrease does not lower the level again. */
	private round = 0;
	private releases = 0;
	private holdUntil = 0;
	private waking = false;
	private readonly queue: Waiter[] = [];
	private readonly releaseWaiters: Array<{ after: number; resolve: () => void }> = [];
	/** Capacity refusals (429, quota) and THROTTLED jobs seen in this run. */
	readonly signals = { refused: 0, throttled: 0 };
	/** What the vendor ran for us each round it pushed back (narrowed by later signals of the round). */
	private readonly pushedBackAt: number[] = [];
	/** Since when every capacity refusal came with none of ours in flight; an accept clears it. */
	private refusedIdleSince: number | undefined;

	constructor(
		private readonly clock: Clock,
		private readonly settings: ConcurrencyStart,
	) {
		this.level = clamp(settings.start, 1, settings.upper);
		this.threshold = settings.learned ? this.level : settings.upper;
	}

	/** The whole level the run may have in flight now. */
	get limit(): number {
		return Math.max(1, Math.min(this.settings.upper, Math.floor(this.level + 1e-9)));
	}

	get inFlight(): number {
		return this.sending + this.held;
	}

	/**
	 * The cap to start the next run from: once the vendor pushed back, the median of what it ran for
	 * us each round it did (our count can run one ahead of the vendor's, between a job finishing and
	 * our noticing, and a per-minute quota can refuse below the cap; the median ignores both);
	 * else the most jobs it held at once (it took them all), never below where this run began.
	 */
	learnedCap(): number {
		const shown = [...this.pushedBackAt].sort((a, b) => a - b);
		const cap = shown.length
			? shown[Math.floor((shown.length - 1) / 2)]
			: Math.max(this.peakHeld, this.settings.start);
		return clamp(Math.floor(cap), 1, this.settings.upper);
	}

	/** Waits for room to send one submit. */
	async enter(signal?: AbortSignal): Promise<SubmitTicket> {
		if (signal?.aborted) throw signal.reason ?? new Error('aborted');
		return await new Promise<SubmitTicket>((resolve, reject) => {
			const waiter: Waiter = { resolve, reject, signal };
			if (signal) {
				waiter.onAbort = () => {
					const index = this.queue.indexOf(waiter);
					if (index >= 0) this.queue.splice(index, 1);
					reject(signal.reason ?? new Error('aborted'));
				};
				signal.addEventListener('abort', waiter.onAbort, { once: true });
			}
			this.queue.push(waiter);
			this.pump();
		});
	}

	refusedIdleForMs(): number {
		return this.refusedIdleSince === undefined ? 0 : this.clock.now() - this.refusedIdleSince;
	}

	/** A job already at the vendor (resumed from a recorded ID) takes its place without asking. */
	adopt(): SubmitTicket {
		this.held++;
		return this.ticket(this.round, true);
	}

	private ticket(round: number, holding: boolean): SubmitTicket {
		let state: 'sending' | 'held' | 'gone' = holding ? 'held' : 'sending';
		let isThrottled = false;
		const leaveSending = () => {
			if (state !== 'sending') return false;
			state = 'gone';
			this.sending--;
			return true;
		};
		return {
			accepted: () => {
				if (state !== 'sending') return;
				state = 'held';
				this.sending--;
				this.held++;
				this.refusedIdleSince = undefined;
				this.peakHeld = Math.max(this.peakHeld, this.held);
				this.grow();
				this.pump();
			},
			refused: async (retryAfterMs, signal) => {
				if (!leaveSending()) return false;
				this.signals.refused++;
				// A hint longer than any render (a daily limit) is not the account's concurrency: the job
				// runner's own bounded retries answer it, and nobody else is held for an hour.
				if (retryAfterMs !== undefined && retryAfterMs > MAX_HOLD_MS) {
					this.pump();
					return false;
				}
				const ours = this.held;
				this.lower(round, ours);
				if (retryAfterMs !== undefined && retryAfterMs > 0)
					this.holdUntil = Math.max(this.holdUntil, this.clock.now() + retryAfterMs);
				if (ours === 0) {
					this.refusedIdleSince ??= this.clock.now();
					// The place this submit gave back goes to the next waiting one (after the hint): left
					// unpumped, submits queued behind it wait for a release no job of ours will make.
					this.pump();
					return false;
				}
				// Room comes back when one of ours finishes; until then sending again would be refused again.
				await this.releaseAfter(this.releases, signal);
				return true;
			},
			status: (throttled) => {
				if (state !== 'held' || throttled === isThrottled) return;
				isThrottled = throttled;
				this.throttledNow += throttled ? 1 : -1;
				if (!throttled) return;
				this.signals.throttled++;
				// The vendor runs only those of ours it does not hold back: that is its cap for now.
				this.lower(round, this.held - this.throttledNow);
			},
			abandoned: () => {
				if (leaveSending()) this.pump();
			},
			done: () => {
				if (leaveSending()) return this.pump();
				if (state !== 'held') return;
				state = 'gone';
				this.held--;
				if (isThrottled) this.throttledNow--;
				this.releases++;
				for (const waiter of this.releaseWaiters.splice(0)) waiter.resolve();
				this.pump();
			},
		};
	}

	private grow(): void {
		const step = this.level < this.threshold ? 1 : 1 / this.level;
		this.level = Math.min(this.settings.upper, this.level + step);
	}

	/**
	 * Multiplicative decrease, once per round; `accepted` is what the vendor runs for us now, so the
	 * level never stays above it (sending more would only be refused or queued again).
	 */
	private lower(round: number, accepted: number): void {
		const shown = Math.max(1, accepted);
		if (round === this.round) {
			this.round++;
			this.threshold = shown;
			this.level = Math.max(1, Math.min(this.level, shown) / 2);
			this.pushedBackAt.push(shown);
			return;
		}
		// A later signal of the same round narrows what the vendor has shown, without halving again.
		this.threshold = Math.min(this.threshold, shown);
		this.level = Math.min(this.level, this.threshold);
		if (this.pushedBackAt.length)
			this.pushedBackAt[this.pushedBackAt.length - 1] = Math.min(
				this.pushedBackAt[this.pushedBackAt.length - 1],
				shown,
			);
	}

	private async releaseAfter(count: number, signal?: AbortSignal): Promise<void> {
		if (this.releases > count) return;
		await new Promise<void>((resolve, reject) => {
			const entry = { after: count, resolve };
			this.releaseWaiters.push(entry);
			signal?.addEventListener(
				'abort',
				() => {
					const index = this.releaseWaiters.indexOf(entry);
					if (index >= 0) this.releaseWaiters.splice(index, 1);
					reject(signal.reason ?? new Error('aborted'));
				},
				{ once: true },
			);
		});
	}

	/** Grants room in arrival order; holds everyone while a vendor's retry hint runs. */
	private pump(): void {
		while (this.queue.length && this.inFlight < this.limit) {
			const wait = this.holdUntil - this.clock.now();
			if (wait > 0) return this.wakeAfter(wait);
			const waiter = this.queue.shift()!;
			if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
			this.sending++;
			waiter.resolve(this.ticket(this.round, false));
		}
	}

	private wakeAfter(ms: number): void {
		if (this.waking) return;
		this.waking = true;
		void this.clock.sleep(ms).then(
			() => {
				this.waking = false;
				this.pump();
			},
			() => {
				this.waking = false;
			},
		);
	}
}

function clamp(value: number, min: number, max: number): number {
	return Math.max(min, Math.min(max, Number.isFinite(value) ? value : min));
}
