// Builders for the n8n nodes every template uses. Key order matters: the JSON a template writes is
// compared byte for byte with the committed file.
import { createHash } from 'node:crypto';
import { loadCode } from './code';

/* eslint-disable @typescript-eslint/no-explicit-any -- node parameters are free-form n8n JSON */
export type Params = Record<string, any>;
export type Position = [number, number];
export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: Position;
	parameters: Params;
	credentials?: Params;
	[extra: string]: any;
}
export type Connections = Record<
	string,
	Record<string, { node: string; type: string; index: number }[][]>
>;
export interface Workflow {
	id: string;
	name: string;
	active: boolean;
	nodes: WorkflowNode[];
	connections: Connections;
	settings: Params;
	pinData: Params;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** An n8n expression parameter: `={{ js }}`. */
export const expr = (js: string) => `={{ ${js} }}`;

export function node(
	name: string,
	type: string,
	parameters: Params,
	position: Position,
	typeVersion = 1,
	credentials?: Params,
	extra: Params = {},
): WorkflowNode {
	const n: WorkflowNode = {
		id: name.toLowerCase().replace(/ /g, '-'),
		name,
		type,
		typeVersion,
		position,
		parameters,
	};
	if (credentials) n.credentials = credentials;
	return Object.assign(n, extra);
}

export function sticky(
	name: string,
	content: string,
	position: Position,
	width = 420,
	height = 300,
	color?: number,
) {
	const parameters: Params = { content, width, height };
	if (color) parameters.color = color;
	return node(name, 'n8n-nodes-base.stickyNote', parameters, position);
}

/** A Code node running code/<file>.js (see code.ts for its directives). */
export const code = (
	name: string,
	file: string,
	position: Position,
	values: Record<string, string> = {},
	extra: Params = {},
) =>
	node(
		name,
		'n8n-nodes-base.code',
		{ jsCode: loadCode(file, values) },
		position,
		2,
		undefined,
		extra,
	);

/** A Code node whose JavaScript is already built (a file's code with a substitution of its own). */
export const codeText = (name: string, jsCode: string, position: Position) =>
	node(name, 'n8n-nodes-base.code', { jsCode }, position, 2);

/** Outputs of a node: one output reaching every target. */
export const link = (...targets: string[]) => [
	targets.map((node) => ({ node, type: 'main', index: 0 })),
];

/** The first (only) output of `link`: for nodes with several outputs. */
export const to = (...targets: string[]) => link(...targets)[0];

export const IS_TRUE = { type: 'boolean', operation: 'true', singleValue: true };

/** The conditions of an If or Filter node (v2 format) with one condition. */
export const condition = (
	id: string,
	leftValue: string,
	operator: Params,
	rightValue: string | number = '',
	typeValidation = 'strict',
) => ({
	combinator: 'and',
	options: { caseSensitive: true, leftValue: '', typeValidation, version: 2 },
	conditions: [{ id, leftValue, rightValue, operator }],
});

/** A stable condition ID derived from a node's name (so renaming a node is the only thing that changes it). */
export const conditionId = (name: string) =>
	`ad0c1e2f-0000-4000-8000-${createHash('md5').update(name).digest('hex').slice(0, 12)}`;

export const ifNode = (name: string, conditions: Params, position: Position, extra: Params = {}) =>
	node(name, 'n8n-nodes-base.if', { conditions, options: {} }, position, 2.2, undefined, extra);

export const filterNode = (name: string, conditions: Params, position: Position) =>
	node(name, 'n8n-nodes-base.filter', { conditions, options: {} }, position, 2.2);

/** A Set node in raw mode: its output is `jsonOutput` (JSON text or an expression). */
export const setRaw = (name: string, jsonOutput: string, position: Position) =>
	node(name, 'n8n-nodes-base.set', { mode: 'raw', jsonOutput, options: {} }, position, 3.4);

export const stopAndError = (name: string, errorMessage: string, position: Position) =>
	node(name, 'n8n-nodes-base.stopAndError', { errorMessage }, position, 1);

/** A Respond to Webhook node answering JSON (the webhook triggers answer through these). */
export const respond = (
	name: string,
	position: Position,
	responseBody: string,
	responseCode: string | number,
) =>
	node(
		name,
		'n8n-nodes-base.respondToWebhook',
		{ respondWith: 'json', responseBody, options: { responseCode } },
		position,
		1.4,
	);

/** A Read/Write File node writing one binary field to the delivery folder as <runId>-<suffix>. */
export const deliver = (
	name: string,
	fileName: string,
	dataPropertyName: string,
	position: Position,
) =>
	node(
		name,
		'n8n-nodes-base.readWriteFile',
		{ operation: 'write', fileName, dataPropertyName, options: {} },
		position,
		1.1,
	);

/** True on an item that carries its shot's clip (a shot sent to review without a take has none). */
export const HAS_CLIP = '={{ $binary.data !== undefined }}';

/**
 * The start of a run's delivery, fed by All Done on two branches: the masters of the shots that have
 * a clip (writing a clip-less shot would fail the node, and with it every run of the execution), then
 * the run's report item, the one carrying qc_report_json, to `report` and the chain behind it. The
 * masters sit above the report, so n8n (execution order v1) writes them first; each chain runs once.
 */
export function deliveryNodes(
	report: string,
	fileName: string,
	masters: Position,
	reportAt: Position,
): WorkflowNode[] {
	const [x, y] = masters;
	return [
		filterNode('Has Master?', condition(conditionId('Has Master?'), HAS_CLIP, IS_TRUE), [x, y]),
		deliver('Write Masters', fileName, 'data', [x + 220, y]),
		filterNode(
			report,
			condition(conditionId(report), '={{ $binary.qc_report_json !== undefined }}', IS_TRUE),
			reportAt,
		),
	];
}
/** All Done's targets (the masters first), and the link inside the masters branch. */
export const deliveryTargets = (report: string) => to('Has Master?', report);
export const deliveryLinks = (): Connections => ({
	'Has Master?': { main: link('Write Masters') },
});

/**
 * Read <what> (JSON files matching `path`) and Parse <what>: each file's content lands in json.data.
 * With missingOk, no file is one item without data (the next step answers for it), not a silent stop.
 */
export function readJson(
	what: string,
	fileSelector: string,
	position: Position,
	missingOk = false,
	extra: Params = {},
) {
	const onError = missingOk ? { onError: 'continueRegularOutput' } : {};
	return [
		node(
			`Read ${what}`,
			'n8n-nodes-base.readWriteFile',
			{ operation: 'read', fileSelector, options: {} },
			position,
			1.1,
			undefined,
			{ ...extra, ...onError },
		),
		node(
			`Parse ${what}`,
			'n8n-nodes-base.extractFromFile',
			{ operation: 'fromJson', binaryPropertyName: 'data', options: {} },
			[position[0] + 220, position[1]],
			1.1,
			undefined,
			onError,
		),
	];
}

/** A Convert to File node writing each item's JSON (formatted) as run-state.json. */
export const runStateFile = (name: string, position: Position) =>
	node(
		name,
		'n8n-nodes-base.convertToFile',
		{ operation: 'toJson', mode: 'each', options: { format: true, fileName: 'run-state.json' } },
		position,
		1.1,
	);

/** A workflow with the shared settings; `settings` replaces them (the error reporter has no error workflow). */
export const workflow = (
	id: string,
	name: string,
	nodes: WorkflowNode[],
	connections: Connections,
	settings: Params,
): Workflow => ({ id, name, active: false, nodes, connections, settings, pinData: {} });
