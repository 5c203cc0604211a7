import type { IDataObject } from 'n8n-workflow';
import { ContractError, VendorHttpError } from '../../shared/errors';
import type { HttpContext } from '../../shared/http/request';
import type { JobStatus } from '../../shared/runtime/jobRunner';
import { settle } from '../../shared/runtime/concurrency';
import {
	aggregatorRequest,
	falBaseUrls,
	replicateBaseUrl,
	type AggregatorVendor,
} from '../transport';
import { falInputSchema, replicateInputSchema, type InputSchema } from './inputSchema';

/** What one poll of an aggregator job says, in one shape for both. */
export interface AggregatorJob {
	id: string;
	/** The video the job produced, once it succeeded. */
	outputUrl?: string;
	/** The vendor's answer as it came. */
	raw: unknown;
	/** Seconds the vendor says the job ran (Replicate's `metrics.predict_time`): what a model billed by hardware time costs. */
	ranSeconds?: number;
}

export interface CatalogueEntry {
	id: string;
	name: string;
	description: string;
	url?: string;
}

/** The vendor's unit price for a model, where the catalogue publishes one (fal's pricing API). */
export interface VendorPrice {
	unitPriceUsd: number;
	/** `second` (of output video) or a flat unit per output (`video`, `request`, ...). */
	unit: string;
}

export interface AggregatorBackend {
	vendor: AggregatorVendor;
	label: string;
	listModels(ctx: HttpContext, filter?: string): Promise<CatalogueEntry[]>;
	inputSchema(ctx: HttpContext, itemIndex: number, model: string): Promise<InputSchema>;
	price(ctx: HttpContext, itemIndex: number, model: string): Promise<VendorPrice | undefined>;
	submit(
		ctx: HttpContext,
		itemIndex: number,
		model: string,
		input: IDataObject,
		webhookUrl?: string,
	): Promise<{ jobId: string; body: unknown }>;
	poll(
		ctx: HttpContext,
		itemIndex: number,
		model: string,
		jobId: string,
	): Promise<JobStatus<AggregatorJob>>;
	cancel(ctx: HttpContext, itemIndex: number, model: string, jobId: string): Promise<unknown>;
}

type Json = Record<string, unknown>;
const asRecord = (value: unknown): Json | undefined =>
	value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;

/** The first video URL in an output, whatever the model calls it (`video.url`, `videos[0].url`, a bare URL, a list of URLs). */
export function videoUrlIn(output: unknown, depth = 0): string | undefined {
	if (depth > 4 || output === null || output === undefined) return undefined;
	if (typeof output === 'string') return /^https?:\/\//.test(output) ? output : undefined;
	if (Array.isArray(output))
		return output.map((entry) => videoUrlIn(entry, depth + 1)).find(Boolean);
	const record = asRecord(output)!;
	// A file object that says it is something else (an image, audio) holds no video.
	if (record.content_type && !String(record.content_type).startsWith('video/')) return undefined;
	if (typeof record.url === 'string') return videoUrlIn(record.url, depth + 1);
	for (const key of ['video', 'videos', 'output', ...Object.keys(record)]) {
		const found = key in record ? videoUrlIn(record[key], depth + 1) : undefined;
		if (found) return found;
	}
	return undefined;
}

const notFound = (itemIndex: number, label: string, model: string) =>
	new ContractError(itemIndex, [
		{
			path: 'model',
			message: `${model} is not in the ${label} catalogue (it may have been removed); choose one from the list`,
		},
	]);

/** fal keeps requests under the app (`owner/alias`), whatever subpath the model was submitted to. */
export function falApp(endpoint: string): string {
	return endpoint.split('/').slice(0, 2).join('/');
}

