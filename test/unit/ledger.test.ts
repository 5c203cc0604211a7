import { BudgetExceededError } from '../../nodes/shared/errors';
import { BudgetTracker, costByLayer, ledgerEntry, ledgerTotal } from '../../nodes/shared/ledger';
import { estimatePrice, getModel } from '../../nodes/shared/registry';
import {
	ledgerEntrySchema,
	type LedgerEntry,
	type Pipeline,
	type Take,
} from '../../nodes/shared/contract';

const pipeline = (over: Partial<Pipeline> = {}): Pipeline => ({
	runId: 'run-1',
	project: 'p',
	shotCount: 4,
	spentUsd: 0,
	budgetUsd: 10,
	...over,
});
const entry = (usd: number, jobId: string, layer: LedgerEntry['layer'] = 'hero'): LedgerEntry => ({
	layer,
	vendor: 'google',
	model: 'veo-3.1-generate-001',
	unit: 'second',
	units: usd / 0.4,
	unitPriceUsd: 0.4,
	usd,
	jobId,
	estimated: true,
});

describe('cost ledger', () => {
	it('records our estimate as a valid ledger entry', () => {
		const estimate = estimatePrice(getModel('veo-3.1-fast-generate-001')!, {
			durationSeconds: 8,
			resolution: '1080p',
			audio: true,
		});
		const recorded = ledgerEntry({
			layer: 'hero',
			vendor: 'google',
			model: 'veo-3.1-fast-generate-001',
			jobId: 'op-1',
			estimate,
		});
		expect(recorded).toEqual({
			layer: 'hero',
			vendor: 'google',
			model: 'veo-3.1-fast-generate-001',
			unit: 'second',
			units: 8,
			unitPriceUsd: 0.15,
			usd: 1.2,
			jobId: 'op-1',
			estimated: true,
		});
		expect(ledgerEntrySchema.safeParse(recorded).success).toBe(true);
	});

	it("replaces the estimate with Runway's own credits, final once the task is done", () => {
		const estimate = estimatePrice(getModel('gen4_turbo')!, { durationSeconds: 10 });
		const reported = ledgerEntry({
			layer: 'control',
			vendor: 'runway',
			model: 'gen4_turbo',
			jobId: 't-1',
			estimate,
			vendorCredits: 42,
			vendorCreditsFinal: true,
		});
		expect(reported).toMatchObject({ unit: 'credit', units: 42, usd: 0.42, estimated: false });
		expect(
			ledgerEntry({
				layer: 'control',
				vendor: 'runway',
				model: 'gen4_turbo',
				jobId: 't-1',
				estimate,
				vendorCredits: 50,
			}).estimated,
		).toBe(true);
	});

	it('books what the vendor metered (Replicate predict_time) at its published price, and ignores a count it cannot trust', () => {
		const estimate = {
			unit: 'second' as const,
			units: 5,
			unitPriceUsd: 0.01,
			usd: 0.05,
			estimated: true,
		};
		const base = {
			layer: 'control' as const,
			vendor: 'replicate' as const,
			model: 'community/wan-2.7-t2v',
			jobId: 'p-1',
			estimate,
		};
		const metered = ledgerEntry({
			...base,
			vendorMetered: { unit: 'second', units: 41.2345678, unitPriceUsd: 0.0014 },
		});
		expect(metered).toMatchObject({
			unit: 'second',
			units: 41.234568,
			unitPriceUsd: 0.0014,
			usd: 0.057728,
			estimated: false,
		});
		expect(ledgerEntrySchema.safeParse(metered).success).toBe(true);
		for (const units of [Number.NaN, -1, Number.POSITIVE_INFINITY])
			expect(
				ledgerEntry({ ...base, vendorMetered: { unit: 'second', units, unitPriceUsd: 0.0014 } }),
			).toMatchObject({ units: 5, unitPriceUsd: 0.01, usd: 0.05, estimated: true });
	});

	it('counts an entry carried by several items once', () => {
		const storyboard = entry(0.02, 'resp-1', 'narrative');
		expect(ledgerTotal([storyboard, storyboard, entry(3.2, 'op-1'), entry(3.2, 'op-2')])).toBe(
			6.42,
		);
		expect(costByLayer([storyboard, storyboard, entry(3.2, 'op-1')])).toEqual({
			narrative: 0.02,
			hero: 3.2,
		});
	});
});

