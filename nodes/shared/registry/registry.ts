import type { Resolution, Vendor } from '../contract/schemas';
import { ModelRetiredError } from '../errors';
import { MODELS } from './models';
import type { Backend, Capability, ModelSpec } from './schema';

export const CREDIT_USD = 0.01;

const BY_ID = new Map(MODELS.map((model) => [model.id, model]));

export function getModel(id: string): ModelSpec | undefined {
	return BY_ID.get(id);
}

export interface ModelFilter {
	vendor?: Vendor;
	capability?: Capability;
	backend?: Backend;
	includeRetired?: boolean;
}

/** Today as YYYY-MM-DD (UTC): the day a scheduled shutdown is compared with. */
export function today(): string {
	return new Date().toISOString().slice(0, 10);
}

/** The day a model stops (or stopped) on a backend, when one is known. */
export function retirementOn(spec: ModelSpec, backend: Backend | undefined): string | undefined {
	return (
		(backend ? spec.backendRetirement?.[backend] : undefined) ??
		(spec.status === 'retired' || (backend && spec.backends[backend] === 'retired')
			? spec.retiredOn
			: undefined)
	);
}

/** True once a model no longer serves on the backend: retired outright, or its shutdown day has come. */
export function isRetiredOn(
	spec: ModelSpec,
	backend: Backend | undefined,
	on: string = today(),
): boolean {
	if (spec.status === 'retired') return true;
	if (!backend) return false;
	if (spec.backends[backend] === 'retired') return true;
	const scheduled = spec.backendRetirement?.[backend];
	return scheduled !== undefined && scheduled <= on;
}

export function listModels(filter: ModelFilter = {}, on: string = today()): ModelSpec[] {
	return MODELS.filter((model) => {
		if (filter.vendor && model.vendor !== filter.vendor) return false;
		if (filter.capability && !model.capabilities.includes(filter.capability)) return false;
		if (filter.backend && !model.backends[filter.backend]) return false;
		if (!filter.includeRetired && isRetiredOn(model, filter.backend, on)) return false;
		return true;
	});
}

/** Model picker options: live models first, each marked with what we know of its availability. */
export function modelOptions(
	filter: ModelFilter,
	on: string = today(),
): Array<{ name: string; value: string; description: string }> {
	return listModels(filter, on).map((model) => {
		const availability = filter.backend ? model.backends[filter.backend] : undefined;
		const shutdown = filter.backend ? model.backendRetirement?.[filter.backend] : undefined;
		const marks = [
			availability === 'unconfirmed' ? 'availability unconfirmed on this backend' : undefined,
			availability === 'retired' ? `retired ${model.retiredOn ?? ''}`.trim() : undefined,
			shutdown && shutdown > on
				? `shuts down ${shutdown} on this backend${model.replacement ? `; move to ${model.replacement}` : ''}`
				: undefined,
			model.notes,
		].filter(Boolean);
		return {
			name: model.displayName,
			value: model.id,
			description: `${model.id}${marks.length ? ` — ${marks.join('; ')}` : ''}`,
		};
	});
}

/** Render times for model IDs the registry does not know (custom and newer models), per vendor. */
const TYPICAL_RENDER_SECONDS: Record<Vendor, number> = {
	openai: 90,
	google: 60,
	runway: 45,
	fal: 90,
	replicate: 90,
};

/** How long a render of this model usually takes at the vendor, ms: where polling that follows the render starts. */
export function typicalRenderMs(vendor: Vendor, model: string): number {
	const spec = BY_ID.get(model);
	return (
		(spec?.vendor === vendor && spec.typicalRenderSeconds
			? spec.typicalRenderSeconds
			: TYPICAL_RENDER_SECONDS[vendor]) * 1000
	);
}

export interface ResolvedModel {
	id: string;
	/** Undefined for a custom model ID the registry does not know. */
	spec?: ModelSpec;
}

/**
 * Looks a model up for use on a backend. Unknown IDs are allowed (custom and newly released
 * models); a retired one fails with an error that names its replacement.
 */
export function resolveModel(
	vendor: Vendor,
	id: string,
	backend: Backend,
	on: string = today(),
): ResolvedModel {
	const trimmed = id.trim();
	const spec = BY_ID.get(trimmed);
	if (!spec || spec.vendor !== vendor) return { id: trimmed };
	if (isRetiredOn(spec, backend, on)) {
		throw new ModelRetiredError({
			model: spec.id,
			vendor: spec.vendor,
			retiredOn: retirementOn(spec, backend) ?? 'an earlier date',
			replacement: spec.replacement,
			note: spec.status === 'retired' ? undefined : spec.notes,
		});
	}
	return { id: spec.id, spec };
}

export interface RenderRequest {
	backend?: Backend;
	durationSeconds?: number;
	resolution?: Resolution;
	audio?: boolean;
	images?: number;
}

