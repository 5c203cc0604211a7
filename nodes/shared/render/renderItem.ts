import type { IBinaryData, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type {
	Allowance,
	AssetRef,
	LedgerEntry,
	RenderError,
	RenderLayer,
	Take,
	Vendor,
} from '../contract/schemas';
import {
	AccountSaturatedError,
	BudgetExceededError,
	JobCancelledError,
	JobFailedError,
	JobStillRenderingError,
	JobTimedOutError,
	SubmitOutcomeUnknownError,
	VendorHttpError,
} from '../errors';
import { BudgetTracker, heldCost, ledgerEntry, type MeteredCharge } from '../ledger';
import { withoutFields } from '../itemJson';
import { isInFlight } from '../takes';
import { errorJson } from '../nodeErrors';
import { typicalRenderMs, type PriceEstimate } from '../registry/registry';
import { ItemFailedError, type Batch } from '../router';
import { settle } from '../runtime/concurrency';
import {
	failureOf,
	isCapacityRefusal,
	isOutcomeUnknown,
	submitJob,
	waitForResumed,
	waitForSubmitted,
	type JobAdapter,
	type JobStatus,
	type RunOptions,
	type SubmitResult,
	type WaitPolicy,
} from '../runtime/jobRunner';
import type { SubmitTicket } from '../runtime/adaptiveConcurrency';
import { RenderTimes } from '../runtime/renderTimes';
import {
	accountConcurrency,
	queuesOverConcurrency,
	type ConcurrencySettings,
} from './accountConcurrency';
import {
	hasRenderJournal,
	renderJournal,
	requestParameters,
	submitKey,
	type JournalState,
	type SubmitIdentity,
} from './renderJournal';
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
	vendorCredits?(
		status: JobStatus<R> | undefined,
		submitBody: unknown,
	): { credits: number; final: boolean } | undefined;
	/** The USD charge the vendor reported for the finished job (a gateway's `usage.cost`), replacing our estimate. */
	vendorCostUsd?(status: JobStatus<R>): number | undefined;
	/** Units the vendor metered for the finished job at a published price (Replicate's predict_time x hardware), replacing our estimate. */
	vendorMetered?(status: JobStatus<R>): MeteredCharge | undefined;
	/**
	 * Cancels the job at the vendor if it is still unfinished, and reads it back. Only vendors whose
	 * cancel refunds an unfinished job offer it. Throws when the job could not be read first: then
	 * nothing was sent.
	 */
	cancel?(jobId: string): Promise<CancelOutcome<R>>;
}

/**
 * What a cancel at the timeout found. The job is read first and only an unfinished one is cancelled:
 * - `sent: false`: it had ended before any cancel was sent (its status);
 * - `sent: true`: the cancel was sent (`sendError` when it was answered with an error: it may still
 *   have reached the vendor) and the job read back: its status, `gone` when the vendor deleted it
 *   instead (it finished as the cancel reached it), or `unread` when it could not be read.
 */
export type CancelOutcome<R> =
	| { sent: false; status: JobStatus<R> }
	| {
			sent: true;
			before: JobStatus<R>;
			sendError?: unknown;
			after: JobStatus<R> | 'gone' | { unread: unknown };
	  };

export interface RenderSettings {
	mode: RenderMode;
	policy: WaitPolicy;
	/** Set when no poll interval was chosen: polling follows the render, never more often than the floor. */
	followRender?: { floorMs: number };
	concurrency: ConcurrencySettings;
	/** Hand a job on with its ID once it has rendered this many times the expected time (0: wait until the timeout). */
	handOnAfter: number;
	/** Cancel a job still unfinished at the timeout (where the plan can), so it gives back its place and its cost. */
	cancelAtTimeout: boolean;
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
	const index = takes.findIndex(
		(t) => t.jobId === take.jobId && t.layer === take.layer && t.attempt === take.attempt,
	);
	return index < 0 ? [...takes, take] : takes.map((t, i) => (i === index ? take : t));
}

/** The item's binary property this step writes the render's file to, when it writes one. */
const binaryPropertyOf = (settings: RenderSettings): string | undefined =>
	settings.mode !== 'submit' && settings.output === 'binary'
		? settings.binaryPropertyName
		: undefined;

const round6 = (value: number): number => Math.round(value * 1e6) / 1e6;

/** The renderError code of a failure that happened once the vendor held the job. */
function failureCode(error: unknown): RenderError['code'] {
	if (error instanceof JobTimedOutError) return 'timeout';
	return 'poll';
}

