import type { ContractIssue } from '../../shared/errors';

/**
 * Building a model's request from its published input schema. Aggregators host hundreds of
 * models whose inputs differ in name (`image_url`, `start_image_url`, `start_image`,
 * `first_frame_image`), type (`"5"` against `5`, `"8s"`) and range; the shot and the pin are
 * mapped onto whatever fields the schema offers, and anything the schema refuses is reported
 * by field before money is spent.
 */

export interface SchemaProperty {
	type?: string;
	enum?: Array<string | number>;
	default?: unknown;
	minimum?: number;
	maximum?: number;
	maxLength?: number;
	maxItems?: number;
	format?: string;
	items?: SchemaProperty;
	description?: string;
	$ref?: string;
	allOf?: SchemaProperty[];
	anyOf?: SchemaProperty[];
}

export interface InputSchema {
	properties: Record<string, SchemaProperty>;
	required: string[];
}

/** What the pipeline wants rendered, before it is spelled in a model's fields. */
export interface ShotRequest {
	/** Builds the prompt, at most `maxLength` characters when the schema limits it. */
	prompt: (maxLength?: number) => string;
	negativePrompt?: string;
	durationSeconds: number;
	aspectRatio: string;
	resolution: string;
	/** The first frame (an image URL or data URI) and the character it shows. */
	firstFrame?: { value: string; tag?: string };
	/** Reference images in pick order, each with its character tag. */
	references: Array<{ value: string; tag: string }>;
	seed?: number;
	audio?: boolean;
	/** Model-specific fields the user set (Extra Input); they win over what is mapped. */
	extra: Record<string, unknown>;
}

export interface BuiltInput {
	input: Record<string, unknown>;
	/** Character tags whose images the request carries (first frame or references). */
	refsSent: string[];
	/** Seconds the model will render (what the cost is counted on). */
	durationSeconds: number;
	/** Which input field took each role, for the take and for messages. */
	fields: Partial<Record<Role, string>>;
}

/** Field names each role goes by across fal and Replicate models, most specific first. */
const ROLE_FIELDS = {
	prompt: ['prompt', 'prompt_text', 'text'],
	negativePrompt: ['negative_prompt'],
	firstFrame: [
		'start_image_url',
		'image_url',
		'first_frame_image',
		'first_frame_url',
		'start_image',
		'first_frame',
		'input_image',
		'init_image',
		'image',
	],
	references: [
		'reference_image_urls',
		'reference_images',
		'image_urls',
		'references',
		'reference_image',
		'subject_reference',
	],
	duration: ['duration', 'duration_seconds', 'seconds', 'num_seconds', 'length'],
	aspectRatio: ['aspect_ratio', 'ratio'],
	resolution: ['resolution'],
	seed: ['seed'],
	audio: ['generate_audio', 'enable_audio', 'with_audio', 'audio'],
} as const;
export type Role = keyof typeof ROLE_FIELDS;

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
	value && typeof value === 'object' && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: undefined;

/** Resolves `$ref` and single-branch `allOf` / `anyOf` (Replicate spells enums that way) against the document's schemas. */
function resolveProperty(
	property: SchemaProperty,
	schemas: Record<string, unknown>,
	depth = 0,
): SchemaProperty {
	if (depth > 5) return property;
	const { $ref, allOf, anyOf, ...rest } = property;
	let merged: SchemaProperty = rest;
	const refName = $ref?.split('/').pop();
	if (refName && asRecord(schemas[refName]))
		merged = {
			...resolveProperty(schemas[refName] as SchemaProperty, schemas, depth + 1),
			...merged,
		};
	for (const branch of [
		...(allOf ?? []),
		...(anyOf?.filter((b) => (b as { type?: string }).type !== 'null') ?? []),
	])
		merged = { ...resolveProperty(branch, schemas, depth + 1), ...merged };
	if (merged.items) merged.items = resolveProperty(merged.items, schemas, depth + 1);
	return merged;
}

/** An object schema (with its document's other schemas, for references) as the mapper uses it. */
export function inputSchemaFrom(
	schema: unknown,
	schemas: Record<string, unknown> = {},
): InputSchema | undefined {
	const object = asRecord(schema);
	const properties = asRecord(object?.properties);
	if (!object || !properties) return undefined;
	return {
		properties: Object.fromEntries(
			Object.entries(properties).map(([name, property]) => [
				name,
				resolveProperty((property ?? {}) as SchemaProperty, schemas),
			]),
		),
		required: Array.isArray(object.required)
			? object.required.filter((name): name is string => typeof name === 'string')
			: [],
	};
}

