import type { ExpressionString, INodeParameters } from 'n8n-workflow';

/** Where QC Router can send an item: a fixed route, or the engine route at that place in *Engines*. */
export type OutputKey =
	| 'passed'
	| 'narrative'
	| 'hero'
	| 'control'
	| 'needs_review'
	| 'done'
	| `engine:${number}`;

export interface QcOutput {
	key: OutputKey;
	displayName: string;
}

/**
 * QC Router's outputs, in order: the one list the node description shows (n8n evaluates it from
 * the node's parameters, as it does the Switch node's rules) and `execute` routes by. It is
 * serialised into that expression, so it must not refer to anything outside itself.
 *
 * Needs Review and All Done sit at 4 and 5 in both modes, and the first two engine routes take
 * the places of Re-render Hero and Control: a workflow switched from Per Layer to Per Engine keeps
 * every wire where it was (a shot for review or the delivery never lands on a render node, which
 * would pay for it again). Further engines come after All Done, so adding one never moves a wire.
 * With fewer than two engines the free place is drawn as an unused route that receives nothing.
 */
export const qcOutputs = (parameters: INodeParameters): QcOutput[] => {
	const head: QcOutput[] = [
		{ key: 'passed', displayName: 'Passed' },
		{ key: 'narrative', displayName: 'Re-render Narrative' },
	];
	const tail: QcOutput[] = [
		{ key: 'needs_review', displayName: 'Needs Review' },
		{ key: 'done', displayName: 'All Done' },
	];
	if (parameters.routing !== 'engine')
		return [
			...head,
			{ key: 'hero', displayName: 'Re-render Hero' },
			{ key: 'control', displayName: 'Re-render Control' },
			...tail,
		];
	const engines = ((parameters.engines as { engine?: INodeParameters[] } | undefined)?.engine ??
		[]) as INodeParameters[];
	const routes = engines.map(
		(engine, index): QcOutput => ({
			// Plain concatenation: the expression engine parses this source, nested template strings and all.
			key: ('engine:' + index) as OutputKey,
			displayName: 'Re-render ' + String(engine.name || 'Engine ' + (index + 1)),
		}),
	);
	const place = (index: number): QcOutput =>
		routes[index] ?? {
			key: ('engine:' + index) as OutputKey,
			displayName: 'Re-render Engine ' + (index + 1) + ' (not set)',
		};
	return [...head, place(0), place(1), ...tail, ...routes.slice(2)];
};

/** The node description's `outputs`: `qcOutputs` evaluated by n8n from the current parameters. */
export const OUTPUTS_EXPRESSION: ExpressionString = `={{(${qcOutputs})($parameter).map((output) => ({ type: 'main', displayName: output.displayName }))}}`;
