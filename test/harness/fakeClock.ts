import type { Clock } from '../../nodes/shared/runtime/clock';

/** A clock whose sleeps complete at once, advancing virtual time; every sleep is recorded. */
export class FakeClock implements Clock {
	time = 0;
	readonly sleeps: number[] = [];
	private randomValues: number[] = [];

	constructor(private readonly defaultRandom = 0.5) {}

	now(): number {
		return this.time;
	}

	random(): number {
		return this.randomValues.length ? this.randomValues.shift()! : this.defaultRandom;
	}

	queueRandom(...values: number[]): void {
		this.randomValues.push(...values);
	}

	async sleep(ms: number, signal?: AbortSignal): Promise<void> {
		if (signal?.aborted) throw signal.reason ?? new Error('aborted');
		this.sleeps.push(ms);
		this.time += ms;
		await Promise.resolve();
		if (signal?.aborted) throw signal.reason ?? new Error('aborted');
	}
}
