import type { ServerResponse } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import type { SandboxContext, VendorHandler } from '../context';
import { REPLICATE_COLLECTIONS, REPLICATE_MODELS, type AggregatorModel } from '../data/aggregators';
import { bearerToken, HttpError, sendFile, sendJson, type SandboxRequest } from '../http';
import type { SandboxJob } from '../jobs';
import { sha256 } from '../random';
import { createAggregatorJob, deliverWebhook, inputIssues, predictSeconds } from './aggregatorJobs';

/**
 * Replicate's HTTP API, from its documentation and OpenAPI document: models with their latest
 * version's `openapi_schema`, collections, predictions on official models (`starting` ->
 * `processing` -> `succeeded` / `failed` / `canceled`), `Prefer: wait`, cancel, output files on
 * replicate.delivery that are removed an hour after the prediction (the output lifetime here),
 * and webhooks filtered by `webhook_events_filter` and signed as Standard Webhooks. Errors are
 * problem details (`{title, detail, status}`); a 422 lists `invalid_fields` by input field.
 *
 * Prefixes: /replicate/v1 (api.replicate.com/v1), /replicate/delivery (replicate.delivery).
 */

type Json = Record<string, unknown>;

const problem = (
	status: number,
	title: string,
	detail: string,
	extra: Json = {},
	headers: Record<string, string> = {},
) => new HttpError(status, { title, detail, status, ...extra }, headers);

const modelById = (id: string) => REPLICATE_MODELS.find((model) => model.id === id);
const versionOf = (model: AggregatorModel) => sha256(`${model.id}|v1`);

function authorize(ctx: SandboxContext, req: SandboxRequest): string {
	const header = String(req.headers.authorization ?? '');
	const token = bearerToken(req) ?? /^Token\s+(.+)$/i.exec(header)?.[1]?.trim();
	if (!token || token !== ctx.config.keys.replicate)
		throw problem(401, 'Unauthenticated', 'You did not pass a valid authentication token');
	return sha256(token).slice(0, 16);
}

function modelObject(model: AggregatorModel): Json {
	const [owner, name] = model.id.split('/');
	return {
		url: `https://replicate.com/${model.id}`,
		owner,
		name,
		description: model.description,
		visibility: 'public',
		is_official: true,
		run_count: 1000,
		cover_image_url: null,
		default_example: null,
		latest_version: {
			id: versionOf(model),
			created_at: '2026-11-01T00:00:00.000Z',
			cog_version: '0.14.0',
			openapi_schema: {
				openapi: '3.0.2',
				info: { title: 'Cog', version: '0.1.0' },
				paths: {},
				components: {
					schemas: {
						Input: { title: 'Input', ...model.input },
						Output: { type: 'string', format: 'uri', title: 'Output' },
					},
				},
			},
		},
	};
}

function outputUrl(ctx: SandboxContext, job: SandboxJob): string {
	const url = `${ctx.origin()}/replicate/delivery/xezq/${job.id}/output.mp4`;
	ctx.media.set(url, job.file!);
	return url;
}

const STATUS: Record<SandboxJob['state'], string> = {
	queued: 'starting',
	throttled: 'starting',
	running: 'processing',
	succeeded: 'succeeded',
	failed: 'failed',
	cancelled: 'canceled',
};

function prediction(ctx: SandboxContext, job: SandboxJob): Json {
	const api = `${ctx.origin()}/replicate/v1/predictions/${job.id}`;
	const done = job.state === 'succeeded';
	const removed = done && (job.expiresAt ?? Infinity) <= Date.now();
	return {
		id: job.id,
		model: job.model,
		version: job.extra.version,
		input: job.request,
		logs: job.state === 'running' ? `rendering ${Math.round(ctx.jobs.progress(job) * 100)}%` : '',
		output: done && !removed ? outputUrl(ctx, job) : null,
		data_removed: removed,
		error: job.state === 'failed' ? (job.failure?.message ?? 'Prediction failed') : null,
		status: STATUS[job.state],
		source: 'api',
		created_at: new Date(job.createdAt).toISOString(),
		started_at: job.startedAt ? new Date(job.startedAt).toISOString() : null,
		completed_at: job.finishedAt ? new Date(job.finishedAt).toISOString() : null,
		// predict_time is the billed hardware time of models priced by time; official models bill their output.
		metrics:
			job.finishedAt && job.startedAt
				? {
						predict_time: predictSeconds(job),
						total_time: (job.finishedAt - job.createdAt) / 1000,
					}
				: {},
		urls: {
			get: api,
			cancel: `${api}/cancel`,
			stream: `${api}/stream`,
			web: `https://replicate.com/p/${job.id}`,
		},
	};
}

