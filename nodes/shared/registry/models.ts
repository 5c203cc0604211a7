import type { ModelSpec } from './schema';

/**
 * Every model the nodes offer, and the retired IDs users still have in old workflows.
 * Facts as of late 2026; prices marked `estimated` are replaced by the vendor's own figure
 * whenever the vendor reports one (Runway `estimatedCost` / `cost`).
 */

const SORA_SHUTDOWN = '2026-09-24';
const SORA_NOTE =
	'OpenAI shut the Videos API down; OpenAI-compatible gateways that still serve this ID keep working when the credential points at them.';

const VEO_31_DURATIONS = { allowed: [4, 6, 8], default: 8 };
const RUNWAY_I2V_RATIOS = ['1280:720', '720:1280', '1104:832', '832:1104', '960:960', '1584:672'];
const RUNWAY_VEO_RATIOS = ['1280:720', '720:1280', '1080:1920', '1920:1080'];

/** OpenAI's 2026-06-11 notice: these leave the first-party API on this day; gateways may keep them. */
const GPT5_SHUTDOWN = '2026-12-11';

type TextModelRow = readonly [id: string, displayName: string, input: number, output: number];

function openAiTextModel(
	[id, displayName, input, output]: TextModelRow,
	facts: Pick<ModelSpec, 'backends' | 'status'> & {
		source: string;
		estimated: boolean;
	} & Partial<ModelSpec>,
): ModelSpec {
	const { source, estimated, ...rest } = facts;
	return {
		id,
		vendor: 'openai',
		displayName,
		capabilities: ['structured_output'],
		endpoint: '/responses',
		audio: 'none',
		maxReferenceImages: 0,
		price: {
			unit: 'token_million',
			tiers: [{ perUnit: input }],
			outputPerUnit: output,
			source,
			estimated,
		},
		...rest,
	};
}

