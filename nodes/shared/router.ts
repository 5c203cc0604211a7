import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { systemClock, type Clock } from './runtime/clock';
import { mapWithConcurrency, settle } from './runtime/concurrency';
import { failedItem, throwUnlessCarried, toNodeError } from './nodeErrors';

/** What one node run shares across its items (clock, budget reservations, ...). */
export interface Batch {
	items: INodeExecutionData[];
	clock: Clock;
	/** Per-run state an operation keeps for the whole batch (e.g. a BudgetTracker), created on first use. */
	shared<T>(key: string, create: () => T): T;
	/**
	 * Fields every output item gets once all items are done, for what the run as a whole learned
	 * (an account's concurrency): each is an object merged into the item's field of that name.
	 */
	addOutputFields(fields: () => Record<string, Record<string, unknown>>): void;
	/** The fields `addOutputFields` registered, computed now. */
	outputFields(): Record<string, Record<string, unknown>>;
	/** Aborted once every item is done: work that outlives an item (a Submit step's watchers) stops there. */
	readonly ended: AbortSignal;
}

export interface Operation {
	description: INodeProperties[];
	/** Per item (the router loops, pairs and applies continueOnFail)... */
	execute?(this: IExecuteFunctions, itemIndex: number, batch: Batch): Promise<INodeExecutionData[]>;
	/** ...or once for all items, where the operation needs them together (a pin, a barrier). */
	executeBatch?(this: IExecuteFunctions): Promise<INodeExecutionData[]>;
	/** Checks one item before any item runs (render operations: the shot), so bad input is refused before money is spent. */
	validate?(this: IExecuteFunctions, itemIndex: number): void;
	/** The most items rendering at once (render operations read the node's option; within it each vendor account's cap is learned). */
	concurrency?(this: IExecuteFunctions): number;
}

export type ResourceMap = Record<string, Record<string, Operation>>;

/**
 * An item that could not finish, with the output it must still leave with: its take and job ID
 * once the vendor holds (or may hold) a job, its render error. `flows` is true when the item must
 * go on as data rather than fail the node: failing would throw away money (the item's job, or a
 * submit whose outcome is unknown), or the refusal is QC's to route (a submit the budget refused,
 * or one the account refused for capacity on a shot QC Router sent).
 */
export class ItemFailedError extends Error {
	constructor(
		readonly cause: unknown,
		readonly items: INodeExecutionData[],
		readonly flows: boolean,
	) {
		super(cause instanceof Error ? cause.message : String(cause));
		this.name = 'ItemFailedError';
	}
}

const jobIdsOf = (json: Record<string, unknown>): string[] =>
	Array.isArray(json.takes)
		? json.takes.map((take) => String((take as { jobId?: unknown })?.jobId))
		: [];

/** True when an item left the node with a vendor job it did not bring in. */
function carriesNewJob(input: INodeExecutionData, output: INodeExecutionData[]): boolean {
	const before = new Set(jobIdsOf(input.json));
	return output.some((item) => jobIdsOf(item.json).some((jobId) => !before.has(jobId)));
}

const AWAITED = new Set(['submitted', 'queued', 'running', 'timed_out']);

/**
 * True when an item brought in a paid job still to collect (the step after a Submit step, or a
 * re-run after a timeout): failing the node would throw away what it collected for it.
 */
function bringsJobToCollect(input: INodeExecutionData): boolean {
	const takes = input.json.takes;
	return (
		Array.isArray(takes) &&
		takes.some((take) => {
			const { jobId, status } = (take ?? {}) as { jobId?: unknown; status?: unknown };
			return typeof jobId === 'string' && jobId !== '' && AWAITED.has(String(status));
		})
	);
}

export function createBatch(
	items: INodeExecutionData[],
	clock: Clock = systemClock,
): Batch & { end(): void } {
	const state = new Map<string, unknown>();
	const fieldSources: Array<() => Record<string, Record<string, unknown>>> = [];
	const end = new AbortController();
	return {
		items,
		clock,
		ended: end.signal,
		end: () => end.abort(new Error('the node run ended')),
		shared<T>(key: string, create: () => T): T {
			if (!state.has(key)) state.set(key, create());
			return state.get(key) as T;
		},
		addOutputFields(fields) {
			fieldSources.push(fields);
		},
		outputFields() {
			const merged: Record<string, Record<string, unknown>> = {};
			for (const source of fieldSources)
				for (const [name, value] of Object.entries(source()))
					merged[name] = { ...merged[name], ...value };
			return merged;
		},
	};
}