const fal: AggregatorBackend = {
	vendor: 'fal',
	label: 'fal',
	async listModels(ctx, filter) {
		const { api } = await falBaseUrls(ctx);
		const pages = await Promise.all(
			['text-to-video', 'image-to-video'].map(async (category) => {
				const { body } = await aggregatorRequest<{
					models?: Array<{
						endpoint_id?: string;
						metadata?: { display_name?: string; description?: string; category?: string };
					}>;
				}>(ctx, 'fal', {
					method: 'GET',
					url: `${api}/models`,
					qs: { category, status: 'active', limit: 100, ...(filter ? { q: filter } : {}) },
					operation: 'List models',
					itemIndex: 0,
				});
				return body.models ?? [];
			}),
		);
		return pages.flat().flatMap((model) =>
			model.endpoint_id
				? [
						{
							id: model.endpoint_id,
							name: `${model.metadata?.display_name ?? model.endpoint_id} (${model.metadata?.category ?? 'video'})`,
							description: model.metadata?.description ?? '',
							url: `https://fal.ai/models/${model.endpoint_id}`,
						},
					]
				: [],
		);
	},
	async inputSchema(ctx, itemIndex, model) {
		const { api } = await falBaseUrls(ctx);
		const found = await settle(
			async () =>
				await aggregatorRequest<{ models?: Array<{ openapi?: unknown }> }>(ctx, 'fal', {
					method: 'GET',
					url: `${api}/models`,
					qs: { endpoint_id: model, expand: 'openapi-3.0' },
					operation: 'Read model schema',
					itemIndex,
				}),
		);
		if (!found.ok) {
			if (found.error instanceof VendorHttpError && found.error.statusCode === 404)
				throw notFound(itemIndex, 'fal', model);
			throw found.error;
		}
		const schema = falInputSchema(found.value.body.models?.[0]?.openapi);
		if (!schema) throw notFound(itemIndex, 'fal', model);
		return schema;
	},
	async price(ctx, itemIndex, model) {
		const { api } = await falBaseUrls(ctx);
		const { body } = await aggregatorRequest<{
			prices?: Array<{
				endpoint_id?: string;
				unit_price?: number;
				unit?: string;
				currency?: string;
			}>;
		}>(ctx, 'fal', {
			method: 'GET',
			url: `${api}/models/pricing`,
			qs: { endpoint_id: model },
			operation: 'Read model price',
			itemIndex,
		});
		const price = body.prices?.find((entry) => entry.endpoint_id === model);
		if (
			!price ||
			typeof price.unit_price !== 'number' ||
			(price.currency && price.currency !== 'USD')
		)
			return undefined;
		return { unitPriceUsd: price.unit_price, unit: String(price.unit ?? 'request') };
	},
	async submit(ctx, itemIndex, model, input, webhookUrl) {
		const { queue } = await falBaseUrls(ctx);
		const { body } = await aggregatorRequest<{ request_id?: string; queue_position?: number }>(
			ctx,
			'fal',
			{
				method: 'POST',
				url: `${queue}/${model}`,
				body: input,
				qs: webhookUrl ? { fal_webhook: webhookUrl } : undefined,
				operation: 'Submit render',
				itemIndex,
			},
		);
		if (!body.request_id)
			throw new VendorHttpError({
				vendor: 'fal',
				itemIndex,
				operation: 'Submit render',
				statusCode: 200,
				vendorMessage: 'fal accepted the request without a request_id',
			});
		return { jobId: body.request_id, body };
	},
	async poll(ctx, itemIndex, model, jobId) {
		const { queue } = await falBaseUrls(ctx);
		const base = `${queue}/${falApp(model)}/requests/${encodeURIComponent(jobId)}`;
		const { body } = await aggregatorRequest<{
			status?: string;
			queue_position?: number;
			error?: string;
			error_type?: string;
		}>(ctx, 'fal', {
			method: 'GET',
			url: `${base}/status`,
			qs: { logs: 0 },
			operation: 'Poll request',
			itemIndex,
			jobId,
		});
		const job: AggregatorJob = { id: jobId, raw: body };
		if (body.status === 'IN_QUEUE')
			return {
				phase: 'queued',
				vendorStatus: `IN_QUEUE${body.queue_position !== undefined ? ` (position ${body.queue_position})` : ''}`,
				body: job,
			};
		if (body.status === 'IN_PROGRESS')
			return { phase: 'running', vendorStatus: 'IN_PROGRESS', body: job };
		if (body.status !== 'COMPLETED')
			return { phase: 'running', vendorStatus: String(body.status ?? 'unknown'), body: job };
		if (body.error)
			return {
				phase: 'failed',
				vendorStatus: 'COMPLETED',
				body: job,
				failure: { code: body.error_type, message: body.error, retryable: true },
			};
		// COMPLETED covers success and failure alike: the result says which.
		const result = await settle(
			async () =>
				await aggregatorRequest<Json>(ctx, 'fal', {
					method: 'GET',
					url: base,
					operation: 'Read result',
					itemIndex,
					jobId,
				}),
		);
		if (!result.ok) {
			const error = result.error;
			if (error instanceof VendorHttpError && !error.retryable) {
				const cancelled = /cancel/i.test(error.vendorMessage);
				return {
					phase: cancelled ? 'cancelled' : 'failed',
					vendorStatus: 'COMPLETED',
					body: job,
					failure: { code: error.vendorCode, message: error.vendorMessage, retryable: true },
				};
			}
			throw error;
		}
		const outputUrl = videoUrlIn(result.value.body);
		if (!outputUrl)
			return {
				phase: 'failed',
				vendorStatus: 'COMPLETED',
				body: { ...job, raw: result.value.body },
				failure: {
					code: 'no_output',
					message: 'the request completed without a video URL',
					retryable: true,
				},
			};
		return {
			phase: 'succeeded',
			vendorStatus: 'COMPLETED',
			progress: 1,
			body: { id: jobId, outputUrl, raw: result.value.body },
		};
	},
	async cancel(ctx, itemIndex, model, jobId) {
		const { queue } = await falBaseUrls(ctx);
		const { body } = await aggregatorRequest(ctx, 'fal', {
			method: 'PUT',
			url: `${queue}/${falApp(model)}/requests/${encodeURIComponent(jobId)}/cancel`,
			operation: 'Cancel request',
			itemIndex,
			jobId,
		});
		return body;
	},
};

