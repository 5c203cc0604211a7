import type { z } from 'zod/v4';
import { ContractError, type ContractIssue } from '../errors';
import { shotItemPartSchemas, shotItemSchema, type ShotItem, type ShotItemPart } from './schemas';

type PathSegment = PropertyKey;

/** `['shot', 'characters', 1]` -> `shot.characters[1]` */
export function formatPath(segments: readonly PathSegment[]): string {
	return segments.reduce<string>((out, segment) => {
		if (typeof segment === 'number') return `${out}[${segment}]`;
		const key = String(segment);
		return out ? `${out}.${key}` : key;
	}, '');
}

function describeReceived(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'string')
		return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
	if (typeof value === 'object') return 'an object';
	return `${typeof value} ${String(value)}`;
}

function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
	let current: unknown = root;
	for (const segment of segments) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<PropertyKey, unknown>)[segment as string];
	}
	return current;
}

export function toContractIssues(
	error: z.ZodError,
	root: unknown,
	prefix: readonly PathSegment[] = [],
): ContractIssue[] {
	return error.issues.map((issue) => {
		const segments = [...prefix, ...issue.path];
		if (issue.code === 'unrecognized_keys') {
			return {
				path: formatPath([...segments, issue.keys[0] ?? '']),
				message: `unknown field${issue.keys.length > 1 ? `s ${issue.keys.join(', ')}` : ''}`,
			};
		}
		const received = valueAt(root, issue.path);
		const message =
			received === undefined && issue.code === 'invalid_type'
				? 'is required'
				: issue.code === 'invalid_type' || issue.code === 'invalid_value'
					? `${issue.message.replace(/^Invalid input: /, '').replace(/, received \w+$/, '')}, got ${describeReceived(received)}`
					: issue.message;
		return { path: formatPath(segments), message };
	});
}

/** Validates a value against a schema; failures name the field path (under `prefix`) and the item. */
export function parseWith<S extends z.ZodType>(
	schema: S,
	value: unknown,
	itemIndex: number,
	prefix: readonly PathSegment[] = [],
): z.infer<S> {
	const result = schema.safeParse(value);
	if (!result.success)
		throw new ContractError(itemIndex, toContractIssues(result.error, value, prefix));
	return result.data;
}

/** Validates a whole shot item. */
export function parseShotItem(json: unknown, itemIndex: number): ShotItem {
	return parseWith(shotItemSchema, json, itemIndex);
}

type PartsOf<K extends ShotItemPart> = { [P in K]: z.infer<(typeof shotItemPartSchemas)[P]> };

/**
 * Validates only the parts of an item a node consumes, so a node that does not need the pin
 * does not fail on a malformed one.
 */
export function readShotItemParts<K extends ShotItemPart>(
	json: unknown,
	itemIndex: number,
	parts: readonly K[],
): PartsOf<K> {
	if (json === null || typeof json !== 'object' || Array.isArray(json)) {
		throw new ContractError(itemIndex, [
			{ path: '', message: `must be an object, got ${describeReceived(json)}` },
		]);
	}
	const record = json as Record<string, unknown>;
	const out: Partial<PartsOf<K>> = {};
	const issues: ContractIssue[] = [];
	for (const part of parts) {
		const result = shotItemPartSchemas[part].safeParse(record[part]);
		if (result.success) (out as Record<string, unknown>)[part] = result.data;
		else issues.push(...toContractIssues(result.error, record[part], [part]));
	}
	if (issues.length) throw new ContractError(itemIndex, issues);
	return out as PartsOf<K>;
}
