import type { Vendor } from '../contract/schemas';
import {
	AccountSaturatedError,
	JobCancelledError,
	JobFailedError,
	JobStillRenderingError,
	JobTimedOutError,
	SubmitOutcomeUnknownError,
	VendorHttpError,
	VendorJobError,
	VendorNetworkError,
} from '../errors';
import type { SubmitGate, SubmitTicket } from './adaptiveConcurrency';
import { nextInterval, withJitter, type BackoffPolicy } from './backoff';
import type { Clock } from './clock';
import { settle } from './concurrency';
import { followingWait, pacedWait, type RenderPace } from './renderTimes';

/**
 * Rules that must not regress:
 * - a paid submit is sent once; it is repeated only when the vendor certainly did not accept it
 *   (HTTP 429, or the connection was refused before anything was sent); a 429 while renders of
 *   this run are in flight waits for one of them to finish (the account's cap) without counting
 *   as a retry;
 * - the first poll comes one interval after the submit;
 * - transient poll errors (408, 429, 5xx, resets, malformed bodies) are tolerated up to a limit,
 *   and a vendor's retry hint is honoured; any other poll error ends the wait at once;
 * - every error names the vendor, the job ID and the item index;
 * - waiting is bounded by a timeout and stops as soon as the execution is cancelled; time the
 *   vendor holds the job in its queue for the account's concurrency (Runway THROTTLED) is not
 *   render time, and is added to the timeout up to MAX_QUEUED_MS;
 * - a job may be waited for in several passes (handed on as a straggler, then resumed): the passes
 *   share one timeout of render time watched, and a job resumed with all of it watched is still
 *   polled once.
 */

export type JobPhase = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobStatus<R = unknown> {
	phase: JobPhase;
	/** The vendor's own word for the state (THROTTLED, in_progress, done, ...). */
	vendorStatus: string;
	/** 0..1 where the vendor reports progress. */
	progress?: number;
	failure?: { code?: string; message: string; retryable: boolean };
	/** The vendor holds the job back because the account is over its concurrency (Runway THROTTLED). */
	throttled?: boolean;
	/** The vendor's response body, for the operation to read outputs from. */
	body: R;
}

export interface SubmitResult<R = unknown> {
	jobId: string;
	/** Some vendors answer the submit with a first status (or a finished result). */
	status?: JobStatus<R>;
	body?: unknown;
	/** The job's place in the run's concurrency, given back when it is no longer waited for. */
	ticket?: SubmitTicket;
}

export interface JobAdapter<R = unknown> {
	vendor: Vendor;
	itemIndex: number;
	submit(): Promise<SubmitResult<R>>;
	poll(jobId: string): Promise<JobStatus<R>>;
	/** Called right after the vendor accepted the submit: record the job ID before waiting. */
	onSubmitted?(jobId: string): void | Promise<void>;
	onStatus?(status: JobStatus<R>, jobId: string): void | Promise<void>;
}

export interface WaitPolicy extends BackoffPolicy {
	timeoutMs: number;
	/** Consecutive transient poll failures tolerated before giving up. */
	maxConsecutivePollErrors: number;
	/** How often a submit rejected with 429 is sent again. */
	maxSubmitRetries: number;
	/**
	 * Polling that follows the render instead of a fixed interval: the first poll at a share of
	 * the model's typical render time, then at a small share of the time waited so far.
	 */
	follow?: { typicalMs: number; floorMs: number };
	/**
	 * Hand a straggler on instead of holding the step: once this pass has watched a job render
	 * `after` times the model's render time (this run's observations, else `typicalMs`; see
	 * `RenderPace.renderEstimateMs`), the wait
	 * ends with JobStillRenderingError and the job ID, for a later pass to collect.
	 */
	handOn?: { after: number; typicalMs: number };
	/** Render time earlier passes watched this job for; what is left of the timeout is this pass's. */
	watchedMs?: number;
}

export interface RunOptions {
	clock: Clock;
	signal?: AbortSignal;
	/** A job ID already recorded on the item: poll it instead of paying again. */
	existingJobId?: string;
	/** Render times of the same model in this node run, to poll around the expected finish. */
	pace?: RenderPace;
	/** The run's concurrency for this vendor account: a submit waits here for room. */
	gate?: SubmitGate;
}

export interface JobOutcome<R = unknown> {
	jobId: string;
	status: JobStatus<R>;
	/** False when the job was resumed from a recorded ID. */
	submitted: boolean;
	polls: number;
	startedAt: number;
	finishedAt: number;
}

