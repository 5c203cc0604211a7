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
 * Per Layer keeps the six outputs every template is wired to. Per Engine puts the engine routes
 * last, so adding or removing the last engine never moves a wire already on Needs Review or All
 * Done.
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
	return [
		...head,
		...tail,
		...engines.map(
			(engine, index): QcOutput => ({
				// Plain concatenation: the expression engine parses this source, nested template strings and all.
				key: ('engine:' + index) as OutputKey,
				displayName: 'Re-render ' + String(engine.name || 'Engine ' + (index + 1)),
			}),
		),
	];
};

/** The node description's `outputs`: `qcOutputs` evaluated by n8n from the current parameters. */
export const OUTPUTS_EXPRESSION: ExpressionString = `={{(${qcOutputs})($parameter).map((output) => ({ type: 'main', displayName: output.displayName }))}}`;
