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

export const OPENAI_VIDEO_MODELS: Record<string, { sizes: string[]; pricePerSecond: (size: string) => number }> = {
	'sora-2': sora2,
	'sora-2-2025-10-06': sora2,
	'sora-2-2025-12-08': sora2,
	'sora-2-pro': sora2Pro,
	'sora-2-pro-2025-10-06': sora2Pro,
};

/** Responses API models: USD per million input / output tokens. */
export const OPENAI_TEXT_MODELS: Record<string, { input: number; output: number }> = {
	'gpt-5.5': { input: 5, output: 30 },
	'gpt-5.4': { input: 2.5, output: 15 },
	'gpt-5.4-mini': { input: 0.75, output: 4.5 },
	'gpt-5.4-nano': { input: 0.2, output: 1.25 },
};
