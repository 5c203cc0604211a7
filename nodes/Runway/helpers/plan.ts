import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { Resolution } from '../../shared/contract/schemas';
import { downloadToBinary } from '../../shared/binary';
import { ContractError, VendorHttpError } from '../../shared/errors';
import {
	estimatePrice,
	resolveModel,
	type PriceEstimate,
	type ResolvedModel,
} from '../../shared/registry/registry';
import { readRenderSettings, renderConcurrency } from '../../shared/render/properties';
import { renderItem, type RenderPlan } from '../../shared/render/renderItem';
import type { ShotContext } from '../../shared/render/shotContext';
import type { Batch } from '../../shared/router';
import { settle } from '../../shared/runtime/concurrency';
import { isTerminal, isTransientPollError } from '../../shared/runtime/jobRunner';
import { runwayRequest } from '../../shared/vendors/runway/transport';
import { runwayJobStatus, type RunwayTask } from './task';
import { stringParameter } from '../../shared/parameters';

/** Runway asks clients not to poll more often than every 5 s; its SDK uses 6 s. */
export const RUNWAY_DEFAULTS = {
	pollIntervalSeconds: 6,
	timeoutMinutes: 20,
	concurrency: 20,
	minPollSeconds: 5,
};

/** The operation name a still's takes carry (an image-to-video step checks this attempt's keyframe by it). */
export const TEXT_TO_IMAGE = 'textToImage';

export function runwayConcurrency(this: IExecuteFunctions): number {
	return renderConcurrency(this, RUNWAY_DEFAULTS);
}

export function runwayModel(ctx: IExecuteFunctions, itemIndex: number): ResolvedModel {
	const chosen = ctx.getNodeParameter('model', itemIndex) as string;
	const id = chosen === 'custom' ? stringParameter(ctx, 'customModelId', itemIndex) : chosen;
	if (!id)
		throw new ContractError(itemIndex, [
			{ path: 'customModelId', message: 'is required when Model is Custom Model ID' },
		]);
	return resolveModel('runway', id, 'runway');
}

export function runwayEstimate(
	model: ResolvedModel,
	request: { durationSeconds?: number; resolution?: Resolution; audio?: boolean; images?: number },
): PriceEstimate {
	if (!model.spec) return { unit: 'credit', units: 0, unitPriceUsd: 0.01, usd: 0, estimated: true };
	return estimatePrice(model.spec, request);
}

async function pollTask(ctx: IExecuteFunctions, itemIndex: number, jobId: string) {
	const { body } = await runwayRequest<RunwayTask>(ctx, {
		method: 'GET',
		path: `/v1/tasks/${encodeURIComponent(jobId)}`,
		operation: 'Poll task',
		itemIndex,
		jobId,
	});
	return runwayJobStatus(body);
}

/** Reads of a task after a cancel before its outcome is left unknown. */
const READ_BACK_ATTEMPTS = 3;

/**
 * The task after a cancel: its status, `gone` (404: deleted), or the error when a few reads failed.
 * Read again on a transient error, since an unread cancel leaves the take for a re-run to settle.
 */
async function readBack(ctx: IExecuteFunctions, batch: Batch, itemIndex: number, jobId: string) {
	for (let attempt = 1; ; attempt++) {
		const read = await settle(async () => await pollTask(ctx, itemIndex, jobId));
		if (read.ok) return read.value;
		if (read.error instanceof VendorHttpError && read.error.statusCode === 404) return 'gone';
		if (attempt >= READ_BACK_ATTEMPTS || !isTransientPollError(read.error))
			return { unread: read.error };
		await batch.clock.sleep(1000 * attempt, ctx.getExecutionCancelSignal());
	}
}

/** Submits one Runway task through the shared render flow; Runway's own credits replace the estimate. */
export async function runwayRender(
	ctx: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
	context: ShotContext,
	request: {
		endpoint: string;
		operation: string;
		model: ResolvedModel;
		body: IDataObject;
		estimate: PriceEstimate;
		refsSent: string[];
		mimeType: string;
		fileStem: string;
	},
): Promise<INodeExecutionData[]> {
	const plan: RenderPlan<RunwayTask> = {
		vendor: 'runway',
		layer: 'control',
		model: request.model.id,
		operation: request.operation,
		estimate: request.estimate,
		refsSent: request.refsSent,
		submit: async () => {
			const { body } = await runwayRequest<{ id: string; estimatedCost?: { credits: number } }>(
				ctx,
				{
					method: 'POST',
					path: `/v1/${request.endpoint}`,
					operation: `Submit ${request.operation}`,
					itemIndex,
					body: { model: request.model.id, ...request.body },
				},
			);
			return { jobId: body.id, body };
		},
		poll: async (jobId) => await pollTask(ctx, itemIndex, jobId),
		// DELETE cancels an unfinished task (CANCELLED, 0 credits) but deletes a finished one with
		// its paid output, so the task is read first and only an unfinished one is cancelled; then
		// it is read back (a 404 means it finished in between, and the vendor deleted it).
		cancel: async (jobId) => {
			const before = await pollTask(ctx, itemIndex, jobId);
			if (isTerminal(before.phase)) return { sent: false, status: before };
			const sent = await settle(
				async () =>
					await runwayRequest(ctx, {
						method: 'DELETE',
						path: `/v1/tasks/${encodeURIComponent(jobId)}`,
						operation: 'Cancel task',
						itemIndex,
						jobId,
					}),
			);
			return {
				sent: true,
				before,
				sendError: sent.ok ? undefined : sent.error,
				after: await readBack(ctx, batch, itemIndex, jobId),
			};
		},
		output: async (status) => {
			const url = status.body.output?.[0];
			if (!url)
				throw new ContractError(itemIndex, [
					{ path: 'output', message: `task ${status.body.id} succeeded without an output URL` },
				]);
			const extension = request.mimeType === 'image/png' ? 'png' : 'mp4';
			return {
				asset: { kind: 'url', ref: url, mimeType: request.mimeType },
				download: async () =>
					await downloadToBinary(ctx, {
						url,
						vendor: 'runway',
						itemIndex,
						jobId: status.body.id,
						fileName: `${request.fileStem}.${extension}`,
						mimeType: request.mimeType,
					}),
			};
		},
		vendorCredits: (status, submitBody) => {
			if (status?.body.cost?.credits !== undefined)
				return { credits: status.body.cost.credits, final: true };
			const estimated = (submitBody as { estimatedCost?: { credits?: number } } | undefined)
				?.estimatedCost?.credits;
			return estimated !== undefined ? { credits: estimated, final: false } : undefined;
		},
	};
	return await renderItem(
		ctx,
		itemIndex,
		batch,
		context,
		plan,
		readRenderSettings(ctx, itemIndex, RUNWAY_DEFAULTS),
	);
}