/** Standard Webhooks signature: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body`, keyed by the secret after `whsec_`. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

function sendWebhook(ctx: SandboxContext, url: string, job: SandboxJob): void {
	const body = prediction(ctx, job);
	const id = `msg_${randomBytes(12).toString('hex')}`;
	const timestamp = Math.floor(Date.now() / 1000);
	deliverWebhook(ctx, 'replicate', url, body, {
		'webhook-id': id,
		'webhook-timestamp': String(timestamp),
		'webhook-signature': signWebhook(
			ctx.aggregators.replicateWebhookSecret,
			id,
			timestamp,
			JSON.stringify(body),
		),
	});
}

function create(
	ctx: SandboxContext,
	req: SandboxRequest,
	modelId: string,
	account: string,
): SandboxJob {
	const model = modelById(modelId);
	if (!model)
		throw problem(
			404,
			'Not found',
			`The requested model ${modelId} was not found or you do not have access to it.`,
		);
	if (req.json === Symbol.for('invalid-json'))
		throw problem(400, 'Invalid JSON', 'The request body is not valid JSON.');
	const body = (req.json ?? {}) as Json;
	const issues = inputIssues(model, body.input);
	if (issues.length) {
		throw problem(
			422,
			'Input validation failed',
			issues.map((issue) => `- input.${issue.field}: ${issue.message}`).join('\n'),
			{
				invalid_fields: issues.map((issue) => ({
					type: issue.type,
					field: `input.${issue.field}`,
					description: issue.message,
				})),
			},
		);
	}
	const webhook = typeof body.webhook === 'string' ? body.webhook : undefined;
	const events = Array.isArray(body.webhook_events_filter)
		? (body.webhook_events_filter as string[])
		: ['start', 'output', 'logs', 'completed'];
	const job = createAggregatorJob(ctx, 'replicate', model, body.input as Json, {
		id: randomBytes(13)
			.toString('base64url')
			.toLowerCase()
			.replace(/[^a-z0-9]/g, 'q')
			.slice(0, 26),
		account,
		extra: { version: versionOf(model), webhook },
		onFinished: (done) => {
			if (webhook && events.includes('completed')) sendWebhook(ctx, webhook, done);
		},
	});
	if (webhook && events.includes('start')) sendWebhook(ctx, webhook, job);
	return job;
}

/** `Prefer: wait[=n]` holds the answer until the prediction ends or n seconds (at most 60) pass. */
async function preferWait(
	ctx: SandboxContext,
	req: SandboxRequest,
	job: SandboxJob,
): Promise<void> {
	const prefer = /^wait(?:=(\d+))?$/.exec(String(req.headers.prefer ?? '').trim());
	if (!prefer) return;
	const until = Date.now() + Math.min(60, Number(prefer[1] ?? 60)) * 1000;
	while (Date.now() < until && !['succeeded', 'failed', 'cancelled'].includes(job.state))
		await new Promise((resolve) => setTimeout(resolve, 50));
}

function requirePrediction(ctx: SandboxContext, id: string, account: string): SandboxJob {
	const job = ctx.jobs.get(id);
	if (!job || job.vendor !== 'replicate' || job.account !== account)
		throw problem(404, 'Not found', 'The requested prediction was not found.');
	return job;
}

