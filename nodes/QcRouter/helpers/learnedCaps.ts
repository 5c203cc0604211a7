import {
	learnedConcurrencySchema,
	VENDORS,
	type LearnedConcurrency,
	type Vendor,
} from '../../shared/contract/schemas';

/**
 * The vendor-account caps a run's render nodes learned, as QC sees the whole run. A render node
 * puts the cap it learned on every item it outputs and keeps the other vendors' caps the item
 * brought in, so a shot last rendered by Runway still carries the Google cap QC sent it out with.
 * A cap is therefore learned news only where it differs from what QC sent the shot out with.
 * Every item QC sends on carries the run's caps, so the next render node starts from what the
 * whole run learned, and All Done hands them to the template (the batch keeps them for the next
 * night).
 */
export interface RunCaps {
	caps: LearnedConcurrency;
	/** The caps each shot last left QC with. */
	sent: Record<string, LearnedConcurrency>;
	/** Vendors a render node of this run reported on: a cap carried in from outside no longer overrides them. */
	learned: Partial<Record<Vendor, true>>;
}

export const newRunCaps = (): RunCaps => ({ caps: {}, sent: {}, learned: {} });

/**
 * An item's caps, vendor by vendor: a malformed entry is no cap (a cap is a starting hint, never a
 * reason to stop a run), and does not cost the item its other vendors' caps.
 */
export function readCaps(value: unknown): LearnedConcurrency {
	if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
	const entries = VENDORS.flatMap((vendor) => {
		const parsed = learnedConcurrencySchema.safeParse({
			[vendor]: (value as Record<string, unknown>)[vendor],
		});
		return parsed.success && parsed.data[vendor] !== undefined
			? [[vendor, parsed.data[vendor]] as const]
			: [];
	});
	return Object.fromEntries(entries);
}

/**
 * Takes in one round's shots of a run. A shot QC has not sent out yet (from the storyboard, a
 * reshoot's run state) brings the caps the run starts from: the highest, as a render node reads
 * them. A cap that changed since QC sent the shot out was learned by a render node this round;
 * when two node runs of one vendor report in the same round, the lower holds (a cap below where
 * both started is the vendor pushing back).
 */
export function takeInCaps(run: RunCaps, shots: Array<{ shotId: string; carried: unknown }>): void {
	const news: LearnedConcurrency = {};
	for (const { shotId, carried } of shots) {
		const sent = run.sent[shotId];
		for (const [vendor, cap] of Object.entries(readCaps(carried)) as Array<[Vendor, number]>) {
			if (cap === undefined) continue;
			if (sent === undefined) {
				if (!run.learned[vendor]) run.caps[vendor] = Math.max(run.caps[vendor] ?? 0, cap);
			} else if (sent[vendor] !== cap) news[vendor] = Math.min(news[vendor] ?? cap, cap);
		}
	}
	for (const [vendor, cap] of Object.entries(news) as Array<[Vendor, number]>) {
		run.caps[vendor] = cap;
		run.learned[vendor] = true;
	}
}

/** The run's caps as an item field (none when the run has none). */
export const capsField = (run: RunCaps): { learnedConcurrency?: LearnedConcurrency } =>
	Object.keys(run.caps).length ? { learnedConcurrency: { ...run.caps } } : {};

/** The caps a shot leaves QC with (they replace whatever the item brought), remembered for its return. */
export function capsFor(run: RunCaps, shotId: string): { learnedConcurrency?: LearnedConcurrency } {
	const field = capsField(run);
	if (field.learnedConcurrency) run.sent[shotId] = field.learnedConcurrency;
	return field;
}
