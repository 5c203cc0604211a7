import type { INodeExecutionData } from 'n8n-workflow';
import { learnedConcurrencySchema, type Vendor } from '../contract/schemas';
import type { Batch } from '../router';
import {
	AdaptiveConcurrency,
	SAFE_START,
	type ConcurrencyStart,
} from '../runtime/adaptiveConcurrency';

/**
 * Vendors that store a submit over the account's concurrency and start it later in order, instead
 * of refusing it: Runway marks such a task THROTTLED (vendor contract: "not an error"); fal's and
 * Replicate's queues hold a request IN_QUEUE / starting until a worker takes it.
 */
const QUEUES_OVER_CAP: ReadonlySet<Vendor> = new Set<Vendor>(['runway', 'fal', 'replicate']);

export const queuesOverConcurrency = (vendor: Vendor): boolean => QUEUES_OVER_CAP.has(vendor);

/** The node's concurrency options: the ceiling, and where to start (0 = learned, else the safe default). */
export interface ConcurrencySettings {
	upper: number;
	start: number;
}

/** Where this run starts: the option, else the highest cap an earlier run put on the input items, else the safe default. */
export function concurrencyStart(
	items: INodeExecutionData[],
	vendor: Vendor,
	settings: ConcurrencySettings,
): ConcurrencyStart {
	const upper = Math.max(1, Math.floor(settings.upper));
	if (settings.start > 0) return { upper, start: Math.min(upper, settings.start), learned: true };
	const learned = items.flatMap((item) => {
		const parsed = learnedConcurrencySchema.safeParse(item.json.learnedConcurrency);
		const cap = parsed.success ? parsed.data[vendor] : undefined;
		return cap ? [cap] : [];
	});
	if (learned.length) return { upper, start: Math.min(upper, Math.max(...learned)), learned: true };
	return { upper, start: Math.min(upper, SAFE_START), learned: false };
}

/**
 * The concurrency of one vendor account, shared by every item of the node run (one node run uses
 * one credential, so one account per vendor). What it learned goes out on every item.
 */
export function accountConcurrency(
	batch: Batch,
	vendor: Vendor,
	settings: ConcurrencySettings,
): AdaptiveConcurrency {
	return batch.shared(`concurrency:${vendor}`, () => {
		const gate = new AdaptiveConcurrency(
			batch.clock,
			concurrencyStart(batch.items, vendor, settings),
		);
		batch.addOutputFields(() => ({ learnedConcurrency: { [vendor]: gate.learnedCap() } }));
		return gate;
	});
}