/**
 * One item's way through the shared render flow. The take is the record of what the vendor
 * holds; it is written once the job ID exists and travels out with the item whatever happens
 * after, so a paid job is never dropped.
 */
class RenderRun<R> {
	take: Take | undefined;
	submitBody: unknown;
	/** What this item holds of the node's budget tracker (released or turned into spend when settled). */
	reserved = 0;
	/** The job this node run submitted, until it is waited for. */
	pending: SubmitResult<R> | undefined;
	/** The job's place in the account's concurrency while the vendor has it. */
	ticket: SubmitTicket | undefined;
	readonly policy: WaitPolicy;
	/** What is left of the item's allowance once this render's cost is counted. */
	allowanceUsd: number | undefined;
	readonly budget: BudgetTracker;
	/** The item's ledger as it leaves (a charge booked without an output joins it). */
	ledger: LedgerEntry[];
	/** A job recorded on the item, or one the render journal says a step that died had sent. */
	resumed: Take | undefined;
	/**
	 * Whether this submit is journaled: the node has the credential and the item carries the shot
	 * contract (an item built from the node's own fields gets a new run ID in every execution, so
	 * a retry could never find it again). And its place in the journal.
	 */
	readonly journaled: boolean;
	readonly identity: SubmitIdentity;
	readonly key: string;
	readonly attempt: number;
	readonly adapter: JobAdapter<R>;
	readonly options: RunOptions;

	constructor(
		readonly ctx: IExecuteFunctions,
		readonly itemIndex: number,
		readonly batch: Batch,
		readonly context: ShotContext,
		readonly plan: RenderPlan<R>,
		readonly settings: RenderSettings,
	) {
		this.budget = batchBudget(batch);
		this.ledger = context.ledger;
		const binaryProperty = binaryPropertyOf(settings);
		this.resumed = resumableTake(context, plan.layer, plan.vendor, plan.operation, binaryProperty);
		// The step that writes the file names its property on the take it resumes (a Submit Only
		// step's take names none: that step writes nothing).
		this.take = this.resumed && binaryProperty ? { ...this.resumed, binaryProperty } : this.resumed;
		this.allowanceUsd = context.allowance?.usd;
		this.attempt = nextAttempt(context, plan.layer);
		this.journaled = context.fromContract && hasRenderJournal(ctx);
		this.identity = {
			context,
			itemIndex,
			layer: plan.layer,
			vendor: plan.vendor,
			model: plan.model,
			operation: plan.operation,
			attempt: this.attempt,
			request: requestParameters(ctx.getNode()),
		};
		this.key = submitKey(this.identity);
		this.adapter = {
			vendor: plan.vendor,
			itemIndex,
			submit: async () => {
				// Written before the request leaves: a step that dies from here on leaves a row that says so.
				if (this.journaled) await this.record('sending');
				const sent = await settle(async () => await plan.submit());
				if (!sent.ok) {
					await this.note(isOutcomeUnknown(sent.error) ? 'unknown' : 'refused');
					throw sent.error;
				}
				this.submitBody = sent.value.body;
				return sent.value;
			},
			poll: plan.poll,
			onSubmitted: async (jobId) => {
				this.recordTake(jobId);
				await this.note('accepted', jobId);
			},
			onStatus: (status) => {
				this.ticket?.status(status.throttled === true);
				if (!this.take) return;
				// 'succeeded' is recorded with the asset, once the output is in hand.
				this.take = {
					...this.take,
					status: status.phase === 'succeeded' ? this.take.status : status.phase,
					...(status.progress !== undefined ? { progress: status.progress } : {}),
				};
				const percent =
					status.progress !== undefined ? ` ${Math.round(status.progress * 100)}%` : '';
				ctx.sendMessageToUI?.(
					`${plan.vendor} ${plan.model}, shot ${context.shot.index + 1} of ${context.pipeline.shotCount}: ${status.vendorStatus}${percent}`,
				);
			},
		};
		const pace = batch.shared('renderTimes', () => new RenderTimes()).forModel(plan.model);
		const gate = accountConcurrency(batch, plan.vendor, settings.concurrency);
		this.options = { clock: batch.clock, signal: ctx.getExecutionCancelSignal(), pace, gate };
		const typicalMs = typicalRenderMs(plan.vendor, plan.model);
		this.policy = {
			...settings.policy,
			...(settings.followRender
				? { follow: { typicalMs, floorMs: settings.followRender.floorMs } }
				: {}),
			...(settings.handOnAfter > 0 ? { handOn: { after: settings.handOnAfter, typicalMs } } : {}),
		};
	}

	get runId(): string {
		return this.context.pipeline.runId;
	}

