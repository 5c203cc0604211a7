import type { ServerResponse } from 'node:http';
import { castIdentities } from '../media/cast';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderTime } from '../config';
import { planJob, type SandboxContext, type VendorHandler } from '../context';
import {
	ACT_TWO_RATIOS,
	ALEPH_ASPECTS,
	ALEPH_FORMATS,
	CREDITS_PER_SECOND,
	DATA_URI_LIMIT,
	FRAME_RATES,
	IMAGE_RATIOS,
	IMAGE_TO_VIDEO,
	RETIRED_RUNWAY,
	TEXT_TO_IMAGE,
	TEXT_TO_VIDEO,
	UPLOAD_LIMIT,
	UPSCALE_RESOLUTIONS,
	type VideoModelContract,
} from '../data/runway';
import { HttpError, sendFile, sendEmpty, sendJson, type SandboxRequest } from '../http';
import type { SandboxJob } from '../jobs';
import { decodeDataUri } from '../media/images';
import type { RenderSpec } from '../media/render';
import { canonicalJson, sha256 } from '../random';
import { resolveMedia } from './media';
import { inheritedDrift, stillWithHash } from './stills';

/**
 * Runway's developer API (X-Runway-Version 2024-11-06): task creation per endpoint with the
 * model contracts of SDK 4.20.1, tasks that go PENDING -> THROTTLED -> RUNNING -> SUCCEEDED /
 * FAILED / CANCELLED, expiring output URLs, ephemeral uploads, credits and daily limits.
 */

export const RUNWAY_VERSION = '2024-11-06';
type Json = Record<string, any>;

export interface RunwayState {
	credits: Map<string, number>;
	/** account|model -> creation times, for the rolling 24 h generation limit. */
	generations: Map<string, number[]>;
	uploads: Map<string, { filename: string; path?: string; bytes?: number; expiresAt: number }>;
}

const bad = (message: string, issues?: Array<{ path: string[]; message: string }>) =>
	new HttpError(400, issues ? { error: message, issues } : { error: message });

function ratioSize(ratio: string): [number, number] {
	const [w, h] = ratio.split(':').map(Number);
	const scale = Math.min(1, 1280 / Math.max(w, h));
	const even = (n: number) => Math.max(2, Math.round((n * scale) / 2) * 2);
	return [even(w), even(h)];
}

const ASPECT_SIZE: Record<string, [number, number]> = {
	'16:9': [1280, 720],
	'4:3': [960, 720],
	'3:2': [1080, 720],
	'1:1': [720, 720],
	'2:3': [720, 1080],
	'3:4': [720, 960],
	'9:16': [720, 1280],
	'21:9': [1680, 720],
};

interface Media {
	hash: string;
	job?: SandboxJob;
	durationSeconds?: number;
	width?: number;
	height?: number;
}

/** Validates and resolves one media input as Runway's fetcher would. */
function media(ctx: SandboxContext, value: unknown, field: string, kind: 'image' | 'video'): Media {
	if (typeof value !== 'string' || !value)
		throw bad(`${field} is required`, [{ path: [field], message: 'Required' }]);
	if (value.startsWith('data:')) {
		if (value.length > DATA_URI_LIMIT)
			throw bad(
				`Invalid data URI for ${field}: data URIs are limited to 5MB; upload larger files with /v1/uploads`,
			);
		const decoded = decodeDataUri(value);
		if (!decoded) throw bad(`Invalid data URI for ${field}`);
		if (!decoded.mimeType.startsWith(`${kind}/`))
			throw bad(
				`${field} must be ${kind === 'image' ? 'an image' : 'a video'} (got ${decoded.mimeType})`,
			);
		return { hash: sha256(decoded.bytes) };
	}
	if (value.startsWith('runway://')) {
		const id = /^runway:\/\/uploads\/([^/]+)\//.exec(value)?.[1];
		const upload = id ? ctx.runway.uploads.get(id) : undefined;
		if (!upload || upload.expiresAt <= Date.now() || !upload.path)
			throw bad(`${field}: the runway:// URI is unknown or has expired (uploads last 24 hours)`);
		return fromPath(ctx, upload.path);
	}
	if (value.length > 2048) throw bad(`${field}: URLs must be 2048 characters or fewer`);
	const own = value.startsWith(`${ctx.origin()}/`);
	if (!own) {
		let url: URL;
		try {
			url = new URL(value);
		} catch {
			throw bad(`${field} must be an HTTPS URL, a data URI or a runway:// URI`);
		}
		if (url.protocol !== 'https:') throw bad(`Only HTTPS URLs are allowed (${field})`);
		if (/^\d+\.\d+\.\d+\.\d+$/.test(url.hostname) || url.hostname.startsWith('['))
			throw bad(`${field}: URLs must use a domain name, not an IP address`);
		return { hash: sha256(value) };
	}
	const resolved = resolveMedia(ctx, value);
	if (!resolved.path)
		throw bad(`Failed to fetch asset. Received HTTP response code 404 (${field})`);
	return fromPath(ctx, resolved.path);
}

