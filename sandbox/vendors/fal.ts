import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { SandboxContext, VendorHandler } from '../context';
import { FAL_MODELS, type AggregatorModel } from '../data/aggregators';
import { HttpError, sendFile, sendJson, type SandboxRequest } from '../http';
import type { SandboxJob } from '../jobs';
import { sha256 } from '../random';
import { createAggregatorJob, deliverWebhook, inputIssues, queuePosition } from './aggregatorJobs';

/**
 * fal, from its documentation: the queue API (queue.fal.run: submit, status with queue
 * position, result, cancel, `fal_webhook`), the platform API (api.fal.ai/v1: the model
 * catalogue with each model's OpenAPI document, and unit prices) and its media CDN, whose files
 * stop being served once the output lifetime passes. Errors use FastAPI's `{detail}` envelope:
 * a string, or for 422 a list of `{loc, msg, type}` naming the input field.
 *
 * Prefixes: /fal/queue (queue.fal.run), /fal/api (api.fal.ai), /fal/cdn (the media host).
 */

type Json = Record<string, unknown>;

const detail = (status: number, message: string, headers: Record<string, string> = {}) =>
	new HttpError(status, { detail: message }, headers);

const modelById = (id: string) => FAL_MODELS.find((model) => model.id === id);

/** `owner/alias[/path...]` -> the app (`owner/alias`) fal keeps requests under. */
function appOf(endpoint: string): string {
	return endpoint.split('/').slice(0, 2).join('/');
}

function authorize(ctx: SandboxContext, req: SandboxRequest): string {
	const header = String(req.headers.authorization ?? '');
	const key = /^Key\s+(.+)$/i.exec(header)?.[1]?.trim();
	if (!key)
		throw detail(
			401,
			'No authentication credentials were provided. Add an Authorization header: "Key <FAL_KEY>".',
		);
	if (key !== ctx.config.keys.fal)
		throw detail(401, 'Invalid credentials: the key is unknown or has been revoked.');
	return sha256(key).slice(0, 16);
}

/** The model's OpenAPI 3.0 document, shaped like fal's per-endpoint queue schema. */
function openapiOf(model: AggregatorModel): Json {
	const name = model.id
		.split('/')
		.map((part) => part.replace(/(^|[-.])(\w)/g, (_m, _s, c: string) => c.toUpperCase()))
		.join('');
	return {
		openapi: '3.0.4',
		info: {
			title: 'Queue OpenAPI for ' + model.id,
			version: '1.0.0',
			'x-fal-metadata': { endpointId: model.id, category: model.category },
		},
		paths: {
			[`/${model.id}`]: {
				post: {
					requestBody: {
						required: true,
						content: {
							'application/json': { schema: { $ref: `#/components/schemas/${name}Input` } },
						},
					},
					responses: {
						'200': {
							description: 'The request status.',
							content: {
								'application/json': { schema: { $ref: '#/components/schemas/QueueStatus' } },
							},
						},
					},
				},
			},
		},
		components: {
			schemas: {
				[`${name}Input`]: {
					title: `${name}Input`,
					...model.input,
					'x-fal-order-properties': Object.keys(model.input.properties),
				},
				[`${name}Output`]: {
					type: 'object',
					properties: { video: { $ref: '#/components/schemas/File' } },
					required: ['video'],
				},
				QueueStatus: {
					type: 'object',
					properties: {
						status: { type: 'string', enum: ['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED'] },
						request_id: { type: 'string' },
					},
				},
				File: {
					type: 'object',
					properties: {
						url: { type: 'string' },
						content_type: { type: 'string' },
						file_name: { type: 'string' },
						file_size: { type: 'integer' },
					},
					required: ['url'],
				},
			},
		},
	};
}

function catalogueEntry(model: AggregatorModel, expand: boolean): Json {
	return {
		endpoint_id: model.id,
		metadata: {
			display_name: model.displayName,
			category: model.category,
			description: model.description,
			status: 'active',
			tags: [],
			updated_at: '2026-11-20T00:00:00Z',
		},
		...(expand ? { openapi: openapiOf(model) } : {}),
	};
}

/** GET /v1/models: search or look up, paginated by cursor. */
function listModels(req: SandboxRequest): Json {
	const ids = req.query.getAll('endpoint_id').flatMap((value) => value.split(','));
	const expand = req.query.getAll('expand').includes('openapi-3.0');
	if (ids.length) {
		const found = ids.map(modelById).filter((model): model is AggregatorModel => Boolean(model));
		if (!found.length)
			throw new HttpError(404, {
				error: { type: 'not_found', message: `No model found for endpoint_id ${ids.join(', ')}` },
			});
		return {
			models: found.map((model) => catalogueEntry(model, expand)),
			next_cursor: null,
			has_more: false,
		};
	}
	const category = req.query.get('category');
	const q = (req.query.get('q') ?? '').toLowerCase();
	const matches = FAL_MODELS.filter(
		(model) =>
			(!category || model.category === category) &&
			(!q || `${model.id} ${model.displayName}`.toLowerCase().includes(q)),
	);
	const limit = Math.max(1, Math.min(100, Number(req.query.get('limit') ?? 50)));
	const start = Number(req.query.get('cursor') ?? 0) || 0;
	const page = matches.slice(start, start + limit);
	const more = start + limit < matches.length;
	return {
		models: page.map((model) => catalogueEntry(model, expand)),
		next_cursor: more ? String(start + limit) : null,
		has_more: more,
	};
}

