import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { Shot } from '../../shared/contract/schemas';
import {
	estimatePrice,
	type PriceEstimate,
	type ResolvedModel,
} from '../../shared/registry/registry';
import { readRenderSettings, renderConcurrency } from '../../shared/render/properties';
import { renderItem, type RenderPlan } from '../../shared/render/renderItem';
import type { ShotContext } from '../../shared/render/shotContext';
import type { Batch } from '../../shared/router';
import {
	openAiBaseUrl,
	openAiDownload,
	openAiRequest,
} from '../../shared/vendors/openai/transport';
import { videoJobStatus, type VideoObject } from './videoJob';

/** OpenAI advised polling the Videos API every 10-20 s. */
export const VIDEOS_DEFAULTS = {
	pollIntervalSeconds: 10,
	timeoutMinutes: 30,
	concurrency: 20,
	minPollSeconds: 1,
};

export function videosConcurrency(this: IExecuteFunctions): number {
	return renderConcurrency(this, VIDEOS_DEFAULTS);
}

/** Sora sizes: 720p everywhere, 1080p and the tall/wide pro sizes on sora-2-pro. */
export function videoSize(shot: Shot, offered: readonly string[] | undefined): string | undefined {
	const landscape =
		shot.aspectRatio === '16:9' || shot.aspectRatio === '21:9' || shot.aspectRatio === '4:3';
	const wanted =
		shot.resolution === '720p'
			? landscape
				? '1280x720'
				: '720x1280'
			: landscape
				? '1920x1080'
				: '1080x1920';
	const fallback = landscape ? '1280x720' : '720x1280';
	if (!offered || offered.includes(wanted)) return wanted;
	return offered.includes(fallback) ? fallback : undefined;
}

export function videosEstimate(model: ResolvedModel, seconds: number, size: string): PriceEstimate {
	if (!model.spec)
		return { unit: 'second', units: seconds, unitPriceUsd: 0, usd: 0, estimated: true };
	return estimatePrice(model.spec, {
		durationSeconds: seconds,
		resolution: /1080|1920/.test(size) ? '1080p' : '720p',
	});
}

/** Renders through the Videos API (create, remix, edit or extend) on the shared render flow. */
export async function videosRender(
	ctx: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
	context: ShotContext,
	request: {
		path: string;
		operation: string;
		model: string;
		body: IDataObject | FormData;
		estimate: PriceEstimate;
		refsSent: string[];
		fileStem: string;
	},
): Promise<INodeExecutionData[]> {
	const base = await openAiBaseUrl(ctx);
	const plan: RenderPlan<VideoObject> = {
		vendor: 'openai',
		layer: 'narrative',
		model: request.model,
		operation: request.operation,
		estimate: request.estimate,
		refsSent: request.refsSent,
		submit: async () => {
			const { body } = await openAiRequest<VideoObject>(ctx, {
				method: 'POST',
				path: request.path,
				operation: `Submit ${request.operation}`,
				itemIndex,
				body: request.body as never,
			});
			return { jobId: body.id, status: videoJobStatus(body), body };
		},
		poll: async (jobId) => {
			const { body } = await openAiRequest<VideoObject>(ctx, {
				method: 'GET',
				path: `/videos/${encodeURIComponent(jobId)}`,
				operation: 'Poll video',
				itemIndex,
				jobId,
			});
			return videoJobStatus(body);
		},
		output: async (status) => ({
			asset: {
				kind: 'url',
				ref: `${base}/videos/${encodeURIComponent(status.body.id)}/content`,
				mimeType: 'video/mp4',
			},
			download: async () =>
				await openAiDownload(ctx, `/videos/${encodeURIComponent(status.body.id)}/content`, {
					qs: { variant: 'video' },
					itemIndex,
					jobId: status.body.id,
					fileName: `${request.fileStem}.mp4`,
					mimeType: 'video/mp4',
				}),
			thumbnail: async () =>
				await openAiDownload(ctx, `/videos/${encodeURIComponent(status.body.id)}/content`, {
					qs: { variant: 'thumbnail' },
					itemIndex,
					jobId: status.body.id,
					fileName: `${request.fileStem}.webp`,
					mimeType: 'image/webp',
				}),
		}),
		// Gateways that bill per job report it on the finished video (OpenRouter's `usage.cost`, USD).
		vendorCostUsd: (status) => {
			const cost = (status.body as { usage?: { cost?: unknown } }).usage?.cost;
			return typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 ? cost : undefined;
		},
	};
	return await renderItem(
		ctx,
		itemIndex,
		batch,
		context,
		plan,
		readRenderSettings(ctx, itemIndex, VIDEOS_DEFAULTS),
	);
}