	/** The take of a job the vendor holds for this item, written the moment its ID is known (or sent, `sentAt`). */
	recordTake(jobId: string, sentAt?: number): void {
		const { plan, context } = this;
		const binaryProperty = binaryPropertyOf(this.settings);
		this.take = {
			layer: plan.layer,
			vendor: plan.vendor,
			model: plan.model,
			operation: plan.operation,
			jobId,
			status: 'submitted',
			pinFingerprint: context.pin?.fingerprint ?? null,
			attempt: this.attempt,
			startedAt: sentAt === undefined ? this.now() : new Date(sentAt).toISOString(),
			costUsd: plan.estimate.usd,
			refsSent: plan.refsSent,
			...(binaryProperty ? { binaryProperty } : {}),
		};
	}

	/** Where this submit is, for messages: the item and its shot. */
	get where(): string {
		return `Item ${this.itemIndex} (shot ${this.context.shot.id})`;
	}

	async record(state: JournalState, jobId?: string): Promise<void> {
		const journal = await renderJournal(this.ctx, this.batch);
		await journal.record(this.key, state, this.identity, this.where, jobId);
	}

	/**
	 * Records what became of a sent submit. The vendor has already answered, so a journal that
	 * cannot be written must not turn that answer into a failure: the item still carries the take.
	 * A job ID is worth a second try; after that only the log has it besides the item.
	 */
	async note(state: JournalState, jobId?: string): Promise<void> {
		if (!this.journaled) return;
		let written = await settle(async () => await this.record(state, jobId));
		if (!written.ok && jobId) written = await settle(async () => await this.record(state, jobId));
		if (!written.ok)
			this.ctx.logger.warn(
				`${(written.error as Error).message} (${state}${jobId ? `, job ${jobId}` : ''})`,
			);
	}

	/** A submit that may have been accepted: held, reported with the estimate it may cost, never sent again. */
	holdUnknown(error: unknown): never {
		this.failed(error, { code: 'outcome_unknown', neededUsd: this.plan.estimate.usd });
	}

	/**
	 * Asks the journal whether this submit was sent before (a step that died, then its retry).
	 * - `accepted` with a job ID: the job is taken over like one recorded on the item; nothing is
	 *   sent. Not when the item already knows that job failed or was cancelled: that is resent.
	 * - `sending` (the step died while the vendor had the request), `unknown` (sent, no answer), or
	 *   `accepted` without an ID: it may have been paid, so it is held as outcome unknown until the
	 *   operator sets the row to `accepted` with the job ID, or to `refused` to submit anew.
	 * - `refused`, or no row: sent as usual; a `refused` row also answers an outcome_unknown the
	 *   item carries (the operator's decision, made in the table).
	 */
	async recall(): Promise<'adopted' | 'cleared' | 'none'> {
		if (!this.journaled) return 'none';
		const looked = await settle(
			async () => await (await renderJournal(this.ctx, this.batch)).lookup(this.key, this.where),
		);
		if (!looked.ok) this.refusedUnsent(looked.error);
		const entry = looked.value;
		if (!entry) return 'none';
		if (entry.state === 'refused') return 'cleared';
		const dead = this.context.takes.some(
			(t) => t.jobId === entry.jobId && (t.status === 'failed' || t.status === 'cancelled'),
		);
		if (entry.state === 'accepted' && entry.jobId && dead) return 'cleared';
		if (entry.state === 'accepted' && entry.jobId) {
			// Stamped with the journal's send time, not this takeover's: the render time the waiting
			// step learns from it (and the take's record) start at the real submit.
			this.recordTake(entry.jobId, entry.sentAt);
			this.resumed = this.take;
			// Paid whatever the budget now says: the first run's checks let it through.
			this.budget.hold(this.runId, this.plan.estimate.usd);
			this.reserved = this.plan.estimate.usd;
			if (this.allowanceUsd !== undefined) this.allowanceUsd -= this.plan.estimate.usd;
			return 'adopted';
		}
		if (entry.state === 'sending') await this.note('unknown');
		this.holdUnknown(
			new SubmitOutcomeUnknownError({
				vendor: this.plan.vendor,
				itemIndex: this.itemIndex,
				cause: new Error(
					`an earlier run of this step sent it and no answer was recorded (the render journal has it as ${entry.state}); ` +
						`to go on, set its row (shot ${this.context.shot.id}) to accepted with the job ID from the vendor dashboard, or to refused to submit anew`,
				),
			}),
		);
	}

	now(): string {
		return new Date(this.batch.clock.now()).toISOString();
	}