function fromPath(ctx: SandboxContext, file: string): Media {
	const job = [...ctx.jobs.jobs.values()].find((candidate) => candidate.file === file);
	return {
		hash: sha256(readFileSync(file)),
		job,
		durationSeconds: job?.spec.durationSeconds,
		width: job?.spec.width,
		height: job?.spec.height,
	};
}

function promptImages(ctx: SandboxContext, value: unknown): Media[] {
	if (typeof value === 'string') return [media(ctx, value, 'promptImage', 'image')];
	if (!Array.isArray(value) || !value.length)
		throw bad('promptImage is required', [{ path: ['promptImage'], message: 'Required' }]);
	const positions = value.map((entry: Json) => entry.position ?? 'first');
	if (positions.includes('last') && !positions.includes('first'))
		throw bad('promptImage: a last frame needs a first frame');
	return value.map((entry: Json, index) =>
		media(ctx, entry.uri, `promptImage[${index}].uri`, 'image'),
	);
}

/** The first frame of an image-to-video task, with the sandbox still it is (a keyframe sent back as bytes or a URL). */
function firstFrameStill(ctx: SandboxContext, images: Media[]): SandboxJob | undefined {
	const first = images[0];
	if (!first) return undefined;
	const job = first.job ?? stillWithHash(ctx, first.hash);
	return job?.spec.kind === 'image' ? job : undefined;
}

function checkDuration(contract: VideoModelContract, body: Json, model: string): number {
	if (body.duration === undefined) {
		if (contract.durationRequired)
			throw bad('duration is required', [{ path: ['duration'], message: 'Required' }]);
		return Array.isArray(contract.durations) ? 8 : 5;
	}
	const duration = Number(body.duration);
	const ok = Array.isArray(contract.durations)
		? contract.durations.includes(duration)
		: Number.isInteger(duration) &&
			duration >= contract.durations.min &&
			duration <= contract.durations.max;
	if (!ok) {
		const allowed = Array.isArray(contract.durations)
			? contract.durations.join(', ')
			: `an integer from ${contract.durations.min} to ${contract.durations.max}`;
		throw bad(`Invalid duration for ${model}: must be ${allowed}`, [
			{ path: ['duration'], message: `must be ${allowed}` },
		]);
	}
	return duration;
}

function checkPromptText(body: Json, required: boolean): string {
	if (body.promptText === undefined || body.promptText === '') {
		if (required)
			throw bad('promptText is required', [{ path: ['promptText'], message: 'Required' }]);
		return '';
	}
	if (typeof body.promptText !== 'string' || body.promptText.length > 1000)
		throw bad('promptText must be a string of at most 1000 characters', [
			{ path: ['promptText'], message: 'Too long' },
		]);
	return body.promptText;
}