/** fal's per-model OpenAPI document: the request body of its POST operation. */
export function falInputSchema(openapi: unknown): InputSchema | undefined {
	const doc = asRecord(openapi);
	const schemas = asRecord(asRecord(doc?.components)?.schemas) ?? {};
	for (const path of Object.values(asRecord(doc?.paths) ?? {})) {
		const body = asRecord(
			asRecord(asRecord(asRecord(asRecord(path)?.post)?.requestBody)?.content)?.[
				'application/json'
			],
		)?.schema as SchemaProperty | undefined;
		if (body) return inputSchemaFrom(resolveProperty(body, schemas), schemas);
	}
	const named = Object.keys(schemas).find((name) => name.endsWith('Input'));
	return named ? inputSchemaFrom(schemas[named], schemas) : undefined;
}

/** Replicate's version `openapi_schema`: components.schemas.Input. */
export function replicateInputSchema(openapi: unknown): InputSchema | undefined {
	const schemas = asRecord(asRecord(asRecord(openapi)?.components)?.schemas) ?? {};
	return inputSchemaFrom(schemas.Input, schemas);
}

export function fieldFor(schema: InputSchema, role: Role): string | undefined {
	return ROLE_FIELDS[role].find((name) => name in schema.properties);
}

const HEIGHT: Record<string, number> = { '4k': 2160, '2k': 1440 };
const heightOf = (value: unknown): number | undefined =>
	HEIGHT[String(value).toLowerCase()] ??
	(Number(/^(\d+)p$/i.exec(String(value))?.[1]) || undefined);

/** The duration in the field's own spelling ("5", 5, "8s"), or why the model cannot take it. */
function durationValue(
	property: SchemaProperty,
	seconds: number,
	field: string,
	model: string,
): { value: unknown } | { problem: string } {
	if (property.enum?.length) {
		const match = property.enum.find((entry) => Number.parseFloat(String(entry)) === seconds);
		if (match !== undefined) return { value: match };
		return {
			problem: `${seconds} s is not offered by ${model} (its input "${field}" takes ${property.enum.map((entry) => Number.parseFloat(String(entry))).join(', ')} s)`,
		};
	}
	if (
		(property.minimum !== undefined && seconds < property.minimum) ||
		(property.maximum !== undefined && seconds > property.maximum)
	) {
		return {
			problem: `${seconds} s is outside ${property.minimum ?? 0}-${property.maximum ?? '∞'} s, what ${model} takes in "${field}"`,
		};
	}
	if (property.type === 'integer' && !Number.isInteger(seconds))
		return {
			problem: `${seconds} s is not a whole number of seconds, which ${model}'s "${field}" needs`,
		};
	return { value: property.type === 'string' ? String(seconds) : seconds };
}

/** The shot's resolution, or the smallest one the model offers that is at least as tall. */
function resolutionValue(property: SchemaProperty, resolution: string): unknown {
	if (!property.enum?.length) return resolution;
	if (property.enum.includes(resolution)) return resolution;
	const wanted = heightOf(resolution) ?? 0;
	const taller = property.enum
		.map((entry) => ({ entry, height: heightOf(entry) ?? 0 }))
		.filter((candidate) => candidate.height >= wanted)
		.sort((a, b) => a.height - b.height)[0];
	return taller?.entry;
}

function checkExtra(
	schema: InputSchema,
	name: string,
	value: unknown,
	model: string,
): string | undefined {
	const property = schema.properties[name];
	if (!property)
		return `"${name}" is not an input of ${model} (it takes ${Object.keys(schema.properties).join(', ')})`;
	if (property.enum?.length && !property.enum.includes(value as string | number))
		return `"${name}" must be one of ${property.enum.map((entry) => JSON.stringify(entry)).join(', ')}`;
	const type = property.type;
	const ok =
		!type ||
		(type === 'integer'
			? Number.isInteger(value)
			: type === 'number'
				? typeof value === 'number'
				: type === 'array'
					? Array.isArray(value)
					: type === 'object'
						? Boolean(asRecord(value))
						: typeof value === type);
	return ok ? undefined : `"${name}" must be of type ${type}`;
}

/**
 * The model's input for a shot, with every problem named by the field the user can change
 * (`shot.durationSeconds`, `extraInput.<name>`, or the model's own input field).
 */
