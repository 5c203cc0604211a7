import type { LedgerEntry, Take } from '../contract/schemas';
import { entryKey, heldCost, ledgerTotal, unknownOutcomeCost } from '../ledger';
import type { ShotContext } from '../render/shotContext';

const round6 = (value: number): number => Math.round(value * 1e6) / 1e6;
/** Shares are rounded down, so together they never exceed what was left. */
const floor6 = (value: number): number => Math.floor(value * 1e6) / 1e6;

/**
 * What QC Router knows of one run's money across all its rounds: every charge seen on any shot
 * (each once), what unfinished jobs still hold, and the allowances handed to shots still out at a
 * render node. It lives in the node's execution context, which n8n saves with the execution, so
 * it needs no process memory shared between workers.
 */
export interface RunMoney {
	ledger: Record<string, LedgerEntry>;
	/** Per shot: the cost its unfinished jobs (or a submit of unknown outcome) may still be charged. */
	held: Record<string, number>;
	/** Per shot out at a render node: the allowance it was given. */
	granted: Record<string, number>;
	/** The largest spend any item reported for the run (a reshoot carries the whole run's spend there). */
	reportedSpentUsd: number;
}

export function newRunMoney(): RunMoney {
	return { ledger: {}, held: {}, granted: {}, reportedSpentUsd: 0 };
}

/** Takes in what a shot brings back: its charges and held jobs replace its allowance. */
export function observeShot(money: RunMoney, context: ShotContext): void {
	for (const entry of context.ledger) money.ledger[entryKey(entry)] = entry;
	const held =
		context.takes.reduce((sum, take: Take) => sum + heldCost(take, context.ledger), 0) +
		unknownOutcomeCost(context.renderError);
	money.held[context.shot.id] = round6(held);
	delete money.granted[context.shot.id];
	money.reportedSpentUsd = Math.max(money.reportedSpentUsd, context.pipeline.spentUsd);
}

/** Spent, held and handed out: what the run's budget can no longer give. */
export function committedUsd(money: RunMoney): number {
	const spent = Math.max(ledgerTotal(Object.values(money.ledger)), money.reportedSpentUsd);
	const sum = (values: Record<string, number>) =>
		Object.values(values).reduce((total, usd) => total + usd, 0);
	return round6(spent + sum(money.held) + sum(money.granted));
}

export function remainingUsd(money: RunMoney, budgetUsd: number): number {
	return round6(Math.max(0, budgetUsd - committedUsd(money)));
}

export interface Dispatch {
	shotId: string;
	durationSeconds: number;
	/** What the render is known to cost (a re-render's last take, a refused submit's estimate); undefined for a first render. */
	needUsd?: number;
}

/**
 * Hands each dispatched shot an allowance from what the run has left. Shots whose cost is known
 * get it first (each render node refuses a submit beyond its allowance, so the sum can never pass
 * the budget); first renders share the rest by duration, keeping a share back for shots of the run
 * QC has not seen yet so an early shot cannot starve a later one.
 */
export function grantAllowances(
	money: RunMoney,
	budgetUsd: number,
	dispatches: Dispatch[],
	unseenSeconds = 0,
): Record<string, number> {
	const grants: Record<string, number> = {};
	let left = remainingUsd(money, budgetUsd);
	for (const dispatch of dispatches.filter((d) => d.needUsd !== undefined)) {
		const grant = round6(Math.min(dispatch.needUsd!, left));
		grants[dispatch.shotId] = grant;
		left = round6(left - grant);
	}
	const first = dispatches.filter((d) => d.needUsd === undefined);
	const seconds = first.reduce((sum, d) => sum + d.durationSeconds, 0) + unseenSeconds;
	for (const dispatch of first) {
		grants[dispatch.shotId] = seconds > 0 ? floor6((left * dispatch.durationSeconds) / seconds) : 0;
	}
	for (const [shotId, usd] of Object.entries(grants)) money.granted[shotId] = usd;
	return grants;
}
