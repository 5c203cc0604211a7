import { z } from 'zod/v4';
import { parseTarget } from '../http/targets';

/**
 * The shared state contract: one n8n item is one shot, and every node of the package reads and
 * writes this shape. Each node validates only the parts it consumes (see `validate.ts`).
 */

/** Who rendered or billed: the three direct vendors and the aggregators (fal queue API, Replicate predictions API). */
export const VENDORS = ['openai', 'google', 'runway', 'fal', 'replicate'] as const;
export const vendorSchema = z.enum(VENDORS);
export type Vendor = z.infer<typeof vendorSchema>;

/** Layers that render and therefore own a retry budget. */
export const RENDER_LAYERS = ['narrative', 'hero', 'control'] as const;
export const renderLayerSchema = z.enum(RENDER_LAYERS);
export type RenderLayer = z.infer<typeof renderLayerSchema>;

/** Every layer that can spend money (QC spends on the vision judge). */
export const costLayerSchema = z.enum(['narrative', 'pin', 'hero', 'control', 'qc']);
export type CostLayer = z.infer<typeof costLayerSchema>;

export const ASPECT_RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'] as const;
export const aspectRatioSchema = z.enum(ASPECT_RATIOS);
export type AspectRatio = z.infer<typeof aspectRatioSchema>;

export const RESOLUTIONS = ['720p', '1080p', '4k'] as const;
export const resolutionSchema = z.enum(RESOLUTIONS);
export type Resolution = z.infer<typeof resolutionSchema>;

/**
 * Runway's `@tag` rules are the strictest of the vendors, so every character tag follows them. The
 * templates' Code nodes check tags against this same pattern (scripts/templates/lib/contract.ts).
 */
export const CHARACTER_TAG_PATTERN = /^[A-Za-z][A-Za-z0-9_]{2,15}$/;
export const characterTagSchema = z
	.string()
	.regex(CHARACTER_TAG_PATTERN, 'must be 3-16 letters, digits or _, starting with a letter');

const sha256Schema = z.string().regex(/^[a-f0-9]{64}$/, 'must be a lowercase hex SHA-256');
const isoDateTimeSchema = z.iso.datetime({ offset: true });
const mimeTypeSchema = z
	.string()
	.regex(/^[a-z]+\/[a-z0-9.+-]+$/i, 'must be a MIME type such as video/mp4');

const ASSET_REF_PATTERNS: Record<string, { pattern: RegExp; expected: string }> = {
	url: { pattern: /^https?:\/\/[^\s]+$/i, expected: 'an http(s) URL' },
	gcs: { pattern: /^gs:\/\/[a-z0-9._-]{3,63}\/.+/, expected: 'a gs://bucket/object URI' },
	runway: { pattern: /^runway:\/\/\S+$/, expected: 'a runway:// upload URI' },
	binary: { pattern: /^[A-Za-z0-9_.-]+$/, expected: 'the name of a binary property on the item' },
};

function urlRefusal(ref: string): string | undefined {
	try {
		parseTarget(ref);
		return undefined;
	} catch (error) {
		return (error as Error).message;
	}
}

/** Assets travel as references; bytes are pulled only where a node needs them. */
export const assetRefSchema = z
	.object({
		kind: z.enum(['binary', 'url', 'gcs', 'runway']),
		ref: z.string().min(1),
		mimeType: mimeTypeSchema,
		bytes: z.number().int().nonnegative().optional(),
		sha256: sha256Schema.optional(),
	})
	.strict()
	.superRefine((asset, ctx) => {
		const rule = ASSET_REF_PATTERNS[asset.kind];
		if (rule && !rule.pattern.test(asset.ref)) {
			ctx.addIssue({
				code: 'custom',
				path: ['ref'],
				message: `must be ${rule.expected} for kind "${asset.kind}"`,
			});
		} else if (asset.kind === 'url') {
			// URLs on items are untrusted: no user:password@ prefix, no metadata or link-local host.
			const refused = urlRefusal(asset.ref);
			if (refused) ctx.addIssue({ code: 'custom', path: ['ref'], message: refused });
		}
	});
export type AssetRef = z.infer<typeof assetRefSchema>;

/**
 * Identifiers that become part of a file name (run IDs, shot IDs): ASCII letters and digits first,
 * then letters, digits and . _ : - only, never "..". No separator, glob character, control or
 * bidirectional character can pass, so a name built from them stays in its folder and reads as it
 * is. The templates check requests against this same pattern before they build a file name.
 */
export const SAFE_ID_PATTERN = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const safeIdSchema = (max: number) =>
	z
		.string()
		.min(1)
		.max(max)
		.regex(
			SAFE_ID_PATTERN,
			'may only contain letters, digits, . _ : - (starting with a letter or digit, no "..")',
		);

