import type { IBinaryData, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { AssetRef, LedgerEntry, RenderLayer, Take, Vendor } from '../contract/schemas';
import { JobFailedError } from '../errors';
import { BudgetTracker, heldCost, ledgerEntry } from '../ledger';
import { errorJson } from '../nodeErrors';
import type { PriceEstimate } from '../registry/registry';
import type { Batch } from '../router';
import { settle } from '../runtime/concurrency';
import { runJob, submitJob, waitForJob, type JobAdapter, type JobStatus, type WaitPolicy } from '../runtime/jobRunner';
import { RenderTimes } from '../runtime/renderTimes';
import { readShotContext, resumableTake, nextAttempt, type ShotContext } from './shotContext';

export type RenderMode = 'wait' | 'submit';

export interface RenderOutput {
	asset: AssetRef;
	/** Streams the file into n8n's binary store when the operation outputs binaries. */
	download?: () => Promise<IBinaryData>;
	/** Fetches a still of the take, where the vendor offers one. */
	thumbnail?: () => Promise<IBinaryData>;
}

/** What a vendor operation contributes to the shared render flow. */
export interface RenderPlan<R> {
	vendor: Vendor;
	layer: RenderLayer;
	model: string;
	operation: string;
	estimate: PriceEstimate;
	/** Tags or references the request actually carries (recorded on the take for QC). */
	refsSent: string[];
	submit: JobAdapter<R>['submit'];
	poll: JobAdapter<R>['poll'];
	output(status: JobStatus<R>): Promise<RenderOutput>;
	/** Credits the vendor reported for the job (Runway), replacing our estimate. */
	vendorCredits?(status: JobStatus<R> | undefined, submitBody: unknown): { credits: number; final: boolean } | undefined;
}

export interface RenderSettings {
	mode: RenderMode;
	policy: WaitPolicy;
	output: 'binary' | 'reference';
	binaryPropertyName: string;
}

/** One budget tracker per node run, built from every item's pipeline and ledger. */
export function batchBudget(batch: Batch): BudgetTracker {
	return batch.shared('budget', () => {
		const runs: ShotContext[] = [];
		batch.items.forEach((item, index) => {
			try {
				runs.push(readShotContext(item.json, index));
			} catch {
				// Items without a valid contract have their own one-shot budget.
			}
		});
		return BudgetTracker.fromItems(runs);
	});
}

function replaceTake(takes: Take[], take: Take): Take[] {
	const index = takes.findIndex((t) => t.jobId === take.jobId && t.layer === take.layer && t.attempt === take.attempt);
	return index < 0 ? [...takes, take] : takes.map((t, i) => (i === index ? take : t));
}

/**
 * The shared render flow every vendor operation runs for one item:
 * resume a recorded job or reserve the budget and submit once; record the take before waiting;
 * wait (bounded, cancel-aware) or return at once in submit-only mode; then record the asset, the
 * cost and the spend. A vendor-side failure (moderation, safety filter) is a failed take, not a
 * crash; an interrupted wait keeps the job ID on the item so a re-run resumes it.
 */
export async function renderItem<R>(
	ctx: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
	context: ShotContext,
	plan: RenderPlan<R>,
	settings: RenderSettings,
): Promise<INodeExecutionData[]> {
	const input = ctx.getInputData()[itemIndex];
	const budget = batchBudget(batch);
	const runId = context.pipeline.runId;
	const attempt = nextAttempt(context, plan.layer);
	const resumed = resumableTake(context, plan.layer, plan.vendor, plan.operation);
	let take: Take | undefined = resumed;
	let submitBody: unknown;
	let reserved = 0;

	const adapter: JobAdapter<R> = {
		vendor: plan.vendor,
		itemIndex,
		submit: async () => {
			const result = await plan.submit();
			submitBody = result.body;
			return result;
		},
		poll: plan.poll,
		onSubmitted: (jobId) => {
			take = {
				layer: plan.layer,
				vendor: plan.vendor,
				model: plan.model,
				operation: plan.operation,
				jobId,
				status: 'submitted',
				pinFingerprint: context.pin?.fingerprint ?? null,
				attempt,
				startedAt: new Date(batch.clock.now()).toISOString(),
				costUsd: plan.estimate.usd,
				refsSent: plan.refsSent,
			};
		},
		onStatus: (status) => {
			if (!take) return;
			// 'succeeded' is recorded with the asset, once the output is in hand.
			take = { ...take, status: status.phase === 'succeeded' ? take.status : status.phase, ...(status.progress !== undefined ? { progress: status.progress } : {}) };
			ctx.sendMessageToUI?.(`${plan.vendor} ${plan.model}, shot ${context.shot.index + 1} of ${context.pipeline.shotCount}: ${status.vendorStatus}${status.progress !== undefined ? ` ${Math.round(status.progress * 100)}%` : ''}`);
		},
	};

	const emit = (extra: Record<string, unknown> = {}, binary?: Record<string, IBinaryData>, ledger: LedgerEntry[] = context.ledger): INodeExecutionData[] => [
		{
			json: {
				...input.json,
				pipeline: { ...context.pipeline, spentUsd: Math.max(context.pipeline.spentUsd, budget.spent(runId)) },
				shot: context.shot,
				...(context.pin ? { pin: context.pin } : {}),
				takes: take ? replaceTake(context.takes, take) : context.takes,
				ledger,
				jobId: take?.jobId ?? null,
				status: take?.status ?? null,
				...extra,
			},
			...(binary || input.binary ? { binary: { ...(input.binary ?? {}), ...(binary ?? {}) } } : {}),
			pairedItem: { item: itemIndex },
		},
	];

	if (!resumed) {
		budget.reserve(runId, plan.estimate.usd, itemIndex);
		reserved = plan.estimate.usd;
	} else {
		// The budget already holds a resumed job's unpaid cost (BudgetTracker.fromItems); settling releases it.
		reserved = heldCost(resumed, context.ledger);
	}
	const pace = batch.shared('renderTimes', () => new RenderTimes()).forModel(plan.model);
	const options = { clock: batch.clock, signal: ctx.getExecutionCancelSignal(), pace };

	if (settings.mode === 'submit' && !resumed) {
		const submitted = await submitJob(adapter, settings.policy, options);
		const credits = plan.vendorCredits?.(undefined, submitted.body);
		if (credits && take) take = { ...take, costUsd: ledgerEntry({ layer: plan.layer, vendor: plan.vendor, model: plan.model, jobId: submitted.jobId, estimate: plan.estimate, vendorCredits: credits.credits }).usd };
		return emit();
	}

	const outcome = await settle(async () =>
		resumed
			? { jobId: resumed.jobId, status: (await waitForJob(adapter, resumed.jobId, { ...settings.policy, firstDelayMs: 0 }, options)).status }
			: await runJob(adapter, settings.policy, options),
	);

	if (!outcome.ok) {
		const error = outcome.error;
		if (error instanceof JobFailedError && take) {
			budget.settle(runId, reserved, 0);
			take = { ...take, status: 'failed', finishedAt: new Date(batch.clock.now()).toISOString(), costUsd: 0, failure: { code: error.failureCode, message: error.message, retryable: error.retryable } };
			return emit({ failure: take.failure });
		}
		// Timeout, cancellation, poll trouble: the render may still be paid for and finish. Keep
		// the reservation and the job ID so a re-run polls it instead of paying again.
		if (ctx.continueOnFail()) return emit(errorJson(error));
		throw error;
	}

	const { status, jobId } = outcome.value;
	const produced = await plan.output(status);
	const credits = plan.vendorCredits?.(status, submitBody);
	const entry = ledgerEntry({ layer: plan.layer, vendor: plan.vendor, model: plan.model, jobId, estimate: plan.estimate, vendorCredits: credits?.credits, vendorCreditsFinal: credits?.final });
	budget.settle(runId, reserved, entry.usd);
	const ledger = [...context.ledger.filter((e) => !(e.jobId === jobId && e.layer === plan.layer)), entry];
	const finishedAt = new Date(batch.clock.now()).toISOString();
	take = { ...(take as Take), status: 'succeeded', progress: 1, finishedAt, asset: produced.asset, costUsd: entry.usd };
	const outputUrl = produced.asset.kind === 'url' || produced.asset.kind === 'gcs' ? produced.asset.ref : null;
	if (settings.output !== 'binary' || !produced.download) return emit({ outputUrl }, undefined, ledger);

	// The render is paid for even when its download fails: keep the take (with the vendor's
	// reference) and the cost, so the job ID is reported and a re-run does not pay again.
	const downloaded = await settle(async () => await produced.download!());
	if (!downloaded.ok) {
		if (ctx.continueOnFail()) return emit({ outputUrl, ...errorJson(downloaded.error) }, undefined, ledger);
		throw downloaded.error;
	}
	const binary: Record<string, IBinaryData> = { [settings.binaryPropertyName]: downloaded.value };
	take = { ...take, asset: { ...produced.asset, kind: 'binary', ref: settings.binaryPropertyName, bytes: downloaded.value.bytes ?? produced.asset.bytes } };
	// A still is a nicety for the QC report; a failure to fetch it costs the take nothing.
	const still = produced.thumbnail ? await settle(async () => await produced.thumbnail!()) : undefined;
	if (still?.ok) {
		const property = `${settings.binaryPropertyName}_thumbnail`;
		binary[property] = still.value;
		take = { ...take, thumbnail: { kind: 'binary', ref: property, mimeType: still.value.mimeType } };
	}
	return emit({ outputUrl }, binary, ledger);
}
