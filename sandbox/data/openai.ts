/**
 * The sandbox's own copy of the Videos API capabilities (kept apart from the node package's
 * registry on purpose, so neither can mask the other's mistakes).
 */
export const SORA_SECONDS = ['4', '8', '12', '16', '20'];

const SORA_2_SIZES = ['1280x720', '720x1280'];
const SORA_2_PRO_SIZES = [...SORA_2_SIZES, '1024x1792', '1792x1024', '1920x1080', '1080x1920'];

const sora2 = { sizes: SORA_2_SIZES, pricePerSecond: () => 0.1 };
const sora2Pro = {
	sizes: SORA_2_PRO_SIZES,
	pricePerSecond: (size: string) => (SORA_2_SIZES.includes(size) ? 0.3 : 0.5),
};

export interface VideoModelContract {
	sizes: string[];
	pricePerSecond: (size: string) => number;
	/** Seconds the model accepts (Sora's when omitted). */
	seconds?: string[];
	/** Gateway models the OpenAI shutdown does not touch: another vendor renders them. */
	gateway?: boolean;
}

export const OPENAI_VIDEO_MODELS: Record<string, VideoModelContract> = {
	'sora-2': sora2,
	'sora-2-2025-10-06': sora2,
	'sora-2-2025-12-08': sora2,
	'sora-2-pro': sora2Pro,
	'sora-2-pro-2025-10-06': sora2Pro,
	// What OpenAI-compatible gateways serve on /v1/videos since the shutdown (reported, 2026-10):
	// other vendors' models under their own IDs and limits, none of them in the node registry.
	'minimax/h3': {
		sizes: ['1366x768', '768x1366', '2560x1440'],
		seconds: ['6', '10'],
		pricePerSecond: (size) => (size === '2560x1440' ? 0.09 : 0.05),
		gateway: true,
	},
	'google/veo-3.1-fast': {
		sizes: ['1280x720', '720x1280', '1920x1080', '1080x1920'],
		seconds: ['4', '6', '8'],
		pricePerSecond: () => 0.15,
		gateway: true,
	},
	'wan-ai/wan-2.6-t2v': {
		sizes: ['1280x720', '720x1280'],
		seconds: ['5', '10'],
		pricePerSecond: () => 0.05,
		gateway: true,
	},
};

/** Responses API models: USD per million input / output tokens, and the day OpenAI stops serving one. */
export const OPENAI_TEXT_MODELS: Record<
	string,
	{ input: number; output: number; shutdownOn?: string }
> = {
	'gpt-5.5': { input: 5, output: 30 },
	'gpt-5.4': { input: 2.5, output: 15 },
	'gpt-5.4-mini': { input: 0.75, output: 4.5 },
	'gpt-5.4-nano': { input: 0.2, output: 1.25 },
	'gpt-5.6-sol': { input: 5, output: 30 },
	'gpt-5.6-terra': { input: 2.5, output: 15 },
	'gpt-5.6-luna': { input: 1, output: 6 },
	'gpt-5': { input: 1.25, output: 10, shutdownOn: '2026-12-11' },
	'gpt-5-mini': { input: 0.25, output: 2, shutdownOn: '2026-12-11' },
	'gpt-5-nano': { input: 0.05, output: 0.4, shutdownOn: '2026-12-11' },
};
