import type { ServerResponse } from 'node:http';
import { castIdentities } from '../media/cast';
import { randomBytes } from 'node:crypto';
import { planJob, type SandboxContext, type VendorHandler } from '../context';
import {
	bearerToken,
	field,
	HttpError,
	sendBytes,
	sendEmpty,
	sendJson,
	type SandboxRequest,
} from '../http';
import type { SandboxJob } from '../jobs';
import { decodeDataUri, imageInfo } from '../media/images';
import { readMedia, still, type RenderSpec } from '../media/render';
import { canonicalJson, sha256 } from '../random';
import { renderTime, sandboxToday } from '../config';
import { OPENAI_VIDEO_MODELS, OPENAI_TEXT_MODELS, SORA_SECONDS } from '../data/openai';
import { handleResponses } from './openaiResponses';
import { clipFromBytes } from './judge';
import { mediaTool } from '../media/tools';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const runFile = promisify(execFile);

/**
 * The OpenAI Videos API as it stood before the 2026-09-24 shutdown (what OpenAI-compatible
 * gateways serve), plus the Responses API for structured output. With `openaiRetired` the
 * sora models answer 404 model_not_found, as OpenAI does today.
 */

type Video = Record<string, unknown>;

const videoId = (): string => `video_${randomBytes(12).toString('hex')}`;

function error(
	status: number,
	message: string,
	param: string | null = null,
	code: string | null = null,
	type = 'invalid_request_error',
): HttpError {
	return new HttpError(status, { error: { message, type, param, code } });
}

function videoObject(ctx: SandboxContext, job: SandboxJob): Video {
	const state = job.state;
	const status =
		state === 'queued' || state === 'throttled'
			? 'queued'
			: state === 'running'
				? 'in_progress'
				: state === 'succeeded'
					? 'completed'
					: state === 'failed'
						? 'failed'
						: 'cancelled';
	return {
		id: job.id,
		object: 'video',
		model: job.model,
		status,
		progress: Math.round(ctx.jobs.progress(job) * 100),
		created_at: Math.floor(job.createdAt / 1000),
		completed_at:
			job.state === 'succeeded' && job.finishedAt ? Math.floor(job.finishedAt / 1000) : null,
		expires_at: job.expiresAt ? Math.floor(job.expiresAt / 1000) : null,
		prompt: job.extra.prompt,
		remixed_from_video_id: job.extra.remixedFrom ?? null,
		seconds: String(job.extra.seconds),
		size: job.extra.size,
		error: job.failure ? { code: job.failure.code, message: job.failure.message } : null,
		// What a billing gateway adds once the job is done (OpenRouter's VideoGenerationUsage: cost in USD).
		...(OPENAI_VIDEO_MODELS[job.model]?.gateway && state === 'succeeded'
			? { usage: { cost: job.extra.usd } }
			: {}),
	};
}

