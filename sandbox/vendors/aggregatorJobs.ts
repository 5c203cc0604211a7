import { renderTime } from '../config';
import { planJob, type SandboxContext } from '../context';
import type { AggregatorModel, JsonSchema } from '../data/aggregators';
import type { SandboxJob } from '../jobs';
import { imageInfo } from '../media/images';
import type { RenderSpec } from '../media/render';
import { canonicalJson, sha256 } from '../random';
import { resolveMedia } from './media';

/**
 * What fal's and Replicate's emulators share: checking an input against the model's published
 * schema (each answers the issues in its own envelope), turning it into a render, and billing it
 * in the vendor's own unit.
 */

export interface InputIssue {
	/** The input field, e.g. `start_image_url` or `reference_image_urls.3`. */
	field: string;
	message: string;
	/** pydantic-style type (fal) / JSON-schema keyword (Replicate). */
	type: 'missing' | 'extra_forbidden' | 'type_error' | 'enum' | 'range' | 'too_long' | 'format';
}

const isUri = (value: unknown) =>
	typeof value === 'string' &&
	(/^https?:\/\/\S+$/.test(value) || /^data:[a-z]+\/[a-z0-9.+-]+;base64,/i.test(value));

function checkValue(schema: JsonSchema, value: unknown, field: string, issues: InputIssue[]): void {
	const type = schema.type;
	const typeOk =
		type === undefined ||
		(type === 'string' && typeof value === 'string') ||
		(type === 'integer' && Number.isInteger(value)) ||
		(type === 'number' && typeof value === 'number' && Number.isFinite(value)) ||
		(type === 'boolean' && typeof value === 'boolean') ||
		(type === 'array' && Array.isArray(value)) ||
		(type === 'object' && Boolean(value) && typeof value === 'object' && !Array.isArray(value));
	if (!typeOk)
		return void issues.push({ field, type: 'type_error', message: `must be of type ${type}` });
	if (schema.enum && !schema.enum.includes(value as string | number)) {
		return void issues.push({
			field,
			type: 'enum',
			message: `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`,
		});
	}
	if (
		typeof value === 'number' &&
		((schema.minimum !== undefined && value < schema.minimum) ||
			(schema.maximum !== undefined && value > schema.maximum))
	) {
		issues.push({
			field,
			type: 'range',
			message: `must be between ${schema.minimum ?? '-inf'} and ${schema.maximum ?? 'inf'}`,
		});
	}
	if (
		typeof value === 'string' &&
		schema.maxLength !== undefined &&
		value.length > schema.maxLength
	)
		issues.push({
			field,
			type: 'too_long',
			message: `must be at most ${schema.maxLength} characters`,
		});
	if (typeof value === 'string' && schema.format === 'uri' && !isUri(value))
		issues.push({ field, type: 'format', message: 'must be an http(s) URL or a data URI' });
	if (Array.isArray(value)) {
		if (schema.maxItems !== undefined && value.length > schema.maxItems)
			issues.push({ field, type: 'range', message: `must hold at most ${schema.maxItems} items` });
		if (schema.items)
			value.forEach((entry, index) =>
				checkValue(schema.items!, entry, `${field}.${index}`, issues),
			);
	}
}

/** Every way an input breaks the model's schema, each naming its field. */
export function inputIssues(model: AggregatorModel, input: unknown): InputIssue[] {
	if (!input || typeof input !== 'object' || Array.isArray(input))
		return [{ field: 'input', type: 'type_error', message: 'must be an object' }];
	const record = input as Record<string, unknown>;
	const issues: InputIssue[] = [];
	for (const name of model.input.required ?? [])
		if (record[name] === undefined || record[name] === null || record[name] === '')
			issues.push({ field: name, type: 'missing', message: 'field required' });
	for (const [name, value] of Object.entries(record)) {
		const schema = model.input.properties[name];
		if (!schema)
			issues.push({
				field: name,
				type: 'extra_forbidden',
				message: `is not an input of ${model.id}`,
			});
		else if (value !== undefined && value !== null) checkValue(schema, value, name, issues);
	}
	return issues;
}

/** The input with the schema's defaults filled in, as the model sees it. */
export function withDefaults(
	model: AggregatorModel,
	input: Record<string, unknown>,
): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [name, schema] of Object.entries(model.input.properties))
		if (schema.default !== undefined) out[name] = schema.default;
	return { ...out, ...input };
}

const HEIGHTS: Record<string, number> = { '720p': 720, '768p': 768, '1080p': 1080, '4k': 2160 };
const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

function imageOf(
	ctx: SandboxContext,
	value: unknown,
): { hash: string; width?: number; height?: number } | undefined {
	if (typeof value !== 'string' || !value) return undefined;
	const resolved = resolveMedia(ctx, value);
	const info = resolved.bytes ? imageInfo(resolved.bytes) : undefined;
	return { hash: resolved.hash, width: info?.width, height: info?.height };
}

