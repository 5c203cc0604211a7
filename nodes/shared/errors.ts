import type { Vendor } from './contract/schemas';
import { redactSecrets } from './redact';

/**
 * One error class per concern. Nodes convert them to NodeApiError / NodeOperationError at the
 * router (see nodeErrors.ts); the shared runtime never imports n8n error classes so it stays
 * testable without an engine.
 */

export interface ContractIssue {
	/** Dotted path from the item root, e.g. `shot.characters[1]`. */
	path: string;
	message: string;
}

/** Bad input: names the field and the item. */
export class ContractError extends Error {
	readonly issues: ContractIssue[];
	readonly itemIndex: number;

	constructor(itemIndex: number, issues: ContractIssue[]) {
		const [first] = issues;
		const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
		super(`Item ${itemIndex}: ${first?.path || '(item)'}: ${first?.message ?? 'invalid'}${more}`);
		this.name = 'ContractError';
		this.issues = issues;
		this.itemIndex = itemIndex;
	}

	get description(): string {
		return this.issues.map((issue) => `${issue.path || '(item)'}: ${issue.message}`).join('\n');
	}
}

export interface JobContext {
	vendor: Vendor;
	itemIndex: number;
	jobId?: string;
}

function jobSuffix(context: JobContext): string {
	const job = context.jobId ? `, job ${context.jobId}` : '';
	return ` [${context.vendor}${job}, item ${context.itemIndex}]`;
}

/** Base of every error that happened while talking to a vendor about a job. */
export abstract class VendorJobError extends Error {
	readonly vendor: Vendor;
	readonly itemIndex: number;
	readonly jobId?: string;
	/** Whether doing the same thing again later can succeed. */
	abstract readonly retryable: boolean;

	constructor(message: string, context: JobContext) {
		super(redactSecrets(message) + jobSuffix(context));
		this.vendor = context.vendor;
		this.itemIndex = context.itemIndex;
		this.jobId = context.jobId;
	}
}

/** The vendor answered with a non-2xx status. */
export class VendorHttpError extends VendorJobError {
	readonly statusCode: number;
	readonly vendorCode?: string;
	readonly vendorMessage: string;
	/** Milliseconds the vendor asked us to wait, from Retry-After / retry-after-ms / RetryInfo. */
	readonly retryAfterMs?: number;
	readonly retryable: boolean;

	constructor(
		context: JobContext & {
			statusCode: number;
			vendorCode?: string;
			vendorMessage: string;
			retryAfterMs?: number;
			operation: string;
		},
	) {
		const code = context.vendorCode ? ` ${context.vendorCode}` : '';
		super(
			`${context.operation} failed: HTTP ${context.statusCode}${code}: ${context.vendorMessage}`,
			context,
		);
		this.name = 'VendorHttpError';
		this.statusCode = context.statusCode;
		this.vendorCode = context.vendorCode;
		this.vendorMessage = redactSecrets(context.vendorMessage);
		this.retryAfterMs = context.retryAfterMs;
		this.retryable =
			context.statusCode === 408 || context.statusCode === 429 || context.statusCode >= 500;
	}
}

/** No usable answer: connection refused/reset, timeout, or a body that is not the promised JSON. */
export class VendorNetworkError extends VendorJobError {
	readonly code: string;
	/** A URL the shared HTTP path refused is refused again however often it is tried. */
	readonly retryable: boolean;
	/** True when the request certainly never reached the vendor (safe to repeat even a paid submit). */
	readonly neverSent: boolean;

	constructor(
		context: JobContext & { code: string; detail: string; operation: string; neverSent: boolean },
	) {
		super(
			`${context.operation} got no usable answer (${context.code}): ${context.detail}`,
			context,
		);
		this.name = 'VendorNetworkError';
		this.code = context.code;
		this.neverSent = context.neverSent;
		this.retryable = context.code !== 'TARGET_REFUSED' && context.code !== 'REDIRECT_REFUSED';
	}
}

/**
 * A paid submit whose outcome is unknown (5xx, reset or timeout after the request was sent).
 * It is never repeated automatically: the vendor may have accepted it and a repeat pays twice.
 */
export class SubmitOutcomeUnknownError extends VendorJobError {
	readonly retryable = false;

	constructor(context: JobContext & { cause: Error }) {
		super(
			`The render request may or may not have been accepted (${context.cause.message.replace(/ \[.*\]$/, '')}). ` +
				'It was not sent again to avoid paying twice; check the vendor dashboard before re-running this item',
			context,
		);
		this.name = 'SubmitOutcomeUnknownError';
	}
}

/** The vendor finished the job as failed (moderation, safety filter, internal error, ...). */
export class JobFailedError extends VendorJobError {
	readonly failureCode?: string;
	readonly retryable: boolean;

	constructor(
		context: JobContext & {
			jobId: string;
			failureCode?: string;
			reason: string;
			retryable: boolean;
		},
	) {
		const code = context.failureCode ? ` (${context.failureCode})` : '';
		super(`Render failed${code}: ${context.reason}`, context);
		this.name = 'JobFailedError';
		this.failureCode = context.failureCode;
		this.retryable = context.retryable;
	}
}

export class JobCancelledError extends VendorJobError {
	readonly retryable = true;
	/** Cancelled at the vendor (nothing charged, nothing to collect), not a wait this execution stopped. */
	readonly byVendor: boolean;

	constructor(context: JobContext, byVendor: boolean) {
		super(
			byVendor
				? 'The vendor reports the render as cancelled'
				: 'Stopped waiting because the execution was cancelled; the render may still finish and can be collected with its job ID',
			context,
		);
		this.name = 'JobCancelledError';
		this.byVendor = byVendor;
	}
}

const COLLECT_LATER =
	'Collect it later with Get Status / Download and this job ID instead of submitting again';