/** Merges the run's output fields into an item's JSON, keeping what the item already had in them. */
function withOutputFields(
	item: INodeExecutionData,
	fields: Record<string, Record<string, unknown>>,
): INodeExecutionData {
	if (!Object.keys(fields).length) return item;
	const json = { ...item.json };
	for (const [name, value] of Object.entries(fields)) {
		const before = json[name];
		json[name] = {
			...(before && typeof before === 'object' && !Array.isArray(before) ? before : {}),
			...value,
		};
	}
	return { ...item, json };
}

/**
 * Items in progress at once. A render holds its place in the account's concurrency only while the
 * vendor has the job; items also prepare requests and download outputs, so more run than render.
 */
const workersFor = (upper: number): number => Math.max(1, Math.floor(upper)) * 2;

/**
 * Runs the selected operation for every item, concurrently where the operation allows it, and
 * keeps n8n's per-item contract: output in input order, pairedItem on every item, and
 * continueOnFail turning an item's error into an output item instead of failing the run.
 */
export async function routeOperations(
	this: IExecuteFunctions,
	resources: ResourceMap,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = resources[resource]?.[operationName];
	if (!operation) {
		throw toNodeError(
			this.getNode(),
			new Error(`The operation "${operationName}" of "${resource}" is not supported`),
			0,
		);
	}
	if (operation.executeBatch) {
		const result = await settle(async () => await operation.executeBatch!.call(this));
		if (result.ok) return [result.value];
		throwUnlessCarried(this, result.error, (result.error as { itemIndex?: number }).itemIndex ?? 0);
		return [items.map((item, itemIndex) => failedItem(item, result.error, itemIndex))];
	}
	const execute = operation.execute!;
	// With continueOnFail on, an item that fails validation fails again in execute, as data.
	for (const itemIndex of operation.validate ? items.keys() : []) {
		const checked = await settle(async () => operation.validate!.call(this, itemIndex));
		if (!checked.ok) throwUnlessCarried(this, checked.error, itemIndex);
	}
	const batch = createBatch(items);
	const upper = operation.concurrency?.call(this);
	const results = await mapWithConcurrency(
		items,
		upper === undefined ? 1 : workersFor(upper),
		async (_item, itemIndex) => await execute.call(this, itemIndex, batch),
	);
	batch.end();

	// Failing the node would discard every item's output. That is only allowed when it costs
	// nothing: once any item holds a vendor job (new, or brought in to collect), or was refused in a
	// way QC routes (for money, or for the account's capacity on a shot QC sent), failed items travel
	// on as data with their render error, so no paid job ID and no collected render is lost.
	const flows = results.some((result, itemIndex) =>
		result.ok
			? carriesNewJob(items[itemIndex], result.value) || bringsJobToCollect(items[itemIndex])
			: result.error instanceof ItemFailedError && result.error.flows,
	);
	const output: INodeExecutionData[] = [];
	for (const [itemIndex, result] of results.entries()) {
		if (result.ok) {
			output.push(
				...result.value.map((item) => ({
					...item,
					pairedItem: item.pairedItem ?? { item: itemIndex },
				})),
			);
			continue;
		}
		const cause = result.error instanceof ItemFailedError ? result.error.cause : result.error;
		throwUnlessCarried(this, cause, itemIndex, flows);
		// The failure stays in the JSON (error, renderError), with the take when there is one.
		if (!(result.error instanceof ItemFailedError)) {
			output.push(failedItem(items[itemIndex], cause, itemIndex));
			continue;
		}
		output.push(
			...result.error.items.map((item) => ({ ...item, pairedItem: { item: itemIndex } })),
		);
	}
	const fields = batch.outputFields();
	return [output.map((item) => withOutputFields(item, fields))];
}