interface Prediction {
	id?: string;
	status?: string;
	output?: unknown;
	error?: unknown;
	logs?: string;
	data_removed?: boolean;
	metrics?: { predict_time?: number };
}

/** `owner/name` or `owner/name:version`. */
function replicateTarget(model: string): { path: string; version?: string } {
	const [name, version] = model.split(':');
	return { path: name, version };
}

const replicate: AggregatorBackend = {
	vendor: 'replicate',
	label: 'Replicate',
	async listModels(ctx, filter) {
		const base = await replicateBaseUrl(ctx);
		const { body } = await aggregatorRequest<{
			models?: Array<{ owner?: string; name?: string; description?: string; url?: string }>;
		}>(ctx, 'replicate', {
			method: 'GET',
			url: `${base}/collections/text-to-video`,
			operation: 'List models',
			itemIndex: 0,
		});
		const needle = (filter ?? '').toLowerCase();
		return (body.models ?? [])
			.filter((model) => model.owner && model.name)
			.map((model) => ({
				id: `${model.owner}/${model.name}`,
				name: `${model.owner}/${model.name}`,
				description: model.description ?? '',
				url: model.url,
			}))
			.filter((model) => !needle || model.id.toLowerCase().includes(needle));
	},
	async inputSchema(ctx, itemIndex, model) {
		const base = await replicateBaseUrl(ctx);
		const { path, version } = replicateTarget(model);
		const url = version ? `${base}/models/${path}/versions/${version}` : `${base}/models/${path}`;
		const found = await settle(
			async () =>
				await aggregatorRequest<{
					latest_version?: { openapi_schema?: unknown };
					openapi_schema?: unknown;
				}>(ctx, 'replicate', { method: 'GET', url, operation: 'Read model schema', itemIndex }),
		);
		if (!found.ok) {
			if (found.error instanceof VendorHttpError && found.error.statusCode === 404)
				throw notFound(itemIndex, 'Replicate', model);
			throw found.error;
		}
		const schema = replicateInputSchema(
			found.value.body.latest_version?.openapi_schema ?? found.value.body.openapi_schema,
		);
		if (!schema) throw notFound(itemIndex, 'Replicate', model);
		return schema;
	},
	// Replicate's API reports no prices; the registry (or the node's option) stands in.
	async price() {
		return undefined;
	},
	async submit(ctx, itemIndex, model, input, webhookUrl) {
		const base = await replicateBaseUrl(ctx);
		const { path, version } = replicateTarget(model);
		const hook = webhookUrl ? { webhook: webhookUrl, webhook_events_filter: ['completed'] } : {};
		const { body } = await aggregatorRequest<Prediction>(ctx, 'replicate', {
			method: 'POST',
			url: version ? `${base}/predictions` : `${base}/models/${path}/predictions`,
			body: { ...(version ? { version } : {}), input, ...hook },
			operation: 'Submit render',
			itemIndex,
		});
		if (!body.id)
			throw new VendorHttpError({
				vendor: 'replicate',
				itemIndex,
				operation: 'Submit render',
				statusCode: 201,
				vendorMessage: 'Replicate accepted the prediction without an id',
			});
		return { jobId: body.id, body };
	},
	async poll(ctx, itemIndex, _model, jobId) {
		const base = await replicateBaseUrl(ctx);
		const { body } = await aggregatorRequest<Prediction>(ctx, 'replicate', {
			method: 'GET',
			url: `${base}/predictions/${encodeURIComponent(jobId)}`,
			operation: 'Poll prediction',
			itemIndex,
			jobId,
		});
		const ran = body.metrics?.predict_time;
		const job: AggregatorJob = {
			id: jobId,
			raw: body,
			outputUrl: videoUrlIn(body.output),
			...(typeof ran === 'number' && Number.isFinite(ran) && ran >= 0 ? { ranSeconds: ran } : {}),
		};
		switch (body.status) {
			case 'starting':
				return { phase: 'queued', vendorStatus: 'starting', body: job };
			case 'processing':
				return { phase: 'running', vendorStatus: 'processing', body: job };
			case 'succeeded':
				if (!job.outputUrl) {
					const message = body.data_removed
						? 'the prediction succeeded but Replicate has removed its files (they are kept for an hour)'
						: 'the prediction succeeded without a video URL';
					return {
						phase: 'failed',
						vendorStatus: 'succeeded',
						body: job,
						failure: {
							code: body.data_removed ? 'data_removed' : 'no_output',
							message,
							retryable: true,
						},
					};
				}
				return { phase: 'succeeded', vendorStatus: 'succeeded', progress: 1, body: job };
			case 'canceled':
				return { phase: 'cancelled', vendorStatus: 'canceled', body: job };
			case 'failed':
				return {
					phase: 'failed',
					vendorStatus: 'failed',
					body: job,
					failure: { message: String(body.error ?? 'the prediction failed'), retryable: true },
				};
			default:
				return { phase: 'running', vendorStatus: String(body.status ?? 'unknown'), body: job };
		}
	},
	async cancel(ctx, itemIndex, _model, jobId) {
		const base = await replicateBaseUrl(ctx);
		const { body } = await aggregatorRequest(ctx, 'replicate', {
			method: 'POST',
			url: `${base}/predictions/${encodeURIComponent(jobId)}/cancel`,
			operation: 'Cancel prediction',
			itemIndex,
			jobId,
		});
		return body;
	},
};

export const BACKENDS: Record<AggregatorVendor, AggregatorBackend> = { fal, replicate };
