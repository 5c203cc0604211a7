import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { AssetRef } from '../../shared/contract/schemas';
import {
	estimatePrice,
	type PriceEstimate,
	type ResolvedModel,
} from '../../shared/registry/registry';
import type { RenderOutput, RenderPlan } from '../../shared/render/renderItem';
import {
	googleDownload,
	googleRequest,
	type GoogleEndpoint,
} from '../../shared/vendors/google/transport';
import { samplesOf, veoJobStatus, type VeoOperation } from './operation';

/** Google polls Veo every 10 s in its own samples; renders take 1 to 6 minutes. */
export const VEO_DEFAULTS = {
	pollIntervalSeconds: 10,
	timeoutMinutes: 20,
	concurrency: 20,
	minPollSeconds: 1,
};

export function veoEstimate(
	model: ResolvedModel,
	request: {
		backend: 'vertex' | 'gemini';
		durationSeconds: number;
		resolution: string;
		audio: boolean;
		samples: number;
	},
): PriceEstimate {
	if (!model.spec)
		return {
			unit: 'second',
			units: request.durationSeconds * request.samples,
			unitPriceUsd: 0,
			usd: 0,
			estimated: true,
		};
	const one = estimatePrice(model.spec, {
		backend: request.backend,
		durationSeconds: request.durationSeconds,
		resolution: request.resolution as never,
		audio: request.audio,
	});
	const units = one.units * request.samples;
	return { ...one, units, usd: Math.round(units * one.unitPriceUsd * 1e6) / 1e6 };
}

/** Where the first sample of a finished operation lives, and how to stream it into n8n. */
export function veoOutput(
	ctx: IExecuteFunctions,
	endpoint: GoogleEndpoint,
	itemIndex: number,
	operation: VeoOperation,
	fileStem: string,
): RenderOutput {
	const [sample] = samplesOf(operation);
	const fileName = `${fileStem}.mp4`;
	if (sample.gcsUri) {
		const asset: AssetRef = { kind: 'gcs', ref: sample.gcsUri, mimeType: sample.mimeType };
		return {
			asset,
			download: async () =>
				await googleDownload(ctx, {
					url: endpoint.gcsMediaUrl(sample.gcsUri!),
					itemIndex,
					jobId: operation.name,
					fileName,
					mimeType: sample.mimeType,
				}),
		};
	}
	if (sample.uri) {
		const asset: AssetRef = { kind: 'url', ref: sample.uri, mimeType: sample.mimeType };
		return {
			asset,
			download: async () =>
				await googleDownload(ctx, {
					url: sample.uri!,
					itemIndex,
					jobId: operation.name,
					fileName,
					mimeType: sample.mimeType,
				}),
		};
	}
	// Vertex without storageUri answers with the bytes inline; there is nothing to reference.
	const bytes = Buffer.from(sample.base64!, 'base64');
	return {
		asset: { kind: 'binary', ref: 'data', mimeType: sample.mimeType, bytes: bytes.length },
		download: async () => await ctx.helpers.prepareBinaryData(bytes, fileName, sample.mimeType),
	};
}

/** The render plan for a Veo predictLongRunning request on either backend. */
export function veoPlan(
	ctx: IExecuteFunctions,
	endpoint: GoogleEndpoint,
	itemIndex: number,
	request: {
		model: string;
		operation: string;
		body: IDataObject;
		estimate: PriceEstimate;
		refsSent: string[];
		fileStem: string;
	},
): RenderPlan<VeoOperation> {
	return {
		vendor: 'google',
		layer: 'hero',
		model: request.model,
		operation: request.operation,
		estimate: request.estimate,
		refsSent: request.refsSent,
		submit: async () => {
			const { body } = await googleRequest<VeoOperation>(ctx, {
				method: 'POST',
				url: `${endpoint.modelUrl(request.model)}:predictLongRunning`,
				operation: 'Submit Veo render',
				itemIndex,
				body: request.body,
			});
			return { jobId: body.name, status: body.done ? veoJobStatus(body) : undefined, body };
		},
		poll: async (jobId) => {
			const poll = endpoint.pollRequest(jobId);
			const { body } = await googleRequest<VeoOperation>(ctx, {
				...poll,
				operation: 'Poll Veo operation',
				itemIndex,
				jobId,
			});
			return veoJobStatus(body);
		},
		output: async (status) => veoOutput(ctx, endpoint, itemIndex, status.body, request.fileStem),
	};
}
