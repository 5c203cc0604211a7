import { z } from 'zod/v4';
import { aspectRatioSchema, resolutionSchema, vendorSchema } from '../contract/schemas';

export const CAPABILITIES = [
	'text_to_video',
	'image_to_video',
	'reference_to_video',
	'first_last_frame',
	'video_to_video',
	'extend',
	'remix',
	'text_to_image',
	'upscale',
	'frame_interpolation',
	'character_performance',
	'structured_output',
	'video_understanding',
] as const;
export const capabilitySchema = z.enum(CAPABILITIES);
export type Capability = z.infer<typeof capabilitySchema>;

export const BACKENDS = [
	'openai',
	'openai_compatible',
	'vertex',
	'gemini',
	'runway',
	'fal',
	'replicate',
] as const;
export const backendSchema = z.enum(BACKENDS);
export type Backend = z.infer<typeof backendSchema>;

/**
 * How sure we are that a backend serves a model today. `unconfirmed` means the vendor's own
 * material does not settle it; nodes still allow it and say so in the model picker.
 */
export const availabilitySchema = z.enum(['ga', 'preview', 'unconfirmed', 'retired']);

const priceTierSchema = z
	.object({
		/** Backend this price applies to; omitted = every backend. */
		backend: backendSchema.optional(),
		/** Resolution this price applies to; omitted = every resolution. */
		resolution: resolutionSchema.optional(),
		/** Whether the output carries audio; omitted = either. */
		audio: z.boolean().optional(),
		/** Price per unit; for Runway in credits (1 credit = $0.01), otherwise USD. */
		perUnit: z.number().nonnegative(),
	})
	.strict();

export const priceSchema = z
	.object({
		unit: z.enum(['second', 'image', 'credit_per_second', 'credit_per_image', 'token_million']),
		tiers: z.array(priceTierSchema).min(1),
		/** Output-token price for text models (USD per million). */
		outputPerUnit: z.number().nonnegative().optional(),
		/** Where the figure comes from and how much to trust it. */
		source: z.string().min(1),
		estimated: z.boolean(),
	})
	.strict();
export type Price = z.infer<typeof priceSchema>;

export const modelSpecSchema = z
	.object({
		id: z.string().min(1),
		vendor: vendorSchema,
		displayName: z.string().min(1),
		capabilities: z.array(capabilitySchema).min(1),
		/** Backends that serve this ID, each with its own availability. */
		backends: z.partialRecord(backendSchema, availabilitySchema),
		/** Vendor endpoint path (relative to the backend base URL) per capability where it differs. */
		endpoint: z.string().min(1),
		durations: z
			.object({
				allowed: z.array(z.number().positive()).optional(),
				min: z.number().positive().optional(),
				max: z.number().positive().optional(),
				default: z.number().positive(),
			})
			.strict()
			.optional(),
		resolutions: z.array(resolutionSchema).optional(),
		aspectRatios: z.array(aspectRatioSchema).optional(),
		/** Runway's pixel ratios (e.g. `1280:720`) or OpenAI sizes (`1280x720`), as the wire wants them. */
		wireRatios: z.array(z.string().regex(/^\d+[:x]\d+$/)).optional(),
		/** Where text to video offers fewer ratios than image to video (Runway Gen-4.5). */
		textToVideoRatios: z.array(z.string().regex(/^\d+:\d+$/)).optional(),
		audio: z.enum(['none', 'always', 'optional']),
		maxReferenceImages: z.number().int().nonnegative(),
		maxSamples: z.number().int().positive().optional(),
		price: priceSchema,
		/**
		 * A render's usual wall time at the vendor (an estimate from vendor guidance: Veo 1 to 6 min,
		 * Runway under a minute for Gen-4 Turbo). Only the first polls of a run use it; the run then
		 * follows the render times it observes.
		 */
		typicalRenderSeconds: z.number().positive().optional(),
		status: z.enum(['ga', 'preview', 'retired']),
		retiredOn: z.iso.date().optional(),
		/**
		 * Shutdown dates per backend where they differ or lie ahead (Veo previews left Vertex and the
		 * Gemini API on different days; gpt-5 leaves OpenAI's API on 2026-12-11 while gateways may keep
		 * it). From that day on the model fails on that backend with an error naming its replacement.
		 */
		backendRetirement: z.partialRecord(backendSchema, z.iso.date()).optional(),
		replacement: z.string().min(1).optional(),
		notes: z.string().optional(),
	})
	.strict()
	.superRefine((spec, ctx) => {
		if (
			(spec.status === 'retired' || spec.backendRetirement) &&
			(!(spec.retiredOn || spec.backendRetirement) || !spec.replacement)
		) {
			ctx.addIssue({
				code: 'custom',
				path: ['replacement'],
				message: 'a retired model needs retiredOn and replacement',
			});
		}
		const isVideo = spec.capabilities.some((c) =>
			['text_to_video', 'image_to_video', 'video_to_video', 'character_performance'].includes(c),
		);
		if (isVideo && spec.status !== 'retired' && !spec.durations) {
			ctx.addIssue({
				code: 'custom',
				path: ['durations'],
				message: 'a video model needs its durations',
			});
		}
		if (
			isVideo &&
			spec.status !== 'retired' &&
			!spec.aspectRatios?.length &&
			!spec.wireRatios?.length
		) {
			ctx.addIssue({
				code: 'custom',
				path: ['aspectRatios'],
				message: 'a video model needs its aspect ratios',
			});
		}
	});
export type ModelSpec = z.infer<typeof modelSpecSchema>;
