import type { Qc, RenderLayer, RetryHint, Shot, Take, Verdict } from '../contract/schemas';

export type Route = 'passed' | RenderLayer | 'needs_review';

export interface Decision {
	route: Route;
	qc: Qc;
	retryHint?: RetryHint;
	reasons: Verdict[];
	/** Why a failing shot is not retried. */
	reviewReason?: string;
}

export interface Budgets {
	retries: Record<RenderLayer, number>;
	/** Run money left (undefined = no run budget). */
	remainingUsd?: number;
}

/**
 * Where a shot goes after its checks: passed; back to the layer that owns the first failed check
 * (with a hint the render nodes apply) while that layer has retries and the run has money for a
 * re-render; otherwise needs review. Unrecoverable failures (a safety block) go straight to review.
 */
export function decide(shot: Shot, take: Take | undefined, previous: Qc | undefined, verdicts: Verdict[], budgets: Budgets): Decision {
	const attempts = { ...(previous?.attempts ?? { narrative: 0, hero: 0, control: 0 }) };
	const failed = verdicts.filter((v) => !v.pass);
	const base = (status: Qc['status']): Qc => ({ attempts, verdicts, status });
	if (!failed.length) return { route: 'passed', qc: base('passed'), reasons: [] };
	if (take?.status === 'failed' && take.failure && !take.failure.retryable) {
		return { route: 'needs_review', qc: base('needs_review'), reasons: failed, reviewReason: `unrecoverable: ${take.failure.code ?? take.failure.message}` };
	}
	const layer = failed[0].layer;
	// A shot with no take yet is being dispatched to its layer for its first render, and a render
	// still in flight goes back to be collected (resumed): neither spends a retry.
	const inFlight = !take || ['submitted', 'queued', 'running'].includes(take.status);
	if (!inFlight && attempts[layer] >= budgets.retries[layer]) {
		return { route: 'needs_review', qc: base('needs_review'), reasons: failed, reviewReason: `${layer} retry budget (${budgets.retries[layer]}) spent` };
	}
	const rerenderCost = take?.costUsd ?? 0;
	if (!inFlight && budgets.remainingUsd !== undefined && rerenderCost > budgets.remainingUsd + 1e-9) {
		return { route: 'needs_review', qc: base('needs_review'), reasons: failed, reviewReason: `a re-render (~$${rerenderCost.toFixed(2)}) would pass the run budget ($${budgets.remainingUsd.toFixed(2)} left)` };
	}
	if (!inFlight) attempts[layer] += 1;
	const checks = new Set(failed.filter((v) => v.layer === layer).map((v) => v.check));
	const hint: RetryHint = {
		layer,
		newSeed: !inFlight,
		...([...checks].some((c) => c.startsWith('pin.') || c === 'vision.identity') ? { reinforceReferences: true } : {}),
		...(checks.has('duration') ? { durationSeconds: shot.durationSeconds } : {}),
		...(checks.has('vision.colour') ? { note: 'Match the pinned colour grade and palette exactly.' } : {}),
	};
	return { route: layer, qc: base('retry'), retryHint: hint, reasons: failed };
}
