import type {
	CostLayer,
	LedgerEntry,
	Pipeline,
	RenderError,
	Take,
	Vendor,
} from './contract/schemas';
import { BudgetExceededError } from './errors';
import { CREDIT_USD, type PriceEstimate } from './registry/registry';

const round6 = (value: number): number => Math.round(value * 1e6) / 1e6;

/** What the vendor counted for a job (e.g. seconds on its hardware) and its published price per unit. */
export interface MeteredCharge {
	unit: 'second';
	units: number;
	unitPriceUsd: number;
}

export function ledgerEntry(args: {
	layer: CostLayer;
	vendor: Vendor;
	model: string;
	jobId: string;
	estimate: PriceEstimate;
	/** Credits the vendor itself reported (Runway `cost` or `estimatedCost`); replaces our estimate. */
	vendorCredits?: number;
	/** True when `vendorCredits` is the vendor's final charge rather than its estimate. */
	vendorCreditsFinal?: boolean;
	/** The charge in USD the vendor itself reported (a gateway's `usage.cost`); replaces our estimate. */
	vendorUsd?: number;
	/** Units the vendor metered at its published price (Replicate's predict_time x hardware); replaces our estimate. */
	vendorMetered?: MeteredCharge;
}): LedgerEntry {
	const metered = args.vendorMetered;
	if (
		metered &&
		Number.isFinite(metered.units) &&
		metered.units >= 0 &&
		Number.isFinite(metered.unitPriceUsd) &&
		metered.unitPriceUsd >= 0
	) {
		const units = round6(metered.units);
		return {
			layer: args.layer,
			vendor: args.vendor,
			model: args.model,
			unit: metered.unit,
			units,
			unitPriceUsd: metered.unitPriceUsd,
			usd: round6(units * metered.unitPriceUsd),
			jobId: args.jobId,
			// The vendor's own count of what it bills, at the price it publishes for it.
			estimated: false,
		};
	}
	if (args.vendorUsd !== undefined && Number.isFinite(args.vendorUsd) && args.vendorUsd >= 0) {
		// Counted in the estimate's units (seconds of video), at the price the vendor's charge implies.
		const units = args.estimate.units > 0 ? args.estimate.units : 1;
		return {
			layer: args.layer,
			vendor: args.vendor,
			model: args.model,
			unit: args.estimate.units > 0 ? args.estimate.unit : 'request',
			units,
			unitPriceUsd: args.vendorUsd / units,
			usd: round6(args.vendorUsd),
			jobId: args.jobId,
			estimated: false,
		};
	}
	if (args.vendorCredits !== undefined && Number.isFinite(args.vendorCredits)) {
		return {
			layer: args.layer,
			vendor: args.vendor,
			model: args.model,
			unit: 'credit',
			units: args.vendorCredits,
			unitPriceUsd: CREDIT_USD,
			usd: round6(args.vendorCredits * CREDIT_USD),
			jobId: args.jobId,
			estimated: !args.vendorCreditsFinal,
		};
	}
	const { unit, units, unitPriceUsd } = args.estimate;
	return {
		layer: args.layer,
		vendor: args.vendor,
		model: args.model,
		unit,
		units,
		unitPriceUsd,
		usd: round6(units * unitPriceUsd),
		jobId: args.jobId,
		estimated: args.estimate.estimated,
	};
}

/** Ledger entries can travel on several items (a storyboard call shared by every shot); count each once. */
export function entryKey(entry: LedgerEntry): string {
	return `${entry.layer}|${entry.vendor}|${entry.model}|${entry.jobId}`;
}

export function ledgerTotal(entries: Iterable<LedgerEntry>): number {
	const seen = new Map<string, number>();
	for (const entry of entries) seen.set(entryKey(entry), entry.usd);
	return round6([...seen.values()].reduce((sum, usd) => sum + usd, 0));
}

export function costByLayer(entries: Iterable<LedgerEntry>): Record<string, number> {
	const seen = new Map<string, LedgerEntry>();
	for (const entry of entries) seen.set(entryKey(entry), entry);
	const out: Record<string, number> = {};
	for (const entry of seen.values()) out[entry.layer] = round6((out[entry.layer] ?? 0) + entry.usd);
	return out;
}

/**
 * What a take still holds of the budget: its cost while its vendor job may finish and be charged
 * (submitted, queued, running, or a wait that timed out: the job goes on at the vendor) and no
 * ledger entry has paid it yet; nothing otherwise.
 */
export function heldCost(take: Take, ledger: LedgerEntry[]): number {
	const unfinished =
		take.status === 'submitted' ||
		take.status === 'queued' ||
		take.status === 'running' ||
		take.status === 'timed_out';
	return unfinished &&
		!ledger.some((entry) => entry.jobId === take.jobId && entry.layer === take.layer)
		? take.costUsd
		: 0;
}