	/** The item as it leaves the node: the take (when there is one), the spend and what is left of the allowance. */
	emit(
		extra: Record<string, unknown> = {},
		binary?: Record<string, IBinaryData>,
		ledger: LedgerEntry[] = this.ledger,
	): INodeExecutionData[] {
		const input = this.ctx.getInputData()[this.itemIndex];
		// An earlier render error of this item is answered by this render, whatever it brings.
		const rest = withoutFields(input.json, ['renderError', 'error']);
		const allowance: Allowance | undefined =
			this.context.allowance && this.allowanceUsd !== undefined
				? { ...this.context.allowance, usd: round6(Math.max(0, this.allowanceUsd)) }
				: undefined;
		return [
			{
				json: {
					...rest,
					pipeline: {
						...this.context.pipeline,
						spentUsd: Math.max(this.context.pipeline.spentUsd, this.budget.spent(this.runId)),
					},
					shot: this.context.shot,
					...(this.context.pin ? { pin: this.context.pin } : {}),
					takes: this.take ? replaceTake(this.context.takes, this.take) : this.context.takes,
					ledger,
					...(allowance ? { allowance } : {}),
					jobId: this.take?.jobId ?? null,
					status: this.take?.status ?? null,
					...extra,
				},
				...(binary || input.binary
					? { binary: { ...(input.binary ?? {}), ...(binary ?? {}) } }
					: {}),
				pairedItem: { item: this.itemIndex },
			},
		];
	}

	/**
	 * A failure after the vendor took the job (or may have): the item leaves with its take and a
	 * render error, never without them, so the job ID is reported and a re-run collects it.
	 */
	failed(
		error: unknown,
		renderError: Omit<RenderError, 'layer' | 'message'>,
		ledger?: LedgerEntry[],
	): never {
		const message = errorJson(error).error as string;
		const items = this.emit(
			{ ...errorJson(error), renderError: { ...this.engine(), message, ...renderError } },
			undefined,
			ledger,
		);
		throw new ItemFailedError(error, items, true);
	}

	/**
	 * Refuses before anything is sent: a submit the item's allowance or the run's budget cannot
	 * pay, or one that may already have been paid (unless the journal's row says it was not).
	 */
	reserve(cleared = false): void {
		const { plan, context, itemIndex } = this;
		const unknown = context.renderError;
		if (!cleared && unknown?.code === 'outcome_unknown' && unknown.layer === plan.layer) {
			// Sending it again could pay twice; the operator decides (see the README's troubleshooting).
			throw new ItemFailedError(
				new Error(
					`Item ${itemIndex}: renderError: the last ${plan.layer} submit of shot ${context.shot.id} may have been accepted by the vendor (${unknown.message}). ` +
						'It is not sent again: check the vendor dashboard, then put the job ID on the take, or remove renderError from the item to submit anew',
				),
				this.emit({ renderError: unknown, error: unknown.message }),
				false,
			);
		}
		if (this.allowanceUsd !== undefined && plan.estimate.usd > this.allowanceUsd + 1e-9) {
			this.refuse(
				new BudgetExceededError({
					itemIndex,
					runId: this.runId,
					budgetUsd: context.pipeline.budgetUsd ?? this.allowanceUsd,
					spentUsd: 0,
					costUsd: plan.estimate.usd,
					allowanceUsd: this.allowanceUsd,
				}),
			);
		}
		try {
			this.budget.reserve(this.runId, plan.estimate.usd, itemIndex);
		} catch (error) {
			this.refuse(error);
		}
		this.reserved = plan.estimate.usd;
		if (this.allowanceUsd !== undefined) this.allowanceUsd -= plan.estimate.usd;
	}

	/** Where a render error happened: the layer, and the engine (vendor, model, operation) QC sends it back to. */
	private engine() {
		const { layer, vendor, model, operation } = this.plan;
		return { layer, vendor, model, operation };
	}

	/** A submit the money does not cover: data for QC to route (Needs Review, or back once the run has it), never a failed workflow. */
	refuse(error: unknown): never {
		const items = this.emit({
			...errorJson(error),
			renderError: {
				...this.engine(),
				code: 'budget',
				message: errorJson(error).error as string,
				neededUsd: this.plan.estimate.usd,
			},
		});
		throw new ItemFailedError(error, items, true);
	}

