export interface SandboxConfig {
	/** Keys the sandbox accepts. They are throwaway values, never real vendor keys. */
	keys: { openai: string; runway: string; googleApiKey: string; fal: string; replicate: string };
	/** Render time per vendor (or per model ID), milliseconds. */
	renderMs: Record<string, number>;
	/** How long output URLs / content stay downloadable. */
	outputTtlMs: number;
	/** Answer `sora-2*` as OpenAI does since the Videos API shutdown (404 model_not_found). */
	openaiRetired: boolean;
	/** Concurrent generations per account and vendor (Runway reports the rest THROTTLED). */
	concurrency: Record<string, number>;
	/**
	 * Vendors whose account refuses a submit over its concurrency with 429 (RESOURCE_EXHAUSTED for
	 * Google) instead of queueing it: a cap the client is not told and has to find.
	 */
	refuseOverConcurrency: Record<string, boolean>;
	/** Vertex requests per minute per project before 429 RESOURCE_EXHAUSTED. */
	vertexRequestsPerMinute: number;
	/** Runway daily generations per model before 429. */
	runwayDailyGenerations: number;
	/** Starting Runway credit balance. */
	runwayCredits: number;
	/** Lifetime of access tokens issued by the sandbox token endpoint. */
	tokenTtlSeconds: number;
	/** Google Cloud project of the sandbox's test service account. */
	googleProject: string;
	/** The vision judge's error rates (0..1) and their seed: no judge is an oracle. */
	judge: { falseNegativeRate: number; falsePositiveRate: number; seed: number };
	/** The day vendors compare shutdown dates with (YYYY-MM-DD); today's date when unset. */
	today?: string;
}

/** The sandbox's calendar day: fixed by config (tests), else the real one. */
export function sandboxToday(config: SandboxConfig): string {
	return config.today ?? new Date().toISOString().slice(0, 10);
}

/** Typical vendor latencies (seconds) for the realistic profile, before SANDBOX_TIME_SCALE. */
export const REALISTIC_RENDER_SECONDS: Record<string, number> = {
	openai: 90,
	google: 75,
	runway: 45,
	fal: 60,
	replicate: 60,
};

export function defaultConfig(env: NodeJS.ProcessEnv = process.env): SandboxConfig {
	const profile = env.SANDBOX_PROFILE ?? 'fast';
	const scale = Number(env.SANDBOX_TIME_SCALE ?? 1);
	const renderMs: Record<string, number> =
		profile === 'realistic'
			? Object.fromEntries(
					Object.entries(REALISTIC_RENDER_SECONDS).map(([vendor, seconds]) => [
						vendor,
						seconds * 1000 * scale,
					]),
				)
			: { openai: 300, google: 300, runway: 300, fal: 300, replicate: 300 };
	return {
		keys: {
			openai: env.SANDBOX_OPENAI_KEY ?? 'sk-sandbox-openai-0000000000000000',
			runway:
				env.SANDBOX_RUNWAY_KEY ??
				'key_sandbox00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
			googleApiKey: env.SANDBOX_GOOGLE_KEY ?? 'AIzaSandbox0000000000000000000000000000',
			// fal keys are "<key id>:<key secret>"; Replicate tokens start with r8_.
			fal:
				env.SANDBOX_FAL_KEY ??
				'5a7d0000-sand-box0-0000-000000000000:fal-sandbox-secret-00000000000000000000',
			replicate: env.SANDBOX_REPLICATE_KEY ?? 'r8_sandbox0000000000000000000000000000000',
		},
		renderMs,
		outputTtlMs: Number(env.SANDBOX_OUTPUT_TTL_MS ?? 60 * 60 * 1000),
		openaiRetired: env.SANDBOX_OPENAI_RETIRED === '1' || env.SANDBOX_OPENAI_RETIRED === 'true',
		concurrency: {
			openai: Number(env.SANDBOX_OPENAI_CONCURRENCY ?? 8),
			google: Number(env.SANDBOX_GOOGLE_CONCURRENCY ?? 8),
			runway: Number(env.SANDBOX_RUNWAY_CONCURRENCY ?? 3),
			fal: Number(env.SANDBOX_FAL_CONCURRENCY ?? 8),
			replicate: Number(env.SANDBOX_REPLICATE_CONCURRENCY ?? 8),
		},
		refuseOverConcurrency: {
			google:
				env.SANDBOX_GOOGLE_REFUSE_OVER_CAP === '1' || env.SANDBOX_GOOGLE_REFUSE_OVER_CAP === 'true',
		},
		vertexRequestsPerMinute: Number(env.SANDBOX_VERTEX_RPM ?? 600),
		runwayDailyGenerations: Number(env.SANDBOX_RUNWAY_DAILY ?? 10000),
		runwayCredits: Number(env.SANDBOX_RUNWAY_CREDITS ?? 100000),
		tokenTtlSeconds: Number(env.SANDBOX_TOKEN_TTL_S ?? 3599),
		googleProject: env.SANDBOX_GOOGLE_PROJECT ?? 'video-pipeline-sandbox',
		judge: {
			falseNegativeRate: Number(env.SANDBOX_JUDGE_FN ?? 0),
			falsePositiveRate: Number(env.SANDBOX_JUDGE_FP ?? 0),
			seed: Number(env.SANDBOX_JUDGE_SEED ?? 1),
		},
		today: env.SANDBOX_TODAY || undefined,
	};
}

export function renderTime(config: SandboxConfig, vendor: string, model: string): number {
	return config.renderMs[model] ?? config.renderMs[vendor] ?? 300;
}
