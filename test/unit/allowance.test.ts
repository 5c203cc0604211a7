import type { LedgerEntry, Take } from '../../nodes/shared/contract';
import {
	committedUsd,
	grantAllowances,
	newRunMoney,
	observeShot,
	remainingUsd,
} from '../../nodes/shared/qc/allowance';
import { decideRenderError } from '../../nodes/shared/qc/decide';
import type { ShotContext } from '../../nodes/shared/render/shotContext';
import { shotItems } from '../harness/pipeline';

const entry = (jobId: string, usd: number): LedgerEntry => ({
	layer: 'hero',
	vendor: 'google',
	model: 'veo-3.1-fast-generate-001',
	unit: 'second',
	units: usd / 0.15,
	unitPriceUsd: 0.15,
	usd,
	jobId,
	estimated: true,
});
const take = (jobId: string, status: Take['status'], costUsd: number): Take => ({
	layer: 'hero',
	vendor: 'google',
	model: 'veo-3.1-fast-generate-001',
	jobId,
	status,
	pinFingerprint: null,
	attempt: 1,
	startedAt: '2026-12-01T00:00:00Z',
	costUsd,
	...(status === 'succeeded'
		? { asset: { kind: 'url', ref: 'https://x.example/a.mp4', mimeType: 'video/mp4' } }
		: {}),
});

function context(index: number, parts: Partial<ShotContext> = {}): ShotContext {
	const [item] = shotItems(3, undefined, {}, { runId: 'r', budgetUsd: 5 }).slice(index, index + 1);
	return { ...(item as unknown as ShotContext), fromContract: true, ...parts };
}

describe('run allowances (QC Router)', () => {
	it('counts each charge once, what unfinished jobs hold, and what shots still out were given', () => {
		const money = newRunMoney();
		// The storyboard charge travels on every shot: it counts once.
		const storyboard = {
			...entry('resp-1', 0.02),
			layer: 'narrative' as const,
			vendor: 'openai' as const,
		};
		observeShot(
			money,
			context(0, {
				ledger: [storyboard, entry('job-a', 1.2)],
				takes: [take('job-a', 'succeeded', 1.2)],
			}),
		);
		observeShot(
			money,
			context(1, { ledger: [storyboard], takes: [take('job-b', 'running', 1.2)] }),
		);
		grantAllowances(money, 5, [{ shotId: 'shot-3', durationSeconds: 8, needUsd: 0.96 }]);
		expect(committedUsd(money)).toBeCloseTo(0.02 + 1.2 + 1.2 + 0.96, 6);
		expect(remainingUsd(money, 5)).toBeCloseTo(5 - 3.38, 6);
		// The shot comes back paid: its allowance is replaced by what it was charged.
		observeShot(
			money,
			context(2, { ledger: [entry('job-c', 0.9)], takes: [take('job-c', 'succeeded', 0.9)] }),
		);
		expect(committedUsd(money)).toBeCloseTo(0.02 + 1.2 + 1.2 + 0.9, 6);
	});

	it('holds what a submit of unknown outcome may have cost', () => {
		const money = newRunMoney();
		observeShot(
			money,
			context(0, {
				renderError: {
					layer: 'hero',
					code: 'outcome_unknown',
					message: 'may or may not',
					neededUsd: 1.2,
				},
			}),
		);
		expect(committedUsd(money)).toBeCloseTo(1.2, 6);
	});

	it('gives known costs first, shares the rest by duration, keeps a share for shots not seen yet, and never hands out more than is left', () => {
		const money = newRunMoney();
		const grants = grantAllowances(
			money,
			4,
			[
				{ shotId: 'a', durationSeconds: 8, needUsd: 1.2 },
				{ shotId: 'b', durationSeconds: 8 },
				{ shotId: 'c', durationSeconds: 4 },
			],
			4,
		);
		expect(grants.a).toBeCloseTo(1.2, 6);
		expect(grants.b).toBeCloseTo((2.8 * 8) / 16, 5);
		expect(grants.c).toBeCloseTo((2.8 * 4) / 16, 5);
		expect(grants.a + grants.b + grants.c).toBeLessThanOrEqual(4);
		const broke = grantAllowances(money, 4, [{ shotId: 'd', durationSeconds: 8, needUsd: 5 }]);
		// More than is left: it gets what is left, and the render node refuses what that cannot pay.
		expect(broke.d).toBeCloseTo(4 - grants.a - grants.b - grants.c, 5);
		expect(remainingUsd(money, 4)).toBeCloseTo(0, 5);
		expect(committedUsd(money)).toBeLessThanOrEqual(4 + 1e-9);
	});

	it('sends a refused submit back only when a bigger allowance can pay it, and every other render error to review with its job ID', () => {
		const refused = {
			layer: 'control' as const,
			code: 'budget' as const,
			message: 'refused',
			neededUsd: 0.96,
		};
		expect(decideRenderError(refused, undefined, 2, 0.5).route).toBe('control');
		expect(decideRenderError(refused, undefined, 0.5, 0.5)).toMatchObject({
			route: 'needs_review',
			reviewReason: expect.stringMatching(/budget/),
		});
		// Refused although its allowance covered it (the node's own view of the budget): asking again would loop.
		expect(decideRenderError(refused, undefined, 2, 1).route).toBe('needs_review');
		const timedOut = decideRenderError(
			{ layer: 'hero', code: 'timeout', message: 'Still running', jobId: 'op-7' },
			undefined,
			10,
			2,
		);
		expect(timedOut).toMatchObject({
			route: 'needs_review',
			reviewReason: expect.stringContaining('job op-7'),
		});
	});
});
