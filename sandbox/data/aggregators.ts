/**
 * The sandbox's own copy of a few aggregator catalogue entries (kept apart from the node package
 * on purpose). Each model publishes its input as a JSON schema, the way fal's per-model OpenAPI
 * documents and Replicate's version `openapi_schema` do; field names differ per model on purpose
 * (`image_url`, `start_image_url`, `start_image`, `first_frame_image`, `image`).
 */

export interface JsonSchema {
	type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array';
	title?: string;
	description?: string;
	properties?: Record<string, JsonSchema>;
	required?: string[];
	enum?: Array<string | number>;
	default?: unknown;
	minimum?: number;
	maximum?: number;
	maxLength?: number;
	format?: string;
	items?: JsonSchema;
	maxItems?: number;
	'x-order'?: number;
}

/** Which input fields the sandbox render reads, per model (the real models read them the same way). */
export interface RenderFields {
	prompt: string;
	duration?: string;
	aspectRatio?: string;
	resolution?: string;
	firstFrame?: string;
	references?: string;
	seed?: string;
	audio?: string;
}

export interface AggregatorModel {
	id: string;
	displayName: string;
	category: 'text-to-video' | 'image-to-video';
	description: string;
	input: JsonSchema & { type: 'object'; properties: Record<string, JsonSchema> };
	fields: RenderFields;
	/** Output short side when the input does not choose one. */
	defaultHeight: number;
	/**
	 * USD per unit: per second of output video, or per video (fal publishes one unit price per model;
	 * Replicate's official models depend on the input). `hardware_second`: a Replicate community
	 * model, billed for the seconds it ran (`metrics.predict_time`) at its hardware's price.
	 */
	price: {
		unit: 'second' | 'video' | 'hardware_second';
		usd: (input: Record<string, unknown>) => number;
	};
}

const uri = (description: string): JsonSchema => ({ type: 'string', format: 'uri', description });
const prompt: JsonSchema = { type: 'string', maxLength: 2500, description: 'Text prompt' };
const negative: JsonSchema = {
	type: 'string',
	maxLength: 2500,
	default: 'blur, distort, and low quality',
};
const seed: JsonSchema = {
	type: 'integer',
	minimum: 0,
	maximum: 2147483647,
	description: 'Random seed; the same seed and input give the same clip',
};
const landscapePortrait: JsonSchema = { type: 'string', enum: ['16:9', '9:16'], default: '16:9' };
const secondsEnum = (values: string[], fallback: string): JsonSchema => ({
	type: 'string',
	enum: values,
	default: fallback,
	description: 'Duration of the video in seconds',
});

