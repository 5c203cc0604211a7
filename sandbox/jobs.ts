import type { VendorName } from './context';
import { randomUUID } from 'node:crypto';
import { render, type RenderSpec } from './media/render';

export type JobState = 'queued' | 'throttled' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobFailure {
	code: string;
	message: string;
}

export interface SandboxJob {
	id: string;
	vendor: VendorName;
	model: string;
	/** Concurrency is counted per account (one API key). */
	account: string;
	state: JobState;
	createdAt: number;
	startedAt?: number;
	finishedAt?: number;
	renderMs: number;
	spec: RenderSpec;
	/** What the job will end as. */
	outcome:
		| { kind: 'success' }
		| { kind: 'fail'; failure: JobFailure }
		/** Never ends; `finishesOnCancel`: it ends (and is charged) the instant a cancel reaches it. */
		| { kind: 'stuck'; finishesOnCancel?: boolean };
	failure?: JobFailure;
	file?: string;
	/** Outputs are served until this time; then the vendor's expiry answer. */
	expiresAt?: number;
	/** References the render actually received (content hashes). */
	refsReceived: string[];
	requestFingerprint: string;
	request: unknown;
	/** Vendor-specific extras (operation names, Runway credits, ...). */
	extra: Record<string, unknown>;
	onSucceeded?: (job: SandboxJob) => void;
	/** Called once the job reaches a terminal state (succeeded, failed or cancelled): webhooks. */
	onFinished?: (job: SandboxJob) => void;
}

export interface EngineOptions {
	/** Max running jobs per account; more wait (Runway reports them THROTTLED). */
	concurrency: (vendor: string, model: string) => number;
	outputTtlMs: () => number;
}

/**
 * Runs jobs on the wall clock: queued until a slot of the account frees, then running for
 * `renderMs` while ffmpeg makes the file, then finished as their outcome says.
 */
export class JobEngine {
	readonly jobs = new Map<string, SandboxJob>();
	private readonly timers = new Set<NodeJS.Timeout>();

	constructor(private readonly options: EngineOptions) {}

	create(
		init: Omit<SandboxJob, 'id' | 'state' | 'createdAt' | 'extra'> & {
			id?: string;
			extra?: Record<string, unknown>;
		},
	): SandboxJob {
		const job: SandboxJob = {
			extra: {},
			...init,
			id: init.id ?? randomUUID(),
			state: 'queued',
			createdAt: Date.now(),
		};
		this.jobs.set(job.id, job);
		this.pump();
		return job;
	}

	get(id: string): SandboxJob | undefined {
		return this.jobs.get(id);
	}

	/** 0..1 for running jobs. */
	progress(job: SandboxJob): number {
		if (job.state === 'succeeded') return 1;
		if (job.state !== 'running' || !job.startedAt) return 0;
		return Math.min(0.99, (Date.now() - job.startedAt) / Math.max(1, job.renderMs));
	}

	cancel(job: SandboxJob): void {
		if (job.state === 'queued' || job.state === 'throttled' || job.state === 'running') {
			job.state = 'cancelled';
			job.finishedAt = Date.now();
			job.onFinished?.(job);
			this.pump();
		}
	}

	delete(id: string): void {
		const job = this.jobs.get(id);
		if (job) this.cancel(job);
		this.jobs.delete(id);
		// A job that ended without a cancel (finished as the delete arrived) frees its slot here.
		this.pump();
	}

	/** Jobs of an account that are queued or running (what a concurrency cap counts when it refuses). */
	active(account: string, vendor: string): number {
		let count = 0;
		for (const job of this.jobs.values())
			if (
				job.account === account &&
				job.vendor === vendor &&
				(job.state === 'queued' || job.state === 'throttled' || job.state === 'running')
			)
				count++;
		return count;
	}

	running(account: string, vendor: string): number {
		let count = 0;
		for (const job of this.jobs.values())
			if (job.account === account && job.vendor === vendor && job.state === 'running') count++;
		return count;
	}

	private pump(): void {
		const waiting = [...this.jobs.values()]
			.filter((job) => job.state === 'queued' || job.state === 'throttled')
			.sort((a, b) => a.createdAt - b.createdAt);
		for (const job of waiting) {
			if (this.running(job.account, job.vendor) < this.options.concurrency(job.vendor, job.model)) {
				this.start(job);
			} else {
				job.state = 'throttled';
			}
		}
	}

	private start(job: SandboxJob): void {
		job.state = 'running';
		job.startedAt = Date.now();
		if (job.outcome.kind === 'stuck') return;
		const rendering =
			job.outcome.kind === 'success' ? render(job.spec) : Promise.resolve(undefined);
		const timer = new Promise<void>((resolve) => {
			const handle = setTimeout(() => {
				this.timers.delete(handle);
				resolve();
			}, job.renderMs);
			this.timers.add(handle);
		});
		Promise.all([rendering, timer]).then(
			([file]) => this.finish(job, file),
			(error: Error) =>
				this.finish(job, undefined, {
					code: 'INTERNAL',
					message: `sandbox render failed: ${error.message}`,
				}),
		);
	}

	private finish(job: SandboxJob, file: string | undefined, renderFailure?: JobFailure): void {
		if (job.state !== 'running') return;
		job.finishedAt = Date.now();
		if (renderFailure || job.outcome.kind === 'fail') {
			job.state = 'failed';
			job.failure = renderFailure ?? (job.outcome as { failure: JobFailure }).failure;
		} else {
			job.state = 'succeeded';
			job.file = file;
			job.expiresAt = Date.now() + this.options.outputTtlMs();
			job.onSucceeded?.(job);
		}
		job.onFinished?.(job);
		this.pump();
	}

	stop(): void {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
	}

	clear(): void {
		this.stop();
		this.jobs.clear();
	}
}