/** What a submit whose outcome is unknown may have cost: it may be rendering, so it stays held. */
export function unknownOutcomeCost(renderError: RenderError | undefined): number {
	return renderError?.code === 'outcome_unknown' ? (renderError.neededUsd ?? 0) : 0;
}

interface RunBudget {
	budgetUsd?: number;
	spentUsd: number;
	reservedUsd: number;
}

/**
 * The budget of every run seen in one node execution. Items of a run are submitted
 * concurrently, so each submit reserves its estimate first; a reservation that would take the
 * run past its budget is refused before any request is sent.
 */
export class BudgetTracker {
	private readonly runs = new Map<string, RunBudget>();

	/**
	 * `items` are the runs' items as they enter the node (pipeline + ledger of each, and their
	 * takes). A take submitted by an earlier node (Submit Only) and not yet in the ledger is still
	 * on its way to being paid: it stays reserved, so a later submit cannot spend that money twice.
	 */
	static fromItems(
		items: Iterable<{
			pipeline: Pipeline;
			ledger: LedgerEntry[];
			takes?: Take[];
			renderError?: RenderError;
		}>,
	): BudgetTracker {
		const tracker = new BudgetTracker();
		const ledgers = new Map<string, LedgerEntry[]>();
		const takesByRun = new Map<string, Map<string, Take>>();
		const unknownByRun = new Map<string, number>();
		for (const { pipeline, ledger, takes = [], renderError } of items) {
			const run = tracker.runs.get(pipeline.runId) ?? { spentUsd: 0, reservedUsd: 0 };
			if (pipeline.budgetUsd !== undefined) {
				run.budgetUsd =
					run.budgetUsd === undefined
						? pipeline.budgetUsd
						: Math.min(run.budgetUsd, pipeline.budgetUsd);
			}
			run.spentUsd = Math.max(run.spentUsd, pipeline.spentUsd);
			tracker.runs.set(pipeline.runId, run);
			ledgers.set(pipeline.runId, [...(ledgers.get(pipeline.runId) ?? []), ...ledger]);
			// A take can travel on several items (a run barrier); hold each job once.
			const byJob = takesByRun.get(pipeline.runId) ?? new Map<string, Take>();
			for (const take of takes) byJob.set(`${take.layer}|${take.jobId}`, take);
			takesByRun.set(pipeline.runId, byJob);
			unknownByRun.set(
				pipeline.runId,
				(unknownByRun.get(pipeline.runId) ?? 0) + unknownOutcomeCost(renderError),
			);
		}
		for (const [runId, entries] of ledgers) {
			const run = tracker.runs.get(runId)!;
			run.spentUsd = Math.max(run.spentUsd, ledgerTotal(entries));
			const held = [...takesByRun.get(runId)!.values()].reduce(
				(sum, take) => sum + heldCost(take, entries),
				0,
			);
			run.reservedUsd = round6(held + (unknownByRun.get(runId) ?? 0));
		}
		return tracker;
	}

	/** Reserves `costUsd` for a submit, or throws BudgetExceededError. */
	reserve(runId: string, costUsd: number, itemIndex: number): void {
		const run = this.runs.get(runId) ?? { spentUsd: 0, reservedUsd: 0 };
		this.runs.set(runId, run);
		if (
			run.budgetUsd !== undefined &&
			run.spentUsd + run.reservedUsd + costUsd > run.budgetUsd + 1e-9
		) {
			throw new BudgetExceededError({
				itemIndex,
				runId,
				budgetUsd: run.budgetUsd,
				spentUsd: run.spentUsd + run.reservedUsd,
				costUsd,
			});
		}
		run.reservedUsd = round6(run.reservedUsd + costUsd);
	}

	/** Holds the cost of a job the vendor already has (taken over from the render journal): paid whatever the budget says. */
	hold(runId: string, costUsd: number): void {
		const run = this.runs.get(runId) ?? { spentUsd: 0, reservedUsd: 0 };
		this.runs.set(runId, run);
		run.reservedUsd = round6(run.reservedUsd + costUsd);
	}

	/** Turns a reservation into spend at the vendor's actual figure (0 when nothing was charged). */
	settle(runId: string, reservedUsd: number, actualUsd: number): void {
		const run = this.runs.get(runId);
		if (!run) return;
		run.reservedUsd = round6(Math.max(0, run.reservedUsd - reservedUsd));
		run.spentUsd = round6(run.spentUsd + actualUsd);
	}

	spent(runId: string): number {
		return this.runs.get(runId)?.spentUsd ?? 0;
	}

	remaining(runId: string): number | undefined {
		const run = this.runs.get(runId);
		if (!run || run.budgetUsd === undefined) return undefined;
		return round6(run.budgetUsd - run.spentUsd - run.reservedUsd);
	}
}
