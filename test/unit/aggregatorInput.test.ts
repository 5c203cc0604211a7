import {
	buildInput,
	falInputSchema,
	replicateInputSchema,
	type ShotRequest,
} from '../../nodes/Aggregator/helpers/inputSchema';
import { aggregatorEstimate } from '../../nodes/Aggregator/helpers/plan';
import { videoUrlIn } from '../../nodes/Aggregator/helpers/backends';

const PATHS = {
	duration: 'shot.durationSeconds',
	aspectRatio: 'shot.aspectRatio',
	firstFrame: 'pin.characters',
};

const shot = (over: Partial<ShotRequest> = {}): ShotRequest => ({
	prompt: (maxLength) => 'A harbour at dawn, slow dolly'.slice(0, maxLength),
	negativePrompt: 'text',
	durationSeconds: 5,
	aspectRatio: '16:9',
	resolution: '1080p',
	firstFrame: { value: 'https://assets.example/mara.png', tag: 'mara' },
	references: [
		{ value: 'https://assets.example/mara.png', tag: 'mara' },
		{ value: 'https://assets.example/leo.png', tag: 'leo' },
	],
	seed: 4294967000,
	audio: false,
	extra: {},
	...over,
});

/** fal publishes a per-model OpenAPI document; the input is the POST body's schema. */
const falDoc = (name: string, input: object) => ({
	openapi: '3.0.4',
	paths: {
		[`/${name}`]: {
			post: {
				requestBody: {
					content: { 'application/json': { schema: { $ref: '#/components/schemas/ModelInput' } } },
				},
			},
		},
	},
	components: {
		schemas: { ModelInput: input, AspectRatio: { type: 'string', enum: ['16:9', '9:16', '1:1'] } },
	},
});

const kling21 = falInputSchema(
	falDoc('fal-ai/kling-video/v2.1', {
		type: 'object',
		properties: {
			prompt: { type: 'string', maxLength: 10 },
			image_url: { type: 'string' },
			duration: { type: 'string', enum: ['5', '10'] },
			negative_prompt: { type: 'string' },
		},
		required: ['prompt', 'image_url'],
	}),
)!;
const kling3 = falInputSchema(
	falDoc('fal-ai/kling-video/v3', {
		type: 'object',
		properties: {
			prompt: { type: 'string' },
			start_image_url: { type: 'string' },
			duration: { type: 'string', enum: ['3', '5', '10', '15'] },
			generate_audio: { type: 'boolean', default: true },
		},
		required: ['prompt', 'start_image_url'],
	}),
)!;
const omni = falInputSchema(
	falDoc('fal-ai/gemini-omni', {
		type: 'object',
		properties: {
			prompt: { type: 'string' },
			reference_image_urls: { type: 'array', maxItems: 1, items: { type: 'string' } },
			duration: { type: 'integer', minimum: 3, maximum: 10 },
			aspect_ratio: { $ref: '#/components/schemas/AspectRatio' },
			seed: { type: 'integer', maximum: 2147483647 },
		},
		required: ['prompt', 'reference_image_urls'],
	}),
)!;
/** Replicate spells enums as allOf references to named schemas. */
const hailuo = replicateInputSchema({
	components: {
		schemas: {
			Input: {
				type: 'object',
				properties: {
					prompt: { type: 'string' },
					first_frame_image: { type: 'string', format: 'uri' },
					duration: { allOf: [{ $ref: '#/components/schemas/duration' }] },
					resolution: { allOf: [{ $ref: '#/components/schemas/resolution' }] },
				},
				required: ['prompt'],
			},
			duration: { type: 'integer', enum: [6, 10] },
			resolution: { type: 'string', enum: ['768p', '1080p'] },
		},
	},
})!;