export const pipelineSchema = z
	.object({
		runId: safeIdSchema(128),
		project: z.string().min(1),
		variant: z.string().min(1).optional(),
		shotCount: z.number().int().positive().max(500),
		budgetUsd: z.number().positive().optional(),
		spentUsd: z.number().nonnegative(),
	})
	.strict();
export type Pipeline = z.infer<typeof pipelineSchema>;

export const shotSchema = z
	.object({
		id: safeIdSchema(64),
		index: z.number().int().nonnegative(),
		beat: z
			.object({
				label: z.string().min(1),
				startSeconds: z.number().nonnegative(),
			})
			.strict(),
		prompt: z.string().min(1).max(4000),
		durationSeconds: z.number().positive().max(120),
		aspectRatio: aspectRatioSchema,
		resolution: resolutionSchema,
		layer: z.enum(['hero', 'broll']),
		characters: z.array(characterTagSchema).max(8),
		dialogue: z.string().min(1).optional(),
		camera: z.string().min(1).optional(),
		needsAudio: z.boolean().optional(),
	})
	.strict();
export type Shot = z.infer<typeof shotSchema>;

const hexColourSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #RRGGBB colour');

/** Most reference images one character may bring from a brief (a pin holds up to 8 per character). */
export const MAX_BRIEF_REFERENCES = 4;

/**
 * Reference images a brief gives per character tag (`characters: [{ tag, referenceUrls }]`), which
 * Pin State pins onto the storyboard's character with the same tag.
 */
export const characterReferencesSchema = z
	.array(
		z
			.object({
				tag: characterTagSchema,
				referenceUrls: z
					.array(
						z
							.string()
							.regex(/^https?:\/\/[^\s]+$/i, 'must be an http(s) URL')
							.max(2048),
					)
					.min(1)
					.max(MAX_BRIEF_REFERENCES),
			})
			.strict(),
	)
	.max(8)
	.superRefine((characters, ctx) => {
		characters.forEach((character, index) => {
			if (characters.findIndex((c) => c.tag === character.tag) !== index)
				ctx.addIssue({
					code: 'custom',
					path: [index, 'tag'],
					message: `repeats the tag ${character.tag}; give each character once`,
				});
		});
	});
export type CharacterReferences = z.infer<typeof characterReferencesSchema>;

export const pinCharacterSchema = z
	.object({
		tag: characterTagSchema,
		description: z.string().min(1).max(1000),
		refs: z.array(assetRefSchema).max(8),
	})
	.strict()
	.superRefine((character, ctx) => {
		character.refs.forEach((ref, index) => {
			if (!ref.mimeType.startsWith('image/')) {
				ctx.addIssue({
					code: 'custom',
					path: ['refs', index, 'mimeType'],
					message: 'character references must be images',
				});
			}
		});
	});
export type PinCharacter = z.infer<typeof pinCharacterSchema>;

export const seedPolicySchema = z
	.object({
		policy: z.enum(['fixed', 'per_shot', 'random']),
		base: z.number().int().min(0).max(4294967295),
	})
	.strict();

export const audioBedSchema = z
	.object({
		mood: z.string().min(1),
		tempoBpm: z.number().min(20).max(300).optional(),
		key: z.string().min(1).optional(),
		music: assetRefSchema.nullable(),
		dialogueLanguage: z
			.string()
			.regex(
				/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/,
				'must be a BCP 47 language tag such as en or en-US',
			)
			.optional(),
		loudnessLufs: z.number().min(-70).max(-5),
	})
	.strict();

export const gradeSchema = z
	.object({
		lut: assetRefSchema.optional(),
		palette: z.array(hexColourSchema).max(16),
		look: z.string().min(1),
	})
	.strict();

export const pinSchema = z
	.object({
		fingerprint: sha256Schema,
		characters: z.array(pinCharacterSchema).max(16),
		grade: gradeSchema,
		audioBed: audioBedSchema,
		style: z.string(),
		negativePrompt: z.string(),
		seed: seedPolicySchema,
		/** Vendor-side copies of references made once per run (e.g. runway:// URIs), keyed by original ref. */
		uploads: z.record(z.string(), z.record(z.string(), z.string())).optional(),
	})
	.strict()
	.superRefine((pin, ctx) => {
		const seen = new Set<string>();
		pin.characters.forEach((character, index) => {
			if (seen.has(character.tag)) {
				ctx.addIssue({
					code: 'custom',
					path: ['characters', index, 'tag'],
					message: `duplicate character tag "${character.tag}"`,
				});
			}
			seen.add(character.tag);
		});
	});
export type Pin = z.infer<typeof pinSchema>;