function checkEnum(value: unknown, allowed: string[], field: string, model: string): string {
	if (typeof value !== 'string' || !allowed.includes(value)) {
		throw bad(`Invalid ${field} for ${model}: must be one of ${allowed.join(', ')}`, [
			{
				path: [field],
				message: `Invalid enum value. Expected ${allowed.map((a) => `'${a}'`).join(' | ')}`,
			},
		]);
	}
	return value;
}

interface TaskPlan {
	model: string;
	spec: RenderSpec;
	credits: number;
	outputKind: 'mp4' | 'png';
	/** The drift of the still this clip animates, when that still ignored the pin. */
	inheritedDrift?: Record<string, unknown>;
}

function planTask(ctx: SandboxContext, endpoint: string, body: Json): TaskPlan {
	const model = String(body.model ?? '');
	if (RETIRED_RUNWAY[model])
		throw bad(`Invalid model: ${model} is no longer available; use ${RETIRED_RUNWAY[model]}`, [
			{ path: ['model'], message: 'Invalid enum value' },
		]);
	const seedSuffix = body.seed !== undefined ? ` #seed${Number(body.seed)}` : '';
	if (
		body.seed !== undefined &&
		!(Number.isInteger(body.seed) && body.seed >= 0 && body.seed <= 4294967295)
	)
		throw bad('seed must be an integer from 0 to 4294967295');
	switch (endpoint) {
		case 'image_to_video':
		case 'text_to_video': {
			const contract = (endpoint === 'image_to_video' ? IMAGE_TO_VIDEO : TEXT_TO_VIDEO)[model];
			if (!contract)
				throw bad(`Invalid model for /v1/${endpoint}: ${model || '(none)'}`, [
					{
						path: ['model'],
						message: `Expected one of ${Object.keys(endpoint === 'image_to_video' ? IMAGE_TO_VIDEO : TEXT_TO_VIDEO).join(', ')}`,
					},
				]);
			const ratio = checkEnum(body.ratio, contract.ratios, 'ratio', model);
			const duration = checkDuration(contract, body, model);
			const promptText = checkPromptText(body, contract.promptTextRequired);
			const images = endpoint === 'image_to_video' ? promptImages(ctx, body.promptImage) : [];
			// A clip animated from a still the sandbox drew keeps that still's characters and grade
			// (drifted or not); any other first frame is one more reference, as before.
			const still = firstFrameStill(ctx, images);
			if (body.audio !== undefined && !contract.audio)
				throw bad(`audio is not supported by ${model}`);
			const audio = contract.audio && body.audio !== false;
			const [width, height] = ratioSize(ratio);
			return {
				model,
				credits: contract.credits(audio) * duration,
				outputKind: 'mp4',
				inheritedDrift: inheritedDrift(still),
				spec: {
					kind: 'video',
					width,
					height,
					fps: 24,
					durationSeconds: duration,
					audio,
					prompt: `${promptText}${seedSuffix}`,
					references: still ? still.spec.references : images.map((i) => i.hash),
					cast: still ? still.spec.cast : castIdentities(promptText, images.length),
					palette: still?.spec.palette ?? paletteOf(promptText),
				},
			};
		}
		case 'text_to_image': {
			const contract = TEXT_TO_IMAGE[model];
			if (!contract)
				throw bad(`Invalid model for /v1/text_to_image: ${model || '(none)'}`, [
					{ path: ['model'], message: 'Expected gen4_image | gen4_image_turbo' },
				]);
			const promptText = checkPromptText(body, true);
			const ratio = checkEnum(body.ratio, IMAGE_RATIOS, 'ratio', model);
			const references = Array.isArray(body.referenceImages)
				? (body.referenceImages as Json[])
				: [];
			if (references.length < contract.minRefs || references.length > contract.maxRefs) {
				throw bad(
					`${model} takes ${contract.minRefs === contract.maxRefs ? contract.minRefs : `${contract.minRefs} to ${contract.maxRefs}`} referenceImages`,
					[{ path: ['referenceImages'], message: 'Invalid length' }],
				);
			}
			const tags = new Set<string>();
			const hashes = references.map((reference, index) => {
				if (reference.tag !== undefined) {
					if (
						typeof reference.tag !== 'string' ||
						!/^[A-Za-z][A-Za-z0-9_]{2,15}$/.test(reference.tag)
					) {
						throw bad(
							`referenceImages[${index}].tag must be 3-16 characters, start with a letter and use only letters, digits and _`,
							[{ path: ['referenceImages', String(index), 'tag'], message: 'Invalid' }],
						);
					}
					if (tags.has(reference.tag))
						throw bad(`referenceImages[${index}].tag "${reference.tag}" is used twice`);
					tags.add(reference.tag);
				}
				return media(ctx, reference.uri, `referenceImages[${index}].uri`, 'image').hash;
			});
			for (const mention of promptText.match(/@([A-Za-z][A-Za-z0-9_]*)/g) ?? []) {
				if (!tags.has(mention.slice(1)))
					throw bad(`promptText mentions ${mention} but no reference image has that tag`);
			}
			const [width, height] = ratioSize(ratio);
			return {
				model,
				credits: contract.credits(ratio),
				outputKind: 'png',
				spec: {
					kind: 'image',
					width,
					height,
					fps: 1,
					durationSeconds: 0,
					audio: false,
					prompt: `${promptText}${seedSuffix}`,
					references: hashes,
					// Without reference images Gen-4 Image draws the characters from their descriptions.
					cast: castIdentities(promptText, hashes.length),
					palette: paletteOf(promptText),
				},
			};
		}
		case 'video_to_video': {
			if (model !== 'aleph2')
				throw bad(`Invalid model for /v1/video_to_video: ${model || '(none)'}`, [
					{ path: ['model'], message: 'Expected aleph2' },
				]);
			const source = media(ctx, body.videoUri, 'videoUri', 'video');
			const promptText = checkPromptText(body, false);
			const keyframes = Array.isArray(body.keyframes) ? (body.keyframes as Json[]) : [];
			if (keyframes.length > 5)
				throw bad('At most 5 keyframes are allowed', [
					{ path: ['keyframes'], message: 'Too many' },
				]);
			const keyframeHashes = keyframes.map((keyframe, index) => {
				if (
					keyframe.seconds === undefined &&
					(keyframe.at === undefined || keyframe.at < 0 || keyframe.at > 1)
				)
					throw bad(`keyframes[${index}] needs seconds or at (0..1)`);
				return media(ctx, keyframe.uri, `keyframes[${index}].uri`, 'image').hash;
			});
			if (body.targetAspectRatio !== undefined)
				checkEnum(body.targetAspectRatio, ALEPH_ASPECTS, 'targetAspectRatio', model);
			if (body.outputFormat !== undefined)
				checkEnum(body.outputFormat, ALEPH_FORMATS, 'outputFormat', model);
			const duration = source.durationSeconds ?? 5;
			const [width, height] = body.targetAspectRatio
				? ASPECT_SIZE[body.targetAspectRatio]
				: [source.width ?? 1280, source.height ?? 720];
			const references = keyframeHashes.length ? keyframeHashes : (source.job?.refsReceived ?? []);
			return {
				model,
				credits: CREDITS_PER_SECOND.aleph2 * duration,
				outputKind: 'mp4',
				spec: {
					kind: 'video',
					width,
					height,
					fps: 24,
					durationSeconds: duration,
					audio: source.job?.spec.audio ?? false,
					prompt: `${promptText || 'restyle'}${seedSuffix}`,
					references,
					palette: paletteOf(promptText) ?? source.job?.spec.palette,
				},
			};
		}
		case 'video_upscale': {
			if (model !== 'magnific_video_upscaler_creative' && model !== 'enhance_frame_rate')
				throw bad(`Invalid model for /v1/video_upscale: ${model || '(none)'}`, [
					{
						path: ['model'],
						message: 'Expected magnific_video_upscaler_creative | enhance_frame_rate',
					},
				]);
			const source = media(ctx, body.videoUri, 'videoUri', 'video');
			const duration = source.durationSeconds ?? 5;
			let [width, height] = [source.width ?? 1280, source.height ?? 720];
			let fps = source.job?.spec.fps ?? 24;
			if (model === 'magnific_video_upscaler_creative') {
				const resolution =
					body.resolution === undefined
						? '2k'
						: checkEnum(body.resolution, Object.keys(UPSCALE_RESOLUTIONS), 'resolution', model);
				for (const field of ['creativity', 'sharpen', 'smartGrain']) {
					if (
						body[field] !== undefined &&
						!(Number.isInteger(body[field]) && body[field] >= 0 && body[field] <= 100)
					)
						throw bad(`${field} must be an integer from 0 to 100`);
				}
				if (body.flavor !== undefined)
					checkEnum(body.flavor, ['vivid', 'natural'], 'flavor', model);
				const short = UPSCALE_RESOLUTIONS[resolution];
				const scale = short / Math.min(width, height);
				[width, height] = [
					Math.round((width * scale) / 2) * 2,
					Math.round((height * scale) / 2) * 2,
				];
			} else {
				const target = checkEnum(body.targetFramerate, FRAME_RATES, 'targetFramerate', model);
				fps = Number(target.replace('_', '.'));
			}
			return {
				model,
				credits: CREDITS_PER_SECOND[model] * duration,
				outputKind: 'mp4',
				spec: {
					...(source.job?.spec ?? {
						kind: 'video',
						audio: false,
						prompt: 'upscale',
						references: [],
					}),
					kind: 'video',
					width,
					height,
					fps,
					durationSeconds: duration,
				},
			};
		}
		case 'character_performance': {
			if (model !== 'act_two')
				throw bad(`Invalid model for /v1/character_performance: ${model || '(none)'}`, [
					{ path: ['model'], message: 'Expected act_two' },
				]);
			const character = body.character as Json | undefined;
			const reference = body.reference as Json | undefined;
			if (!character || !['image', 'video'].includes(character.type))
				throw bad('character must be {type: "image" | "video", uri}', [
					{ path: ['character'], message: 'Required' },
				]);
			if (!reference || reference.type !== 'video')
				throw bad('reference must be {type: "video", uri}', [
					{ path: ['reference'], message: 'Required' },
				]);
			const face = media(ctx, character.uri, 'character.uri', character.type);
			const performance = media(ctx, reference.uri, 'reference.uri', 'video');
			const duration = performance.durationSeconds ?? 5;
			if (duration < 3 || duration > 30) throw bad('reference video must be 3 to 30 seconds long');
			const ratio =
				body.ratio === undefined
					? '1280:720'
					: checkEnum(body.ratio, ACT_TWO_RATIOS, 'ratio', model);
			if (
				body.expressionIntensity !== undefined &&
				!(
					Number.isInteger(body.expressionIntensity) &&
					body.expressionIntensity >= 1 &&
					body.expressionIntensity <= 5
				)
			)
				throw bad('expressionIntensity must be an integer from 1 to 5');
			const [width, height] = ratioSize(ratio);
			return {
				model,
				credits: CREDITS_PER_SECOND.act_two * duration,
				outputKind: 'mp4',
				spec: {
					kind: 'video',
					width,
					height,
					fps: 24,
					durationSeconds: duration,
					audio: true,
					prompt: `performance${seedSuffix}`,
					references: [face.hash],
				},
			};
		}
	}
	throw new HttpError(404, { error: `Not found: POST /v1/${endpoint}` });
}