async function referenceHash(req: SandboxRequest, size: string): Promise<string | undefined> {
	const reference = field(req, 'input_reference');
	const imageUrl = req.form
		? field(req, 'input_reference[image_url]')
		: (reference as { image_url?: unknown } | undefined)?.image_url;
	const fileId = req.form
		? field(req, 'input_reference[file_id]')
		: (reference as { file_id?: unknown } | undefined)?.file_id;
	let bytes: Buffer | undefined;
	if (reference instanceof Blob) bytes = Buffer.from(await reference.arrayBuffer());
	else if (typeof imageUrl === 'string') {
		const decoded = decodeDataUri(imageUrl);
		if (decoded) bytes = decoded.bytes;
		else if (/^https:\/\//.test(imageUrl)) return sha256(imageUrl);
		else
			throw error(
				400,
				'input_reference.image_url must be an https URL or a base64 data URL',
				'input_reference',
			);
	} else if (typeof fileId === 'string') return sha256(fileId);
	else if (reference !== undefined && reference !== null && reference !== '') {
		throw error(
			400,
			'input_reference must be a file upload, {file_id} or {image_url}',
			'input_reference',
		);
	}
	if (!bytes) return undefined;
	const info = imageInfo(bytes);
	if (!info)
		throw error(400, 'input_reference must be a JPEG, PNG or WebP image', 'input_reference');
	if (`${info.width}x${info.height}` !== size) {
		throw error(
			400,
			`input_reference is ${info.width}x${info.height} but must match the requested size ${size}`,
			'input_reference',
		);
	}
	return sha256(bytes);
}

/** OpenAI's answer for a model it does not serve (never released, retired, or a typo). */
export const modelNotFound = (model: string): HttpError =>
	error(
		404,
		`The model '${model}' does not exist or you do not have access to it.`,
		'model',
		'model_not_found',
	);

function checkModel(ctx: SandboxContext, model: string): (typeof OPENAI_VIDEO_MODELS)[string] {
	const spec = OPENAI_VIDEO_MODELS[model];
	if (!spec || (ctx.config.openaiRetired && !spec.gateway)) throw modelNotFound(model);
	return spec;
}

function createJob(
	ctx: SandboxContext,
	req: SandboxRequest,
	init: {
		model: string;
		prompt: string;
		seconds: number;
		size: string;
		refs: string[];
		remixedFrom?: string;
		account: string;
	},
): SandboxJob {
	const [width, height] = init.size.split('x').map(Number);
	const spec: RenderSpec = {
		kind: 'video',
		width,
		height,
		fps: 24,
		durationSeconds: init.seconds,
		audio: true,
		prompt: init.prompt,
		references: init.refs,
		cast: castIdentities(init.prompt, init.refs.length),
	};
	const planned = planJob(ctx, 'openai', init.model, spec, {
		code: 'moderation_blocked',
		message: 'Your request was blocked by our moderation system.',
	});
	const price = OPENAI_VIDEO_MODELS[init.model].pricePerSecond(init.size);
	const requestFingerprint = sha256(
		canonicalJson({
			vendor: 'openai',
			path: req.path,
			model: init.model,
			prompt: init.prompt,
			seconds: init.seconds,
			size: init.size,
			refs: init.refs,
			remixedFrom: init.remixedFrom,
		}),
	);
	return ctx.jobs.create({
		id: videoId(),
		vendor: 'openai',
		model: init.model,
		account: init.account,
		renderMs: renderTime(ctx.config, 'openai', init.model),
		spec: planned.spec,
		outcome: planned.outcome,
		refsReceived: init.refs,
		requestFingerprint,
		request: { model: init.model, prompt: init.prompt, seconds: init.seconds, size: init.size },
		extra: {
			prompt: init.prompt,
			seconds: init.seconds,
			size: init.size,
			remixedFrom: init.remixedFrom,
			drift: planned.drift,
			usd: Math.round(init.seconds * price * 1e6) / 1e6,
		},
		onSucceeded: (job) =>
			ctx.ledger.charge({
				vendor: 'openai',
				model: job.model,
				jobId: job.id,
				units: init.seconds,
				unit: 'second',
				usd: Math.round(init.seconds * price * 1e6) / 1e6,
				requestFingerprint,
			}),
	});
}

function requireCompleted(ctx: SandboxContext, id: string, account: string): SandboxJob {
	const job = ctx.jobs.get(id);
	if (!job || job.vendor !== 'openai' || job.account !== account)
		throw error(404, `Video with id '${id}' not found.`, 'video_id', 'not_found');
	return job;
}

function sourceVideoId(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	return (value as { id?: unknown } | undefined)?.id as string | undefined;
}

/** POST /videos/characters: a reusable character from a 2-4 s clip (16:9 or 9:16, 720p-1080p). */
async function createCharacter(
	ctx: SandboxContext,
	req: SandboxRequest,
	account: string,
): Promise<Record<string, unknown>> {
	const name = field(req, 'name');
	if (typeof name !== 'string' || !name.trim())
		throw error(400, "Missing required parameter: 'name'.", 'name', 'missing_required_parameter');
	const video = field(req, 'video');
	if (!(video instanceof Blob))
		throw error(
			400,
			"Missing required parameter: 'video' (an MP4 upload).",
			'video',
			'missing_required_parameter',
		);
	const bytes = Buffer.from(await video.arrayBuffer());
	const file = clipFromBytes(bytes);
	const { stdout } = await runFile(mediaTool('ffprobe'), [
		'-v',
		'error',
		'-select_streams',
		'v:0',
		'-show_entries',
		'stream=width,height:format=duration',
		'-of',
		'json',
		file,
	]).catch(() => ({ stdout: '' }));
	const probe = stdout
		? (JSON.parse(stdout) as {
				streams: Array<{ width: number; height: number }>;
				format: { duration?: string };
			})
		: undefined;
	const stream = probe?.streams[0];
	if (!stream) throw error(400, 'video must be an MP4 file.', 'video', 'invalid_value');
	const duration = Number(probe.format.duration ?? 0);
	if (duration < 2 || duration > 4.05)
		throw error(
			400,
			`video must be 2 to 4 seconds long (got ${duration.toFixed(1)} s).`,
			'video',
			'invalid_value',
		);
	const ratio = stream.width / stream.height;
	const short = Math.min(stream.width, stream.height);
	if (Math.abs(ratio - 16 / 9) > 0.02 && Math.abs(ratio - 9 / 16) > 0.02)
		throw error(400, 'video must be 16:9 or 9:16.', 'video', 'invalid_value');
	if (short < 720 || short > 1080)
		throw error(400, 'video must be between 720p and 1080p.', 'video', 'invalid_value');
	const id = `char_${randomBytes(12).toString('hex')}`;
	const createdAt = Math.floor(Date.now() / 1000);
	ctx.openai.characters.set(id, { id, name, account, createdAt, hash: sha256(bytes) });
	return { id, object: 'video.character', created_at: createdAt, name };
}

function characterRefs(ctx: SandboxContext, req: SandboxRequest, account: string): string[] {
	const raw = req.form
		? req.form.getAll('characters[][id]').map(String)
		: ((field(req, 'characters') as Array<{ id?: string }> | undefined) ?? []).map((c) =>
				String(c?.id ?? ''),
			);
	if (raw.length > 2)
		throw error(
			400,
			'At most 2 characters can be used in one video.',
			'characters',
			'invalid_value',
		);
	return raw.map((id) => {
		const character = ctx.openai.characters.get(id);
		if (!character || character.account !== account)
			throw error(400, `Character '${id}' not found.`, 'characters', 'invalid_value');
		return character.hash;
	});
}

async function create(ctx: SandboxContext, req: SandboxRequest, account: string): Promise<Video> {
	const model = String(field(req, 'model') ?? 'sora-2');
	const spec = checkModel(ctx, model);
	const prompt = field(req, 'prompt');
	if (typeof prompt !== 'string' || !prompt.trim())
		throw error(
			400,
			"Missing required parameter: 'prompt'.",
			'prompt',
			'missing_required_parameter',
		);
	const offered = spec.seconds ?? SORA_SECONDS;
	const seconds = String(field(req, 'seconds') ?? offered[0]);
	if (!offered.includes(seconds))
		throw error(
			400,
			`Invalid value: '${seconds}'. Supported values for ${model} are: ${offered.map((s) => `'${s}'`).join(', ')}.`,
			'seconds',
			'invalid_value',
		);
	const size = String(field(req, 'size') ?? '720x1280');
	if (!spec.sizes.includes(size))
		throw error(
			400,
			`Invalid value: '${size}'. Supported values for ${model} are: ${spec.sizes.map((s) => `'${s}'`).join(', ')}.`,
			'size',
			'invalid_value',
		);
	const ref = await referenceHash(req, size);
	const refs = [...(ref ? [ref] : []), ...characterRefs(ctx, req, account)];
	return videoObject(
		ctx,
		createJob(ctx, req, { model, prompt, seconds: Number(seconds), size, refs, account }),
	);
}

export const openaiHandler: VendorHandler = {
	vendor: 'openai',

	classify(req) {
		if (
			req.method === 'POST' &&
			/^\/v1\/videos(\/edits|\/extensions|\/characters|\/[^/]+\/remix)?$/.test(req.path)
		) {
			return {
				op: 'submit',
				model: typeof field(req, 'model') === 'string' ? String(field(req, 'model')) : undefined,
			};
		}
		if (req.method === 'POST' && req.path === '/v1/responses') return { op: 'submit' };
		if (req.method === 'GET' && /^\/v1\/videos\/[^/]+$/.test(req.path)) return { op: 'poll' };
		if (req.method === 'GET' && /\/content$/.test(req.path)) return { op: 'download' };
		return { op: 'other' };
	},

	errorBody(status, message, extra) {
		const type =
			status === 429
				? 'rate_limit_error'
				: status >= 500
					? 'server_error'
					: 'invalid_request_error';
		const headers: Record<string, string> = {};
		if (extra?.retryAfterSeconds !== undefined) {
			headers['retry-after'] = String(extra.retryAfterSeconds);
			headers['retry-after-ms'] = String(Math.round(extra.retryAfterSeconds * 1000));
		}
		return {
			body: {
				error: {
					message,
					type,
					param: null,
					code: extra?.code ?? (status === 429 ? 'rate_limit_exceeded' : null),
				},
			},
			headers,
		};
	},

	async handle(ctx: SandboxContext, req: SandboxRequest, res: ServerResponse) {
		const key = bearerToken(req);
		if (!key)
			throw error(
				401,
				"You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
				null,
				null,
			);
		if (key !== ctx.config.keys.openai)
			throw error(
				401,
				'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
				null,
				'invalid_api_key',
			);
		if (req.json === Symbol.for('invalid-json'))
			throw error(400, 'We could not parse the JSON body of your request.', null, null);
		const account = sha256(key).slice(0, 16);
		const { method, path } = req;
		let match: RegExpExecArray | null;

		if (method === 'GET' && path === '/v1/models') {
			const live = (id: string) =>
				!OPENAI_TEXT_MODELS[id].shutdownOn ||
				OPENAI_TEXT_MODELS[id].shutdownOn! > sandboxToday(ctx.config);
			const videos = Object.entries(OPENAI_VIDEO_MODELS)
				.filter(([, spec]) => spec.gateway || !ctx.config.openaiRetired)
				.map(([id]) => id);
			const ids = [...Object.keys(OPENAI_TEXT_MODELS).filter(live), ...videos];
			return sendJson(res, 200, {
				object: 'list',
				data: ids.map((id) => ({ id, object: 'model', created: 1767225600, owned_by: 'openai' })),
			});
		}
		if (method === 'POST' && path === '/v1/responses') return await handleResponses(ctx, req, res);
		if (method === 'POST' && path === '/v1/videos/characters')
			return sendJson(res, 200, await createCharacter(ctx, req, account));
		if (method === 'GET' && (match = /^\/v1\/videos\/characters\/([^/]+)$/.exec(path))) {
			const character = ctx.openai.characters.get(match[1]);
			if (!character || character.account !== account)
				throw error(404, `Character with id '${match[1]}' not found.`, 'character_id', 'not_found');
			return sendJson(res, 200, {
				id: character.id,
				object: 'video.character',
				created_at: character.createdAt,
				name: character.name,
			});
		}
		if (method === 'POST' && path === '/v1/videos')
			return sendJson(res, 200, await create(ctx, req, account));
		if (method === 'GET' && path === '/v1/videos') {
			const order = req.query.get('order') === 'asc' ? 'asc' : 'desc';
			const limit = Math.min(100, Math.max(1, Number(req.query.get('limit') ?? 20)));
			const after = req.query.get('after');
			let list = [...ctx.jobs.jobs.values()].filter(
				(job) => job.vendor === 'openai' && job.account === account,
			);
			list.sort((a, b) =>
				order === 'asc' ? a.createdAt - b.createdAt : b.createdAt - a.createdAt,
			);
			if (after) list = list.slice(list.findIndex((job) => job.id === after) + 1);
			const page = list.slice(0, limit).map((job) => videoObject(ctx, job));
			return sendJson(res, 200, {
				object: 'list',
				data: page,
				has_more: list.length > limit,
				first_id: page[0]?.id ?? null,
				last_id: page.at(-1)?.id ?? null,
			});
		}
		if (
			(method === 'GET' || method === 'DELETE') &&
			(match = /^\/v1\/videos\/([^/]+)$/.exec(path))
		) {
			const job = requireCompleted(ctx, match[1], account);
			if (method === 'GET') return sendJson(res, 200, videoObject(ctx, job));
			if (method === 'DELETE') {
				if (job.state !== 'succeeded' && job.state !== 'failed')
					throw error(400, 'Only completed or failed videos can be deleted.', 'video_id');
				ctx.jobs.delete(job.id);
				return sendJson(res, 200, { id: job.id, object: 'video.deleted', deleted: true });
			}
		}
		if (method === 'GET' && (match = /^\/v1\/videos\/([^/]+)\/content$/.exec(path))) {
			const job = requireCompleted(ctx, match[1], account);
			if (job.state !== 'succeeded' || !job.file)
				throw error(
					404,
					`Video '${job.id}' is not ready: its status is ${String(videoObject(ctx, job).status)}.`,
					'video_id',
					'video_not_ready',
				);
			const expired =
				(job.expiresAt ?? Infinity) <= Date.now() ||
				ctx.faults.draw('openai', 'download', job.model, ['expired']);
			if (expired)
				throw error(
					404,
					`The content of video '${job.id}' has expired.`,
					'video_id',
					'video_expired',
				);
			const variant = req.query.get('variant') ?? 'video';
			if (variant === 'video') return sendBytes(req, res, readMedia(job.file), 'video/mp4');
			if (variant === 'thumbnail')
				return sendBytes(req, res, readMedia(await still(job.file, 'webp')), 'image/webp');
			if (variant === 'spritesheet')
				return sendBytes(req, res, readMedia(await still(job.file, 'jpg')), 'image/jpeg');
			throw error(
				400,
				`Invalid value: '${variant}'. Supported values are: 'video', 'thumbnail' and 'spritesheet'.`,
				'variant',
				'invalid_value',
			);
		}
		if (method === 'POST' && (match = /^\/v1\/videos\/([^/]+)\/remix$/.exec(path))) {
			const source = requireCompleted(ctx, match[1], account);
			if (source.state !== 'succeeded')
				throw error(400, 'Only completed videos can be remixed.', 'video_id');
			const prompt = field(req, 'prompt');
			if (typeof prompt !== 'string' || !prompt.trim())
				throw error(
					400,
					"Missing required parameter: 'prompt'.",
					'prompt',
					'missing_required_parameter',
				);
			checkModel(ctx, source.model);
			return sendJson(
				res,
				200,
				videoObject(
					ctx,
					createJob(ctx, req, {
						model: source.model,
						prompt,
						seconds: Number(source.extra.seconds),
						size: String(source.extra.size),
						refs: source.refsReceived,
						remixedFrom: source.id,
						account,
					}),
				),
			);
		}
		if (method === 'POST' && (path === '/v1/videos/edits' || path === '/v1/videos/extensions')) {
			const prompt = field(req, 'prompt');
			if (typeof prompt !== 'string' || !prompt.trim())
				throw error(
					400,
					"Missing required parameter: 'prompt'.",
					'prompt',
					'missing_required_parameter',
				);
			const id = req.form
				? String(field(req, 'video[id]') ?? '')
				: sourceVideoId(field(req, 'video'));
			if (!id)
				throw error(
					400,
					"Missing required parameter: 'video'.",
					'video',
					'missing_required_parameter',
				);
			const source = requireCompleted(ctx, id, account);
			if (source.state !== 'succeeded')
				throw error(400, 'Only completed videos can be edited or extended.', 'video');
			checkModel(ctx, source.model);
			let seconds = Number(source.extra.seconds);
			if (path.endsWith('extensions')) {
				const add = Number(field(req, 'seconds'));
				if (!SORA_SECONDS.includes(String(add)))
					throw error(
						400,
						`Invalid value for seconds: '${String(field(req, 'seconds'))}'.`,
						'seconds',
						'invalid_value',
					);
				seconds += add;
				if (seconds > 120)
					throw error(
						400,
						'An extended video cannot be longer than 120 seconds.',
						'seconds',
						'invalid_value',
					);
			}
			return sendJson(
				res,
				200,
				videoObject(
					ctx,
					createJob(ctx, req, {
						model: source.model,
						prompt,
						seconds,
						size: String(source.extra.size),
						refs: source.refsReceived,
						remixedFrom: source.id,
						account,
					}),
				),
			);
		}
		throw error(
			404,
			`Invalid URL (${method} /v1${path.replace(/^\/v1/, '')})`,
			null,
			'unknown_url',
		);
	},
};