export const MODELS: readonly ModelSpec[] = [
	// --- OpenAI: narrative (Responses API, structured output) ---
	...(
		[
			['gpt-5.5', 'GPT-5.5', 5, 30],
			['gpt-5.4', 'GPT-5.4', 2.5, 15],
			['gpt-5.4-mini', 'GPT-5.4 mini', 0.75, 4.5],
			['gpt-5.4-nano', 'GPT-5.4 nano', 0.2, 1.25],
		] as const
	).map((row) =>
		openAiTextModel(row, {
			backends: { openai: 'ga', openai_compatible: 'unconfirmed' },
			status: 'ga',
			source: 'OpenAI pricing page, May 2026',
			estimated: false,
		}),
	),
	// GPT-5.6 opened as a partner preview (2026-06-26); several pages agree on these list prices, none is OpenAI's own pricing page.
	...(
		[
			['gpt-5.6-sol', 'GPT-5.6 Sol (preview)', 5, 30],
			['gpt-5.6-terra', 'GPT-5.6 Terra (preview)', 2.5, 15],
			['gpt-5.6-luna', 'GPT-5.6 Luna (preview)', 1, 6],
		] as const
	).map((row) =>
		openAiTextModel(row, {
			backends: { openai: 'unconfirmed', openai_compatible: 'unconfirmed' },
			status: 'preview',
			source:
				'announced GPT-5.6 preview prices (third-party pages, 2026-06); other notes give Terra 2/12 and Luna 0.20/1.20',
			estimated: true,
			notes: 'Limited preview at launch: your account may not have access yet.',
		}),
	),
	// Reported by a single research note only; kept so a workflow that names them shows the estimate.
	...(
		[
			['gpt-6-sol', 'GPT-6 Sol (reported)', 2, 10],
			['gpt-6-luna', 'GPT-6 Luna (reported)', 0.1, 0.5],
			['gpt-6.1-sol', 'GPT-6.1 Sol (reported)', 2, 10],
			['gpt-6.1-terra', 'GPT-6.1 Terra (reported)', 1, 5],
		] as const
	).map((row) =>
		openAiTextModel(row, {
			backends: { openai: 'unconfirmed', openai_compatible: 'unconfirmed' },
			status: 'preview',
			source: 'one third-party report (2026-12); no OpenAI page found',
			estimated: true,
			notes: 'Not confirmed by OpenAI.',
		}),
	),
	...(
		[
			['gpt-5', 'GPT-5', 1.25, 10, 'gpt-5.5'],
			['gpt-5-mini', 'GPT-5 mini', 0.25, 2, 'gpt-5.4-mini'],
			['gpt-5-nano', 'GPT-5 nano', 0.05, 0.4, 'gpt-5.4-nano'],
		] as const
	).map(([id, displayName, input, output, replacement]) =>
		openAiTextModel([id, displayName, input, output], {
			backends: { openai: 'ga', openai_compatible: 'unconfirmed' },
			status: 'ga',
			backendRetirement: { openai: GPT5_SHUTDOWN },
			replacement,
			source: 'OpenAI pricing page, 2025',
			estimated: false,
		}),
	),

	// --- OpenAI-compatible Videos API (rendering through gateways) ---
	{
		id: 'sora-2',
		vendor: 'openai',
		displayName: 'Sora 2 (gateways only)',
		capabilities: ['text_to_video', 'image_to_video', 'remix', 'extend'],
		backends: { openai: 'retired', openai_compatible: 'unconfirmed' },
		endpoint: '/videos',
		durations: { allowed: [4, 8, 12, 16, 20], default: 4 },
		resolutions: ['720p'],
		aspectRatios: ['16:9', '9:16'],
		wireRatios: ['1280x720', '720x1280'],
		audio: 'always',
		maxReferenceImages: 1,
		price: {
			unit: 'second',
			tiers: [{ perUnit: 0.1 }],
			source: 'OpenAI pricing page before the shutdown',
			estimated: true,
		},
		typicalRenderSeconds: 90,
		status: 'ga',
		retiredOn: SORA_SHUTDOWN,
		replacement: 'veo-3.1-generate-001',
		notes: SORA_NOTE,
	},
	{
		id: 'sora-2-pro',
		vendor: 'openai',
		displayName: 'Sora 2 Pro (gateways only)',
		capabilities: ['text_to_video', 'image_to_video', 'remix', 'extend'],
		backends: { openai: 'retired', openai_compatible: 'unconfirmed' },
		endpoint: '/videos',
		durations: { allowed: [4, 8, 12, 16, 20], default: 4 },
		resolutions: ['720p', '1080p'],
		aspectRatios: ['16:9', '9:16'],
		wireRatios: ['1280x720', '720x1280', '1024x1792', '1792x1024', '1920x1080', '1080x1920'],
		audio: 'always',
		maxReferenceImages: 1,
		price: {
			unit: 'second',
			tiers: [
				{ resolution: '720p', perUnit: 0.3 },
				{ resolution: '1080p', perUnit: 0.5 },
			],
			source:
				'OpenAI pricing page before the shutdown; 1080p price was never published, 0.50 assumed',
			estimated: true,
		},
		typicalRenderSeconds: 180,
		status: 'ga',
		retiredOn: SORA_SHUTDOWN,
		replacement: 'veo-3.1-generate-001',
		notes: SORA_NOTE,
	},

	// --- Google Veo (hero render) ---
	{
		id: 'veo-3.1-generate-001',
		vendor: 'google',
		displayName: 'Veo 3.1',
		capabilities: [
			'text_to_video',
			'image_to_video',
			'reference_to_video',
			'first_last_frame',
			'extend',
		],
		backends: { vertex: 'ga', gemini: 'unconfirmed' },
		endpoint: ':predictLongRunning',
		durations: VEO_31_DURATIONS,
		resolutions: ['720p', '1080p', '4k'],
		aspectRatios: ['16:9', '9:16'],
		audio: 'optional',
		maxReferenceImages: 3,
		maxSamples: 4,
		price: {
			unit: 'second',
			tiers: [
				{ backend: 'gemini', resolution: '4k', perUnit: 0.6 },
				{ backend: 'gemini', perUnit: 0.4 },
				{ resolution: '4k', audio: true, perUnit: 0.6 },
				{ resolution: '4k', audio: false, perUnit: 0.4 },
				{ audio: true, perUnit: 0.4 },
				{ audio: false, perUnit: 0.2 },
			],
			source:
				'Gemini API pricing (audio included) and reseller-derived Vertex figures; verify on the Vertex pricing page',
			estimated: true,
		},
		typicalRenderSeconds: 90,
		status: 'ga',
		notes:
			'Reference images: up to 3 ASSET images, 8 s and 16:9 only. Extension outputs 720p. Vertex retirement: none on the English model page; a translated copy says 2026-11-17 or later.',
	},
	{
		id: 'veo-3.1-fast-generate-001',
		vendor: 'google',
		displayName: 'Veo 3.1 Fast',
		capabilities: [
			'text_to_video',
			'image_to_video',
			'reference_to_video',
			'first_last_frame',
			'extend',
		],
		backends: { vertex: 'ga', gemini: 'unconfirmed' },
		endpoint: ':predictLongRunning',
		durations: VEO_31_DURATIONS,
		resolutions: ['720p', '1080p', '4k'],
		aspectRatios: ['16:9', '9:16'],
		audio: 'optional',
		maxReferenceImages: 3,
		maxSamples: 4,
		price: {
			unit: 'second',
			tiers: [
				{ resolution: '4k', perUnit: 0.3 },
				{ backend: 'gemini', resolution: '720p', perUnit: 0.1 },
				{ backend: 'gemini', perUnit: 0.12 },
				{ audio: true, perUnit: 0.15 },
				{ audio: false, perUnit: 0.1 },
			],
			source: 'Gemini API pricing after the 2026-04-07 cut and reseller-derived Vertex figures',
			estimated: true,
		},
		typicalRenderSeconds: 60,
		status: 'ga',
		notes:
			'Vertex retirement: none on the English model page; a translated copy says 2026-11-17 or later.',
	},
	{
		id: 'veo-3.1-lite-generate-001',
		vendor: 'google',
		displayName: 'Veo 3.1 Lite',
		capabilities: ['text_to_video', 'image_to_video'],
		backends: { vertex: 'unconfirmed', gemini: 'unconfirmed' },
		endpoint: ':predictLongRunning',
		durations: VEO_31_DURATIONS,
		resolutions: ['720p', '1080p'],
		aspectRatios: ['16:9', '9:16'],
		audio: 'always',
		maxReferenceImages: 0,
		maxSamples: 4,
		price: {
			unit: 'second',
			tiers: [
				{ resolution: '720p', perUnit: 0.05 },
				{ resolution: '1080p', perUnit: 0.08 },
			],
			source: 'Gemini API pricing for the Lite preview',
			estimated: true,
		},
		typicalRenderSeconds: 45,
		status: 'ga',
		notes: 'Named on the Vertex retirement page as a successor; not on the GA model page.',
	},
	// Veo 3.1 preview IDs left Vertex on 2026-04-02 and the Gemini API on 2026-10-22.
	...(
		[
			[
				'veo-3.1-generate-preview',
				{ vertex: '2026-04-02', gemini: '2026-10-22' },
				'veo-3.1-generate-001',
			],
			[
				'veo-3.1-fast-generate-preview',
				{ vertex: '2026-04-02', gemini: '2026-10-22' },
				'veo-3.1-fast-generate-001',
			],
			[
				'veo-3.1-lite-generate-preview',
				{ vertex: '2026-04-02', gemini: '2026-10-22' },
				'veo-3.1-lite-generate-001',
			],
			[
				'veo-3.0-generate-001',
				{ vertex: '2026-06-30', gemini: '2026-06-30' },
				'veo-3.1-generate-001',
			],
			[
				'veo-3.0-fast-generate-001',
				{ vertex: '2026-06-30', gemini: '2026-06-30' },
				'veo-3.1-fast-generate-001',
			],
			[
				'veo-2.0-generate-001',
				{ vertex: '2026-06-30', gemini: '2026-06-30' },
				'veo-3.1-generate-001',
			],
		] as const
	).map(
		([id, dates, replacement]): ModelSpec => ({
			id,
			vendor: 'google',
			displayName: id,
			capabilities: ['text_to_video'],
			backends: { vertex: 'retired', gemini: 'retired' },
			endpoint: ':predictLongRunning',
			audio: 'none',
			maxReferenceImages: 0,
			price: { unit: 'second', tiers: [{ perUnit: 0 }], source: 'retired', estimated: true },
			status: 'retired',
			retiredOn: dates.gemini,
			backendRetirement: { ...dates },
			replacement,
		}),
	),

	// --- Google Gemini Omni (video) ---
	// GA on the Gemini API since 2026-08-27, but through the Interactions API, not the
	// predictLongRunning call the Google Veo node makes: listed, marked unconfirmed there.
	{
		id: 'gemini-omni-1.1-flash',
		vendor: 'google',
		displayName: 'Gemini Omni 1.1 Flash',
		capabilities: [
			'text_to_video',
			'image_to_video',
			'reference_to_video',
			'first_last_frame',
			'extend',
		],
		backends: { gemini: 'unconfirmed' },
		endpoint: ':predictLongRunning',
		durations: { min: 3, max: 10, default: 8 },
		resolutions: ['720p', '1080p', '4k'],
		aspectRatios: ['16:9', '9:16'],
		audio: 'always',
		maxReferenceImages: 3,
		price: {
			unit: 'second',
			tiers: [{ perUnit: 0.1 }],
			source: 'about $0.10 per second (third-party pages, 2026-09)',
			estimated: true,
		},
		status: 'ga',
		notes:
			'Google serves it through the Interactions API; this node’s predictLongRunning call is not confirmed for it. Through fal (Video Aggregator) or Runway (gemini_omni_flash) it renders on their contracts.',
	},
	{
		id: 'gemini-omni-1.2-flash',
		vendor: 'google',
		displayName: 'Gemini Omni 1.2 Flash (reported)',
		capabilities: ['text_to_video', 'image_to_video', 'reference_to_video'],
		backends: { gemini: 'unconfirmed' },
		endpoint: ':predictLongRunning',
		durations: { min: 3, max: 10, default: 8 },
		resolutions: ['720p', '1080p', '4k'],
		aspectRatios: ['16:9', '9:16'],
		audio: 'always',
		maxReferenceImages: 3,
		price: {
			unit: 'second',
			tiers: [{ perUnit: 0.1 }],
			source: 'listed by a gateway; 1.1 Flash figure assumed',
			estimated: true,
		},
		status: 'preview',
		notes: 'Listed by an AI gateway; no Google page found.',
	},
	{
		id: 'gemini-omni-flash-preview',
		vendor: 'google',
		displayName: 'gemini-omni-flash-preview',
		capabilities: ['text_to_video'],
		backends: { gemini: 'retired', vertex: 'retired' },
		endpoint: ':predictLongRunning',
		audio: 'none',
		maxReferenceImages: 0,
		price: { unit: 'second', tiers: [{ perUnit: 0 }], source: 'retired', estimated: true },
		status: 'retired',
		retiredOn: '2026-09-30',
		replacement: 'gemini-omni-1.1-flash',
	},

	// --- Google Gemini: vision judge for QC ---
	{
		id: 'gemini-3.5-flash',
		vendor: 'google',
		displayName: 'Gemini 3.5 Flash',
		capabilities: ['structured_output', 'video_understanding'],
		backends: { vertex: 'ga', gemini: 'ga' },
		endpoint: ':generateContent',
		audio: 'none',
		maxReferenceImages: 16,
		price: {
			unit: 'token_million',
			tiers: [{ perUnit: 1.5 }],
			outputPerUnit: 9,
			source: 'Gemini API pricing, paid tier, 2026-09-20',
			estimated: false,
		},
		status: 'ga',
		notes: 'Vertex retirement not before 2027-05-19.',
	},
	// Newer judges exist (reported); their prices are not published, so the 3.5 figures stand in, marked estimated.
	...(
		[
			['gemini-3.6-flash', 'Gemini 3.6 Flash', 1.5, 9],
			['gemini-3.7-flash', 'Gemini 3.7 Flash', 1.5, 9],
			['gemini-3.8-flash', 'Gemini 3.8 Flash', 1.5, 9],
			['gemini-3.5-flash-lite', 'Gemini 3.5 Flash-Lite', 0.25, 1.5],
		] as const
	).map(
		([id, displayName, input, output]): ModelSpec => ({
			id,
			vendor: 'google',
			displayName: `${displayName} (reported)`,
			capabilities: ['structured_output', 'video_understanding'],
			backends: { vertex: 'unconfirmed', gemini: 'unconfirmed' },
			endpoint: ':generateContent',
			audio: 'none',
			maxReferenceImages: 16,
			price: {
				unit: 'token_million',
				tiers: [{ perUnit: input }],
				outputPerUnit: output,
				source: 'not published; nearest published Gemini figure assumed',
				estimated: true,
			},
			status: 'preview',
		}),
	),

	{
		id: 'gemini-3.1-flash-lite',
		vendor: 'google',
		displayName: 'Gemini 3.1 Flash-Lite',
		capabilities: ['structured_output', 'video_understanding'],
		backends: { vertex: 'ga', gemini: 'ga' },
		endpoint: ':generateContent',
		audio: 'none',
		maxReferenceImages: 16,
		price: {
			unit: 'token_million',
			tiers: [{ perUnit: 0.25 }],
			outputPerUnit: 1.5,
			source: 'Gemini API pricing, paid tier (vendor-contracts, 2026-12)',
			estimated: true,
		},
		status: 'ga',
		notes:
			'The default QC judge: a cheap model, asked several frames per clip and a second opinion on borderline scores.',
	},

	// --- Runway (control) ---
	{
		id: 'gen4_turbo',
		vendor: 'runway',
		displayName: 'Gen-4 Turbo',
		capabilities: ['image_to_video'],
		backends: { runway: 'ga' },
		endpoint: '/v1/image_to_video',
		durations: { min: 2, max: 10, default: 5 },
		aspectRatios: ['16:9', '9:16', '4:3', '3:4', '1:1', '21:9'],
		wireRatios: RUNWAY_I2V_RATIOS,
		audio: 'none',
		maxReferenceImages: 1,
		price: {
			unit: 'credit_per_second',
			tiers: [{ perUnit: 5 }],
			source: 'runwayml/skills api reference',
			estimated: true,
		},
		typicalRenderSeconds: 30,
		status: 'ga',
	},
	{
		id: 'gen4.5',
		vendor: 'runway',
		displayName: 'Gen-4.5',
		capabilities: ['image_to_video', 'text_to_video'],
		backends: { runway: 'ga' },
		endpoint: '/v1/image_to_video',
		durations: { min: 2, max: 10, default: 5 },
		aspectRatios: ['16:9', '9:16', '4:3', '3:4', '1:1', '21:9'],
		wireRatios: RUNWAY_I2V_RATIOS,
		textToVideoRatios: ['1280:720', '720:1280'],
		audio: 'none',
		maxReferenceImages: 1,
		price: {
			unit: 'credit_per_second',
			tiers: [{ perUnit: 12 }],
			source: 'runwayml/skills api reference',
			estimated: true,
		},
		typicalRenderSeconds: 60,
		status: 'ga',
		notes: 'Text to video accepts only 1280:720 and 720:1280.',
	},
	{
		id: 'veo3.1',
		vendor: 'runway',
		displayName: 'Veo 3.1 (through Runway)',
		capabilities: ['image_to_video', 'text_to_video', 'first_last_frame'],
		backends: { runway: 'ga' },
		endpoint: '/v1/image_to_video',
		durations: VEO_31_DURATIONS,
		resolutions: ['720p', '1080p'],
		aspectRatios: ['16:9', '9:16'],
		wireRatios: RUNWAY_VEO_RATIOS,
		audio: 'optional',
		maxReferenceImages: 1,
		price: {
			unit: 'credit_per_second',
			tiers: [
				{ audio: true, perUnit: 40 },
				{ audio: false, perUnit: 20 },
			],
			source: 'runwayml/skills api reference',
			estimated: true,
		},
		typicalRenderSeconds: 90,
		status: 'ga',
	},
	{
		id: 'veo3.1_fast',
		vendor: 'runway',
		displayName: 'Veo 3.1 Fast (through Runway)',
		capabilities: ['image_to_video', 'text_to_video', 'first_last_frame'],
		backends: { runway: 'ga' },
		endpoint: '/v1/image_to_video',
		durations: VEO_31_DURATIONS,
		resolutions: ['720p', '1080p'],
		aspectRatios: ['16:9', '9:16'],
		wireRatios: RUNWAY_VEO_RATIOS,
		audio: 'optional',
		maxReferenceImages: 1,
		price: {
			unit: 'credit_per_second',
			tiers: [
				{ audio: true, perUnit: 15 },
				{ audio: false, perUnit: 10 },
			],
			source: 'runwayml/skills api reference',
			estimated: true,
		},
		typicalRenderSeconds: 60,
		status: 'ga',
	},
	{
		id: 'gemini_omni_flash',
		vendor: 'runway',
		displayName: 'Gemini Omni Flash (through Runway, reported)',
		capabilities: ['image_to_video', 'text_to_video'],
		backends: { runway: 'unconfirmed' },
		endpoint: '/v1/image_to_video',
		durations: { min: 3, max: 10, default: 8 },
		aspectRatios: ['16:9', '9:16'],
		wireRatios: ['1280:720', '720:1280'],
		audio: 'always',
		maxReferenceImages: 1,
		price: {
			unit: 'credit_per_second',
			tiers: [{ perUnit: 10 }],
			source: 'unpublished; about $0.10/s at Google; Runway estimatedCost replaces it',
			estimated: true,
		},
		status: 'preview',
		notes: 'Reported as resold by Runway; not in SDK 4.20.1.',
	},
	{
		id: 'gen4_image',
		vendor: 'runway',
		displayName: 'Gen-4 Image',
		capabilities: ['text_to_image'],
		backends: { runway: 'ga' },
		endpoint: '/v1/text_to_image',
		resolutions: ['720p', '1080p'],
		wireRatios: [
			'1024:1024',
			'1080:1080',
			'1168:880',
			'1360:768',
			'1440:1080',
			'1080:1440',
			'1808:768',
			'1920:1080',
			'1080:1920',
			'2112:912',
			'1280:720',
			'720:1280',
			'720:720',
			'960:720',
			'720:960',
			'1680:720',
		],
		audio: 'none',
		maxReferenceImages: 3,
		price: {
			unit: 'credit_per_image',
			tiers: [
				{ resolution: '720p', perUnit: 5 },
				{ resolution: '1080p', perUnit: 8 },
			],
			source: 'runwayml/skills api reference',
			estimated: true,
		},
		typicalRenderSeconds: 15,
		status: 'ga',
	},
	{
		id: 'gen4_image_turbo',
		vendor: 'runway',
		displayName: 'Gen-4 Image Turbo',
		capabilities: ['text_to_image'],
		backends: { runway: 'ga' },
		endpoint: '/v1/text_to_image',
		wireRatios: [
			'1024:1024',
			'1080:1080',
			'1168:880',
			'1360:768',
			'1440:1080',
			'1080:1440',
			'1808:768',
			'1920:1080',
			'1080:1920',
			'2112:912',
			'1280:720',
			'720:1280',
			'720:720',
			'960:720',
			'720:960',
			'1680:720',
		],
		audio: 'none',
		maxReferenceImages: 3,
		price: {
			unit: 'credit_per_image',
			tiers: [{ perUnit: 2 }],
			source: 'runwayml/skills api reference',
			estimated: true,
		},
		typicalRenderSeconds: 8,
		status: 'ga',
		notes: 'Needs 1 to 3 reference images.',
	},
	{
		id: 'aleph2',
		vendor: 'runway',
		displayName: 'Aleph 2 (restyle, camera correction)',
		capabilities: ['video_to_video'],
		backends: { runway: 'ga' },
		endpoint: '/v1/video_to_video',
		durations: { min: 1, max: 30, default: 5 },
		aspectRatios: ['16:9', '4:3', '1:1', '3:4', '9:16', '21:9'],
		audio: 'none',
		maxReferenceImages: 5,
		price: {
			unit: 'credit_per_second',
			tiers: [{ perUnit: 15 }],
			source:
				'gen4_aleph figure from runwayml/skills; aleph2 unpublished, Runway estimatedCost replaces it',
			estimated: true,
		},
		typicalRenderSeconds: 90,
		status: 'ga',
	},
	{
		id: 'magnific_video_upscaler_creative',
		vendor: 'runway',
		displayName: 'Magnific creative upscaler',
		capabilities: ['upscale'],
		backends: { runway: 'ga' },
		endpoint: '/v1/video_upscale',
		resolutions: ['720p', '1080p', '4k'],
		audio: 'none',
		maxReferenceImages: 0,
		price: {
			unit: 'credit_per_second',
			tiers: [{ perUnit: 24 }],
			source:
				'about $0.01 per output frame at 24 fps (api-evangelist); Runway estimatedCost replaces it',
			estimated: true,
		},
		typicalRenderSeconds: 60,
		status: 'ga',
	},
	{
		id: 'enhance_frame_rate',
		vendor: 'runway',
		displayName: 'Frame-rate enhancer',
		capabilities: ['frame_interpolation'],
		backends: { runway: 'ga' },
		endpoint: '/v1/video_upscale',
		audio: 'none',
		maxReferenceImages: 0,
		price: {
			unit: 'credit_per_second',
			tiers: [{ perUnit: 10 }],
			source: 'unpublished; Runway estimatedCost replaces it',
			estimated: true,
		},
		typicalRenderSeconds: 30,
		status: 'ga',
	},
	{
		id: 'act_two',
		vendor: 'runway',
		displayName: 'Act-Two (character performance)',
		capabilities: ['character_performance'],
		backends: { runway: 'ga' },
		endpoint: '/v1/character_performance',
		durations: { min: 3, max: 30, default: 5 },
		aspectRatios: ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'],
		wireRatios: ['1280:720', '720:1280', '960:960', '1104:832', '832:1104', '1584:672'],
		audio: 'none',
		maxReferenceImages: 1,
		price: {
			unit: 'credit_per_second',
			tiers: [{ perUnit: 5 }],
			source: 'runwayml/skills api reference',
			estimated: true,
		},
		typicalRenderSeconds: 60,
		status: 'ga',
	},
	...(
		[
			['gen4_aleph', '2026-07-23', 'aleph2', 'video_to_video'],
			['upscale_v1', '2026-01-17', 'magnific_video_upscaler_creative', 'upscale'],
			['veo3', '2026-08-15', 'veo3.1', 'image_to_video'],
			['gen3a_turbo', '2026-07-30', 'gen4_turbo', 'image_to_video'],
		] as const
	).map(
		([id, retiredOn, replacement, capability]): ModelSpec => ({
			id,
			vendor: 'runway',
			displayName: id,
			capabilities: [capability],
			backends: { runway: 'retired' },
			endpoint: '/v1',
			audio: 'none',
			maxReferenceImages: 0,
			price: {
				unit: 'credit_per_second',
				tiers: [{ perUnit: 0 }],
				source: 'retired',
				estimated: true,
			},
			status: 'retired',
			retiredOn,
			replacement,
		}),
	),

	// --- Aggregators (Video Aggregator node) ---
	// The node lists each catalogue live and builds requests from each model's published input
	// schema; the registry only holds prices the catalogue does not report (Replicate's API has none).
	{
		id: 'google/veo-3.1-lite',
		vendor: 'replicate',
		displayName: 'Veo 3.1 Lite (through Replicate)',
		capabilities: ['text_to_video', 'image_to_video'],
		backends: { replicate: 'unconfirmed' },
		endpoint: '/v1/models/google/veo-3.1-lite/predictions',
		durations: { allowed: [4, 6, 8], default: 8 },
		resolutions: ['720p', '1080p'],
		aspectRatios: ['16:9', '9:16'],
		audio: 'optional',
		maxReferenceImages: 0,
		price: {
			unit: 'second',
			tiers: [
				{ resolution: '720p', perUnit: 0.05 },
				{ resolution: '1080p', perUnit: 0.08 },
			],
			source: 'Replicate model page (reported, 2026-11); Replicate’s API reports no price',
			estimated: true,
		},
		status: 'ga',
		notes: 'Sources disagree on first/last frame and audio.',
	},
];