	/** Sends the job once. A submit whose outcome is unknown may have been paid: it is held, reported, and never resent. */
	async submit(): Promise<void> {
		const submitted = await settle(
			async () => await submitJob(this.adapter, this.policy, this.options),
		);
		if (submitted.ok) {
			this.ticket = submitted.value.ticket;
			const credits = this.plan.vendorCredits?.(undefined, submitted.value.body);
			if (credits && this.take)
				this.take = {
					...this.take,
					costUsd: this.entry(submitted.value.jobId, credits.credits).usd,
				};
			this.pending = submitted.value;
			return;
		}
		const error = submitted.error;
		if (error instanceof SubmitOutcomeUnknownError) this.holdUnknown(error);
		this.refusedUnsent(error);
	}

	/**
	 * A Submit Only step does not wait for its jobs, but each still takes a place in the account
	 * while it renders. Given back at acceptance, the step would send more than the account takes
	 * and meet its refusals (Vertex answers 429) with blind back-off, leaving the account idle; so a
	 * light watcher polls the job until the vendor is done with it, and the step's end lets every
	 * place go. Waiting for room makes the step last as long as the renders ahead of it, and n8n
	 * saves nothing of a step until it ends: only with the render journal, which a retried step
	 * takes the sent jobs over from, may it wait. Without it the step stays short, as before.
	 * A vendor that queues what is over its cap (Runway's THROTTLED, fal's and Replicate's queues:
	 * stored, started in order, not an error) takes every submit at once instead.
	 */
	holdPlaceWhileRendering(): void {
		const { ticket, pending, batch } = this;
		if (!ticket) return;
		if (
			!pending ||
			!this.journaled ||
			queuesOverConcurrency(this.plan.vendor) ||
			batch.ended.aborted
		)
			return ticket.done();
		this.keepPlaceWhileRendering(ticket, 0);
	}

	/**
	 * Keeps a job's place while the vendor still runs it: a light watcher polls it (never handing it
	 * on) and lets the place go once the job ends, times out, or the step ends. A place held to the
	 * step's end instead would stall the step once its stragglers held every place: the submits
	 * waiting for room would wait for the end of a step that waits for them.
	 */
	private keepPlaceWhileRendering(ticket: SubmitTicket, watchedMs: number): void {
		const watcher: JobAdapter<R> = {
			vendor: this.adapter.vendor,
			itemIndex: this.adapter.itemIndex,
			submit: this.adapter.submit,
			poll: this.adapter.poll,
			onStatus: (status) => ticket.status(status.throttled === true),
		};
		const policy = { ...this.policy, handOn: undefined, watchedMs };
		const options = {
			...this.options,
			gate: undefined,
			// A watcher that starts after the job's submit (a straggler handed on) would time the
			// render from its own start and teach the step a render time far too short.
			...(watchedMs > 0 ? { pace: undefined } : {}),
			signal: AbortSignal.any([
				this.batch.ended,
				...(this.options.signal ? [this.options.signal] : []),
			]),
		};
		const { resumed, pending } = this;
		void settle(async () =>
			resumed
				? await waitForResumed(
						watcher,
						resumed.jobId,
						Date.parse(resumed.startedAt),
						policy,
						options,
					)
				: await waitForSubmitted(watcher, pending!, policy, options),
		).then(() => ticket.done());
	}

	/** Certainly not accepted (or never sent): nothing is held any more, and the step says why. */
	refusedUnsent(error: unknown): never {
		this.budget.settle(this.runId, this.reserved, 0);
		if (this.allowanceUsd !== undefined) this.allowanceUsd += this.reserved;
		this.reserved = 0;
		throw new ItemFailedError(
			error,
			this.emit({
				...errorJson(error),
				renderError: {
					...this.engine(),
					code: 'vendor',
					message: errorJson(error).error as string,
				},
			}),
			// A shot QC Router sent (it carries its QC state), refused for the account's capacity (429,
			// a quota, every place held): QC sends it to Needs Review. The run's report is written only
			// once every shot is back at QC, so failing the node would end the execution with the
			// renders the run already paid for (earlier rounds, the other vendors' branches) in none.
			this.context.qc !== undefined &&
				(isCapacityRefusal(error) || error instanceof AccountSaturatedError),
		);
	}