function paletteOf(text: string): string[] | undefined {
	const colour = /#[0-9a-fA-F]{6}/.exec(text)?.[0];
	return colour ? [colour] : undefined;
}

function outputUrl(ctx: SandboxContext, job: SandboxJob): string {
	const ext = job.extra.outputKind === 'png' ? 'png' : 'mp4';
	const base = `${ctx.origin()}/runway-cdn/tasks/${job.id}/output-0.${ext}`;
	ctx.media.set(base, job.file!);
	const expires = Date.now() + ctx.config.outputTtlMs;
	const signature = sha256(`${base}|${expires}`).slice(0, 32);
	return `${base}?Expires=${expires}&Signature=${signature}`;
}

function taskObject(ctx: SandboxContext, job: SandboxJob): Json {
	const base = { id: job.id, createdAt: new Date(job.createdAt).toISOString() };
	const estimatedCost = { credits: job.extra.credits };
	switch (job.state) {
		case 'queued':
			return { ...base, status: 'PENDING', estimatedCost };
		case 'throttled':
			return { ...base, status: 'THROTTLED', estimatedCost };
		case 'running':
			return {
				...base,
				status: 'RUNNING',
				progress: Math.round(ctx.jobs.progress(job) * 100) / 100,
				estimatedCost,
			};
		case 'succeeded':
			return {
				...base,
				status: 'SUCCEEDED',
				output: [outputUrl(ctx, job)],
				cost: { credits: job.extra.credits },
			};
		case 'failed':
			return {
				...base,
				status: 'FAILED',
				failure: job.failure!.message,
				failureCode: job.failure!.code,
				cost: { credits: 0 },
			};
		case 'cancelled':
			return { ...base, status: 'CANCELLED', cost: { credits: 0 } };
	}
}