describe('aggregator request from a model’s input schema', () => {
	it('puts the first frame where each model wants it: image_url, start_image_url, first_frame_image', () => {
		const a = buildInput(kling21, shot(), 'kling21', PATHS);
		const b = buildInput(kling3, shot(), 'kling3', PATHS);
		const c = buildInput(hailuo, shot({ durationSeconds: 6 }), 'hailuo', PATHS);
		expect('built' in a && a.built.input).toEqual({
			prompt: 'A harbour ',
			image_url: 'https://assets.example/mara.png',
			duration: '5',
			negative_prompt: 'text',
		});
		expect('built' in b && b.built.input).toEqual({
			prompt: 'A harbour at dawn, slow dolly',
			start_image_url: 'https://assets.example/mara.png',
			duration: '5',
			generate_audio: false,
		});
		expect('built' in c && c.built.input).toEqual({
			prompt: 'A harbour at dawn, slow dolly',
			first_frame_image: 'https://assets.example/mara.png',
			duration: 6,
			resolution: '1080p',
		});
		expect('built' in b && b.built.refsSent).toEqual(['mara']);
	});

	it('sends references up to what the model takes, records their tags, and keeps the seed in range', () => {
		const built = buildInput(omni, shot({ durationSeconds: 8 }), 'omni', PATHS);
		expect('built' in built && built.built.input).toEqual({
			prompt: 'A harbour at dawn, slow dolly',
			reference_image_urls: ['https://assets.example/mara.png'],
			duration: 8,
			aspect_ratio: '16:9',
			seed: 4294967000 % 2147483648,
		});
		expect('built' in built && built.built.refsSent).toEqual(['mara']);
	});

	it('names the field of every refusal: duration, aspect ratio, resolution, missing first frame, unknown or mistyped extra input', () => {
		const problems = (schema: typeof kling21, request: ShotRequest) => {
			const built = buildInput(schema, request, 'm', PATHS);
			return 'problems' in built ? built.problems : [];
		};
		expect(problems(kling21, shot({ durationSeconds: 8 }))).toEqual([
			{
				path: 'shot.durationSeconds',
				message: '8 s is not offered by m (its input "duration" takes 5, 10 s)',
			},
		]);
		expect(
			problems(omni, shot({ durationSeconds: 12, aspectRatio: '21:9' })).map((p) => p.path),
		).toEqual(['shot.durationSeconds', 'shot.aspectRatio']);
		expect(problems(hailuo, shot({ durationSeconds: 6, resolution: '4k' }))).toEqual([
			{
				path: 'shot.resolution',
				message: '4k is above what m renders (its input "resolution" takes 768p, 1080p)',
			},
		]);
		expect(problems(kling3, shot({ firstFrame: undefined }))[0]).toMatchObject({
			path: 'pin.characters',
			message: expect.stringContaining('requires its input "start_image_url"'),
		});
		expect(
			problems(kling3, shot({ extra: { cfg: 1, generate_audio: 'yes' } })).map((p) => p.path),
		).toEqual(['extraInput.cfg', 'extraInput.generate_audio']);
	});

	it('takes a smaller resolution name the model offers when it is at least as tall (720p on a 768p/1080p model)', () => {
		const built = buildInput(
			hailuo,
			shot({ durationSeconds: 6, resolution: '720p' }),
			'hailuo',
			PATHS,
		);
		expect('built' in built && built.built.input.resolution).toBe('768p');
	});

	it('lets Extra Input set a model-specific field the schema offers', () => {
		const built = buildInput(kling3, shot({ extra: { generate_audio: true } }), 'kling3', PATHS);
		expect('built' in built && built.built.input.generate_audio).toBe(true);
	});
});

describe('aggregator cost', () => {
	it('uses fal’s own unit price, per second or per video', () => {
		expect(
			aggregatorEstimate(
				'fal',
				'x/y',
				{ unitPriceUsd: 0.112, unit: 'second' },
				{ durationSeconds: 5, resolution: '1080p' },
			),
		).toEqual({ unit: 'second', units: 5, unitPriceUsd: 0.112, usd: 0.56, estimated: false });
		expect(
			aggregatorEstimate(
				'fal',
				'x/y',
				{ unitPriceUsd: 0.4, unit: 'video' },
				{ durationSeconds: 5, resolution: '1080p' },
			),
		).toEqual({ unit: 'request', units: 1, unitPriceUsd: 0.4, usd: 0.4, estimated: false });
	});

	it('falls back to the registry, then to the price set on the node, marked estimated', () => {
		expect(
			aggregatorEstimate('replicate', 'google/veo-3.1-lite', undefined, {
				durationSeconds: 8,
				resolution: '720p',
			}),
		).toMatchObject({ usd: 0.4, estimated: true });
		expect(
			aggregatorEstimate(
				'replicate',
				'someone/new-model',
				undefined,
				{ durationSeconds: 6, resolution: '720p' },
				0.05,
			),
		).toEqual({ unit: 'second', units: 6, unitPriceUsd: 0.05, usd: 0.3, estimated: true });
		expect(
			aggregatorEstimate('replicate', 'someone/new-model', undefined, {
				durationSeconds: 6,
				resolution: '720p',
			}),
		).toMatchObject({ usd: 0, estimated: true });
	});
});

describe('aggregator outputs', () => {
	it('finds the video URL whatever the model calls it', () => {
		expect(
			videoUrlIn({
				video: { url: 'https://v3.fal.media/a.mp4', content_type: 'video/mp4' },
				seed: 1,
			}),
		).toBe('https://v3.fal.media/a.mp4');
		expect(videoUrlIn({ videos: [{ url: 'https://v3.fal.media/b.mp4' }] })).toBe(
			'https://v3.fal.media/b.mp4',
		);
		expect(videoUrlIn('https://replicate.delivery/c.mp4')).toBe('https://replicate.delivery/c.mp4');
		expect(videoUrlIn(['https://replicate.delivery/d.mp4'])).toBe(
			'https://replicate.delivery/d.mp4',
		);
		expect(
			videoUrlIn({ image: { url: 'https://x/e.png', content_type: 'image/png' } }),
		).toBeUndefined();
	});
});