	/**
	 * Waits for the submitted or resumed job; a vendor-side failure is a failed take for QC to route,
	 * and a straggler handed on (`'handedOn'`) leaves with its take in flight for a later pass.
	 */
	async wait(): Promise<{ jobId: string; status: JobStatus<R> } | 'handedOn' | undefined> {
		const { resumed, policy } = this;
		// A resumed job is already at the vendor: it counts against the account's cap while it renders.
		if (resumed) this.ticket = this.options.gate!.adopt();
		const renderedBefore = this.renderedBefore();
		const waited = await settle(async () => {
			if (resumed)
				return {
					jobId: resumed.jobId,
					status: (
						await waitForResumed(
							this.adapter,
							resumed.jobId,
							Date.parse(resumed.startedAt),
							{ ...policy, watchedMs: renderedBefore },
							this.options,
						)
					).status,
				};
			const submitted = this.pending!;
			return {
				jobId: submitted.jobId,
				status: (await waitForSubmitted(this.adapter, submitted, policy, this.options)).status,
			};
		});
		const error = waited.ok ? undefined : waited.error;
		if (error instanceof JobStillRenderingError && this.ticket && !this.batch.ended.aborted) {
			// Handed on but still rendering at the vendor, which counts it: it keeps its place while it renders.
			this.keepPlaceWhileRendering(this.ticket, renderedBefore + error.watchedMs);
		} else {
			// No longer waited for, so no longer counted: the download after it does not hold the vendor's cap.
			this.ticket?.done();
		}
		if (waited.ok) return waited.value;
		if (error instanceof JobFailedError && this.take) {
			this.endedUnpaid('failed', vendorFailure(error));
			return undefined;
		}
		if (
			error instanceof VendorHttpError &&
			error.statusCode === 404 &&
			this.take?.cancelSentAt !== undefined
		) {
			this.deletedAtVendor(
				this.take.jobId,
				`The cancel sent at the timeout (${this.take.cancelSentAt}) reached it as it finished, and the vendor deleted it with its output: it was charged, and cannot be collected`,
			);
			return undefined;
		}
		if (error instanceof JobCancelledError && error.byVendor && this.take) {
			// Cancelled at the vendor (a cancel sent at an earlier timeout, read back by this re-run,
			// or one made in its dashboard): nothing was charged, and QC sends the shot for a new render.
			this.endedUnpaid('cancelled', {
				code: 'cancelled',
				message: error.message,
				retryable: true,
			});
			return undefined;
		}
		if (error instanceof JobStillRenderingError && this.take) {
			// Still paid for and rendering: the reservation and the job ID stay on the item, and the
			// take records the render time watched so the next pass has only the rest of the timeout.
			this.take = {
				...this.take,
				watchedMs: renderedBefore + error.watchedMs,
				handedOnAt: this.now(),
			};
			this.ctx.logger.info(error.message);
			return 'handedOn';
		}
		let reported = error;
		if (error instanceof JobTimedOutError && this.take) {
			const cancelled = await this.cancelTimedOut(this.take.jobId, error);
			if (cancelled === 'ended') return undefined;
			if (cancelled instanceof JobTimedOutError) reported = cancelled;
			else if (cancelled) return cancelled;
			this.take = { ...this.take, status: 'timed_out' };
		}
		// Timeout, cancellation, poll trouble: the render may still be paid for and finish. The
		// reservation and the job ID stay on the item so a re-run polls it instead of paying again.
		this.failed(reported, { code: failureCode(reported), jobId: this.take?.jobId });
	}

	/**
	 * Render time a resumed job had before this pass, so its timeout runs on the vendor's clock and
	 * not only while a pass watches it: what earlier passes watched plus the time since the last
	 * one handed it on (it was rendering then: a hand-on counts only render time); for a job
	 * collected the first time, the time since its submit, where the vendor refuses over the
	 * account's cap instead of queueing (so all of that time was render time). A job that already
	 * timed out, resumed by a re-run, gets a whole timeout again.
	 */
	renderedBefore(): number {
		const { resumed } = this;
		if (!resumed || !isInFlight(resumed)) return 0;
		const now = this.batch.clock.now();
		if (resumed.watchedMs !== undefined)
			return (
				resumed.watchedMs +
				(resumed.handedOnAt ? Math.max(0, now - Date.parse(resumed.handedOnAt)) : 0)
			);
		return queuesOverConcurrency(this.plan.vendor)
			? 0
			: Math.max(0, now - Date.parse(resumed.startedAt));
	}

