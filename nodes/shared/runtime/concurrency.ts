/** Runs `limit` tasks at a time; resolves in input order. Failures are kept per item, never thrown. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs `task` and reports how it ended instead of throwing, so callers can map the error first. */
export async function settle<T>(task: () => Promise<T>): Promise<Settled<T>> {
	try {
		return { ok: true, value: await task() };
	} catch (error) {
		return { ok: false, error };
	}
}

export async function mapWithConcurrency<I, O>(
	inputs: readonly I[],
	limit: number,
	task: (input: I, index: number) => Promise<O>,
): Promise<Array<Settled<O>>> {
	const results: Array<Settled<O>> = new Array(inputs.length);
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < inputs.length) {
			const index = next++;
			results[index] = await settle(async () => await task(inputs[index], index));
		}
	};
	const workers = Math.max(1, Math.min(Math.floor(limit) || 1, inputs.length));
	await Promise.all(Array.from({ length: workers }, worker));
	return results;
}
