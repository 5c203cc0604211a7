import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * A text parameter, trimmed. An expression that resolves to nothing (a field the item lacks) gives
 * the fallback, never the string "undefined" that would otherwise reach a vendor as a prompt or ID.
 */
export function stringParameter(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
	fallback = '',
): string {
	const value = ctx.getNodeParameter(name, itemIndex, fallback) as unknown;
	if (value === undefined || value === null) return fallback;
	return String(value).trim();
}