export interface PriceEstimate {
	unit: 'second' | 'credit' | 'image' | 'token' | 'request';
	units: number;
	unitPriceUsd: number;
	usd: number;
	estimated: boolean;
}

function pickTier(spec: ModelSpec, request: RenderRequest): number {
	const tier = spec.price.tiers.find(
		(candidate) =>
			(candidate.backend === undefined || candidate.backend === request.backend) &&
			(candidate.resolution === undefined || candidate.resolution === request.resolution) &&
			(candidate.audio === undefined ||
				candidate.audio === (request.audio ?? spec.audio === 'always')),
	);
	return (tier ?? spec.price.tiers[spec.price.tiers.length - 1]).perUnit;
}

const round6 = (value: number): number => Math.round(value * 1e6) / 1e6;

/** What a render will cost before the vendor says so. Runway prices are in credits. */
export function estimatePrice(spec: ModelSpec, request: RenderRequest): PriceEstimate {
	const perUnit = pickTier(spec, request);
	const seconds = request.durationSeconds ?? spec.durations?.default ?? 0;
	const images = request.images ?? 1;
	switch (spec.price.unit) {
		case 'second':
			return {
				unit: 'second',
				units: seconds,
				unitPriceUsd: perUnit,
				usd: round6(seconds * perUnit),
				estimated: spec.price.estimated,
			};
		case 'image':
			return {
				unit: 'image',
				units: images,
				unitPriceUsd: perUnit,
				usd: round6(images * perUnit),
				estimated: spec.price.estimated,
			};
		case 'credit_per_second': {
			const credits = seconds * perUnit;
			return {
				unit: 'credit',
				units: credits,
				unitPriceUsd: CREDIT_USD,
				usd: round6(credits * CREDIT_USD),
				estimated: spec.price.estimated,
			};
		}
		case 'credit_per_image': {
			const credits = images * perUnit;
			return {
				unit: 'credit',
				units: credits,
				unitPriceUsd: CREDIT_USD,
				usd: round6(credits * CREDIT_USD),
				estimated: spec.price.estimated,
			};
		}
		case 'token_million':
			return {
				unit: 'token',
				units: 0,
				unitPriceUsd: perUnit / 1e6,
				usd: 0,
				estimated: spec.price.estimated,
			};
	}
}

/** Token cost of a text/vision call from the usage the vendor reported. */
export function tokenCost(
	spec: ModelSpec,
	inputTokens: number,
	outputTokens: number,
): PriceEstimate {
	const inputPrice = spec.price.tiers[0].perUnit / 1e6;
	const outputPrice = (spec.price.outputPerUnit ?? spec.price.tiers[0].perUnit) / 1e6;
	const usd = round6(inputTokens * inputPrice + outputTokens * outputPrice);
	const units = inputTokens + outputTokens;
	// A price the vendor has not published (a newer judge model) stays marked as estimated.
	return {
		unit: 'token',
		units,
		unitPriceUsd: units ? usd / units : 0,
		usd,
		estimated: spec.price.estimated,
	};
}

/** What is wrong with a render request for this model, as messages naming the field. */
export function checkRenderRequest(
	spec: ModelSpec,
	request: {
		durationSeconds?: number;
		resolution?: Resolution;
		aspectRatio?: string;
		referenceImages?: number;
	},
): string[] {
	const problems: string[] = [];
	const d = spec.durations;
	if (request.durationSeconds !== undefined && d) {
		if (d.allowed && !d.allowed.includes(request.durationSeconds)) {
			problems.push(
				`durationSeconds ${request.durationSeconds} is not offered by ${spec.id} (allowed: ${d.allowed.join(', ')})`,
			);
		} else if (
			(d.min !== undefined && request.durationSeconds < d.min) ||
			(d.max !== undefined && request.durationSeconds > d.max)
		) {
			problems.push(
				`durationSeconds ${request.durationSeconds} is outside ${d.min}-${d.max} for ${spec.id}`,
			);
		}
	}
	if (request.resolution && spec.resolutions && !spec.resolutions.includes(request.resolution)) {
		problems.push(
			`resolution ${request.resolution} is not offered by ${spec.id} (allowed: ${spec.resolutions.join(', ')})`,
		);
	}
	if (
		request.aspectRatio &&
		spec.aspectRatios &&
		!spec.aspectRatios.includes(request.aspectRatio as never)
	) {
		problems.push(
			`aspectRatio ${request.aspectRatio} is not offered by ${spec.id} (allowed: ${spec.aspectRatios.join(', ')})`,
		);
	}
	if (request.referenceImages !== undefined && request.referenceImages > spec.maxReferenceImages) {
		problems.push(
			`${request.referenceImages} reference images exceed the ${spec.maxReferenceImages} ${spec.id} accepts`,
		);
	}
	return problems;
}
