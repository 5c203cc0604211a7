/**
 * What n8n recorded of a finished execution, read from its database. n8n stores execution data
 * serialised with flatted (shared references as indexes), so a plain JSON read or a regex over
 * the text sees only index strings.
 */
import type { N8nInstance } from './n8nCli';

interface RunData {
	resultData: {
		error?: { message?: string; description?: string; node?: { name?: string } };
		lastNodeExecuted?: string;
		runData: Record<
			string,
			Array<{
				startTime?: number;
				executionTime?: number;
				error?: { message?: string; description?: string };
				data?: { main?: Array<Array<{ json: any }> | null> };
			}>
		>;
	};
}

export function executionData(n8n: N8nInstance, executionId: number): RunData | undefined {
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- n8n's own serialiser, no types shipped
	const { parse } = require('flatted') as { parse: (text: string) => RunData };
	const [row] = n8n.query<{ data: string }>(
		`SELECT data FROM execution_data WHERE "executionId" = ${Number(executionId)}`,
	);
	if (!row) return undefined;
	try {
		return parse(row.data);
	} catch (error) {
		// A failure's explanation must not hide the failure: say what could not be read.
		return {
			resultData: {
				error: { message: `execution data unreadable (${(error as Error).message})` },
				runData: {},
			},
		};
	}
}

/** The items a node of a finished execution put on one of its outputs (the first by default), run by run. */
export function nodeRunOutputs(
	n8n: N8nInstance,
	executionId: number,
	node: string,
	output = 0,
): any[][] {
	const runs = executionData(n8n, executionId)?.resultData.runData[node] ?? [];
	return runs.map((run) => (run.data?.main?.[output] ?? []).map((item) => item.json));
}

/** The items a node of a finished execution put on its first output, over all its runs. */
export function nodeOutput(n8n: N8nInstance, executionId: number, node: string): any[] {
	return nodeRunOutputs(n8n, executionId, node).flat();
}

/** Why an execution failed: its own error and every node run that ended in one, by node. */
export function executionErrors(n8n: N8nInstance, executionId: number): string[] {
	const data = executionData(n8n, executionId);
	if (!data) return [`execution ${executionId}: no execution data recorded`];
	const { error, runData, lastNodeExecuted } = data.resultData;
	const text = (e: { message?: string; description?: string }) =>
		e.description && e.description !== e.message ? `${e.message}: ${e.description}` : e.message;
	const lines = Object.entries(runData).flatMap(([node, runs]) =>
		runs.filter((run) => run.error).map((run) => `${node}: ${text(run.error!)}`),
	);
	// The execution's own error repeats the failing node's, unless no node run recorded one.
	if (error && !lines.length)
		lines.push(`${error.node?.name ?? lastNodeExecuted ?? 'execution'}: ${text(error)}`);
	return [...new Set(lines)];
}

/**
 * Where an execution's time went: each node's runs, in the order they started, as
 * `+start s node run time s`, so a reader sees the rounds and which step held each one.
 */
export function stepTimeline(n8n: N8nInstance, executionId: number): string[] {
	const runData = executionData(n8n, executionId)?.resultData.runData ?? {};
	const runs = Object.entries(runData).flatMap(([node, list]) =>
		list.map((run) => ({ node, start: run.startTime ?? 0, ms: run.executionTime ?? 0 })),
	);
	const first = Math.min(...runs.map((run) => run.start));
	return runs
		.sort((a, b) => a.start - b.start)
		.filter((run) => run.ms >= 1000)
		.map(
			(run) =>
				`+${((run.start - first) / 1000).toFixed(0)} s ${run.node} ${(run.ms / 1000).toFixed(1)} s`,
		);
}

/**
 * What each long run of a render step (one of `minMs` or more) ended with, item by item: the
 * vendor, status, failure and job ID of the take the item left with, so a step that waited long
 * shows which job it waited for.
 */
export function longStepTakes(n8n: N8nInstance, executionId: number, minMs: number): string[] {
	const runData = executionData(n8n, executionId)?.resultData.runData ?? {};
	return Object.entries(runData).flatMap(([node, runs]) =>
		runs
			.filter((run) => (run.executionTime ?? 0) >= minMs)
			.flatMap((run) => {
				const items = (run.data?.main ?? []).flatMap((output) => output ?? []);
				// The take of the job the item left this step with (its `jobId`), else its latest.
				const takes = items
					.map((item) =>
						Array.isArray(item.json?.takes)
							? (item.json.takes.find(
									(take: { jobId?: string }) => item.json.jobId && take.jobId === item.json.jobId,
								) ?? item.json.takes.at(-1))
							: undefined,
					)
					.filter((take) => take)
					.map(
						(take) =>
							`${take.vendor}:${take.status}${take.failure?.code ? `(${take.failure.code})` : ''}${take.watchedMs ? ` watched ${take.watchedMs} ms` : ''} ${take.jobId ?? ''} started ${take.startedAt ?? '?'}${take.finishedAt ? ` finished ${take.finishedAt}` : ''}`,
					);
				return takes.length
					? [
							`${node} ${((run.executionTime ?? 0) / 1000).toFixed(1)} s:`,
							...takes.map((t) => `  ${t}`),
						]
					: [];
			}),
	);
}