/** What the model renders for this input: size from aspect and resolution (or the start frame), the references it was given. */
export function renderSpecFor(
	ctx: SandboxContext,
	model: AggregatorModel,
	input: Record<string, unknown>,
): { spec: RenderSpec; seconds: number } {
	const { fields } = model;
	const full = withDefaults(model, input);
	const seconds = Number.parseFloat(String(full[fields.duration ?? ''] ?? 5)) || 5;
	const first = imageOf(ctx, fields.firstFrame ? full[fields.firstFrame] : undefined);
	const references = [
		first,
		...(
			(fields.references ? (full[fields.references] as unknown[] | undefined) : undefined) ?? []
		).map((value) => imageOf(ctx, value)),
	].filter((r): r is NonNullable<typeof r> => Boolean(r));
	const ratio = fields.aspectRatio ? full[fields.aspectRatio] : undefined;
	const portrait = ratio
		? ratio === '9:16'
		: first?.width && first.height
			? first.height > first.width
			: false;
	const short = HEIGHTS[String(full[fields.resolution ?? ''] ?? '')] ?? model.defaultHeight;
	const long = ratio === '1:1' ? short : even((short * 16) / 9);
	const prompt = String(full[fields.prompt] ?? '');
	const seedSuffix =
		fields.seed && full[fields.seed] !== undefined ? ` [seed ${String(full[fields.seed])}]` : '';
	const palette = /#[0-9a-fA-F]{6}/.exec(prompt)?.[0];
	return {
		seconds,
		spec: {
			kind: 'video',
			width: portrait ? short : long,
			height: portrait ? long : short,
			fps: 24,
			durationSeconds: seconds,
			audio: fields.audio ? full[fields.audio] !== false : false,
			prompt: `${prompt}${seedSuffix}`,
			references: references.map((r) => r.hash),
			palette: palette ? [palette] : undefined,
		},
	};
}

/** Replicate's `metrics.predict_time`: the seconds a prediction ran, from start to finish. */
export const predictSeconds = (job: SandboxJob): number | undefined =>
	job.finishedAt && job.startedAt ? (job.finishedAt - job.startedAt) / 1000 : undefined;

/** Creates the job for an accepted input; the vendor bills it (in its own unit) once it succeeds. */
export function createAggregatorJob(
	ctx: SandboxContext,
	vendor: 'fal' | 'replicate',
	model: AggregatorModel,
	input: Record<string, unknown>,
	init: {
		id: string;
		account: string;
		extra: Record<string, unknown>;
		onFinished: (job: SandboxJob) => void;
	},
): SandboxJob {
	const { spec, seconds } = renderSpecFor(ctx, model, input);
	const planned = planJob(ctx, vendor, model.id, spec, {
		code: 'generation_failed',
		message: 'The model could not generate a video for this input.',
	});
	const full = withDefaults(model, input);
	const units = model.price.unit === 'second' ? seconds : 1;
	const usd = Math.round(units * model.price.usd(full) * 1e6) / 1e6;
	const requestFingerprint = sha256(canonicalJson({ vendor, model: model.id, input }));
	return ctx.jobs.create({
		id: init.id,
		vendor,
		model: model.id,
		account: init.account,
		renderMs: renderTime(ctx.config, vendor, model.id),
		spec: planned.spec,
		outcome: planned.outcome,
		refsReceived: spec.references,
		requestFingerprint,
		request: input,
		extra: { ...init.extra, seconds, units, usd, drift: planned.drift },
		onSucceeded: (job) => {
			// A model billed by hardware time is charged for the seconds it ran: the predict_time its
			// prediction reports (Replicate's metrics), at its hardware's price per second.
			const ran = model.price.unit === 'hardware_second' ? predictSeconds(job) : undefined;
			ctx.ledger.charge({
				vendor,
				model: job.model,
				jobId: job.id,
				units: ran ?? units,
				unit: model.price.unit === 'video' ? 'image' : 'second',
				usd: ran === undefined ? usd : Math.round(ran * model.price.usd(full) * 1e6) / 1e6,
				requestFingerprint,
			});
		},
		onFinished: init.onFinished,
	});
}

/** Waiting jobs of the same account and vendor ahead of this one (fal's queue_position). */
export function queuePosition(ctx: SandboxContext, job: SandboxJob): number {
	return [...ctx.jobs.jobs.values()].filter(
		(other) =>
			other.vendor === job.vendor &&
			other.account === job.account &&
			(other.state === 'queued' || other.state === 'throttled') &&
			other.createdAt < job.createdAt,
	).length;
}

/** Delivers a webhook the way the vendors do: a JSON POST, its outcome logged for tests, failures swallowed. */
export function deliverWebhook(
	ctx: SandboxContext,
	vendor: 'fal' | 'replicate',
	url: string,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	const text = JSON.stringify(body);
	const entry = { vendor, url, body, headers, status: 0 };
	ctx.aggregators.webhooks.push(entry);
	void fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: text,
	}).then(
		(response) => {
			entry.status = response.status;
			void response.body?.cancel();
		},
		() => {
			entry.status = -1;
		},
	);
}