export const FAL_MODELS: AggregatorModel[] = [
	{
		id: 'fal-ai/kling-video/v3/pro/image-to-video',
		displayName: 'Kling 3.0 Pro Image to Video',
		category: 'image-to-video',
		description: 'Kling 3.0: 3 to 15 s from a start frame, optional end frame, native audio',
		input: {
			type: 'object',
			properties: {
				prompt,
				start_image_url: uri('URL of the image to start the video from'),
				end_image_url: uri('URL of the image to end the video on'),
				duration: secondsEnum(
					['3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15'],
					'5',
				),
				negative_prompt: negative,
				cfg_scale: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
				generate_audio: { type: 'boolean', default: true },
			},
			required: ['prompt', 'start_image_url'],
		},
		fields: {
			prompt: 'prompt',
			duration: 'duration',
			firstFrame: 'start_image_url',
			audio: 'generate_audio',
		},
		defaultHeight: 1080,
		price: { unit: 'second', usd: () => 0.112 },
	},
	{
		id: 'fal-ai/kling-video/v3/pro/text-to-video',
		displayName: 'Kling 3.0 Pro Text to Video',
		category: 'text-to-video',
		description: 'Kling 3.0: 3 to 15 s from a prompt',
		input: {
			type: 'object',
			properties: {
				prompt,
				duration: secondsEnum(
					['3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15'],
					'5',
				),
				aspect_ratio: { type: 'string', enum: ['16:9', '9:16', '1:1'], default: '16:9' },
				negative_prompt: negative,
				cfg_scale: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
				generate_audio: { type: 'boolean', default: true },
			},
			required: ['prompt'],
		},
		fields: {
			prompt: 'prompt',
			duration: 'duration',
			aspectRatio: 'aspect_ratio',
			audio: 'generate_audio',
		},
		defaultHeight: 1080,
		price: { unit: 'second', usd: () => 0.112 },
	},
	{
		id: 'fal-ai/kling-video/v2.1/standard/image-to-video',
		displayName: 'Kling 2.1 Standard Image to Video',
		category: 'image-to-video',
		description: 'Kling 2.1: 5 or 10 s from an image',
		input: {
			type: 'object',
			properties: {
				prompt,
				image_url: uri('URL of the image to animate'),
				duration: secondsEnum(['5', '10'], '5'),
				negative_prompt: negative,
				cfg_scale: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
			},
			required: ['prompt', 'image_url'],
		},
		fields: { prompt: 'prompt', duration: 'duration', firstFrame: 'image_url' },
		defaultHeight: 720,
		price: { unit: 'second', usd: () => 0.056 },
	},
	{
		id: 'fal-ai/veo3.1/fast',
		displayName: 'Veo 3.1 Fast (text to video)',
		category: 'text-to-video',
		description: 'Veo 3.1 Fast through fal: 4, 6 or 8 s with audio',
		input: {
			type: 'object',
			properties: {
				prompt,
				aspect_ratio: landscapePortrait,
				duration: { type: 'string', enum: ['4s', '6s', '8s'], default: '8s' },
				resolution: { type: 'string', enum: ['720p', '1080p'], default: '720p' },
				generate_audio: { type: 'boolean', default: true },
				negative_prompt: { type: 'string' },
				seed,
			},
			required: ['prompt'],
		},
		fields: {
			prompt: 'prompt',
			duration: 'duration',
			aspectRatio: 'aspect_ratio',
			resolution: 'resolution',
			audio: 'generate_audio',
			seed: 'seed',
		},
		defaultHeight: 720,
		price: { unit: 'second', usd: () => 0.15 },
	},
	{
		id: 'fal-ai/gemini-omni/flash/reference-to-video',
		displayName: 'Gemini Omni Flash Reference to Video',
		category: 'image-to-video',
		description:
			'Gemini Omni Flash through fal: up to 3 reference images carried into a 3-10 s clip',
		input: {
			type: 'object',
			properties: {
				prompt,
				reference_image_urls: { type: 'array', items: uri('Reference image'), maxItems: 3 },
				duration: { type: 'integer', minimum: 3, maximum: 10, default: 8 },
				aspect_ratio: landscapePortrait,
				resolution: { type: 'string', enum: ['720p', '1080p', '4k'], default: '720p' },
				seed,
			},
			required: ['prompt', 'reference_image_urls'],
		},
		fields: {
			prompt: 'prompt',
			duration: 'duration',
			aspectRatio: 'aspect_ratio',
			resolution: 'resolution',
			references: 'reference_image_urls',
			seed: 'seed',
		},
		defaultHeight: 720,
		price: { unit: 'second', usd: () => 0.1 },
	},
];