/**
 * The longest a job may sit in the vendor's queue for the account's concurrency, on top of the
 * render timeout. Runway stores such a task and starts it in FIFO order (it is not an error), so a
 * night's batch queued behind the account's cap is waited for instead of timing out unrendered.
 */
export const MAX_QUEUED_MS = 6 * 60 * 60_000;

const TERMINAL: ReadonlySet<JobPhase> = new Set(['succeeded', 'failed', 'cancelled']);

export function isTerminal(phase: JobPhase): boolean {
	return TERMINAL.has(phase);
}

/** The one place that decides whether an error may be answered by trying again. */
export function isTransientPollError(error: unknown): boolean {
	if (error instanceof VendorNetworkError) return error.retryable;
	if (error instanceof VendorHttpError) return error.retryable;
	return false;
}

/** The request reached the vendor but no clear answer came back: it may have been accepted. */
export function isOutcomeUnknown(error: unknown): error is VendorJobError {
	if (error instanceof VendorNetworkError) return !error.neverSent;
	return error instanceof VendorHttpError && (error.statusCode >= 500 || error.statusCode === 408);
}

export function isSafeToResubmit(error: unknown): boolean {
	if (error instanceof VendorHttpError) return error.statusCode === 429;
	if (error instanceof VendorNetworkError) return error.neverSent && error.retryable;
	return false;
}

/** The vendor refused for capacity (rate, quota, concurrency): nothing was accepted, nothing paid. */
export function isCapacityRefusal(error: unknown): boolean {
	return error instanceof VendorHttpError && error.statusCode === 429;
}

function retryAfterOf(error: unknown): number | undefined {
	return error instanceof VendorHttpError ? error.retryAfterMs : undefined;
}

async function sleepOrCancel(
	ms: number,
	options: RunOptions,
	context: { vendor: Vendor; itemIndex: number; jobId?: string },
): Promise<void> {
	if (options.signal?.aborted) throw new JobCancelledError(context, false);
	const slept = await settle(async () => await options.clock.sleep(ms, options.signal));
	if (slept.ok) return;
	if (options.signal?.aborted) throw new JobCancelledError(context, false);
	throw slept.error;
}

/** Sends the paid submit, repeating it only where the vendor certainly did not accept it. */
export async function submitJob<R>(
	adapter: JobAdapter<R>,
	policy: WaitPolicy,
	options: RunOptions,
): Promise<SubmitResult<R>> {
	const context = { vendor: adapter.vendor, itemIndex: adapter.itemIndex };
	let delay = policy.intervalMs;
	for (let attempt = 0; ; ) {
		if (options.signal?.aborted) throw new JobCancelledError(context, false);
		const ticket = options.gate
			? await cancellable(async () => await options.gate!.enter(options.signal), options, context)
			: undefined;
		const submitted = await settle(async () => await adapter.submit());
		if (submitted.ok) {
			ticket?.accepted();
			await adapter.onSubmitted?.(submitted.value.jobId);
			return { ...submitted.value, ticket };
		}
		const error = submitted.error;
		if (ticket && isCapacityRefusal(error)) {
			// Refused, so not paid: once one of ours has finished there is room to send it again.
			if (
				await cancellable(
					async () => await ticket.refused(retryAfterOf(error), options.signal),
					options,
					context,
				)
			)
				continue;
			// Refused with none of ours in flight for a whole render timeout: the account's places are
			// held by jobs that outlast a render, and retrying each item in turn would only crawl.
			const refusedForMs = options.gate!.refusedIdleForMs();
			if (refusedForMs >= policy.timeoutMs)
				throw new AccountSaturatedError({ ...context, refusedForMs, cause: error as Error });
		} else {
			ticket?.abandoned();
		}
		if (isSafeToResubmit(error) && attempt < policy.maxSubmitRetries) {
			const hinted = retryAfterOf(error);
			await sleepOrCancel(
				Math.max(
					hinted ?? 0,
					withJitter(delay, policy.jitter, () => options.clock.random()),
				),
				options,
				context,
			);
			delay = nextInterval(delay, policy);
			attempt++;
			continue;
		}
		if (isOutcomeUnknown(error)) throw new SubmitOutcomeUnknownError({ ...context, cause: error });
		throw error;
	}
}

