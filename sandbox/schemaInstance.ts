import { sha256 } from './random';

type Schema = Record<string, unknown>;

/**
 * Builds a value that validates against a JSON Schema (the subset strict structured output
 * allows), filled deterministically from the source text: array items take successive
 * sentences, strings the sentence at hand, enums a choice driven by a hash of the path.
 */
export function instanceFor(schema: Schema, text: string): unknown {
	const sentences = text
		.split(/(?<=[.!?])\s+|\n+/)
		.map((s) => s.trim())
		.filter(Boolean);
	const defs = (schema.$defs ?? schema.definitions ?? {}) as Record<string, Schema>;
	return build(schema, defs, sentences.length ? sentences : [text || 'Untitled'], 0, '$');
}

function resolve(schema: Schema, defs: Record<string, Schema>): Schema {
	const ref = schema.$ref;
	if (typeof ref === 'string') {
		const name = ref.replace(/^#\/(\$defs|definitions)\//, '');
		return resolve(defs[name] ?? {}, defs);
	}
	return schema;
}

function pick<T>(values: readonly T[], path: string): T {
	return values[parseInt(sha256(path).slice(0, 8), 16) % values.length];
}

function build(
	raw: Schema,
	defs: Record<string, Schema>,
	sentences: string[],
	index: number,
	path: string,
): unknown {
	const schema = resolve(raw, defs);
	if (schema.const !== undefined) return schema.const;
	if (Array.isArray(schema.enum)) return pick(schema.enum, path);
	const options = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
	if (options?.length) {
		const nonNull = options.filter((option) => resolve(option, defs).type !== 'null');
		return build(nonNull[0] ?? options[0], defs, sentences, index, path);
	}
	const type = Array.isArray(schema.type)
		? (schema.type as string[]).find((t) => t !== 'null')
		: (schema.type as string | undefined);
	switch (type) {
		case 'object': {
			const properties = (schema.properties ?? {}) as Record<string, Schema>;
			return Object.fromEntries(
				Object.entries(properties).map(([key, value]) => [
					key,
					build(value, defs, sentences, index, `${path}.${key}`),
				]),
			);
		}
		case 'array': {
			const min = Number(schema.minItems ?? 1);
			const max = Number(schema.maxItems ?? Math.max(min, sentences.length));
			const count = Math.max(min, Math.min(max, sentences.length));
			return Array.from({ length: count }, (_, i) =>
				build((schema.items ?? {}) as Schema, defs, sentences, i, `${path}[${i}]`),
			);
		}
		case 'integer':
		case 'number': {
			const min = Number(
				schema.minimum ??
					(schema.exclusiveMinimum !== undefined ? Number(schema.exclusiveMinimum) + 1 : 0),
			);
			const max = Number(
				schema.maximum ??
					(schema.exclusiveMaximum !== undefined ? Number(schema.exclusiveMaximum) - 1 : min + 10),
			);
			const value = min + ((index % 3) * (max - min)) / 4;
			return type === 'integer' ? Math.round(value) : Math.round(value * 100) / 100;
		}
		case 'boolean':
			return index % 2 === 0;
		case 'null':
			return null;
		case 'string':
		default: {
			const pattern = typeof schema.pattern === 'string' ? schema.pattern : undefined;
			if (pattern && /^\^\[A-Za-z\]/.test(pattern)) return `char${index + 1}`;
			let value = sentences[index % sentences.length];
			const maxLength = Number(schema.maxLength ?? Infinity);
			if (value.length > maxLength) value = value.slice(0, maxLength);
			const minLength = Number(schema.minLength ?? 0);
			return value.padEnd(minLength, '.');
		}
	}
}
