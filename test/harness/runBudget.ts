import type { ShotItem } from '../../nodes/shared/contract';
import { runWorkflow, type RunResult, type WorkflowJson } from './engine';
import { seededRandom } from '../../sandbox/random';
import { asItems } from './pipeline';
import { packageNode, runwayNode, soraNode, to, veoNode } from './workflows';
import { sandboxLedger, type Sandbox } from './sandbox';

const FAST = { pollIntervalSeconds: 0.2, timeoutMinutes: 2, concurrency: 16 };

/**
 * QC Router dispatching to all three engines at once: hero shots to Veo, b-roll to Runway, and
 * (with a layer map that sends technical failures to the narrative layer) re-renders to the
 * Videos API. Every render node returns to QC, so one run's spend comes from parallel branches.
 */
export function threeEngineLoop(qcParameters: Record<string, unknown> = {}): WorkflowJson {
	return {
		name: 'three engines, one budget',
		nodes: [
			packageNode('QC', 'qcRouter', { barrier: 'run', ...qcParameters }),
			veoNode(FAST, 'none'),
			runwayNode(FAST),
			soraNode(FAST),
		] as never,
		connections: {
			QC: { main: [[], to('Sora'), to('Veo'), to('Runway'), [], []] },
			Veo: { main: [to('QC')] },
			Runway: { main: [to('QC')] },
			Sora: { main: [to('QC')] },
		},
	};
}

/** A run's shots as Pin State hands them to QC: 8 s hero shots for Veo, 8 s b-roll for Runway. */
export function runShots(
	runId: string,
	layers: Array<'hero' | 'broll'>,
	budgetUsd: number,
): ShotItem[] {
	return layers.map((layer, index) => ({
		pipeline: { runId, project: 'Budget', shotCount: layers.length, spentUsd: 0, budgetUsd },
		shot: {
			id: `shot-${index + 1}`,
			index,
			beat: { label: `beat ${index + 1}`, startSeconds: index * 8 },
			// A few prompts only: the sandbox caches what it renders by content.
			prompt: `Shot ${index % 3}: the ${layer === 'hero' ? 'hero crosses' : 'camera pans over'} the square`,
			durationSeconds: 8,
			aspectRatio: '16:9',
			resolution: '720p',
			layer,
			characters: [],
			needsAudio: layer === 'hero',
		},
		takes: [],
		ledger: [],
	}));
}

/** Every shot QC finished, and what the sandbox billed each run for the jobs on those shots. */
export async function billedByRun(sandbox: Sandbox, result: RunResult) {
	const done = result
		.runs('QC')
		.flatMap((outputs) => outputs[5] ?? [])
		.map((o) => o.json as unknown as ShotItem);
	const ledger = await sandboxLedger(sandbox);
	const runOf = new Map<string, string>();
	for (const shot of done)
		for (const take of shot.takes) runOf.set(take.jobId, shot.pipeline.runId);
	const billed = new Map<string, number>();
	const unreported: string[] = [];
	for (const entry of ledger.entries as Array<{ jobId: string; usd: number }>) {
		const runId = runOf.get(entry.jobId);
		if (!runId) unreported.push(entry.jobId);
		else billed.set(runId, (billed.get(runId) ?? 0) + entry.usd);
	}
	// A render paid twice is a second job for the same take of a shot (runs here share prompts, so
	// the sandbox's request fingerprints repeat across runs by design).
	const jobsPerTake = new Map<string, Set<string>>();
	for (const shot of done) {
		for (const take of shot.takes) {
			const key = `${shot.pipeline.runId}|${shot.shot.id}|${take.layer}|${take.attempt}`;
			jobsPerTake.set(key, (jobsPerTake.get(key) ?? new Set()).add(take.jobId));
		}
	}
	const paidTwice = [...jobsPerTake.entries()]
		.filter(([, jobs]) => jobs.size > 1)
		.map(([key]) => key);
	return { done, ledger, billed, unreported, paidTwice };
}

export interface BudgetRunOutcome {
	runId: string;
	budgetUsd: number;
	billedUsd: number;
}

/**
 * Seeded runs through QC Router and the three render nodes, `perExecution` runs per workflow
 * execution: 1 to 4 shots each (hero or b-roll), budgets from a tenth of the shots' cost to twice
 * it, 20% drift per render, half the executions re-rendering technical failures on the Videos API.
 * What each run was billed comes from the sandbox ledger.
 */
export async function seededBudgetRuns(
	sandbox: Sandbox,
	credentials: RunOptionsCredentials,
	runs: number,
	perExecution: number,
) {
	const outcomes: BudgetRunOutcome[] = [];
	const problems: string[] = [];
	for (let execution = 0; execution < runs / perExecution; execution++) {
		const random = seededRandom(1000 + execution);
		const budgets = new Map<string, number>();
		const items: ShotItem[] = [];
		for (let run = 0; run < perExecution; run++) {
			const runId = `prop-${execution}-${run}`;
			const layers = Array.from(
				{ length: 1 + Math.floor(random() * 4) },
				() => (random() < 0.5 ? 'hero' : 'broll') as 'hero' | 'broll',
			);
			const full = layers.reduce((sum, layer) => sum + (layer === 'hero' ? 1.2 : 0.96), 0);
			const budgetUsd = Math.round((0.1 + random() * 2) * full * 100) / 100;
			budgets.set(runId, budgetUsd);
			items.push(...runShots(runId, layers, budgetUsd));
		}
		const drift = ['duration', 'audio'][execution % 2];
		sandbox.setFaults({
			seed: execution + 1,
			rules: [{ fault: 'drift', probability: 0.2, params: { drift } }] as never,
		});
		const qc =
			execution % 2 === 0
				? { layerMap: { technical: 'narrative' }, retries: { narrative: 2, hero: 2, control: 2 } }
				: {};
		const result = await runWorkflow(threeEngineLoop(qc), {
			credentials,
			input: asItems(items),
			startNode: 'QC',
		});
		if (result.error) problems.push(`execution ${execution}: ${result.error.message}`);
		const { done, billed, unreported, paidTwice } = await billedByRun(sandbox, result);
		if (unreported.length)
			problems.push(`execution ${execution}: billed jobs in no report: ${unreported.join(', ')}`);
		if (paidTwice.length)
			problems.push(`execution ${execution}: takes paid twice: ${paidTwice.join(', ')}`);
		if (done.length !== items.length)
			problems.push(`execution ${execution}: ${done.length} of ${items.length} shots finished`);
		for (const [runId, budgetUsd] of budgets)
			outcomes.push({ runId, budgetUsd, billedUsd: billed.get(runId) ?? 0 });
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	}
	return { outcomes, problems };
}

type RunOptionsCredentials = NonNullable<Parameters<typeof runWorkflow>[1]>['credentials'];