export const TAKE_STATUSES = [
	'submitted',
	'queued',
	'running',
	'succeeded',
	'failed',
	'cancelled',
	'timed_out',
] as const;
export const takeStatusSchema = z.enum(TAKE_STATUSES);
export type TakeStatus = z.infer<typeof takeStatusSchema>;

export const takeSchema = z
	.object({
		layer: renderLayerSchema,
		vendor: vendorSchema,
		model: z.string().min(1),
		operation: z.string().min(1).optional(),
		jobId: z.string().min(1),
		status: takeStatusSchema,
		asset: assetRefSchema.optional(),
		/** A still of the take where the vendor makes one (the Videos API's thumbnail variant). */
		thumbnail: assetRefSchema.optional(),
		pinFingerprint: sha256Schema.nullable(),
		attempt: z.number().int().positive(),
		startedAt: isoDateTimeSchema,
		finishedAt: isoDateTimeSchema.optional(),
		costUsd: z.number().nonnegative(),
		progress: z.number().min(0).max(1).optional(),
		/** Render time of this job, ms, over the passes that handed it on and the time between them (they share one timeout). */
		watchedMs: z.number().nonnegative().optional(),
		/** When the last pass handed it on: it renders on at the vendor until the next pass, which counts that time too. */
		handedOnAt: isoDateTimeSchema.optional(),
		/** When a cancel was sent at the timeout and its outcome could not be read: a later 404 means the vendor deleted the finished job. */
		cancelSentAt: isoDateTimeSchema.optional(),
		/** The item's binary property the step waiting for the render writes its file to (a failed take names it too). */
		binaryProperty: z.string().min(1).optional(),
		refsSent: z.array(z.string()).optional(),
		failure: z
			.object({
				code: z.string().optional(),
				message: z.string(),
				retryable: z.boolean(),
			})
			.strict()
			.optional(),
	})
	.strict()
	.superRefine((take, ctx) => {
		if (take.status === 'succeeded' && !take.asset) {
			ctx.addIssue({
				code: 'custom',
				path: ['asset'],
				message: 'a succeeded take must carry its asset',
			});
		}
		if (take.finishedAt && Date.parse(take.finishedAt) < Date.parse(take.startedAt)) {
			ctx.addIssue({
				code: 'custom',
				path: ['finishedAt'],
				message: 'must not be before startedAt',
			});
		}
	});
export type Take = z.infer<typeof takeSchema>;

export const QC_STATUSES = ['pending', 'passed', 'retry', 'needs_review'] as const;

/** How a vision verdict was reached: the judge model, the frames it scored and what it scored them against. */
export const judgementSchema = z
	.object({
		model: z.string().min(1),
		/** Seconds into the clip of each frame scored. */
		frames: z.array(z.number().nonnegative()).max(16),
		/** The score of each frame, first opinion. */
		scores: z.array(z.number()).max(16),
		/** Asked because the first opinion was borderline: the second judge's frame scores. */
		secondOpinion: z.array(z.number()).max(16).optional(),
		/** Asked because the first two opinions disagreed: the tie-breaker's frame scores (the median decides). */
		thirdOpinion: z.array(z.number()).max(16).optional(),
		/** What the clip was compared with: references, an anchor take, the pinned grade, the previous shot. */
		against: z.string().min(1),
	})
	.strict();
export type Judgement = z.infer<typeof judgementSchema>;

export const verdictSchema = z
	.object({
		check: z.string().min(1),
		value: z.union([z.number(), z.string(), z.boolean(), z.null()]),
		threshold: z.union([z.number(), z.string(), z.boolean(), z.null()]),
		pass: z.boolean(),
		layer: renderLayerSchema,
		judge: judgementSchema.optional(),
	})
	.strict();
export type Verdict = z.infer<typeof verdictSchema>;

export const qcSchema = z
	.object({
		attempts: z
			.object({
				narrative: z.number().int().nonnegative(),
				hero: z.number().int().nonnegative(),
				control: z.number().int().nonnegative(),
			})
			.strict(),
		verdicts: z.array(verdictSchema),
		status: z.enum(QC_STATUSES),
		/** Every take QC has ruled on, oldest first: where it went and, when it was sent back, why. */
		history: z
			.array(
				z
					.object({
						jobId: z.string().min(1),
						attempt: z.number().int().positive(),
						route: z.enum(['passed', ...RENDER_LAYERS, 'needs_review']),
						failed: z.array(verdictSchema),
					})
					.strict(),
			)
			.optional(),
	})
	.strict();
export type Qc = z.infer<typeof qcSchema>;

