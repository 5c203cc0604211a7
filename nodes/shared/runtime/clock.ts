import { sleep } from 'n8n-workflow';

/** Time as the job runner sees it; tests substitute a fake one. */
export interface Clock {
	now(): number;
	/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
	/** Uniform in [0, 1); used for jitter. */
	random(): number;
}

export const systemClock: Clock = {
	now: () => Date.now(),
	sleep: async (ms, signal) => await sleep(Math.max(0, ms), signal),
	random: () => Math.random(),
};