async function handleApi(
	ctx: SandboxContext,
	req: SandboxRequest,
	res: ServerResponse,
): Promise<void> {
	const account = authorize(ctx, req);
	const { method, path } = req;
	let match: RegExpExecArray | null;
	if (method === 'GET' && path === '/account')
		return sendJson(res, 200, {
			type: 'organization',
			username: 'sandbox-studio',
			name: 'Sandbox Studio',
			github_url: null,
		});
	if (method === 'GET' && path === '/webhooks/default/secret')
		return sendJson(res, 200, { key: ctx.aggregators.replicateWebhookSecret });
	if (method === 'GET' && (match = /^\/collections\/([^/]+)$/.exec(path))) {
		const collection = REPLICATE_COLLECTIONS[match[1]];
		if (!collection) throw problem(404, 'Not found', `Collection ${match[1]} not found.`);
		return sendJson(res, 200, {
			name: collection.name,
			slug: match[1],
			description: collection.description,
			models: collection.models.map((id) => modelObject(modelById(id)!)),
		});
	}
	if (method === 'GET' && path === '/models')
		return sendJson(res, 200, {
			next: null,
			previous: null,
			results: REPLICATE_MODELS.map(modelObject),
		});
	if (method === 'GET' && (match = /^\/models\/([^/]+\/[^/]+)$/.exec(path))) {
		const model = modelById(match[1]);
		if (!model)
			throw problem(
				404,
				'Not found',
				`The requested model ${match[1]} was not found or you do not have access to it.`,
			);
		return sendJson(res, 200, modelObject(model));
	}
	if (method === 'POST' && (match = /^\/models\/([^/]+\/[^/]+)\/predictions$/.exec(path))) {
		const job = create(ctx, req, match[1], account);
		await preferWait(ctx, req, job);
		return sendJson(res, 201, prediction(ctx, job), {
			location: `${ctx.origin()}/replicate/v1/predictions/${job.id}`,
		});
	}
	if (method === 'POST' && path === '/predictions') {
		const version = String((req.json as Json | undefined)?.version ?? '');
		const model = REPLICATE_MODELS.find(
			(candidate) =>
				versionOf(candidate) === version ||
				candidate.id === version ||
				`${candidate.id}:${versionOf(candidate)}` === version,
		);
		if (!model)
			throw problem(
				422,
				'Invalid version',
				'The specified version does not exist (or perhaps you do not have permission to use it?)',
				{ invalid_fields: [{ type: 'invalid', field: 'version', description: 'unknown version' }] },
			);
		const job = create(ctx, req, model.id, account);
		await preferWait(ctx, req, job);
		return sendJson(res, 201, prediction(ctx, job));
	}
	if (method === 'GET' && (match = /^\/predictions\/([^/]+)$/.exec(path)))
		return sendJson(res, 200, prediction(ctx, requirePrediction(ctx, match[1], account)));
	if (method === 'POST' && (match = /^\/predictions\/([^/]+)\/cancel$/.exec(path))) {
		const job = requirePrediction(ctx, match[1], account);
		ctx.jobs.cancel(job);
		return sendJson(res, 200, prediction(ctx, job));
	}
	throw problem(404, 'Not found', `No route for ${method} /v1${path}`);
}

/** replicate.delivery: public file URLs, gone once the prediction's files are removed. */
function handleDelivery(ctx: SandboxContext, req: SandboxRequest, res: ServerResponse): void {
	const url = `${ctx.origin()}/replicate/delivery${req.path}`;
	const file = ctx.media.get(url);
	const job = [...ctx.jobs.jobs.values()].find(
		(candidate) => candidate.vendor === 'replicate' && candidate.file === file,
	);
	const expired =
		!job ||
		(job.expiresAt ?? Infinity) <= Date.now() ||
		Boolean(ctx.faults.draw('replicate', 'download', job.model, ['expired']));
	if (!file || expired) return sendJson(res, 404, { detail: 'Not found' });
	sendFile(req, res, file, 'video/mp4');
}

export const replicateHandler: VendorHandler = {
	vendor: 'replicate',
	classify(req) {
		const model = /^\/v1\/models\/([^/]+\/[^/]+)\/predictions$/.exec(req.path)?.[1];
		if (req.method === 'POST' && (model || req.path === '/v1/predictions'))
			return { op: 'submit', model };
		if (req.method === 'GET' && /^\/v1\/predictions\/[^/]+$/.test(req.path)) return { op: 'poll' };
		if (req.path.startsWith('/delivery/')) return { op: 'download' };
		return { op: 'other' };
	},
	errorBody(status, message, extra) {
		const headers: Record<string, string> =
			extra?.retryAfterSeconds !== undefined
				? { 'retry-after': String(extra.retryAfterSeconds) }
				: {};
		const title =
			status === 429 ? 'Request was throttled.' : status >= 500 ? 'Internal server error' : 'Error';
		return { body: { title, detail: message, status }, headers };
	},
	async handle(ctx, req, res) {
		if (req.path.startsWith('/v1/'))
			return await handleApi(ctx, { ...req, path: req.path.slice('/v1'.length) }, res);
		if (req.path.startsWith('/delivery/'))
			return handleDelivery(ctx, { ...req, path: req.path.slice('/delivery'.length) }, res);
		throw problem(404, 'Not found', 'Not found');
	},
};