export const ledgerEntrySchema = z
	.object({
		layer: costLayerSchema,
		vendor: vendorSchema,
		model: z.string().min(1),
		unit: z.enum(['second', 'credit', 'image', 'token', 'request']),
		units: z.number().nonnegative(),
		unitPriceUsd: z.number().nonnegative(),
		usd: z.number().nonnegative(),
		jobId: z.string().min(1),
		estimated: z.boolean(),
	})
	.strict()
	.superRefine((entry, ctx) => {
		if (Math.abs(entry.units * entry.unitPriceUsd - entry.usd) > 1e-6) {
			ctx.addIssue({ code: 'custom', path: ['usd'], message: 'must equal units x unitPriceUsd' });
		}
	});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

/** What QC asks the next render of a shot to do differently. */
export const retryHintSchema = z
	.object({
		layer: renderLayerSchema,
		/** Say more firmly that characters must match their references. */
		reinforceReferences: z.boolean().optional(),
		/** Render with a different seed than the failed take. */
		newSeed: z.boolean().optional(),
		/** Duration the shot must have (the failed take had another). */
		durationSeconds: z.number().positive().max(120).optional(),
		/** Free-text correction appended to the prompt. */
		note: z.string().min(1).max(1000).optional(),
	})
	.strict();
export type RetryHint = z.infer<typeof retryHintSchema>;

/**
 * The money one shot may still spend, handed out by whoever sees the whole run (the Storyboard
 * when it creates the shots, QC Router at every round). A render node refuses a submit beyond it,
 * so parallel branches, QC rounds and separate nodes together stay inside the run's budget
 * without sharing any process memory: the allowance travels with the item.
 */
export const allowanceSchema = z
	.object({
		usd: z.number().nonnegative(),
		/** Who handed it out: `storyboard`, `qc` or `reshoot`. */
		grantedBy: z.enum(['storyboard', 'qc', 'reshoot']),
	})
	.strict();
export type Allowance = z.infer<typeof allowanceSchema>;

export const RENDER_ERROR_CODES = [
	'budget',
	'bad_input',
	'outcome_unknown',
	'timeout',
	'poll',
	'download',
	'vendor',
] as const;

/**
 * Why a render node could not finish an item. It travels on the item instead of failing the node,
 * so the job IDs its siblings paid for are never thrown away; QC Router reads it to send the shot
 * to Needs Review (or back to its layer once the money is there).
 */
export const renderErrorSchema = z
	.object({
		layer: renderLayerSchema,
		code: z.enum(RENDER_ERROR_CODES),
		message: z.string().min(1),
		/** The vendor job it concerns, when one exists. */
		jobId: z.string().min(1).optional(),
		/** What the refused submit would have cost (budget refusals). */
		neededUsd: z.number().nonnegative().optional(),
		/** The engine that failed or refused it: QC Router's Per Engine routing sends the shot back there. */
		vendor: vendorSchema.optional(),
		model: z.string().min(1).optional(),
		/** The engine's operation (a workflow routes a Submit step's items to the step that waits for them by it). */
		operation: z.string().min(1).optional(),
	})
	.strict();
export type RenderError = z.infer<typeof renderErrorSchema>;

/**
 * The concurrency each vendor account took in the last node run, per vendor: the next run (the
 * batch's next night) starts there instead of from the safe default.
 */
export const learnedConcurrencySchema = z.partialRecord(vendorSchema, z.number().int().positive());
export type LearnedConcurrency = z.infer<typeof learnedConcurrencySchema>;

/** The JSON of one n8n item: one shot with everything that travels with it. */
export const shotItemSchema = z
	.object({
		pipeline: pipelineSchema,
		shot: shotSchema,
		pin: pinSchema.optional(),
		takes: z.array(takeSchema),
		qc: qcSchema.optional(),
		ledger: z.array(ledgerEntrySchema),
		retryHint: retryHintSchema.optional(),
		allowance: allowanceSchema.optional(),
		renderError: renderErrorSchema.optional(),
		learnedConcurrency: learnedConcurrencySchema.optional(),
	})
	.superRefine((item, ctx) => {
		if (item.shot.index >= item.pipeline.shotCount) {
			ctx.addIssue({
				code: 'custom',
				path: ['shot', 'index'],
				message: `must be below pipeline.shotCount (${item.pipeline.shotCount})`,
			});
		}
	});
export type ShotItem = z.infer<typeof shotItemSchema>;

/** The parts of an item a node can ask for; each is validated on its own. */
export const shotItemPartSchemas = {
	pipeline: pipelineSchema,
	shot: shotSchema,
	pin: pinSchema,
	takes: z.array(takeSchema),
	qc: qcSchema,
	ledger: z.array(ledgerEntrySchema),
	retryHint: retryHintSchema,
	allowance: allowanceSchema,
	renderError: renderErrorSchema,
} as const;
export type ShotItemPart = keyof typeof shotItemPartSchemas;