function account(ctx: SandboxContext, req: SandboxRequest): string {
	const version = req.headers['x-runway-version'];
	if (!version)
		throw bad('You must provide the X-Runway-Version header. The latest version is 2024-11-06.');
	if (version !== RUNWAY_VERSION)
		throw bad(
			`Invalid X-Runway-Version header: ${String(version)}. The latest version is 2024-11-06.`,
		);
	const key = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
	if (!key || key !== ctx.config.keys.runway)
		throw new HttpError(401, {
			error:
				'Invalid API key. Make sure you are using a key from the developer portal and the api.dev.runwayml.com host.',
		});
	return sha256(key).slice(0, 16);
}

const ENDPOINTS = new Set([
	'image_to_video',
	'text_to_video',
	'text_to_image',
	'video_to_video',
	'video_upscale',
	'character_performance',
]);

function createTask(
	ctx: SandboxContext,
	req: SandboxRequest,
	owner: string,
	endpoint: string,
): Json {
	const body = (req.json ?? {}) as Json;
	const plan = planTask(ctx, endpoint, body);
	const balance = ctx.runway.credits.get(owner) ?? ctx.config.runwayCredits;
	if (balance < plan.credits)
		throw bad(
			`You do not have enough credits to run this task (needs ${plan.credits}, balance ${balance}).`,
		);
	const key = `${owner}|${plan.model}`;
	const now = Date.now();
	const recent = (ctx.runway.generations.get(key) ?? []).filter(
		(at) => at > now - 24 * 3600 * 1000,
	);
	if (recent.length >= ctx.config.runwayDailyGenerations) {
		throw new HttpError(
			429,
			{
				error: `You have exceeded the maximum daily generations for ${plan.model} in the last 24 hours.`,
			},
			{ 'retry-after': '3600' },
		);
	}
	recent.push(now);
	ctx.runway.generations.set(key, recent);
	const planned = planJob(ctx, 'runway', plan.model, plan.spec, {
		code: 'INTERNAL.BAD_OUTPUT.CODE01',
		message: 'The output did not pass quality checks. Try again.',
	});
	const requestFingerprint = sha256(canonicalJson({ vendor: 'runway', endpoint, body }));
	const job = ctx.jobs.create({
		id: randomUUID(),
		vendor: 'runway',
		model: plan.model,
		account: owner,
		renderMs: renderTime(ctx.config, 'runway', plan.model),
		spec: planned.spec,
		outcome: planned.outcome,
		refsReceived: plan.spec.references,
		requestFingerprint,
		request: body,
		extra: {
			endpoint,
			credits: plan.credits,
			outputKind: plan.outputKind,
			drift: planned.drift ?? plan.inheritedDrift,
		},
		onSucceeded: (done) => {
			ctx.runway.credits.set(
				owner,
				(ctx.runway.credits.get(owner) ?? ctx.config.runwayCredits) - plan.credits,
			);
			const units = plan.spec.kind === 'image' ? 1 : plan.spec.durationSeconds;
			ctx.ledger.charge({
				vendor: 'runway',
				model: plan.model,
				jobId: done.id,
				units,
				unit: plan.spec.kind === 'image' ? 'image' : 'second',
				usd: Math.round(plan.credits) / 100,
				credits: plan.credits,
				requestFingerprint,
			});
		},
	});
	return { id: job.id, estimatedCost: { credits: plan.credits } };
}

