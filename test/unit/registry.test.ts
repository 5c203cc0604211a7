import { ModelRetiredError } from '../../nodes/shared/errors';
import {
	checkRenderRequest,
	estimatePrice,
	getModel,
	listModels,
	MODELS,
	modelOptions,
	modelSpecSchema,
	resolveModel,
	tokenCost,
} from '../../nodes/shared/registry';

describe('model registry', () => {
	it.each(MODELS.map((model) => [model.id, model]))('%s is a complete model spec', (_id, model) => {
		const result = modelSpecSchema.safeParse(model);
		expect(result.error?.issues ?? []).toEqual([]);
	});

	it('has unique IDs', () => {
		const ids = MODELS.map((model) => model.id);
		expect(new Set(ids).size).toBe(ids.length);
	});

	it('points every retired model at a live replacement of the same vendor', () => {
		for (const model of MODELS.filter((m) => m.status === 'retired')) {
			const replacement = getModel(model.replacement!);
			expect(replacement).toBeDefined();
			expect(replacement!.status).not.toBe('retired');
			expect(replacement!.vendor).toBe(model.vendor);
		}
	});

	it('offers the live models each layer needs', () => {
		expect(
			listModels({ vendor: 'google', capability: 'reference_to_video', backend: 'vertex' }).map(
				(m) => m.id,
			),
		).toEqual(['veo-3.1-generate-001', 'veo-3.1-fast-generate-001']);
		expect(listModels({ vendor: 'runway', capability: 'video_to_video' }).map((m) => m.id)).toEqual(
			['aleph2'],
		);
		expect(listModels({ vendor: 'runway', capability: 'upscale' }).map((m) => m.id)).toEqual([
			'magnific_video_upscaler_creative',
		]);
		expect(
			listModels({ vendor: 'openai', capability: 'structured_output' }).length,
		).toBeGreaterThanOrEqual(3);
	});

	it('hides retired IDs from pickers unless asked', () => {
		expect(listModels({ vendor: 'runway' }).map((m) => m.id)).not.toContain('gen4_aleph');
		expect(listModels({ vendor: 'runway', includeRetired: true }).map((m) => m.id)).toContain(
			'gen4_aleph',
		);
		expect(listModels({ vendor: 'openai', backend: 'openai' }).map((m) => m.id)).not.toContain(
			'sora-2',
		);
		expect(
			listModels({ vendor: 'openai', backend: 'openai_compatible' }).map((m) => m.id),
		).toContain('sora-2');
	});

	it('marks backends whose availability is unconfirmed in the picker', () => {
		const veo = modelOptions({
			vendor: 'google',
			backend: 'gemini',
			capability: 'text_to_video',
		}).find((o) => o.value === 'veo-3.1-generate-001');
		expect(veo?.description).toContain('availability unconfirmed');
	});

	describe('resolveModel', () => {
		it.each([
			['gen4_aleph', 'runway', 'runway', 'aleph2'],
			['upscale_v1', 'runway', 'runway', 'magnific_video_upscaler_creative'],
			['veo-3.1-generate-preview', 'google', 'gemini', 'veo-3.1-generate-001'],
			['veo-3.0-generate-001', 'google', 'vertex', 'veo-3.1-generate-001'],
			['sora-2', 'openai', 'openai', 'veo-3.1-generate-001'],
		] as const)('fails for retired %s and names %s', (id, vendor, backend, replacement) => {
			expect(() => resolveModel(vendor, id, backend)).toThrow(ModelRetiredError);
			expect(() => resolveModel(vendor, id, backend)).toThrow(`Use ${replacement} instead`);
		});

		it('lets a gateway serve a model its vendor retired', () => {
			expect(resolveModel('openai', 'sora-2', 'openai_compatible').spec?.id).toBe('sora-2');
		});

		it('accepts custom model IDs it does not know', () => {
			expect(resolveModel('runway', ' gen5_preview ', 'runway')).toEqual({ id: 'gen5_preview' });
		});
	});

	describe('prices', () => {
		it('prices Veo per second by resolution and audio', () => {
			const veo = getModel('veo-3.1-generate-001')!;
			expect(
				estimatePrice(veo, { durationSeconds: 8, resolution: '1080p', audio: true }),
			).toMatchObject({ unit: 'second', units: 8, unitPriceUsd: 0.4, usd: 3.2 });
			expect(
				estimatePrice(veo, { durationSeconds: 8, resolution: '1080p', audio: false }).usd,
			).toBe(1.6);
			expect(estimatePrice(veo, { durationSeconds: 4, resolution: '4k', audio: true }).usd).toBe(
				2.4,
			);
		});

		it('prices Runway in credits at one cent each', () => {
			const turbo = getModel('gen4_turbo')!;
			expect(estimatePrice(turbo, { durationSeconds: 10 })).toMatchObject({
				unit: 'credit',
				units: 50,
				unitPriceUsd: 0.01,
				usd: 0.5,
			});
			expect(
				estimatePrice(getModel('gen4_image')!, { resolution: '1080p', images: 2 }),
			).toMatchObject({ units: 16, usd: 0.16 });
		});

		it('prices text models by tokens', () => {
			expect(tokenCost(getModel('gpt-5.4-mini')!, 1_000_000, 100_000).usd).toBeCloseTo(
				0.75 + 0.45,
				6,
			);
		});
	});

	it('names every field a render request gets wrong', () => {
		const veo = getModel('veo-3.1-generate-001')!;
		expect(
			checkRenderRequest(veo, {
				durationSeconds: 5,
				resolution: '1080p',
				aspectRatio: '1:1',
				referenceImages: 4,
			}),
		).toEqual([
			'durationSeconds 5 is not offered by veo-3.1-generate-001 (allowed: 4, 6, 8)',
			'aspectRatio 1:1 is not offered by veo-3.1-generate-001 (allowed: 16:9, 9:16)',
			'4 reference images exceed the 3 veo-3.1-generate-001 accepts',
		]);
		expect(checkRenderRequest(getModel('gen4_turbo')!, { durationSeconds: 12 })).toEqual([
			'durationSeconds 12 is outside 2-10 for gen4_turbo',
		]);
		expect(
			checkRenderRequest(veo, {
				durationSeconds: 8,
				resolution: '4k',
				aspectRatio: '16:9',
				referenceImages: 3,
			}),
		).toEqual([]);
	});
});