	/**
	 * At the timeout, where the option is on and the vendor can: cancels the job if it is still
	 * unfinished, and reads it back.
	 * - Cancelled: a failed take that cost nothing, for QC to send back for a new render within
	 *   the layer's retries; the account's place is free again. Failed: the same, as any
	 *   vendor-side failure.
	 * - Succeeded (before the cancel was sent, or as it arrived): collected as usual.
	 * - Gone (it finished as the cancel reached it, and the vendor deleted it with its output): a
	 *   failed take charged on the ledger with its job ID, so it is reported and not resumed.
	 * - Anything else (it could not be read first, so nothing was sent; the cancel left it running;
	 *   it could not be read back): a timeout with its job ID and its cost held, for a re-run to read
	 *   again. A take whose cancel was sent but not read back remembers it (`cancelSentAt`): a re-run
	 *   that then finds it gone knows the cancel deleted it.
	 */
	private async cancelTimedOut(
		jobId: string,
		timedOut: JobTimedOutError,
	): Promise<'ended' | { jobId: string; status: JobStatus<R> } | JobTimedOutError | undefined> {
		const { plan } = this;
		if (!this.settings.cancelAtTimeout || !plan.cancel || !this.take) return undefined;
		const read = await settle(async () => await plan.cancel!(jobId));
		const said = (error: unknown) => errorJson(error).error as string;
		if (!read.ok) return timedOut.afterCancel({ unreadBefore: said(read.error) });
		const outcome = read.value;
		const status = outcome.sent ? outcome.after : outcome.status;
		if (status === 'gone') {
			this.deletedAtVendor(
				jobId,
				timedOut.afterCancel('gone').message,
				outcome.sent ? outcome.before : undefined,
			);
			return 'ended';
		}
		if ('unread' in status) {
			this.take = { ...this.take, cancelSentAt: this.now() };
			return timedOut.afterCancel({ unread: said(status.unread) });
		}
		if (status.phase === 'succeeded') return { jobId, status };
		const failure =
			status.phase === 'failed'
				? failureOf(status, { vendor: plan.vendor, itemIndex: this.itemIndex, jobId })
				: undefined;
		if (failure instanceof JobFailedError) {
			this.endedUnpaid('failed', vendorFailure(failure));
			return 'ended';
		}
		if (status.phase !== 'cancelled')
			return outcome.sent && outcome.sendError !== undefined
				? timedOut.afterCancel({ failed: said(outcome.sendError) })
				: timedOut.afterCancel({ leftAs: status.vendorStatus });
		const waited = `${Math.round(timedOut.waitedMs / 1000)} s`;
		this.endedUnpaid('cancelled', {
			code: 'timeout_cancelled',
			message: `Unfinished after ${waited}: cancelled at ${plan.vendor}, so nothing was charged`,
			retryable: true,
		});
		this.ctx.logger.info(`${this.where}: ${plan.vendor} job ${jobId} cancelled after ${waited}`);
		return 'ended';
	}

	/**
	 * The vendor deleted the finished job, output and all, as a cancel reached it: it was charged and
	 * cannot be collected. The take fails (QC sends the shot for a new render) with its job ID and the
	 * charge on the ledger: the vendor's figure where it gave one (the read before the cancel, or the
	 * submit's estimate, recorded on the take by a Submit Only step), else ours.
	 */
	deletedAtVendor(jobId: string, message: string, before?: JobStatus<R>): void {
		const { plan } = this;
		const take = this.take!;
		const credits =
			plan.vendorCredits?.(before, this.submitBody) ??
			(plan.estimate.unit === 'credit' && take.costUsd > 0
				? { credits: Math.round(take.costUsd / plan.estimate.unitPriceUsd), final: false }
				: undefined);
		const entry = this.entry(jobId, credits?.credits, credits?.final);
		this.settle(entry.usd);
		this.ledger = [...this.ledger, entry];
		this.take = {
			...take,
			status: 'failed',
			finishedAt: this.now(),
			costUsd: entry.usd,
			failure: { code: 'timeout_deleted', message, retryable: true },
		};
		this.ctx.logger.warn(`${this.where}: ${plan.vendor} job ${jobId}: ${message}`);
	}

	/** The job ended at the vendor without an output and without a charge: the take says why, and the item holds nothing. */
	endedUnpaid(status: 'failed' | 'cancelled', failure: NonNullable<Take['failure']>): void {
		this.settle(0);
		this.take = { ...this.take!, status, finishedAt: this.now(), costUsd: 0, failure };
	}

	entry(
		jobId: string,
		vendorCredits?: number,
		vendorCreditsFinal?: boolean,
		vendorUsd?: number,
		vendorMetered?: MeteredCharge,
	): LedgerEntry {
		const { plan } = this;
		return ledgerEntry({
			vendorMetered,
			layer: plan.layer,
			vendor: plan.vendor,
			model: plan.model,
			jobId,
			estimate: plan.estimate,
			vendorCredits,
			vendorCreditsFinal,
			vendorUsd,
		});
	}

	/** Turns what this item holds into spend at the vendor's figure (0 when nothing was charged). */
	settle(actualUsd: number): void {
		this.budget.settle(this.runId, this.reserved, actualUsd);
		if (this.allowanceUsd !== undefined) this.allowanceUsd += this.reserved - actualUsd;
		this.reserved = 0;
	}