/** Runs a wait that an execution cancel interrupts, reporting the cancel as such. */
async function cancellable<T>(
	task: () => Promise<T>,
	options: RunOptions,
	context: { vendor: Vendor; itemIndex: number },
): Promise<T> {
	const result = await settle(task);
	if (result.ok) return result.value;
	if (options.signal?.aborted) throw new JobCancelledError(context, false);
	throw result.error;
}

/** The error a job that ended without an output stands for. */
export function failureOf<R>(
	status: JobStatus<R>,
	context: { vendor: Vendor; itemIndex: number; jobId: string },
): JobFailedError | JobCancelledError {
	if (status.phase === 'cancelled') return new JobCancelledError(context, true);
	return new JobFailedError({
		...context,
		failureCode: status.failure?.code,
		reason: status.failure?.message ?? `vendor status ${status.vendorStatus}`,
		retryable: status.failure?.retryable ?? false,
	});
}

/**
 * Polls a submitted job until it is terminal. Resolves with the succeeded status; a failed or
 * cancelled job, a timeout, a cancellation or a non-transient poll error rejects.
 */
export async function waitForJob<R>(
	adapter: JobAdapter<R>,
	jobId: string,
	policy: WaitPolicy,
	options: RunOptions,
	firstStatus?: JobStatus<R>,
): Promise<{ status: JobStatus<R>; polls: number; pendingForMs?: number; doneAtMs?: number }> {
	const context = { vendor: adapter.vendor, itemIndex: adapter.itemIndex, jobId };
	if (firstStatus && isTerminal(firstStatus.phase)) {
		if (firstStatus.phase === 'succeeded') return { status: firstStatus, polls: 0 };
		throw failureOf(firstStatus, context);
	}
	const waitStarted = options.clock.now();
	/** Time the vendor held the job back for the account's concurrency, as the polls saw it. */
	let queuedMs = 0;
	let queuedNow = false;
	let lastPollAt = waitStarted;
	let interval = policy.intervalMs;
	let wait = Math.max(0, policy.firstDelayMs);
	/** A transient poll error's retry hint, honoured by the next wait. */
	let hinted = 0;
	let polls = 0;
	let consecutiveErrors = 0;
	let lastStatus = firstStatus?.vendorStatus ?? 'submitted';
	let pendingForMs: number | undefined;

	const watchedBefore = Math.max(0, policy.watchedMs ?? 0);

	for (;;) {
		const now = options.clock.now();
		const remaining = waitStarted + policy.timeoutMs - watchedBefore + queuedMs - now;
		if (remaining <= 0 && polls > 0) {
			throw new JobTimedOutError({
				...context,
				waitedMs: policy.timeoutMs + queuedMs,
				lastStatus,
			});
		}
		// Render time this pass has watched: time queued at the vendor is not the job's render.
		const watched = now - waitStarted - queuedMs;
		const handOnAt = handOnPoint(policy, options);
		if (handOnAt !== undefined && polls > 0 && watched >= handOnAt)
			throw new JobStillRenderingError({ ...context, watchedMs: watched, lastStatus });
		// The render's own clock once it left the queue; while it is queued, the time waited (so a
		// long queue is polled at a growing interval, not at the floor for hours).
		const elapsed = now - waitStarted - (queuedNow ? 0 : queuedMs);
		const paced = policy.follow
			? polls === 0 && policy.firstDelayMs <= 0
				? 0
				: Math.max(
						hinted,
						withJitter(
							followingWait(
								elapsed,
								policy.follow.typicalMs,
								options.pace?.expectedMs(),
								policy.follow.floorMs,
							),
							policy.jitter,
							() => options.clock.random(),
						),
					)
			: pacedWait(
					withJitter(wait, policy.jitter, () => options.clock.random()),
					elapsed,
					options.pace?.expectedMs(),
					policy.intervalMs,
				);
		hinted = 0;
		const untilHandOn = handOnAt === undefined ? Infinity : handOnAt - watched;
		await sleepOrCancel(Math.max(0, Math.min(paced, remaining, untilHandOn)), options, context);
		polls++;
		const polled = await settle(async () => await adapter.poll(jobId));
		if (!polled.ok) {
			if (options.signal?.aborted) throw new JobCancelledError(context, false);
			if (
				!isTransientPollError(polled.error) ||
				++consecutiveErrors > policy.maxConsecutivePollErrors
			)
				throw polled.error;
			interval = nextInterval(interval, policy);
			hinted = retryAfterOf(polled.error) ?? 0;
			wait = Math.max(hinted, interval);
			continue;
		}
		const status = polled.value;
		const polledAt = options.clock.now();
		queuedNow = status.throttled === true;
		if (queuedNow) queuedMs = Math.min(MAX_QUEUED_MS, queuedMs + polledAt - lastPollAt);
		lastPollAt = polledAt;
		consecutiveErrors = 0;
		lastStatus = status.vendorStatus;
		await adapter.onStatus?.(status, jobId);
		if (status.phase === 'succeeded')
			return {
				status,
				polls,
				pendingForMs,
				doneAtMs: queuedMs > 0 ? undefined : polledAt - waitStarted,
			};
		if (isTerminal(status.phase)) throw failureOf(status, context);
		// A job seen queued has no render time of its own to learn from: its start is not known.
		pendingForMs = queuedMs > 0 ? undefined : polledAt - waitStarted;
		wait = interval;
		interval = nextInterval(interval, policy);
	}
}

