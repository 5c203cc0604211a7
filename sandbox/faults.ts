import type { VendorName } from './context';
import { seededRandom } from './random';

export const FAULT_KINDS = [
	'rate_limit',
	'server_error',
	'reset',
	'slow',
	'malformed',
	'job_failed',
	'stuck',
	'expired',
	'drift',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type Operation = 'submit' | 'poll' | 'download' | 'other';

export interface FaultRule {
	fault: FaultKind;
	vendor?: VendorName;
	op?: Operation;
	model?: string;
	/** Chance per matching request, 0..1 (default 1). */
	probability?: number;
	/** Stop after this many injections. */
	times?: number;
	/** Only requests whose prompt contains this text (one shot of a batch), whatever the fault. */
	promptIncludes?: string;
	/** Fault-specific: status, retryAfterSeconds, delayMs, code, message, drift ('character'|'colour'|'audio'|'duration'), afterSend (server_error on a submit: the job is created and charged first), finishesOnCancel (stuck: the job ends, charged, as a cancel reaches it, the race a cancel at the timeout can lose). */
	params?: Record<string, unknown>;
}

export interface FaultPlan {
	seed?: number;
	rules: FaultRule[];
}

export interface Injected {
	rule: FaultRule;
	index: number;
}

export class FaultInjector {
	private rules: Array<FaultRule & { used: number }> = [];
	private random: () => number = seededRandom(1);
	readonly log: Array<{
		fault: FaultKind;
		vendor: string;
		op: Operation;
		model?: string;
		at: number;
		/** Jobs the vendor charged for a submit it then answered with a 5xx (`server_error` with `afterSend`). */
		jobIds?: string[];
	}> = [];

	configure(plan: FaultPlan): void {
		this.rules = plan.rules.map((rule) => {
			if (!FAULT_KINDS.includes(rule.fault))
				throw new Error(`unknown fault "${String(rule.fault)}"`);
			return { ...rule, used: 0 };
		});
		this.random = seededRandom(plan.seed ?? 1);
		this.log.length = 0;
	}

	plan(): FaultPlan {
		return { rules: this.rules.map(({ used: _used, ...rule }) => rule) };
	}

	/** The fault to inject for this request, if any (each rule is drawn independently, in order). */
	draw(
		vendor: VendorName,
		op: Operation,
		model?: string,
		only?: readonly FaultKind[],
		prompt?: string,
	): FaultRule | undefined {
		for (const rule of this.rules) {
			if (only && !only.includes(rule.fault)) continue;
			if (rule.promptIncludes !== undefined && !(prompt ?? '').includes(rule.promptIncludes))
				continue;
			if (rule.vendor && rule.vendor !== vendor) continue;
			if (rule.op && rule.op !== op) continue;
			if (rule.model && rule.model !== model) continue;
			if (rule.times !== undefined && rule.used >= rule.times) continue;
			if (this.random() >= (rule.probability ?? 1)) continue;
			rule.used++;
			this.log.push({ fault: rule.fault, vendor, op, model, at: Date.now() });
			return rule;
		}
		return undefined;
	}
}

/** Faults from the environment: SANDBOX_FAULTS='{"seed":7,"rules":[{"fault":"rate_limit","probability":0.2}]}' */
export function faultPlanFromEnv(env: NodeJS.ProcessEnv): FaultPlan | undefined {
	if (!env.SANDBOX_FAULTS) return undefined;
	return JSON.parse(env.SANDBOX_FAULTS) as FaultPlan;
}
