/** What the wait loop needs to know about one model's render time. */
export interface RenderPace {
	/** A render time of this model no job in this node run has beaten, ms from submit. */
	expectedMs(): number | undefined;
	observe(ms: number): void;
	/** A job was already done at its first poll, `ms` after its submit: an upper bound of the render time. */
	finishedBy(ms: number): void;
	/**
	 * The render time to judge a straggler by: the shortest a job of this run was still seen
	 * unfinished at, else the model's typical time, never above what the run saw jobs done by.
	 * Half the upper bound (what polling starts from) would be the delay, not the render, in a step
	 * that collects long after the submit: every job is done at its first poll there, and a stuck
	 * one would be waited for twice that delay before it is handed on. A lower bound measured from
	 * the submit there holds the delay too (and, at a vendor that queues, time queued before the
	 * pass), so the upper bound caps it.
	 */
	renderEstimateMs(typicalMs: number): number;
}

/**
 * Render times seen in one node run, per model. Vendors do not say when a job will be done, but a
 * batch renders the same model many times: once one job has finished, the others are polled
 * tightly around that time instead of on a growing interval, so a finished render is noticed
 * within a few percent of its render time without polling more often the rest of the time.
 * Each job contributes the last time it was seen unfinished, a lower bound of its render time;
 * the smallest bound is kept because a job queued behind others only takes longer.
 * A model that renders much faster than its typical time is done before its first poll, which
 * tells only an upper bound: the next jobs are first polled at half of it, until one is seen
 * unfinished and gives a lower bound (or the bound halves again). A slot the account gives back
 * late is a render that could have run, so this matters as much as the detection delay.
 */
export class RenderTimes {
	private readonly fastest = new Map<string, number>();
	private readonly doneBy = new Map<string, number>();

	forModel(model: string): RenderPace {
		return {
			expectedMs: () => {
				const lower = this.fastest.get(model);
				if (lower !== undefined) return lower;
				const upper = this.doneBy.get(model);
				return upper === undefined ? undefined : upper / 2;
			},
			observe: (ms) => {
				if (ms > 0) this.fastest.set(model, Math.min(ms, this.fastest.get(model) ?? Infinity));
			},
			finishedBy: (ms) => {
				if (ms > 0) this.doneBy.set(model, Math.min(ms, this.doneBy.get(model) ?? Infinity));
			},
			renderEstimateMs: (typicalMs) =>
				Math.min(this.fastest.get(model) ?? typicalMs, this.doneBy.get(model) ?? Infinity),
		};
	}
}

/** Near the expected finish, poll at 2.5% of the render time, never below the UI minimum. */
const TIGHT_SHARE = 0.025;
const TIGHT_FLOOR_MS = 200;

/**
 * The next wait, given the policy's own (`wait`) and how long the job has run. Before the expected
 * finish the policy's wait is shortened to land just before it; from there until twice the
 * expected time (a job queued at the vendor finishes later) polls are tight; after that the
 * policy's growing interval applies again.
 */
export function pacedWait(
	wait: number,
	elapsedMs: number,
	expectedMs: number | undefined,
	intervalMs: number,
): number {
	if (expectedMs === undefined) return wait;
	const tight = Math.max(TIGHT_FLOOR_MS, Math.min(intervalMs, expectedMs * TIGHT_SHARE));
	const windowStart = expectedMs - tight;
	if (elapsedMs < windowStart) return Math.min(wait, windowStart - elapsedMs);
	if (elapsedMs < expectedMs * 2) return Math.min(wait, tight);
	return wait;
}

/**
 * Shares of the render time that polling which follows the render uses. Before anything in the
 * run has finished, the first poll comes at a fifth of the model's typical render time and each
 * later one after 5% of the time waited so far, so a job is noticed within 5% of its render time
 * however far it is from the typical figure, at a few dozen polls. Once the run has seen the
 * model finish, polls skip to half that time, close in at 10% of the time waited, and are tight
 * (2.5%) around the expected finish.
 */
export const FOLLOW_SHARES = { first: 0.2, unknown: 0.05, early: 0.1 };

/**
 * The next wait of polling that follows the render; `expectedMs` is what this run has observed,
 * `floorMs` the vendor's shortest poll interval (Runway asks for 5 s at least).
 */
export function followingWait(
	elapsedMs: number,
	typicalMs: number,
	expectedMs: number | undefined,
	floorMs = TIGHT_FLOOR_MS,
): number {
	const floor = Math.max(TIGHT_FLOOR_MS, floorMs);
	if (expectedMs !== undefined) {
		const tight = Math.max(floor, expectedMs * TIGHT_SHARE);
		const windowStart = expectedMs - tight;
		if (elapsedMs < expectedMs / 2) return Math.max(floor, expectedMs / 2 - elapsedMs);
		if (elapsedMs < windowStart)
			return Math.max(floor, Math.min(windowStart - elapsedMs, elapsedMs * FOLLOW_SHARES.early));
		if (elapsedMs < expectedMs * 2) return tight;
	}
	if (elapsedMs <= 0) return Math.max(floor, typicalMs * FOLLOW_SHARES.first);
	return Math.max(floor, elapsedMs * FOLLOW_SHARES.unknown);
}
