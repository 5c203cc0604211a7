import { BudgetExceededError } from '../../nodes/shared/errors';
import { BudgetTracker } from '../../nodes/shared/ledger';
import { decide } from '../../nodes/shared/qc/decide';
import type { Take } from '../../nodes/shared/contract';
import { seededRandom } from '../../sandbox/random';
import { validShotItem } from '../fixtures/shotItem';

/**
 * 1,000 simulated runs with random budgets, shot counts, prices, drift and vendor faults, through
 * the real budget tracker and QC routing: the spend never passes the cap, whatever happens.
 */
describe('budget property', () => {
	it('never spends past the cap in 1,000 seeded random runs', () => {
		let refused = 0;
		let reviewedForBudget = 0;
		for (let run = 0; run < 1000; run++) {
			const rnd = seededRandom(run + 1);
			const budgetUsd = Math.round((1 + rnd() * 49) * 100) / 100;
			const shots = 1 + Math.floor(rnd() * 8);
			const base = validShotItem();
			const pipeline = {
				...base.pipeline,
				runId: `run-${run}`,
				shotCount: shots,
				spentUsd: 0,
				budgetUsd,
			};
			const tracker = BudgetTracker.fromItems([{ pipeline, ledger: [] }]);
			const drift = rnd() * 0.5;
			const faultRate = rnd() * 0.3;
			let spent = 0;
			for (let shot = 0; shot < shots; shot++) {
				const price = Math.round((0.1 + rnd() * 5) * 100) / 100;
				let qc: ReturnType<typeof decide>['qc'] | undefined;
				for (let round = 0; round < 6; round++) {
					try {
						tracker.reserve(pipeline.runId, price, shot);
					} catch (error) {
						expect(error).toBeInstanceOf(BudgetExceededError);
						refused++;
						break;
					}
					// A fault after sending may or may not be charged; charge it (the worst case).
					const charged = rnd() < faultRate ? (rnd() < 0.5 ? price : 0) : price;
					tracker.settle(pipeline.runId, price, charged);
					spent += charged;
					const take: Take = { ...base.takes[0], costUsd: price, attempt: round + 1 };
					const failed = rnd() < drift;
					const decision = decide(
						base.shot,
						take,
						qc,
						[{ check: 'duration', value: 1, threshold: 2, pass: !failed, layer: 'hero' }],
						{
							retries: { narrative: 1, hero: 3, control: 3 },
							remainingUsd: tracker.remaining(pipeline.runId),
						},
					);
					qc = decision.qc;
					if (decision.reviewReason?.includes('budget')) reviewedForBudget++;
					if (decision.route !== 'hero') break;
				}
				expect(spent).toBeLessThanOrEqual(budgetUsd + 1e-9);
				expect(tracker.spent(pipeline.runId)).toBeCloseTo(spent, 6);
			}
		}
		// The property is only meaningful if the cap was actually reached along the way.
		expect(refused).toBeGreaterThan(100);
		expect(reviewedForBudget).toBeGreaterThan(10);
	});
});