	/** Records the finished render: asset, cost and ledger; then streams the file where binaries are wanted. */
	async collect(jobId: string, status: JobStatus<R>): Promise<INodeExecutionData[]> {
		const { plan, settings } = this;
		const produced = await settle(async () => await plan.output(status));
		if (!produced.ok) this.failed(produced.error, { code: 'download', jobId });
		const credits = plan.vendorCredits?.(status, this.submitBody);
		const entry = this.entry(
			jobId,
			credits?.credits,
			credits?.final,
			plan.vendorCostUsd?.(status),
			plan.vendorMetered?.(status),
		);
		this.settle(entry.usd);
		const ledger = [
			...this.ledger.filter((e) => !(e.jobId === jobId && e.layer === plan.layer)),
			entry,
		];
		const { asset } = produced.value;
		this.take = {
			...(this.take as Take),
			status: 'succeeded',
			progress: 1,
			finishedAt: this.now(),
			asset,
			costUsd: entry.usd,
		};
		const outputUrl = asset.kind === 'url' || asset.kind === 'gcs' ? asset.ref : null;
		if (settings.output !== 'binary' || !produced.value.download)
			return this.emit({ outputUrl }, undefined, ledger);

		// The render is paid for even when its download fails: the take keeps the vendor's
		// reference and the cost, so the job ID is reported and a re-run does not pay again.
		const downloaded = await settle(async () => await produced.value.download!());
		if (!downloaded.ok) this.failed(downloaded.error, { code: 'download', jobId }, ledger);
		const binary: Record<string, IBinaryData> = { [settings.binaryPropertyName]: downloaded.value };
		this.take = {
			...this.take,
			asset: {
				...asset,
				kind: 'binary',
				ref: settings.binaryPropertyName,
				bytes: downloaded.value.bytes ?? asset.bytes,
			},
		};
		// A still is a nicety for the QC report; a failure to fetch it costs the take nothing.
		const still = produced.value.thumbnail
			? await settle(async () => await produced.value.thumbnail!())
			: undefined;
		if (still?.ok) {
			const property = `${settings.binaryPropertyName}_thumbnail`;
			binary[property] = still.value;
			this.take = {
				...this.take,
				thumbnail: { kind: 'binary', ref: property, mimeType: still.value.mimeType },
			};
		}
		return this.emit({ outputUrl }, binary, ledger);
	}
}

/** A take's record of a render the vendor failed. */
const vendorFailure = (error: JobFailedError): NonNullable<Take['failure']> => ({
	code: error.failureCode,
	message: error.message,
	retryable: error.retryable,
});

/** A take a waiting step handed on while the vendor still rendered it (not one that timed out). */
function handedOnInFlight(take: Take | undefined): boolean {
	return take?.watchedMs !== undefined && isInFlight(take);
}

/**
 * The shared render flow every vendor operation runs for one item: resume a recorded job, or
 * check the allowance and the budget and submit once; record the take before waiting; wait
 * (bounded, cancel-aware) or return at once in submit-only mode; then record the asset, the cost
 * and the spend. Whatever fails once the vendor holds the job, the item leaves with its take and
 * a render error (ItemFailedError carries it to the router), so no paid job ID is lost.
 */
export async function renderItem<R>(
	ctx: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
	context: ShotContext,
	plan: RenderPlan<R>,
	settings: RenderSettings,
): Promise<INodeExecutionData[]> {
	const run = new RenderRun(ctx, itemIndex, batch, context, plan, settings);
	if (run.resumed) {
		// The budget already holds a resumed job's unpaid cost (BudgetTracker.fromItems), and the
		// item's allowance was charged when it was submitted; settling releases both.
		run.reserved = heldCost(run.resumed, context.ledger);
		// A straggler a waiting step handed on, routed back here by QC: it is still rendering, so a
		// Submit Only step passes it on to the waiting step instead of waiting for it itself.
		if (settings.mode === 'submit' && handedOnInFlight(run.resumed)) return run.emit();
	} else {
		// The journal first: a job a dead step was sent is paid, whatever the budget check now says.
		const recalled = await run.recall();
		if (recalled !== 'adopted') {
			run.reserve(recalled === 'cleared');
			await run.submit();
		}
		if (settings.mode === 'submit') {
			run.holdPlaceWhileRendering();
			return run.emit();
		}
	}
	const finished = await run.wait();
	if (finished === 'handedOn') return run.emit();
	if (!finished) return run.emit({ failure: run.take?.failure });
	return await run.collect(finished.jobId, finished.status);
}