export function buildInput(
	schema: InputSchema,
	shot: ShotRequest,
	model: string,
	paths: { duration: string; aspectRatio: string; firstFrame: string },
): { built: BuiltInput } | { problems: ContractIssue[] } {
	const problems: ContractIssue[] = [];
	const input: Record<string, unknown> = {};
	const fields: BuiltInput['fields'] = {};
	const refsSent = new Set<string>();
	const use = (role: Role, value: unknown) => {
		const field = fieldFor(schema, role);
		if (field === undefined || value === undefined) return undefined;
		input[field] = value;
		fields[role] = field;
		return field;
	};

	const promptField = fieldFor(schema, 'prompt');
	if (promptField) use('prompt', shot.prompt(schema.properties[promptField].maxLength));
	if (shot.negativePrompt) use('negativePrompt', shot.negativePrompt);

	let durationSeconds = shot.durationSeconds;
	const durationField = fieldFor(schema, 'duration');
	if (durationField) {
		const value = durationValue(
			schema.properties[durationField],
			shot.durationSeconds,
			durationField,
			model,
		);
		if ('problem' in value) problems.push({ path: paths.duration, message: value.problem });
		else use('duration', value.value);
	} else {
		// A model without a duration input renders its own length; cost is counted on its default.
		const fallback = Number.parseFloat(
			String(schema.properties.duration?.default ?? shot.durationSeconds),
		);
		durationSeconds = Number.isFinite(fallback) ? fallback : shot.durationSeconds;
	}

	const ratioField = fieldFor(schema, 'aspectRatio');
	if (ratioField) {
		const offered = schema.properties[ratioField].enum;
		if (offered?.length && !offered.includes(shot.aspectRatio))
			problems.push({
				path: paths.aspectRatio,
				message: `${shot.aspectRatio} is not offered by ${model} (its input "${ratioField}" takes ${offered.join(', ')})`,
			});
		else use('aspectRatio', shot.aspectRatio);
	}
	const resolutionField = fieldFor(schema, 'resolution');
	if (resolutionField) {
		const value = resolutionValue(schema.properties[resolutionField], shot.resolution);
		if (value === undefined)
			problems.push({
				path: 'shot.resolution',
				message: `${shot.resolution} is above what ${model} renders (its input "${resolutionField}" takes ${schema.properties[resolutionField].enum!.join(', ')})`,
			});
		else use('resolution', value);
	}

	const referencesField = fieldFor(schema, 'references');
	const firstFrameField = fieldFor(schema, 'firstFrame');
	if (referencesField && shot.references.length) {
		const property = schema.properties[referencesField];
		if (property.type === 'array') {
			const picked = shot.references.slice(0, property.maxItems ?? 3);
			use(
				'references',
				picked.map((reference) => reference.value),
			);
			picked.forEach((reference) => refsSent.add(reference.tag));
		} else {
			use('references', shot.references[0].value);
			refsSent.add(shot.references[0].tag);
		}
	}
	if (firstFrameField && shot.firstFrame) {
		use('firstFrame', shot.firstFrame.value);
		if (shot.firstFrame.tag) refsSent.add(shot.firstFrame.tag);
	}
	if (shot.seed !== undefined) {
		const seedField = fieldFor(schema, 'seed');
		const maximum = seedField ? schema.properties[seedField].maximum : undefined;
		use('seed', maximum !== undefined ? shot.seed % (maximum + 1) : shot.seed);
	}
	if (
		shot.audio !== undefined &&
		fieldFor(schema, 'audio') &&
		schema.properties[fieldFor(schema, 'audio')!].type === 'boolean'
	)
		use('audio', shot.audio);

	for (const [name, value] of Object.entries(shot.extra)) {
		const problem = checkExtra(schema, name, value, model);
		if (problem) problems.push({ path: `extraInput.${name}`, message: problem });
		else input[name] = value;
	}
	for (const name of schema.required) {
		if (input[name] !== undefined || schema.properties[name]?.default !== undefined) continue;
		const path = name === firstFrameField ? paths.firstFrame : `extraInput.${name}`;
		problems.push({
			path,
			message: `${model} requires its input "${name}"${name === firstFrameField ? ' (a first frame): give the shot a character with a reference image, or choose another First Frame source' : ': set it in Extra Input'}`,
		});
	}
	if (problems.length) return { problems };
	return {
		built: {
			input,
			refsSent: [...refsSent],
			durationSeconds:
				Number.parseFloat(String(input[durationField ?? ''] ?? durationSeconds)) || durationSeconds,
			fields,
		},
	};
}
