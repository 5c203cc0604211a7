import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { z } from 'zod/v4';
import { vendorSchema, type Qc, type RenderError, type Take } from '../../shared/contract/schemas';
import type { Decision } from '../../shared/qc/decide';
import { qcOutputs, type OutputKey, type QcOutput } from './outputs';

/** One engine a layer renders on: the row of *Engines* that becomes a Re-render output. */
export const engineRouteSchema = z
	.object({
		name: z.string().optional(),
		layer: z.enum(['hero', 'control']),
		vendor: vendorSchema,
		/** Empty: every model of the vendor on this layer; a trailing `*`: every model starting so. */
		model: z.string().optional(),
	})
	.strip();
export type EngineRoute = z.infer<typeof engineRouteSchema>;

export interface Routing {
	outputs: QcOutput[];
	/** Undefined when the node routes per layer. */
	engines?: EngineRoute[];
}

/** The node's outputs and engine routes, read once per run from the same parameters n8n draws the outputs from. */
export function readRouting(ctx: IExecuteFunctions): Routing {
	const routing = ctx.getNodeParameter('routing', 0, 'layer') as string;
	if (routing !== 'engine') return { outputs: qcOutputs({ routing }) };
	const raw = ctx.getNodeParameter('engines', 0, {}) as { engine?: unknown[] };
	const rows = raw.engine ?? [];
	const engines = rows.map((row, index) => {
		const parsed = engineRouteSchema.safeParse(row);
		if (!parsed.success)
			throw new NodeOperationError(
				ctx.getNode(),
				`Engines, row ${index + 1}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
				{ description: 'Each engine route needs a layer (Hero or Control) and a vendor.' },
			);
		return parsed.data;
	});
	return { outputs: qcOutputs({ routing, engines: { engine: engines } }), engines };
}

const matchesModel = (pattern: string | undefined, model: string) => {
	const wanted = pattern?.trim();
	if (!wanted) return true;
	return wanted.endsWith('*') ? model.startsWith(wanted.slice(0, -1)) : model === wanted;
};

/**
 * The engine a shot goes back to on a layer: the one that last rendered it there (by vendor and
 * model), so a drifted take from one of two engines on a layer is re-rendered by that engine
 * only; a shot an engine refused (money) or failed goes back to that engine too. A shot the layer has not rendered yet (a first render, or a failure the layer map sends
 * to another layer) goes to the layer's first engine.
 */
export function engineFor(
	engines: EngineRoute[],
	layer: 'hero' | 'control',
	takes: Take[],
	/** A render error on this layer names the engine that refused or failed the shot: newer than any take. */
	failedAt?: RenderError,
): { index: number } | { unroutable: string } {
	const last =
		failedAt?.layer === layer && failedAt.vendor && failedAt.model
			? { vendor: failedAt.vendor, model: failedAt.model }
			: [...takes].reverse().find((take) => take.layer === layer);
	const index = last
		? engines.findIndex(
				(e) => e.layer === layer && e.vendor === last.vendor && matchesModel(e.model, last.model),
			)
		: engines.findIndex((e) => e.layer === layer);
	if (index >= 0) return { index };
	return {
		unroutable: last
			? `no engine route for ${layer} takes from ${last.vendor} (${last.model}): add one to Engines`
			: `no engine route for the ${layer} layer: add one to Engines`,
	};
}

/** A re-render no output leads to: Needs Review with the reason, spending no retry. */
export function unroutable(decision: Decision, previous: Qc | undefined, reason: string): Decision {
	return {
		route: 'needs_review',
		reasons: decision.reasons,
		qc: {
			...decision.qc,
			attempts: { ...(previous?.attempts ?? { narrative: 0, hero: 0, control: 0 }) },
			status: 'needs_review',
		},
		reviewReason: reason,
	};
}

/** The output index a decision goes to. */
export function outputIndex(routing: Routing, key: OutputKey): number {
	const index = routing.outputs.findIndex((output) => output.key === key);
	if (index < 0) throw new Error(`QC Router has no output ${key}`);
	return index;
}
