/** The sandbox's own copy of Veo and Gemini capabilities (independent of the node registry). */
export interface VeoModel {
	backends: Array<'vertex' | 'gemini'>;
	resolutions: string[];
	referenceImages: boolean;
	lastFrame: boolean;
	extension: boolean;
	/** USD per output second: (backend, resolution, audio) -> price. */
	price(backend: 'vertex' | 'gemini', resolution: string, audio: boolean): number;
}

export const VEO_DURATIONS = [4, 6, 8];
export const VEO_ASPECT_RATIOS = ['16:9', '9:16'];
export const PERSON_GENERATION = ['dont_allow', 'allow_adult', 'allow_all'];

export const VEO_MODELS: Record<string, VeoModel> = {
	'veo-3.1-generate-001': {
		backends: ['vertex', 'gemini'],
		resolutions: ['720p', '1080p', '4k'],
		referenceImages: true,
		lastFrame: true,
		extension: true,
		price: (backend, resolution, audio) =>
			resolution === '4k'
				? audio || backend === 'gemini'
					? 0.6
					: 0.4
				: audio || backend === 'gemini'
					? 0.4
					: 0.2,
	},
	'veo-3.1-fast-generate-001': {
		backends: ['vertex', 'gemini'],
		resolutions: ['720p', '1080p', '4k'],
		referenceImages: true,
		lastFrame: true,
		extension: true,
		price: (backend, resolution, audio) => {
			if (resolution === '4k') return 0.3;
			if (backend === 'gemini') return resolution === '720p' ? 0.1 : 0.12;
			return audio ? 0.15 : 0.1;
		},
	},
	'veo-3.1-lite-generate-001': {
		backends: ['vertex', 'gemini'],
		resolutions: ['720p', '1080p'],
		referenceImages: false,
		lastFrame: false,
		extension: false,
		price: (_backend, resolution) => (resolution === '720p' ? 0.05 : 0.08),
	},
};

/** Model IDs Google has shut down, with the day per backend (the Veo 3.1 previews left Vertex first). */
export const RETIRED_VEO: Record<string, { vertex: string; gemini: string }> = {
	'veo-3.1-generate-preview': { vertex: '2026-04-02', gemini: '2026-10-22' },
	'veo-3.1-fast-generate-preview': { vertex: '2026-04-02', gemini: '2026-10-22' },
	'veo-3.1-lite-generate-preview': { vertex: '2026-04-02', gemini: '2026-10-22' },
	'veo-3.0-generate-001': { vertex: '2026-06-30', gemini: '2026-06-30' },
	'veo-3.0-fast-generate-001': { vertex: '2026-06-30', gemini: '2026-06-30' },
	'veo-2.0-generate-001': { vertex: '2026-06-30', gemini: '2026-06-30' },
	'gemini-omni-flash-preview': { vertex: '2026-09-30', gemini: '2026-09-30' },
};

/**
 * Text/vision models for generateContent: USD per million input / output tokens. The newer
 * flash judges are served with the nearest published price (theirs is not published).
 */
export const GEMINI_TEXT_MODELS: Record<string, { input: number; output: number }> = {
	'gemini-3.5-flash': { input: 1.5, output: 9 },
	'gemini-3.5-flash-lite': { input: 0.25, output: 1.5 },
	'gemini-3.6-flash': { input: 1.5, output: 9 },
	'gemini-3.7-flash': { input: 1.5, output: 9 },
	'gemini-3.8-flash': { input: 1.5, output: 9 },
	'gemini-3.1-flash-lite': { input: 0.25, output: 1.5 },
	'gemini-3.1-pro-preview': { input: 2, output: 12 },
};

export const RESOLUTION_PIXELS: Record<string, [number, number]> = {
	'720p': [1280, 720],
	'1080p': [1920, 1080],
	'4k': [3840, 2160],
};
