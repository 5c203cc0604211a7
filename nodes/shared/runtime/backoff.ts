export interface BackoffPolicy {
	/** First wait after a submit (vendors document that a job is never done sooner). */
	firstDelayMs: number;
	/** Wait between polls at the start. */
	intervalMs: number;
	/** Cap for the growing interval. */
	maxIntervalMs: number;
	/** Growth per poll (1 = fixed interval). */
	factor: number;
	/** Fraction of the interval added or removed at random, so a batch does not poll in lock-step. */
	jitter: number;
}

export function nextInterval(current: number, policy: BackoffPolicy): number {
	return Math.min(policy.maxIntervalMs, Math.max(policy.intervalMs, current * policy.factor));
}

export function withJitter(ms: number, jitter: number, random: () => number): number {
	if (jitter <= 0) return ms;
	const spread = ms * Math.min(jitter, 1);
	return Math.max(0, Math.round(ms - spread + random() * 2 * spread));
}
