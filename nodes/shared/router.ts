import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { systemClock, type Clock } from './runtime/clock';
import { mapWithConcurrency, settle } from './runtime/concurrency';
import { errorJson, toNodeError } from './nodeErrors';

/** What one node run shares across its items (clock, budget reservations, ...). */
export interface Batch {
	items: INodeExecutionData[];
	clock: Clock;
	/** Per-run state an operation keeps for the whole batch (e.g. a BudgetTracker), created on first use. */
	shared<T>(key: string, create: () => T): T;
}

export interface Operation {
	description: INodeProperties[];
	/** Per item (the router loops, pairs and applies continueOnFail)... */
	execute?(this: IExecuteFunctions, itemIndex: number, batch: Batch): Promise<INodeExecutionData[]>;
	/** ...or once for all items, where the operation needs them together (a pin, a barrier). */
	executeBatch?(this: IExecuteFunctions): Promise<INodeExecutionData[]>;
	/** How many items may be in flight at once (render operations read the node's option). */
	concurrency?(this: IExecuteFunctions): number;
}

export type ResourceMap = Record<string, Record<string, Operation>>;

export function createBatch(items: INodeExecutionData[], clock: Clock = systemClock): Batch {
	const state = new Map<string, unknown>();
	return {
		items,
		clock,
		shared<T>(key: string, create: () => T): T {
			if (!state.has(key)) state.set(key, create());
			return state.get(key) as T;
		},
	};
}

/**
 * Runs the selected operation for every item, concurrently where the operation allows it, and
 * keeps n8n's per-item contract: output in input order, pairedItem on every item, and
 * continueOnFail turning an item's error into an output item instead of failing the run.
 */
export async function routeOperations(this: IExecuteFunctions, resources: ResourceMap): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = resources[resource]?.[operationName];
	if (!operation) {
		throw toNodeError(this.getNode(), new Error(`The operation "${operationName}" of "${resource}" is not supported`), 0);
	}
	if (operation.executeBatch) {
		const result = await settle(async () => await operation.executeBatch!.call(this));
		if (result.ok) return [result.value];
		if (!this.continueOnFail()) throw toNodeError(this.getNode(), result.error, (result.error as { itemIndex?: number }).itemIndex ?? 0);
		return [items.map((item, itemIndex) => ({ json: { ...item.json, ...errorJson(result.error) }, pairedItem: { item: itemIndex } }))];
	}
	const execute = operation.execute!;
	const batch = createBatch(items);
	const limit = operation.concurrency?.call(this) ?? 1;
	const results = await mapWithConcurrency(items, limit, async (_item, itemIndex) => await execute.call(this, itemIndex, batch));

	const output: INodeExecutionData[] = [];
	for (const [itemIndex, result] of results.entries()) {
		if (result.ok) {
			output.push(...result.value.map((item) => ({ ...item, pairedItem: item.pairedItem ?? { item: itemIndex } })));
			continue;
		}
		if (this.continueOnFail()) {
			output.push({ json: { ...items[itemIndex].json, ...errorJson(result.error) }, pairedItem: { item: itemIndex } });
			continue;
		}
		throw toNodeError(this.getNode(), result.error, itemIndex);
	}
	return [output];
}