function organization(ctx: SandboxContext, owner: string): Json {
	const models: Json = {};
	const usage: Json = {};
	for (const model of new Set([
		...Object.keys(IMAGE_TO_VIDEO),
		...Object.keys(TEXT_TO_VIDEO),
		...Object.keys(TEXT_TO_IMAGE),
		...Object.keys(CREDITS_PER_SECOND),
	])) {
		models[model] = {
			maxConcurrentGenerations: ctx.config.concurrency.runway ?? null,
			maxDailyGenerations: ctx.config.runwayDailyGenerations,
		};
		const recent = (ctx.runway.generations.get(`${owner}|${model}`) ?? []).filter(
			(at) => at > Date.now() - 24 * 3600 * 1000,
		);
		usage[model] = { dailyGenerations: recent.length };
	}
	return {
		creditBalance: ctx.runway.credits.get(owner) ?? ctx.config.runwayCredits,
		tier: { maxMonthlyCreditSpend: 50000, models },
		usage: { models: usage },
	};
}

export const runwayHandler: VendorHandler = {
	vendor: 'runway',
	classify(req) {
		const endpoint = /^\/v1\/([a-z_]+)$/.exec(req.path)?.[1];
		if (req.method === 'POST' && endpoint && ENDPOINTS.has(endpoint))
			return { op: 'submit', model: (req.json as Json | undefined)?.model };
		if (req.method === 'GET' && /^\/v1\/tasks\/[^/]+$/.test(req.path)) return { op: 'poll' };
		return { op: 'other' };
	},
	errorBody(status, message, extra) {
		const headers: Record<string, string> =
			extra?.retryAfterSeconds !== undefined
				? { 'retry-after': String(extra.retryAfterSeconds) }
				: {};
		return { body: { error: message }, headers };
	},
	async handle(ctx, req, res) {
		const owner = account(ctx, req);
		if (req.json === Symbol.for('invalid-json')) throw bad('Invalid JSON body');
		const { method, path: route } = req;
		let match: RegExpExecArray | null;
		if (method === 'POST' && (match = /^\/v1\/([a-z_]+)$/.exec(route)) && ENDPOINTS.has(match[1]))
			return sendJson(res, 200, createTask(ctx, req, owner, match[1]));
		if ((match = /^\/v1\/tasks\/([^/]+)$/.exec(route))) {
			const job = ctx.jobs.get(match[1]);
			if (!job || job.vendor !== 'runway' || job.account !== owner)
				throw new HttpError(404, { error: 'Task not found' });
			if (method === 'GET') return sendJson(res, 200, taskObject(ctx, job));
			if (method === 'DELETE') {
				if (
					job.outcome.kind === 'stuck' &&
					job.outcome.finishesOnCancel &&
					job.state === 'running'
				) {
					// The race a cancel can lose: the task finished, and was charged, as the DELETE arrived.
					job.state = 'succeeded';
					job.finishedAt = Date.now();
					job.onSucceeded?.(job);
				}
				if (job.state === 'queued' || job.state === 'throttled' || job.state === 'running')
					ctx.jobs.cancel(job);
				else ctx.jobs.delete(job.id);
				return sendEmpty(res, 204);
			}
		}
		if (method === 'POST' && route === '/v1/uploads') {
			const body = (req.json ?? {}) as Json;
			if (typeof body.filename !== 'string' || !body.filename)
				throw bad('filename is required', [{ path: ['filename'], message: 'Required' }]);
			if (body.type !== 'ephemeral')
				throw bad('type must be "ephemeral"', [
					{ path: ['type'], message: "Invalid literal value, expected 'ephemeral'" },
				]);
			const id = randomBytes(12).toString('hex');
			ctx.runway.uploads.set(id, {
				filename: body.filename,
				expiresAt: Date.now() + 24 * 3600 * 1000,
			});
			return sendJson(res, 200, {
				uploadUrl: `${ctx.origin()}/runway-upload/${id}`,
				fields: {
					key: `uploads/${id}/${body.filename}`,
					policy: randomBytes(16).toString('base64'),
					'x-amz-signature': randomBytes(16).toString('hex'),
				},
				runwayUri: `runway://uploads/${id}/${body.filename}`,
			});
		}
		if (method === 'GET' && route === '/v1/organization')
			return sendJson(res, 200, organization(ctx, owner));
		if (method === 'POST' && route === '/v1/organization/usage') {
			const results = new Map<string, Json[]>();
			for (const entry of ctx.ledger.entries.filter((e) => e.vendor === 'runway')) {
				const date = entry.at.slice(0, 10);
				results.set(date, [
					...(results.get(date) ?? []),
					{ model: entry.model, amount: entry.credits ?? 0 },
				]);
			}
			return sendJson(res, 200, {
				models: [
					...new Set(ctx.ledger.entries.filter((e) => e.vendor === 'runway').map((e) => e.model)),
				],
				results: [...results.entries()].map(([date, usedCredits]) => ({ date, usedCredits })),
			});
		}
		throw new HttpError(404, { error: `Not found: ${method} ${route}` });
	},
};