describe('budget tracker', () => {
	it('refuses the submit that would pass the budget, before anything is spent', () => {
		const tracker = BudgetTracker.fromItems([{ pipeline: pipeline({ spentUsd: 4 }), ledger: [] }]);
		tracker.reserve('run-1', 3.2, 0);
		expect(() => tracker.reserve('run-1', 3.2, 1)).toThrow(BudgetExceededError);
		expect(() => tracker.reserve('run-1', 3.2, 1)).toThrow(
			'Item 1: refused before submitting: this render (~$3.20) would take run run-1 to $10.40, past its budget of $10.00',
		);
		expect(tracker.remaining('run-1')).toBeCloseTo(2.8, 6);
	});

	it('counts what the items already spent, from pipeline.spentUsd or their ledgers, whichever is more', () => {
		const shared = entry(2, 'op-shared');
		const tracker = BudgetTracker.fromItems([
			{ pipeline: pipeline({ spentUsd: 1 }), ledger: [shared, entry(3, 'op-a')] },
			{ pipeline: pipeline({ spentUsd: 1 }), ledger: [shared, entry(1, 'op-b')] },
		]);
		expect(tracker.spent('run-1')).toBe(6);
	});

	it('settles a reservation at the actual cost, and releases it when nothing was charged', () => {
		const tracker = BudgetTracker.fromItems([{ pipeline: pipeline(), ledger: [] }]);
		tracker.reserve('run-1', 5, 0);
		tracker.settle('run-1', 5, 4.5);
		tracker.reserve('run-1', 5, 1);
		tracker.settle('run-1', 5, 0);
		expect(tracker.spent('run-1')).toBe(4.5);
		expect(tracker.remaining('run-1')).toBe(5.5);
	});

	it('holds the cost of takes submitted by an earlier node until they reach the ledger', () => {
		const take = (jobId: string, status: Take['status'], costUsd: number): Take => ({
			layer: 'hero',
			vendor: 'google',
			model: 'veo-3.1-generate-001',
			jobId,
			status,
			pinFingerprint: null,
			attempt: 1,
			startedAt: '2026-01-01T00:00:00.000Z',
			costUsd,
		});
		const tracker = BudgetTracker.fromItems([
			// Carried by two items (a run barrier sends the same take along): counted once.
			{ pipeline: pipeline(), ledger: [], takes: [take('op-a', 'submitted', 3.2)] },
			{
				pipeline: pipeline(),
				ledger: [],
				takes: [take('op-a', 'submitted', 3.2), take('op-b', 'timed_out', 2)],
			},
			// Finished and paid: in the ledger, so spent rather than reserved; a failed take costs nothing.
			{
				pipeline: pipeline(),
				ledger: [entry(1.5, 'op-c')],
				takes: [take('op-c', 'running', 1.5), take('op-d', 'failed', 4)],
			},
		]);
		expect(tracker.spent('run-1')).toBe(1.5);
		expect(tracker.remaining('run-1')).toBeCloseTo(10 - 1.5 - 5.2, 6);
		expect(() => tracker.reserve('run-1', 3.4, 3)).toThrow(
			'would take run run-1 to $10.10, past its budget of $10.00',
		);
		expect(() => tracker.reserve('run-1', 3.2, 3)).not.toThrow();
		// Collecting op-a settles its hold at the vendor's figure.
		tracker.settle('run-1', 3.2, 3);
		expect(tracker.spent('run-1')).toBe(4.5);
		expect(tracker.remaining('run-1')).toBeCloseTo(10 - 4.5 - 2 - 3.2, 6);
	});

	it('keeps runs apart and lets a run without a budget spend freely', () => {
		const tracker = BudgetTracker.fromItems([
			{ pipeline: pipeline({ runId: 'a', budgetUsd: 1 }), ledger: [] },
			{ pipeline: pipeline({ runId: 'b', budgetUsd: undefined }), ledger: [] },
		]);
		expect(() => tracker.reserve('a', 2, 0)).toThrow(BudgetExceededError);
		expect(() => tracker.reserve('b', 1000, 1)).not.toThrow();
		expect(tracker.remaining('b')).toBeUndefined();
	});
});
