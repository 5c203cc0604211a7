import type { JobStatus } from '../../shared/runtime/jobRunner';

/** GET /v1/tasks/{id}, discriminated on status. */
export interface RunwayTask {
	id: string;
	status: 'PENDING' | 'THROTTLED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | string;
	createdAt?: string;
	progress?: number;
	output?: string[];
	failure?: string;
	failureCode?: string;
	estimatedCost?: { credits: number };
	cost?: { credits: number };
}

/**
 * SAFETY.INPUT.* will be refused again (do not retry, Runway does not refund it); ASSET.INVALID
 * needs a different input; SAFETY.OUTPUT.* and INTERNAL.* may pass on another attempt.
 */
export function isRetryableFailure(code: string | undefined): boolean {
	if (!code) return true;
	return !(code.startsWith('SAFETY.INPUT') || code.startsWith('ASSET.'));
}

/** THROTTLED is Runway's queue for accounts over their concurrency: queued, not failed. */
export function runwayJobStatus(task: RunwayTask): JobStatus<RunwayTask> {
	switch (task.status) {
		case 'PENDING':
		case 'THROTTLED':
			return {
				phase: 'queued',
				vendorStatus: task.status,
				...(task.status === 'THROTTLED' ? { throttled: true } : {}),
				body: task,
			};
		case 'RUNNING':
			return {
				phase: 'running',
				vendorStatus: task.status,
				progress: typeof task.progress === 'number' ? task.progress : undefined,
				body: task,
			};
		case 'SUCCEEDED':
			return { phase: 'succeeded', vendorStatus: task.status, progress: 1, body: task };
		case 'CANCELLED':
			return { phase: 'cancelled', vendorStatus: task.status, body: task };
		default:
			return {
				phase: 'failed',
				vendorStatus: task.status,
				body: task,
				failure: {
					code: task.failureCode,
					message: task.failure ?? `task ended as ${task.status}`,
					retryable: isRetryableFailure(task.failureCode),
				},
			};
	}
}