function pricing(req: SandboxRequest): Json {
	const ids = req.query.getAll('endpoint_id').flatMap((value) => value.split(','));
	if (!ids.length)
		throw new HttpError(422, {
			error: { type: 'validation_error', message: 'endpoint_id is required' },
		});
	const prices = ids.map((id) => {
		const model = modelById(id);
		if (!model)
			throw new HttpError(404, {
				error: { type: 'not_found', message: `No pricing found for endpoint_id ${id}` },
			});
		// The list price, for the input's defaults: fal bills only successful outputs.
		return {
			endpoint_id: id,
			unit_price: model.price.usd({}),
			unit: model.price.unit,
			currency: 'USD',
		};
	});
	return { prices, next_cursor: null, has_more: false };
}

function urlsOf(ctx: SandboxContext, job: SandboxJob): Json {
	const base = `${ctx.origin()}/fal/queue/${appOf(job.model)}/requests/${job.id}`;
	return { response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` };
}

function outputUrl(ctx: SandboxContext, job: SandboxJob): string {
	const url = `${ctx.origin()}/fal/cdn/files/${job.id.slice(0, 8)}/${job.id}_output.mp4`;
	ctx.media.set(url, job.file!);
	return url;
}

function statusOf(ctx: SandboxContext, job: SandboxJob, logs: boolean): Json {
	const base = { request_id: job.id, ...urlsOf(ctx, job) };
	if (job.state === 'queued' || job.state === 'throttled')
		return { status: 'IN_QUEUE', queue_position: queuePosition(ctx, job), ...base };
	if (job.state === 'running')
		return {
			status: 'IN_PROGRESS',
			...base,
			logs: logs
				? [
						{
							message: `rendering ${Math.round(ctx.jobs.progress(job) * 100)}%`,
							level: 'INFO',
							timestamp: new Date().toISOString(),
						},
					]
				: null,
		};
	// fal reports a failed or cancelled request as COMPLETED; its result tells what happened.
	return {
		status: 'COMPLETED',
		...base,
		logs: logs ? [] : null,
		metrics:
			job.startedAt && job.finishedAt
				? { inference_time: (job.finishedAt - job.startedAt) / 1000 }
				: {},
		...(job.state === 'failed'
			? { error: job.failure?.message, error_type: job.failure?.code }
			: {}),
	};
}

function resultOf(ctx: SandboxContext, job: SandboxJob): { status: number; body: Json } {
	if (job.state === 'cancelled') return { status: 400, body: { detail: 'Request was cancelled' } };
	if (job.state === 'failed')
		return {
			status: 422,
			body: {
				detail: [
					{
						loc: ['body'],
						msg: job.failure?.message ?? 'generation failed',
						type: job.failure?.code ?? 'generation_failed',
					},
				],
			},
		};
	return {
		status: 200,
		body: {
			video: {
				url: outputUrl(ctx, job),
				content_type: 'video/mp4',
				file_name: 'output.mp4',
				file_size: job.file ? undefined : 0,
			},
			seed: Number.parseInt(sha256(job.id).slice(0, 6), 16),
		},
	};
}

function requireRequest(ctx: SandboxContext, app: string, id: string, account: string): SandboxJob {
	const job = ctx.jobs.get(id);
	if (!job || job.vendor !== 'fal' || job.account !== account || appOf(job.model) !== app)
		throw detail(404, `Request ${id} not found`);
	return job;
}

function submit(ctx: SandboxContext, req: SandboxRequest, endpoint: string, account: string): Json {
	const model = modelById(endpoint);
	if (!model) throw detail(404, `Application '${endpoint}' not found`);
	if (req.json === Symbol.for('invalid-json')) throw detail(400, 'Invalid JSON body');
	const input = (req.json ?? {}) as Json;
	const issues = inputIssues(model, input);
	if (issues.length)
		throw new HttpError(422, {
			detail: issues.map((issue) => ({
				loc: ['body', ...issue.field.split('.')],
				msg: issue.message,
				type: issue.type,
			})),
		});
	const webhook = req.query.get('fal_webhook') ?? undefined;
	const job = createAggregatorJob(ctx, 'fal', model, input, {
		id: randomUUID(),
		account,
		extra: { webhook },
		onFinished: (done) => {
			if (!webhook) return;
			const result =
				done.state === 'succeeded' || done.state === 'failed' ? resultOf(ctx, done) : undefined;
			deliverWebhook(ctx, 'fal', webhook, {
				request_id: done.id,
				gateway_request_id: done.id,
				status: done.state === 'succeeded' ? 'OK' : 'ERROR',
				payload: result?.body ?? null,
				...(done.state === 'succeeded'
					? {}
					: { error: done.failure?.message ?? `request ${done.state}` }),
			});
		},
	});
	return {
		status: 'IN_QUEUE',
		request_id: job.id,
		...urlsOf(ctx, job),
		queue_position: queuePosition(ctx, job),
	};
}

async function handleQueue(
	ctx: SandboxContext,
	req: SandboxRequest,
	res: ServerResponse,
): Promise<void> {
	const account = authorize(ctx, req);
	const path = req.path.replace(/^\/+/, '');
	let match: RegExpExecArray | null;
	if ((match = /^([^/]+\/[^/]+)\/requests\/([^/]+)\/status$/.exec(path)) && req.method === 'GET') {
		return sendJson(
			res,
			200,
			statusOf(
				ctx,
				requireRequest(ctx, match[1], match[2], account),
				req.query.get('logs') === '1',
			),
		);
	}
	if ((match = /^([^/]+\/[^/]+)\/requests\/([^/]+)\/cancel$/.exec(path)) && req.method === 'PUT') {
		const job = requireRequest(ctx, match[1], match[2], account);
		if (job.state === 'succeeded' || job.state === 'failed' || job.state === 'cancelled')
			return sendJson(res, 400, { status: 'ALREADY_COMPLETED' });
		ctx.jobs.cancel(job);
		return sendJson(res, 202, { status: 'CANCELLATION_REQUESTED' });
	}
	if ((match = /^([^/]+\/[^/]+)\/requests\/([^/]+)$/.exec(path)) && req.method === 'GET') {
		const job = requireRequest(ctx, match[1], match[2], account);
		if (job.state !== 'succeeded' && job.state !== 'failed' && job.state !== 'cancelled')
			return sendJson(res, 400, { detail: 'Request is still in progress' });
		const result = resultOf(ctx, job);
		return sendJson(res, result.status, result.body, { 'x-fal-request-id': job.id });
	}
	if (req.method === 'POST' && path.split('/').length >= 2)
		return sendJson(res, 200, submit(ctx, req, path, account));
	throw detail(404, 'Not Found');
}

async function handleApi(
	ctx: SandboxContext,
	req: SandboxRequest,
	res: ServerResponse,
): Promise<void> {
	const header = String(req.headers.authorization ?? '');
	const key = /^Key\s+(.+)$/i.exec(header)?.[1]?.trim();
	if (key !== ctx.config.keys.fal)
		throw new HttpError(401, {
			error: {
				type: 'authorization_error',
				message: key ? 'Invalid API key' : 'Authentication required',
			},
		});
	if (req.method === 'GET' && req.path === '/v1/models') return sendJson(res, 200, listModels(req));
	if (req.method === 'GET' && req.path === '/v1/models/pricing')
		return sendJson(res, 200, pricing(req));
	throw new HttpError(404, {
		error: { type: 'not_found', message: `No route for ${req.method} ${req.path}` },
	});
}

/** fal media: public URLs, served until the output lifetime passes. */
function handleCdn(ctx: SandboxContext, req: SandboxRequest, res: ServerResponse): void {
	const url = `${ctx.origin()}/fal/cdn${req.path}`;
	const file = ctx.media.get(url);
	const job = [...ctx.jobs.jobs.values()].find(
		(candidate) => candidate.vendor === 'fal' && candidate.file === file,
	);
	const expired =
		!job ||
		(job.expiresAt ?? Infinity) <= Date.now() ||
		Boolean(ctx.faults.draw('fal', 'download', job.model, ['expired']));
	if (!file || expired) return sendJson(res, 404, { detail: 'File not found or expired' });
	sendFile(req, res, file, 'video/mp4');
}

export const falHandler: VendorHandler = {
	vendor: 'fal',
	classify(req) {
		if (!req.path.startsWith('/queue/'))
			return { op: req.path.startsWith('/cdn/') ? 'download' : 'other' };
		const path = req.path.slice('/queue/'.length);
		if (req.method === 'POST') return { op: 'submit', model: path };
		if (/\/requests\/[^/]+\/status$/.test(path)) return { op: 'poll' };
		return { op: 'other' };
	},
	errorBody(status, message, extra) {
		const headers: Record<string, string> =
			extra?.retryAfterSeconds !== undefined
				? { 'retry-after': String(extra.retryAfterSeconds) }
				: {};
		return { body: { detail: message }, headers };
	},
	async handle(ctx, req, res) {
		if (req.path.startsWith('/queue/'))
			return await handleQueue(ctx, { ...req, path: req.path.slice('/queue'.length) }, res);
		if (req.path.startsWith('/api/'))
			return await handleApi(ctx, { ...req, path: req.path.slice('/api'.length) }, res);
		if (req.path.startsWith('/cdn/'))
			return handleCdn(ctx, { ...req, path: req.path.slice('/cdn'.length) }, res);
		throw detail(404, 'Not Found');
	},
};
