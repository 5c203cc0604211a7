import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { AssetRef, RenderLayer, Resolution } from '../../shared/contract/schemas';
import { downloadToBinary } from '../../shared/binary';
import { ContractError } from '../../shared/errors';
import { estimatePrice, getModel, type PriceEstimate } from '../../shared/registry/registry';
import { assetBytes } from '../../shared/render/assets';
import { readRenderSettings, renderConcurrency } from '../../shared/render/properties';
import { renderItem, type RenderPlan } from '../../shared/render/renderItem';
import type { ShotContext } from '../../shared/render/shotContext';
import type { Batch } from '../../shared/router';
import { isModelId } from '../actions/descriptions';
import type { AggregatorVendor } from '../transport';
import { BACKENDS, type AggregatorJob, type VendorPrice } from './backends';
import type { InputSchema } from './inputSchema';

/** fal's client polls every 0.5 s and Replicate's every 0.5-1 s; a render takes minutes: polling follows the render, never closer than 1 s. */
export const AGGREGATOR_DEFAULTS = {
	pollIntervalSeconds: 5,
	timeoutMinutes: 20,
	concurrency: 20,
	minPollSeconds: 1,
};

export function aggregatorConcurrency(this: IExecuteFunctions): number {
	return renderConcurrency(this, AGGREGATOR_DEFAULTS);
}

/** A model's schema and price, read once per node run and shared by its items. */
export async function modelFacts(
	ctx: IExecuteFunctions,
	batch: Batch,
	vendor: AggregatorVendor,
	model: string,
	itemIndex: number,
): Promise<{ schema: InputSchema; price?: VendorPrice }> {
	const cached = batch.shared(`aggregator:${vendor}:${model}`, () => ({
		facts: undefined as Promise<{ schema: InputSchema; price?: VendorPrice }> | undefined,
	}));
	cached.facts ??= (async () => {
		const backend = BACKENDS[vendor];
		const [schema, price] = await Promise.all([
			backend.inputSchema(ctx, itemIndex, model),
			backend.price(ctx, itemIndex, model),
		]);
		return { schema, price };
	})();
	return await cached.facts;
}

const round6 = (value: number): number => Math.round(value * 1e6) / 1e6;

/**
 * What the render costs, from the vendor's own unit price where its catalogue publishes one (fal),
 * else the registry's figure, else the price per second the user set, marked estimated; with none
 * of them it is booked at $0, estimated, as every engine books a model nobody prices.
 */
export function aggregatorEstimate(
	vendor: AggregatorVendor,
	model: string,
	price: VendorPrice | undefined,
	request: { durationSeconds: number; resolution: Resolution; audio?: boolean },
	userPricePerSecond?: number,
): PriceEstimate {
	if (price) {
		const perSecond = /second/i.test(price.unit);
		const units = perSecond ? request.durationSeconds : 1;
		return {
			unit: perSecond ? 'second' : 'request',
			units,
			unitPriceUsd: price.unitPriceUsd,
			usd: round6(units * price.unitPriceUsd),
			estimated: false,
		};
	}
	const spec = getModel(model);
	if (spec && spec.vendor === vendor)
		return estimatePrice(spec, {
			backend: vendor,
			durationSeconds: request.durationSeconds,
			resolution: request.resolution,
			audio: request.audio,
		});
	const perSecond = userPricePerSecond && userPricePerSecond > 0 ? userPricePerSecond : 0;
	return {
		unit: 'second',
		units: request.durationSeconds,
		unitPriceUsd: perSecond,
		usd: round6(request.durationSeconds * perSecond),
		estimated: true,
	};
}

/**
 * How an aggregator receives an image: URLs as they are (its fetcher reads them), item binaries
 * inline as data URIs (both accept them). gs:// and runway:// objects are not reachable there.
 */
export async function imageValue(
	ctx: IExecuteFunctions,
	itemIndex: number,
	asset: AssetRef,
	path: string,
): Promise<string> {
	if (asset.kind === 'url') return asset.ref;
	if (asset.kind !== 'binary')
		throw new ContractError(itemIndex, [
			{
				path,
				message: `is a ${asset.kind} reference, which aggregators cannot fetch; give it an https URL or a binary`,
			},
		]);
	const bytes = (await assetBytes(ctx, itemIndex, asset, path))!;
	return `data:${asset.mimeType};base64,${bytes.toString('base64')}`;
}

/** One aggregator render through the shared render flow: submitted once, resumed by ID, polled, collected. */
export async function aggregatorRender(
	ctx: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
	context: ShotContext,
	request: {
		vendor: AggregatorVendor;
		layer: RenderLayer;
		model: string;
		input: IDataObject;
		estimate: PriceEstimate;
		refsSent: string[];
		webhookUrl?: string;
		fileStem: string;
		/** Set for a Replicate model billed by hardware time: its hardware's price per second. */
		hardwareUsdPerSecond?: number;
	},
): Promise<INodeExecutionData[]> {
	const backend = BACKENDS[request.vendor];
	const plan: RenderPlan<AggregatorJob> = {
		vendor: request.vendor,
		layer: request.layer,
		model: request.model,
		operation: 'render',
		estimate: request.estimate,
		refsSent: request.refsSent,
		submit: async () =>
			await backend.submit(ctx, itemIndex, request.model, request.input, request.webhookUrl),
		// A resumed job is polled where it was submitted, even if the node's model has changed since
		// (a take's model arrives on the item: it is used only when it is a model ID).
		poll: async (jobId) => {
			const recorded = context.takes.find(
				(take) => take.jobId === jobId && take.vendor === request.vendor,
			)?.model;
			return await backend.poll(
				ctx,
				itemIndex,
				recorded && isModelId(recorded) ? recorded : request.model,
				jobId,
			);
		},
		// Replicate bills a model that is not official for the seconds it ran: booked as it reports them.
		vendorMetered: (status) =>
			request.hardwareUsdPerSecond !== undefined && status.body.ranSeconds !== undefined
				? {
						unit: 'second',
						units: status.body.ranSeconds,
						unitPriceUsd: request.hardwareUsdPerSecond,
					}
				: undefined,
		output: async (status) => {
			const url = status.body.outputUrl;
			if (!url)
				throw new ContractError(itemIndex, [
					{
						path: 'output',
						message: `${backend.label} job ${status.body.id} succeeded without a video URL`,
					},
				]);
			return {
				asset: { kind: 'url', ref: url, mimeType: 'video/mp4' },
				// Output URLs are public and expire (fal media, replicate.delivery): fetched without the key.
				download: async () =>
					await downloadToBinary(ctx, {
						url,
						vendor: request.vendor,
						itemIndex,
						jobId: status.body.id,
						fileName: `${request.fileStem}.mp4`,
						mimeType: 'video/mp4',
					}),
			};
		},
	};
	return await renderItem(
		ctx,
		itemIndex,
		batch,
		context,
		plan,
		readRenderSettings(ctx, itemIndex, AGGREGATOR_DEFAULTS),
	);
}