export class JobTimedOutError extends VendorJobError {
	readonly retryable = true;
	readonly waitedMs: number;
	readonly context: JobContext & { jobId: string; waitedMs: number; lastStatus: string };

	/** `afterCancel`: what a cancel sent at the timeout found, where one was sent. */
	constructor(
		context: JobContext & { jobId: string; waitedMs: number; lastStatus: string },
		afterCancel?: string,
	) {
		super(
			`Still ${context.lastStatus} after ${Math.round(context.waitedMs / 1000)} s; ` +
				(afterCancel ?? `the render was not cancelled. ${COLLECT_LATER}`),
			context,
		);
		this.name = 'JobTimedOutError';
		this.waitedMs = context.waitedMs;
		this.context = context;
	}

	/** The same timeout, saying what the cancel sent at it found. */
	afterCancel(
		found:
			| 'gone'
			| { unreadBefore: string }
			| { failed: string }
			| { unread: string }
			| { leftAs: string },
	): JobTimedOutError {
		const said =
			found === 'gone'
				? 'it finished as the cancel reached it and the vendor deleted it with its output: it was charged, and cannot be collected'
				: 'unreadBefore' in found
					? `reading it before a cancel failed (${found.unreadBefore}), so no cancel was sent and the render may still finish. ${COLLECT_LATER}`
					: 'failed' in found
						? `cancelling it failed (${found.failed}), and it is still unfinished. ${COLLECT_LATER}`
						: 'unread' in found
							? `a cancel was sent, but reading the job back failed (${found.unread}); a re-run reads it again: cancelled, it is rendered anew at no charge`
							: `the cancel left it ${found.leftAs}, so the render may still finish. ${COLLECT_LATER}`;
		return new JobTimedOutError(this.context, said);
	}
}

/**
 * A job still rendering long after the model's expected time: the step hands it on with its job ID
 * (not an error of the item) so a straggler does not hold the whole step; the next pass polls the
 * same job, within what is left of the timeout.
 */
export class JobStillRenderingError extends VendorJobError {
	readonly retryable = true;
	/** Render time watched in this pass (time queued at the vendor not counted). */
	readonly watchedMs: number;

	constructor(context: JobContext & { jobId: string; watchedMs: number; lastStatus: string }) {
		super(
			`Still ${context.lastStatus} after ${Math.round(context.watchedMs / 1000)} s of rendering, well past the model's expected time; handed on with its job ID, to be collected by the next pass`,
			context,
		);
		this.name = 'JobStillRenderingError';
		this.watchedMs = context.watchedMs;
	}
}

/**
 * The vendor account refused every submit for capacity for a whole render timeout while none of
 * this step's renders was in flight: its places are held by jobs that outlast a render (stuck at
 * the vendor, which Vertex cannot cancel, or another client's). Trying on only crawls, so the item
 * stops, unsent and unpaid, and says so.
 */
export class AccountSaturatedError extends VendorJobError {
	readonly retryable = true;
	readonly refusedForMs: number;

	constructor(context: JobContext & { refusedForMs: number; cause: Error }) {
		super(
			`Not sent, nothing paid: the account has refused every submit for capacity for ${Math.round(context.refusedForMs / 1000)} s, a whole render timeout, with none of this step's renders in flight, so its places are held by jobs that outlast a render (stuck at the vendor, or another client's). Free the account's capacity (or raise its quota), then run the item again. Last answer: ${context.cause.message.replace(/ \[.*\]$/, '')}`,
			context,
		);
		this.name = 'AccountSaturatedError';
		this.refusedForMs = context.refusedForMs;
	}
}

/** A submit that would take the run past its budget; raised before any request is sent. */
export class BudgetExceededError extends Error {
	readonly itemIndex: number;
	readonly budgetUsd: number;
	readonly wouldSpendUsd: number;

	constructor(context: {
		itemIndex: number;
		budgetUsd: number;
		spentUsd: number;
		costUsd: number;
		runId: string;
		allowanceUsd?: number;
	}) {
		super(
			context.allowanceUsd !== undefined
				? `Item ${context.itemIndex}: allowance: refused before submitting: this render (~$${context.costUsd.toFixed(2)}) needs more than the ` +
						`$${context.allowanceUsd.toFixed(2)} this shot may still spend of run ${context.runId}'s budget`
				: `Item ${context.itemIndex}: refused before submitting: this render (~$${context.costUsd.toFixed(2)}) would take run ` +
						`${context.runId} to $${(context.spentUsd + context.costUsd).toFixed(2)}, past its budget of $${context.budgetUsd.toFixed(2)}`,
		);
		this.name = 'BudgetExceededError';
		this.itemIndex = context.itemIndex;
		this.budgetUsd = context.budgetUsd;
		this.wouldSpendUsd = context.spentUsd + context.costUsd;
	}
}

/** A model the vendor no longer serves; names what to use instead. */
export class ModelRetiredError extends Error {
	readonly model: string;
	readonly replacement?: string;

	constructor(context: {
		model: string;
		vendor: Vendor;
		retiredOn: string;
		replacement?: string;
		note?: string;
	}) {
		const instead = context.replacement ? ` Use ${context.replacement} instead.` : '';
		const note = context.note ? ` ${context.note}` : '';
		super(
			`Model ${context.model} was retired by ${context.vendor} on ${context.retiredOn}.${instead}${note}`,
		);
		this.name = 'ModelRetiredError';
		this.model = context.model;
		this.replacement = context.replacement;
	}
}

/** The render journal (n8n's own data table API) could not be read or written. */
export class RenderJournalError extends Error {
	constructor(detail: string) {
		super(redactSecrets(`Render journal: ${detail}`));
		this.name = 'RenderJournalError';
	}
}