export const REPLICATE_MODELS: AggregatorModel[] = [
	{
		id: 'kwaivgi/kling-v2.1',
		displayName: 'kling-v2.1',
		category: 'image-to-video',
		description: 'Kling 2.1 from a start image, 5 or 10 s',
		input: {
			type: 'object',
			properties: {
				prompt: { ...prompt, 'x-order': 0 },
				start_image: { ...uri('First frame of the video'), 'x-order': 1 },
				duration: { type: 'integer', enum: [5, 10], default: 5, 'x-order': 2 },
				mode: { type: 'string', enum: ['standard', 'pro'], default: 'standard', 'x-order': 3 },
				negative_prompt: { type: 'string', default: '', 'x-order': 4 },
			},
			required: ['prompt', 'start_image'],
		},
		fields: { prompt: 'prompt', duration: 'duration', firstFrame: 'start_image' },
		defaultHeight: 1080,
		price: { unit: 'second', usd: (input) => (input.mode === 'pro' ? 0.09 : 0.05) },
	},
	{
		id: 'google/veo-3.1-lite',
		displayName: 'veo-3.1-lite',
		category: 'text-to-video',
		description: 'Veo 3.1 Lite: 4, 6 or 8 s, 720p or 1080p',
		input: {
			type: 'object',
			properties: {
				prompt: { ...prompt, 'x-order': 0 },
				image: { ...uri('Optional first frame'), 'x-order': 1 },
				aspect_ratio: { ...landscapePortrait, 'x-order': 2 },
				duration: { type: 'integer', enum: [4, 6, 8], default: 8, 'x-order': 3 },
				resolution: { type: 'string', enum: ['720p', '1080p'], default: '1080p', 'x-order': 4 },
				negative_prompt: { type: 'string', 'x-order': 5 },
				seed: { ...seed, 'x-order': 6 },
			},
			required: ['prompt'],
		},
		fields: {
			prompt: 'prompt',
			duration: 'duration',
			aspectRatio: 'aspect_ratio',
			resolution: 'resolution',
			firstFrame: 'image',
			seed: 'seed',
		},
		defaultHeight: 1080,
		price: { unit: 'second', usd: (input) => (input.resolution === '720p' ? 0.05 : 0.08) },
	},
	{
		id: 'minimax/hailuo-02',
		displayName: 'hailuo-02',
		category: 'image-to-video',
		description: 'MiniMax Hailuo 02: 6 or 10 s, optional first frame',
		input: {
			type: 'object',
			properties: {
				prompt: { ...prompt, 'x-order': 0 },
				first_frame_image: { ...uri('First frame'), 'x-order': 1 },
				duration: { type: 'integer', enum: [6, 10], default: 6, 'x-order': 2 },
				resolution: { type: 'string', enum: ['768p', '1080p'], default: '1080p', 'x-order': 3 },
				prompt_optimizer: { type: 'boolean', default: true, 'x-order': 4 },
			},
			required: ['prompt'],
		},
		fields: {
			prompt: 'prompt',
			duration: 'duration',
			resolution: 'resolution',
			firstFrame: 'first_frame_image',
		},
		defaultHeight: 1080,
		price: { unit: 'second', usd: () => 0.045 },
	},
	{
		// Not an official model: Replicate bills it by the time it ran on its hardware (Nvidia A100
		// 80GB, $0.0014/s on replicate.com/docs/billing), as metrics.predict_time reports it.
		id: 'community/wan-2.7-t2v',
		displayName: 'wan-2.7-t2v',
		category: 'text-to-video',
		description: 'Wan 2.7 text to video (community model, runs on an A100 80GB): 5 s',
		input: {
			type: 'object',
			properties: {
				prompt: { ...prompt, 'x-order': 0 },
				num_frames: { type: 'integer', enum: [81], default: 81, 'x-order': 1 },
				seed: { ...seed, 'x-order': 2 },
			},
			required: ['prompt'],
		},
		fields: { prompt: 'prompt', seed: 'seed' },
		defaultHeight: 720,
		price: { unit: 'hardware_second', usd: () => 0.0014 },
	},
];

/** Replicate collections the sandbox serves, by slug. */
export const REPLICATE_COLLECTIONS: Record<
	string,
	{ name: string; description: string; models: string[] }
> = {
	'text-to-video': {
		name: 'Generate videos',
		description: 'Models that create and edit videos',
		models: REPLICATE_MODELS.map((model) => model.id),
	},
};
