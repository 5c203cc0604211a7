// The paid entries' intake: refusals answered on the webhook, and the claim that makes a run ID
// one execution's.
import { fileParam } from './paths';
import {
	codeText,
	condition,
	conditionId,
	IS_TRUE,
	filterNode,
	ifNode,
	node,
	respond,
	stopAndError,
	type Position,
} from './nodes';
import { loadCode } from './code';

const REFUSAL_BODY =
	'={{ JSON.stringify({ refused: true, error: $json.refused.error, field: $json.refused.field, runId: $json.runId || undefined }) }}';

/**
 * Refuse <prefix>: answers the webhook with the refusal (the field named, nothing billed).
 *
 * A refusal that came another way (a calling workflow, the form, a manual run) then fails the
 * execution with it, so the caller sees why; a webhook's execution ends there (failing it would
 * let n8n replace the answer already given with its generic 500).
 */
export function refusalNodes(prefix: string, [x, y]: Position) {
	return [
		respond(`Refuse ${prefix}`, [x, y], REFUSAL_BODY, '={{ $json.refused.status }}'),
		filterNode(
			`${prefix} Not From Webhook`,
			condition(
				conditionId(prefix),
				'={{ $json.via }}',
				{ type: 'string', operation: 'notEquals' },
				'webhook',
			),
			[x + 220, y],
		),
		stopAndError(`${prefix} Refused`, '={{ $json.refused.error }}', [x + 440, y]),
	];
}

/** An If node: true when the item carries no refusal. */
export const refusedIf = (name: string, position: Position) =>
	ifNode(
		name,
		condition(conditionId(name), '={{ $json.refused === undefined }}', IS_TRUE),
		position,
	);

/** Append this execution's line to <runId>-claims.txt, read the file back and decide (see code/claim-result.js). */
export function claimNodes(prefix: string, root: string, check: string, [x, y]: Position) {
	const claims = fileParam(root, `$('${check}').first().json.runId`, "'claims.txt'");
	return [
		node(
			`${prefix} Claim Line`,
			'n8n-nodes-base.convertToFile',
			{
				operation: 'toText',
				sourceProperty: 'claim',
				binaryPropertyName: 'claim',
				options: { fileName: 'claims.txt' },
			},
			[x, y],
			1.1,
		),
		node(
			`Write ${prefix} Claim`,
			'n8n-nodes-base.readWriteFile',
			{
				operation: 'write',
				fileName: claims,
				dataPropertyName: 'claim',
				options: { append: true },
			},
			[x + 220, y],
			1.1,
		),
		node(
			`Read ${prefix} Claims`,
			'n8n-nodes-base.readWriteFile',
			{ operation: 'read', fileSelector: claims, options: {} },
			[x + 440, y],
			1.1,
		),
		// utf8 named: the encoding guessed from a few digits is not always one that reads them back.
		node(
			`Parse ${prefix} Claims`,
			'n8n-nodes-base.extractFromFile',
			{ operation: 'text', binaryPropertyName: 'data', options: { encoding: 'utf8' } },
			[x + 660, y],
			1.1,
		),
		// The claim's code reads the brief from the node that checked it.
		codeText(
			`${prefix} Claim Result`,
			loadCode('claim-result').replace("$('Check Brief')", `$('${check}')`),
			[x + 880, y],
		),
	];
}