/** The presigned-POST target of /v1/uploads (what S3 would be). */
export async function handleRunwayUpload(
	ctx: SandboxContext,
	req: SandboxRequest,
	res: ServerResponse,
): Promise<void> {
	const id = /^\/([^/]+)$/.exec(req.path)?.[1];
	const upload = id ? ctx.runway.uploads.get(id) : undefined;
	if (!upload || req.method !== 'POST') return sendJson(res, 404, { error: 'NoSuchUpload' });
	const file = req.form?.get('file');
	if (!(file instanceof Blob))
		return sendJson(res, 400, { error: 'InvalidArgument: the form has no file field' });
	if (!req.form?.get('key') || !req.form?.get('policy'))
		return sendJson(res, 403, { error: 'AccessDenied: missing presigned fields' });
	if (file.size > UPLOAD_LIMIT) return sendJson(res, 400, { error: 'EntityTooLarge' });
	const dir = path.join(
		process.env.SANDBOX_MEDIA_DIR ?? path.join(tmpdir(), 'vp-sandbox-media'),
		'uploads',
	);
	mkdirSync(dir, { recursive: true });
	const target = path.join(dir, `${id}-${path.basename(upload.filename)}`);
	writeFileSync(target, Buffer.from(await file.arrayBuffer()));
	upload.path = target;
	upload.bytes = file.size;
	sendEmpty(res, 204);
}

/** Signed CDN URLs for task outputs; they stop working when they expire, like CloudFront's. */
export async function handleRunwayCdn(
	ctx: SandboxContext,
	req: SandboxRequest,
	res: ServerResponse,
): Promise<void> {
	const base = `${ctx.origin()}/runway-cdn${req.path}`;
	const file = ctx.media.get(base);
	const expires = Number(req.query.get('Expires'));
	const signature = req.query.get('Signature');
	if (!file) return sendJson(res, 404, { error: 'NoSuchKey' });
	const expired =
		!signature ||
		signature !== sha256(`${base}|${expires}`).slice(0, 32) ||
		expires <= Date.now() ||
		Boolean(ctx.faults.draw('runway', 'download', undefined, ['expired']));
	if (expired) {
		res.writeHead(403, { 'content-type': 'application/xml' });
		res.end(
			'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
		);
		return;
	}
	sendFile(req, res, file, file.endsWith('.png') ? 'image/png' : 'video/mp4');
}