/** Render time after which a pass hands its job on, or undefined when it waits until the timeout. */
function handOnPoint(policy: WaitPolicy, options: RunOptions): number | undefined {
	if (!policy.handOn || policy.handOn.after <= 0) return undefined;
	const { after, typicalMs } = policy.handOn;
	return after * (options.pace?.renderEstimateMs(typicalMs) ?? typicalMs);
}

/**
 * What a watched job tells of the model's render time, `sinceSubmit` ms after its submit when the
 * wait began: the last poll that found it unfinished is a lower bound of its render time (the
 * detection time would overstate it); a job done at the first poll gives only an upper bound.
 */
function learnRenderTime(
	pace: RenderPace | undefined,
	sinceSubmit: number,
	waited: { polls: number; pendingForMs?: number; doneAtMs?: number },
): void {
	if (waited.pendingForMs !== undefined) pace?.observe(sinceSubmit + waited.pendingForMs);
	else if (waited.doneAtMs !== undefined && waited.polls === 1)
		pace?.finishedBy(sinceSubmit + waited.doneAtMs);
}

/** Waits for a job this node run has just submitted, and learns the model's render time from it. */
export async function waitForSubmitted<R>(
	adapter: JobAdapter<R>,
	submitted: SubmitResult<R>,
	policy: WaitPolicy,
	options: RunOptions,
): Promise<{ status: JobStatus<R>; polls: number }> {
	const waited = await waitForJob(adapter, submitted.jobId, policy, options, submitted.status);
	// The wait starts at the submit: the same origin the pacing uses.
	learnRenderTime(options.pace, 0, waited);
	return { status: waited.status, polls: waited.polls };
}

/**
 * Waits for a job submitted earlier (by a Submit Only step, or a pass that handed it on), and
 * learns the model's render time from it too, measured from its submit (`submittedAt`, epoch ms):
 * a waiting step collects only resumed jobs, and without this it would know nothing of the run's
 * render times. A job the vendor held in its queue before this wait makes the figure longer, never
 * shorter, so what is learned stays a bound no job of the run has beaten.
 */
export async function waitForResumed<R>(
	adapter: JobAdapter<R>,
	jobId: string,
	submittedAt: number,
	policy: WaitPolicy,
	options: RunOptions,
): Promise<{ status: JobStatus<R>; polls: number }> {
	const sinceSubmit = options.clock.now() - submittedAt;
	const waited = await waitForJob(adapter, jobId, { ...policy, firstDelayMs: 0 }, options);
	if (Number.isFinite(sinceSubmit) && sinceSubmit >= 0)
		learnRenderTime(options.pace, sinceSubmit, waited);
	return { status: waited.status, polls: waited.polls };
}

/** Submit (or resume a recorded job) and wait for the result. */
export async function runJob<R>(
	adapter: JobAdapter<R>,
	policy: WaitPolicy,
	options: RunOptions,
): Promise<JobOutcome<R>> {
	const startedAt = options.clock.now();
	if (options.existingJobId) {
		const { status, polls } = await waitForJob(
			adapter,
			options.existingJobId,
			{ ...policy, firstDelayMs: 0 },
			options,
		);
		return {
			jobId: options.existingJobId,
			status,
			submitted: false,
			polls,
			startedAt,
			finishedAt: options.clock.now(),
		};
	}
	const submitted = await submitJob(adapter, policy, options);
	const { status, polls } = await waitForSubmitted(adapter, submitted, policy, options);
	return {
		jobId: submitted.jobId,
		status,
		submitted: true,
		polls,
		startedAt,
		finishedAt: options.clock.now(),
	};
}
