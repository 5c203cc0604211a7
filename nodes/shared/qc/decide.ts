import type {
	Qc,
	RenderError,
	RenderLayer,
	RetryHint,
	Shot,
	Take,
	Verdict,
} from '../contract/schemas';
import { isInFlight } from '../takes';

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

/** Failures a re-render cannot mend (the clip cannot be read with the credentials the node has). */
// Failures a re-render cannot mend: no credential reads the clip, or a character's anchor clip is
// not in this execution (another render would fail against it the same way, and be paid for).
const UNRECOVERABLE_CHECKS = new Set(['probe.credential', 'vision.anchor']);

/**
 * Where a shot goes when its render node could not finish it. A submit refused for money goes
 * back once the run can give it what it needs (no retry is spent: nothing was rendered); every
 * other render error goes to Needs Review with its message, which names any job ID: a job that
 * may still be running or was paid for is the operator's to collect, never paid again here.
 */
export function decideRenderError(
	renderError: RenderError,
	previous: Qc | undefined,
	remainingUsd: number | undefined,
	previousAllowanceUsd: number | undefined,
): Decision {
	const attempts = { ...(previous?.attempts ?? { narrative: 0, hero: 0, control: 0 }) };
	const verdicts: Verdict[] = [
		{
			check: 'render.error',
			value: renderError.code,
			threshold: null,
			pass: false,
			layer: renderError.layer,
		},
	];
	const qc = (status: Qc['status']): Qc => ({ attempts, verdicts, status });
	const need = renderError.neededUsd ?? 0;
	// Only a bigger allowance than the refused one can change the answer; anything else would loop.
	const moreMoney =
		remainingUsd === undefined ||
		(remainingUsd + 1e-9 >= need &&
			(previousAllowanceUsd === undefined || previousAllowanceUsd + 1e-9 < need));
	if (renderError.code === 'budget' && previousAllowanceUsd !== undefined && moreMoney) {
		return {
			route: renderError.layer,
			qc: qc('retry'),
			retryHint: { layer: renderError.layer, newSeed: false },
			reasons: verdicts,
		};
	}
	const job = renderError.jobId ? ` (job ${renderError.jobId})` : '';
	return {
		route: 'needs_review',
		qc: qc('needs_review'),
		reasons: verdicts,
		reviewReason: `${renderError.layer} render error ${renderError.code}${job}: ${renderError.message}`,
	};
}

/**
 * Where a shot goes after its checks: passed; back to the layer that owns the first failed check
 * (with a hint the render nodes apply) while that layer has retries and the run has money for a
 * re-render; otherwise needs review. Unrecoverable failures (a safety block) go straight to review.
 */
export function decide(
	shot: Shot,
	take: Take | undefined,
	previous: Qc | undefined,
	verdicts: Verdict[],
	budgets: Budgets,
): Decision {
	const attempts = { ...(previous?.attempts ?? { narrative: 0, hero: 0, control: 0 }) };
	const failed = verdicts.filter((v) => !v.pass);
	const base = (status: Qc['status']): Qc => ({ attempts, verdicts, status });
	if (!failed.length) return { route: 'passed', qc: base('passed'), reasons: [] };
	const unrecoverable = failed.find((v) => UNRECOVERABLE_CHECKS.has(v.check));
	if (unrecoverable) {
		return {
			route: 'needs_review',
			qc: base('needs_review'),
			reasons: failed,
			reviewReason: `unrecoverable: ${unrecoverable.check}: ${String(unrecoverable.value)}`,
		};
	}
	if (take?.status === 'failed' && take.failure && !take.failure.retryable) {
		return {
			route: 'needs_review',
			qc: base('needs_review'),
			reasons: failed,
			reviewReason: `unrecoverable: ${take.failure.code ?? take.failure.message}`,
		};
	}
	const layer = failed[0].layer;
	// A shot with no take yet is being dispatched to its layer for its first render, and a render
	// still in flight goes back to be collected (resumed): neither spends a retry.
	const inFlight = !take || isInFlight(take);
	if (!inFlight && attempts[layer] >= budgets.retries[layer]) {
		return {
			route: 'needs_review',
			qc: base('needs_review'),
			reasons: failed,
			reviewReason: `${layer} retry budget (${budgets.retries[layer]}) spent`,
		};
	}
	const rerenderCost = take?.costUsd ?? 0;
	if (
		!inFlight &&
		budgets.remainingUsd !== undefined &&
		rerenderCost > budgets.remainingUsd + 1e-9
	) {
		return {
			route: 'needs_review',
			qc: base('needs_review'),
			reasons: failed,
			reviewReason: `a re-render (~$${rerenderCost.toFixed(2)}) would pass the run budget ($${budgets.remainingUsd.toFixed(2)} left)`,
		};
	}
	if (!inFlight) attempts[layer] += 1;
	const checks = new Set(failed.filter((v) => v.layer === layer).map((v) => v.check));
	const hint: RetryHint = {
		layer,
		newSeed: !inFlight,
		...([...checks].some((c) => c.startsWith('pin.') || c === 'vision.identity')
			? { reinforceReferences: true }
			: {}),
		...(checks.has('duration') ? { durationSeconds: shot.durationSeconds } : {}),
		...(checks.has('vision.colour')
			? { note: 'Match the pinned colour grade and palette exactly.' }
			: {}),
	};
	return { route: layer, qc: base('retry'), retryHint: hint, reasons: failed };
}
