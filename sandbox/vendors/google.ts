import type { ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { renderTime } from '../config';
import { planJob, type SandboxContext, type VendorHandler } from '../context';
import {
	GEMINI_TEXT_MODELS,
	PERSON_GENERATION,
	RESOLUTION_PIXELS,
	RETIRED_VEO,
	VEO_ASPECT_RATIOS,
	VEO_DURATIONS,
	VEO_MODELS,
} from '../data/google';
import { HttpError, sendBytes, sendFile, sendJson, type SandboxRequest } from '../http';
import type { SandboxJob } from '../jobs';
import { imageInfo } from '../media/images';
import type { RenderSpec } from '../media/render';
import { canonicalJson, sha256 } from '../random';
import { googleError, googleErrorBody } from './googleErrors';
import { clipFromBytes, judge, scoresToSchema } from './judge';
import { asksForFrames, judgeFrames, readSections, type MediaPart } from './judgeFrames';
import { resolveMedia } from './media';
import { castIdentities } from '../media/cast';

/**
 * Google's two Veo backends on one emulator: Vertex AI (regional path with a Bearer token from
 * the sandbox token endpoint, or express mode with an API key) and the Gemini API (API key).
 * Field spellings differ per backend exactly as the SDK's converters show.
 */

type Backend = 'vertex' | 'gemini';
type Json = Record<string, any>;

const RAI_SUPPORT_CODES = ['29310472', '15236754', '64151117', '62263041', '90789179'];

function apiKey(req: SandboxRequest): string | undefined {
	return String(req.headers['x-goog-api-key'] ?? '') || req.query.get('key') || undefined;
}

function requireKey(ctx: SandboxContext, req: SandboxRequest): void {
	const key = apiKey(req);
	if (!key)
		throw googleError(
			403,
			"Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
		);
	if (key !== ctx.config.keys.googleApiKey)
		throw googleError(400, 'API key not valid. Please pass a valid API key.');
}

function requireToken(ctx: SandboxContext, req: SandboxRequest): void {
	const token = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
	const issued = token ? ctx.google.tokens.get(token) : undefined;
	if (!issued || issued.expiresAt <= Date.now()) {
		throw googleError(
			401,
			'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
		);
	}
}

/** Vertex's per-project requests-per-minute quota on predictLongRunning. */
function checkRate(ctx: SandboxContext, project: string): void {
	const now = Date.now();
	const log = (ctx.google.requestLog.get(project) ?? []).filter((at) => at > now - 60_000);
	if (log.length >= ctx.config.vertexRequestsPerMinute) {
		const retry = Math.max(1, Math.ceil((log[0] + 60_000 - now) / 1000));
		ctx.google.requestLog.set(project, log);
		throw googleError(
			429,
			`Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model with base model: veo. Please submit a quota increase request.`,
			retry,
		);
	}
	log.push(now);
	ctx.google.requestLog.set(project, log);
}

/** An account over its concurrency, where the sandbox refuses instead of queueing (config.refuseOverConcurrency). */
function checkConcurrency(ctx: SandboxContext, account: string, model: string): void {
	if (!ctx.config.refuseOverConcurrency.google) return;
	const cap = ctx.config.concurrency.google ?? Infinity;
	if (ctx.jobs.active(account, 'google') < cap) return;
	ctx.traffic.set('google:refused', (ctx.traffic.get('google:refused') ?? 0) + 1);
	throw googleError(
		429,
		`Quota exceeded for aiplatform.googleapis.com/concurrent_long_running_requests_per_base_model with base model: ${model}. Please submit a quota increase request.`,
		1,
	);
}

function decodeImage(
	ctx: SandboxContext,
	image: Json | undefined,
	backend: Backend,
	field: string,
): { hash: string; width?: number; height?: number } | undefined {
	if (!image) return undefined;
	if (backend === 'gemini' && image.gcsUri)
		throw googleError(400, `${field}.gcsUri is not supported in the Gemini API.`);
	if (typeof image.bytesBase64Encoded === 'string') {
		const bytes = Buffer.from(image.bytesBase64Encoded, 'base64');
		const info = imageInfo(bytes);
		if (!info) throw googleError(400, `${field} must be a JPEG, PNG or WebP image.`);
		if (image.mimeType && image.mimeType !== info.mimeType)
			throw googleError(
				400,
				`${field}.mimeType ${image.mimeType} does not match the image data (${info.mimeType}).`,
			);
		return { hash: sha256(bytes), width: info.width, height: info.height };
	}
	if (typeof image.gcsUri === 'string') {
		if (!/^gs:\/\/[^/]+\/.+/.test(image.gcsUri))
			throw googleError(400, `${field}.gcsUri must be a gs://bucket/object URI.`);
		return { hash: resolveMedia(ctx, image.gcsUri).hash };
	}
	throw googleError(
		400,
		`${field} needs bytesBase64Encoded${backend === 'vertex' ? ' or gcsUri' : ''}.`,
	);
}

function sourceVideo(
	ctx: SandboxContext,
	video: Json,
	backend: Backend,
): { hash: string; job?: SandboxJob } {
	const uri = backend === 'gemini' ? video.uri : video.gcsUri;
	const bytes = backend === 'gemini' ? video.encodedVideo : video.bytesBase64Encoded;
	if (backend === 'gemini' && (video.gcsUri || video.bytesBase64Encoded))
		throw googleError(400, 'video takes uri or encodedVideo in the Gemini API.');
	if (backend === 'vertex' && (video.uri || video.encodedVideo))
		throw googleError(400, 'video takes gcsUri or bytesBase64Encoded on Vertex AI.');
	const resolved =
		typeof uri === 'string'
			? resolveMedia(ctx, uri)
			: typeof bytes === 'string'
				? { hash: sha256(Buffer.from(bytes, 'base64')) }
				: undefined;
	if (!resolved) throw googleError(400, 'video needs a previous Veo output.');
	const job = [...ctx.jobs.jobs.values()].find(
		(candidate) =>
			candidate.vendor === 'google' &&
			candidate.file &&
			sha256(readFileSync(candidate.file)) === resolved.hash,
	);
	if (!job) throw googleError(400, 'The input video must be a video generated by Veo.');
	return { hash: resolved.hash, job };
}

interface VeoRequest {
	model: string;
	backend: Backend;
	project: string;
	operationPrefix: string;
	body: Json;
}

function operationName(job: SandboxJob): string {
	return String(job.extra.operationName);
}

function createVeo(ctx: SandboxContext, request: VeoRequest): Json {
	const { model, backend, body } = request;
	if (RETIRED_VEO[model])
		throw googleError(
			404,
			`models/${model} is not found for API version v1beta, or is not supported for predictLongRunning. The model is no longer available (shut down ${RETIRED_VEO[model][backend]}).`,
		);
	const spec = VEO_MODELS[model];
	if (!spec || !spec.backends.includes(backend))
		throw googleError(
			404,
			`Publisher Model \`${model}\` was not found or your project does not have access to it.`,
		);
	const instances = body.instances;
	if (!Array.isArray(instances) || instances.length !== 1)
		throw googleError(400, 'instances must hold exactly one instance.');
	const instance = instances[0] as Json;
	const parameters = (body.parameters ?? {}) as Json;
	if (backend === 'gemini') {
		for (const field of [
			'seed',
			'generateAudio',
			'storageUri',
			'fps',
			'compressionQuality',
			'resizeMode',
			'pubsubTopic',
		]) {
			if (parameters[field] !== undefined)
				throw googleError(400, `parameters.${field} is not supported in the Gemini API.`);
		}
	}
	const durationSeconds = Number(parameters.durationSeconds ?? 8);
	if (!VEO_DURATIONS.includes(durationSeconds))
		throw googleError(
			400,
			`durationSeconds must be one of ${VEO_DURATIONS.join(', ')} for ${model}.`,
		);
	const aspectRatio = String(parameters.aspectRatio ?? '16:9');
	if (!VEO_ASPECT_RATIOS.includes(aspectRatio))
		throw googleError(400, `aspectRatio must be one of ${VEO_ASPECT_RATIOS.join(', ')}.`);
	let resolution = String(parameters.resolution ?? '720p');
	if (!spec.resolutions.includes(resolution))
		throw googleError(
			400,
			`resolution ${resolution} is not supported by ${model}; use one of ${spec.resolutions.join(', ')}.`,
		);
	const sampleCount = Number(parameters.sampleCount ?? 1);
	if (!Number.isInteger(sampleCount) || sampleCount < 1 || sampleCount > 4)
		throw googleError(400, 'sampleCount must be an integer from 1 to 4.');
	if (
		parameters.personGeneration !== undefined &&
		!PERSON_GENERATION.includes(parameters.personGeneration)
	) {
		throw googleError(400, `personGeneration must be one of ${PERSON_GENERATION.join(', ')}.`);
	}
	if (
		parameters.seed !== undefined &&
		!(Number.isInteger(parameters.seed) && parameters.seed >= 0 && parameters.seed <= 4294967295)
	) {
		throw googleError(400, 'seed must be an unsigned 32-bit integer.');
	}
	if (
		parameters.storageUri !== undefined &&
		!/^gs:\/\/[a-z0-9._-]+\/(.*\/)?$/.test(String(parameters.storageUri))
	) {
		throw googleError(400, 'storageUri must be a gs://bucket/prefix/ URI ending in /.');
	}
	const references = Array.isArray(instance.referenceImages)
		? (instance.referenceImages as Json[])
		: [];
	const image = decodeImage(ctx, instance.image, backend, 'instances[0].image');
	const lastFrame = decodeImage(ctx, instance.lastFrame, backend, 'instances[0].lastFrame');
	if (lastFrame && !image) throw googleError(400, 'lastFrame needs image (the first frame).');
	if (lastFrame && !spec.lastFrame) throw googleError(400, `${model} does not support lastFrame.`);
	const refHashes: string[] = [];
	if (references.length) {
		if (!spec.referenceImages) throw googleError(400, `${model} does not support referenceImages.`);
		if (references.length > 3) throw googleError(400, 'At most 3 referenceImages are supported.');
		if (image || lastFrame || instance.video)
			throw googleError(400, 'referenceImages cannot be combined with image, lastFrame or video.');
		if (durationSeconds !== 8 || aspectRatio !== '16:9')
			throw googleError(
				400,
				'Reference-to-video supports only durationSeconds 8 and aspectRatio 16:9.',
			);
		references.forEach((reference, index) => {
			const type = String(reference.referenceType ?? '').toUpperCase();
			if (type !== 'ASSET')
				throw googleError(
					400,
					`referenceImages[${index}].referenceType must be ASSET for ${model}.`,
				);
			refHashes.push(
				decodeImage(ctx, reference.image, backend, `instances[0].referenceImages[${index}].image`)!
					.hash,
			);
		});
	}
	let seconds = durationSeconds;
	let extendedFrom: SandboxJob | undefined;
	if (instance.video) {
		if (!spec.extension) throw googleError(400, `${model} does not support video extension.`);
		if (resolution !== '720p') throw googleError(400, 'Video extension supports only 720p.');
		const source = sourceVideo(ctx, instance.video as Json, backend);
		extendedFrom = source.job;
		seconds = Number(source.job?.spec.durationSeconds ?? 8) + 7;
		refHashes.push(...(source.job?.refsReceived ?? []));
	}
	const prompt = typeof instance.prompt === 'string' ? instance.prompt : '';
	if (!prompt.trim() && !image)
		throw googleError(
			400,
			'instances[0].prompt is required for text-to-video and reference-to-video.',
		);
	const audio = backend === 'gemini' ? true : parameters.generateAudio !== false;
	const [w, h] = RESOLUTION_PIXELS[resolution];
	const [width, height] = aspectRatio === '16:9' ? [w, h] : [h, w];
	const references4render = image ? [image.hash, ...refHashes] : refHashes;
	const renderSpec: RenderSpec = {
		kind: 'video',
		width,
		height,
		fps: 24,
		durationSeconds: seconds,
		audio,
		prompt: `${prompt}${parameters.seed !== undefined ? ` #seed${parameters.seed}` : ''}`,
		references: references4render,
		cast: castIdentities(prompt, references4render.length),
		palette: /#[0-9a-fA-F]{6}/.exec(prompt)?.[0] ? [/#[0-9a-fA-F]{6}/.exec(prompt)![0]] : undefined,
	};
	resolution = extendedFrom ? '720p' : resolution;
	checkConcurrency(ctx, request.project, model);
	const planned = planJob(ctx, 'google', model, renderSpec, {
		code: 'RAI',
		message: 'The video was filtered by responsible AI practices.',
	});
	const price = spec.price(backend, resolution, audio);
	const requestFingerprint = sha256(canonicalJson({ vendor: 'google', backend, model, body }));
	const opId = backend === 'gemini' ? randomBytes(8).toString('hex') : randomUUID();
	const job = ctx.jobs.create({
		vendor: 'google',
		model,
		account: request.project,
		renderMs: renderTime(ctx.config, 'google', model),
		spec: planned.spec,
		outcome: planned.outcome,
		refsReceived: references4render,
		requestFingerprint,
		request: body,
		extra: {
			backend,
			sampleCount,
			storageUri: parameters.storageUri,
			operationName: `${request.operationPrefix}/${model}/operations/${opId}`,
			seconds,
			drift: planned.drift,
		},
		onSucceeded: (done) => {
			ctx.ledger.charge({
				vendor: 'google',
				model,
				jobId: operationName(done),
				units: seconds * sampleCount,
				unit: 'second',
				usd: Math.round(seconds * sampleCount * price * 1e6) / 1e6,
				requestFingerprint,
			});
		},
	});
	return { name: operationName(job) };
}

function operationResponse(ctx: SandboxContext, job: SandboxJob): Json {
	const name = operationName(job);
	const backend = job.extra.backend as Backend;
	if (job.state !== 'succeeded' && job.state !== 'failed' && job.state !== 'cancelled')
		return {
			name,
			done: false,
			metadata: {
				'@type': 'type.googleapis.com/google.cloud.aiplatform.v1.GenericOperationMetadata',
			},
		};
	if (job.state === 'cancelled')
		return {
			name,
			done: true,
			error: { code: 1, message: 'Operation was cancelled.', status: 'CANCELLED' },
		};
	if (job.state === 'failed') {
		const failure = job.failure!;
		if (failure.code === 'RAI') {
			const reasons = [
				`${failure.message} Support codes: ${RAI_SUPPORT_CODES[parseInt(job.id.slice(0, 2), 16) % RAI_SUPPORT_CODES.length]}`,
			];
			return backend === 'gemini'
				? {
						name,
						done: true,
						response: {
							'@type':
								'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse',
							generateVideoResponse: { raiMediaFilteredCount: 1, raiMediaFilteredReasons: reasons },
						},
					}
				: {
						name,
						done: true,
						response: {
							'@type': 'type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse',
							raiMediaFilteredCount: 1,
							raiMediaFilteredReasons: reasons,
							videos: [],
						},
					};
		}
		return {
			name,
			done: true,
			error: {
				code: 13,
				message: failure.message,
				status: failure.code === 'INTERNAL' ? 'INTERNAL' : failure.code,
			},
		};
	}
	const samples = Number(job.extra.sampleCount ?? 1);
	if (backend === 'gemini') {
		const generatedSamples = Array.from({ length: samples }, (_, index) => {
			const fileName = `files/${job.id.replace(/-/g, '').slice(0, 12)}${index}`;
			registerGeneratedFile(ctx, job, fileName);
			return { video: { uri: `${ctx.origin()}/gemini/v1beta/${fileName}:download?alt=media` } };
		});
		return {
			name,
			done: true,
			response: {
				'@type':
					'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse',
				generateVideoResponse: { generatedSamples, raiMediaFilteredCount: 0 },
			},
		};
	}
	const storageUri = job.extra.storageUri as string | undefined;
	const videos = Array.from({ length: samples }, (_, index) => {
		if (storageUri) {
			const gcsUri = `${storageUri}${name.split('/').pop()}/sample_${index}.mp4`;
			ctx.google.gcs.set(gcsUri, job.file!);
			return { gcsUri, mimeType: 'video/mp4' };
		}
		return {
			bytesBase64Encoded: readFileSync(job.file!).toString('base64'),
			mimeType: 'video/mp4',
		};
	});
	return {
		name,
		done: true,
		response: {
			'@type': 'type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse',
			raiMediaFilteredCount: 0,
			videos,
		},
	};
}

function registerGeneratedFile(ctx: SandboxContext, job: SandboxJob, name: string): void {
	if (ctx.google.files.has(name)) return;
	const now = Date.now();
	ctx.google.files.set(name, {
		name,
		mimeType: 'video/mp4',
		path: job.file,
		createdAt: now,
		expiresAt: job.expiresAt,
		activeAt: now,
	});
	ctx.media.set(`${ctx.origin()}/gemini/v1beta/${name}:download`, job.file!);
}

function findOperation(ctx: SandboxContext, name: string): SandboxJob {
	for (const job of ctx.jobs.jobs.values())
		if (job.vendor === 'google' && job.extra.operationName === name) return job;
	throw googleError(404, `Operation ${name} not found.`);
}

function textOf(contents: unknown): string {
	if (!Array.isArray(contents)) return '';
	return contents
		.flatMap((content: Json) => (Array.isArray(content.parts) ? content.parts : []))
		.map((part: Json) => (typeof part.text === 'string' ? part.text : ''))
		.join('\n');
}

async function generateContent(
	ctx: SandboxContext,
	model: string,
	body: Json,
	res: ServerResponse,
): Promise<void> {
	const price = GEMINI_TEXT_MODELS[model];
	if (!price)
		throw googleError(
			404,
			`models/${model} is not found for API version v1beta, or is not supported for generateContent.`,
		);
	if (!Array.isArray(body.contents) || !body.contents.length)
		throw googleError(400, '* GenerateContentRequest.contents: contents is not specified');
	const config = (body.generationConfig ?? {}) as Json;
	if (config.responseJsonSchema && config.responseSchema)
		throw googleError(400, 'responseJsonSchema and responseSchema are mutually exclusive.');
	const parts = body.contents.flatMap((content: Json) =>
		Array.isArray(content.parts) ? content.parts : [],
	) as Json[];
	let clip: string | undefined;
	let previous: string | undefined;
	const referenceHashes: string[] = [];
	let mediaTokens = 0;
	for (const part of parts) {
		const inline = part.inlineData as Json | undefined;
		const file = part.fileData as Json | undefined;
		const mimeType = String(inline?.mimeType ?? file?.mimeType ?? '');
		if (!inline && !file) continue;
		const resolved = inline
			? { bytes: Buffer.from(String(inline.data ?? ''), 'base64') }
			: resolveMedia(ctx, String(file!.fileUri));
		if (file && !('bytes' in resolved && resolved.bytes) && !('path' in resolved && resolved.path))
			throw googleError(400, `Cannot fetch content from the provided URL: ${String(file.fileUri)}`);
		if (mimeType.startsWith('video/')) {
			const file =
				'path' in resolved && resolved.path ? resolved.path : clipFromBytes(resolved.bytes!);
			if (!clip) clip = file;
			else previous ??= file;
			mediaTokens += 300 * 8;
		} else if (mimeType.startsWith('image/')) {
			referenceHashes.push(sha256(resolved.bytes ?? Buffer.alloc(0)));
			mediaTokens += 258;
		}
	}
	const text = textOf(body.contents);
	const schema = (config.responseJsonSchema ?? config.responseSchema) as Json | undefined;
	let answer: string;
	const normalisedSchema = schema
		? (JSON.parse(
				JSON.stringify(schema).replace(
					/"type":"([A-Z]+)"/g,
					(_m, t: string) => `"type":"${t.toLowerCase()}"`,
				),
			) as Json)
		: undefined;
	if (asksForFrames(normalisedSchema)) {
		answer = JSON.stringify(await judgeFrames(readSections(mediaParts(ctx, parts)), ctx.judge));
	} else if (schema) {
		const normalised = JSON.parse(
			JSON.stringify(schema).replace(
				/"type":"([A-Z]+)"/g,
				(_m, t: string) => `"type":"${t.toLowerCase()}"`,
			),
		) as Json;
		answer = JSON.stringify(
			clip || referenceHashes.length
				? scoresToSchema(normalised, await judge({ clip, previous, referenceHashes, text }), text)
				: (await import('../schemaInstance')).instanceFor(normalised, text),
		);
	} else {
		const scores = clip ? await judge({ clip, referenceHashes, text }) : undefined;
		answer = scores
			? `Identity ${scores.identity}, colour ${scores.colour}. ${scores.issues.join(' ')}`.trim()
			: `Sandbox answer to: ${text.slice(0, 200)}`;
	}
	const promptTokenCount = Math.ceil(text.length / 4) + mediaTokens;
	const candidatesTokenCount = Math.ceil(answer.length / 4);
	const responseId = randomBytes(10).toString('hex');
	ctx.ledger.charge({
		vendor: 'google',
		model,
		jobId: responseId,
		units: promptTokenCount + candidatesTokenCount,
		unit: 'token',
		usd:
			Math.round(
				((promptTokenCount * price.input + candidatesTokenCount * price.output) / 1e6) * 1e6,
			) / 1e6,
		requestFingerprint: sha256(canonicalJson({ vendor: 'google', model, body })),
	});
	sendJson(res, 200, {
		candidates: [
			{ content: { role: 'model', parts: [{ text: answer }] }, finishReason: 'STOP', index: 0 },
		],
		usageMetadata: {
			promptTokenCount,
			candidatesTokenCount,
			totalTokenCount: promptTokenCount + candidatesTokenCount,
		},
		modelVersion: model,
		responseId,
	});
}

/** The request's parts in order, as the frame judge reads them: label texts, clips (as files) and images (as hashes). */
function mediaParts(ctx: SandboxContext, parts: Json[]): MediaPart[] {
	return parts.flatMap((part): MediaPart[] => {
		if (typeof part.text === 'string') return [{ kind: 'text', text: part.text }];
		const inline = part.inlineData as Json | undefined;
		const file = part.fileData as Json | undefined;
		if (!inline && !file) return [];
		const mimeType = String(inline?.mimeType ?? file?.mimeType ?? '');
		const resolved = inline
			? { bytes: Buffer.from(String(inline.data ?? ''), 'base64'), path: undefined }
			: resolveMedia(ctx, String(file!.fileUri));
		if (mimeType.startsWith('video/'))
			return [{ kind: 'video', file: resolved.path ?? clipFromBytes(resolved.bytes!) }];
		if (mimeType.startsWith('image/'))
			return [{ kind: 'image', hash: sha256(resolved.bytes ?? Buffer.alloc(0)) }];
		return [];
	});
}

function countTokens(body: Json): Json {
	const contents = body.contents ?? body.generateContentRequest?.contents;
	return { totalTokens: Math.ceil(textOf(contents).length / 4) + 1 };
}

const VERTEX_REGIONAL =
	/^\/(v1|v1beta1)\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):([A-Za-z]+)$/;
const VERTEX_EXPRESS = /^\/(v1|v1beta1)\/publishers\/google\/models\/([^/:]+):([A-Za-z]+)$/;

export const vertexHandler: VendorHandler = {
	vendor: 'google',
	classify(req) {
		const match = VERTEX_REGIONAL.exec(req.path) ?? VERTEX_EXPRESS.exec(req.path);
		const method = match?.[match.length - 1];
		const model = match?.[match.length - 2];
		if (method === 'predictLongRunning') return { op: 'submit', model };
		if (method === 'fetchPredictOperation') return { op: 'poll', model };
		if (method === 'generateContent') return { op: 'submit', model };
		return { op: 'other', model };
	},
	errorBody(status, message, extra) {
		return { body: googleErrorBody(status, message, extra?.retryAfterSeconds), headers: {} };
	},
	async handle(ctx, req, res) {
		if (req.method !== 'POST')
			throw googleError(404, `Method ${req.method} ${req.path} is not found.`);
		if (req.json === Symbol.for('invalid-json'))
			throw googleError(400, 'Invalid JSON payload received.');
		const body = (req.json ?? {}) as Json;
		const regional = VERTEX_REGIONAL.exec(req.path);
		const express = regional ? undefined : VERTEX_EXPRESS.exec(req.path);
		if (!regional && !express)
			throw googleError(404, `The requested URL ${req.path} was not found on this server.`);
		let project: string;
		let prefix: string;
		let model: string;
		let method: string;
		if (regional) {
			requireToken(ctx, req);
			[, , project, , model, method] = regional;
			if (project !== ctx.config.googleProject)
				throw googleError(
					403,
					`Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/${project}' (or it may not exist).`,
				);
			prefix = `projects/${project}/locations/${regional[3]}/publishers/google/models`;
		} else {
			requireKey(ctx, req);
			[, , model, method] = express!;
			project = `express-${sha256(apiKey(req)!).slice(0, 8)}`;
			prefix = 'publishers/google/models';
		}
		switch (method) {
			case 'predictLongRunning':
				checkRate(ctx, project);
				return sendJson(
					res,
					200,
					createVeo(ctx, { model, backend: 'vertex', project, operationPrefix: prefix, body }),
				);
			case 'fetchPredictOperation': {
				const name = String(body.operationName ?? '');
				if (!name.startsWith(`${prefix}/${model}/operations/`))
					throw googleError(400, 'operationName must belong to the model in the request path.');
				return sendJson(res, 200, operationResponse(ctx, findOperation(ctx, name)));
			}
			case 'generateContent':
				return await generateContent(ctx, model, body, res);
			case 'countTokens':
				return sendJson(res, 200, countTokens(body));
		}
		throw googleError(404, `Method ${method} is not found.`);
	},
};

export const geminiHandler: VendorHandler = {
	vendor: 'google',
	classify(req) {
		const match = /^\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/.exec(req.path);
		if (match?.[2] === 'predictLongRunning' || match?.[2] === 'generateContent')
			return { op: 'submit', model: match[1] };
		if (/^\/v1beta\/models\/[^/]+\/operations\/[^/]+$/.test(req.path)) return { op: 'poll' };
		if (/:download$/.test(req.path)) return { op: 'download' };
		return { op: 'other' };
	},
	errorBody(status, message, extra) {
		return { body: googleErrorBody(status, message, extra?.retryAfterSeconds), headers: {} };
	},
	async handle(ctx, req, res) {
		const { method, path } = req;
		if (path.startsWith('/upload/v1beta/files')) return await handleUpload(ctx, req, res);
		requireKey(ctx, req);
		if (req.json === Symbol.for('invalid-json'))
			throw googleError(400, 'Invalid JSON payload received.');
		const body = (req.json ?? {}) as Json;
		let match: RegExpExecArray | null;
		if (method === 'GET' && path === '/v1beta/models') {
			const models = [
				...Object.keys(VEO_MODELS).map((id) => ({
					name: `models/${id}`,
					displayName: id,
					supportedGenerationMethods: ['predictLongRunning'],
				})),
				...Object.keys(GEMINI_TEXT_MODELS).map((id) => ({
					name: `models/${id}`,
					displayName: id,
					supportedGenerationMethods: ['generateContent', 'countTokens'],
				})),
			];
			return sendJson(res, 200, { models });
		}
		if (method === 'POST' && (match = /^\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/.exec(path))) {
			const [, model, verb] = match;
			if (verb === 'predictLongRunning')
				return sendJson(
					res,
					200,
					createVeo(ctx, {
						model,
						backend: 'gemini',
						project: `gemini-${sha256(apiKey(req)!).slice(0, 8)}`,
						operationPrefix: 'models',
						body,
					}),
				);
			if (verb === 'generateContent') return await generateContent(ctx, model, body, res);
			if (verb === 'countTokens') return sendJson(res, 200, countTokens(body));
		}
		if (method === 'GET' && (match = /^\/v1beta\/(models\/[^/]+\/operations\/[^/]+)$/.exec(path))) {
			return sendJson(res, 200, operationResponse(ctx, findOperation(ctx, match[1])));
		}
		if (method === 'GET' && (match = /^\/v1beta\/(files\/[^/:]+):download$/.exec(path))) {
			const file = ctx.google.files.get(match[1]);
			if (
				!file ||
				(file.expiresAt ?? Infinity) <= Date.now() ||
				ctx.faults.draw('google', 'download', undefined, ['expired'])
			) {
				throw googleError(404, `File ${match[1]} does not exist or has expired.`);
			}
			return file.bytes
				? sendBytes(req, res, file.bytes, file.mimeType)
				: sendFile(req, res, file.path!, file.mimeType);
		}
		if ((match = /^\/v1beta\/(files\/[^/:]+)$/.exec(path))) {
			const file = ctx.google.files.get(match[1]);
			if (!file) throw googleError(404, `File ${match[1]} not found.`);
			if (method === 'DELETE') {
				ctx.google.files.delete(match[1]);
				return sendJson(res, 200, {});
			}
			return sendJson(res, 200, fileObject(ctx, file));
		}
		throw googleError(404, `The requested URL ${path} was not found on this server.`);
	},
};

function fileObject(
	ctx: SandboxContext,
	file: SandboxContext['google']['files'] extends Map<string, infer F> ? F : never,
): Json {
	const size = file.bytes?.length ?? (file.path ? statSync(file.path).size : 0);
	return {
		name: file.name,
		displayName: file.displayName,
		mimeType: file.mimeType,
		sizeBytes: String(size),
		createTime: new Date(file.createdAt).toISOString(),
		expirationTime: new Date(file.expiresAt ?? file.createdAt + 48 * 3600 * 1000).toISOString(),
		uri: `${ctx.origin()}/gemini/v1beta/${file.name}`,
		state: Date.now() >= file.activeAt ? 'ACTIVE' : 'PROCESSING',
		source: 'UPLOADED',
	};
}

/** The Files API's resumable upload: start (returns x-goog-upload-url), then upload[, finalize]. */
async function handleUpload(
	ctx: SandboxContext,
	req: SandboxRequest,
	res: ServerResponse,
): Promise<void> {
	const command = String(req.headers['x-goog-upload-command'] ?? '').toLowerCase();
	const session = /^\/upload\/v1beta\/files\/session\/([^/]+)$/.exec(req.path)?.[1];
	if (!session) {
		requireKey(ctx, req);
		if (String(req.headers['x-goog-upload-protocol'] ?? '') !== 'resumable' || command !== 'start')
			throw googleError(
				400,
				'Only resumable uploads (X-Goog-Upload-Protocol: resumable, X-Goog-Upload-Command: start) are supported.',
			);
		const id = randomBytes(8).toString('hex');
		const meta = ((req.json ?? {}) as Json).file ?? {};
		ctx.google.uploads.set(id, {
			displayName: meta.displayName ?? meta.display_name,
			mimeType: String(
				req.headers['x-goog-upload-header-content-type'] ?? 'application/octet-stream',
			),
			size: Number(req.headers['x-goog-upload-header-content-length'] ?? 0),
			chunks: [],
		});
		res.writeHead(200, {
			'x-goog-upload-url': `${ctx.origin()}/gemini/upload/v1beta/files/session/${id}`,
			'x-goog-upload-status': 'active',
			'content-type': 'application/json',
		});
		res.end('{}');
		return;
	}
	const upload = ctx.google.uploads.get(session);
	if (!upload) throw googleError(404, 'Upload session not found.');
	const offset = Number(req.headers['x-goog-upload-offset'] ?? 0);
	const received = upload.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
	if (offset !== received)
		throw googleError(
			400,
			`X-Goog-Upload-Offset ${offset} does not match the ${received} bytes received.`,
		);
	upload.chunks.push(req.raw);
	if (!command.includes('finalize')) {
		res.writeHead(200, { 'x-goog-upload-status': 'active' });
		res.end();
		return;
	}
	ctx.google.uploads.delete(session);
	const bytes = Buffer.concat(upload.chunks);
	const name = `files/${randomBytes(6).toString('hex')}`;
	const now = Date.now();
	const file = {
		name,
		displayName: upload.displayName,
		mimeType: upload.mimeType,
		bytes,
		createdAt: now,
		expiresAt: now + 48 * 3600 * 1000,
		activeAt: now + 200,
	};
	ctx.google.files.set(name, file);
	res.writeHead(200, { 'x-goog-upload-status': 'final', 'content-type': 'application/json' });
	res.end(
		JSON.stringify({
			file: {
				...fileObject(ctx, file),
				state: 'PROCESSING',
				sha256Hash: Buffer.from(sha256(bytes)).toString('base64'),
			},
		}),
	);
}

/** OAuth 2.0 token endpoint for the jwt-bearer grant (RFC 7523). */
export async function handleToken(
	ctx: SandboxContext,
	req: SandboxRequest,
	res: ServerResponse,
): Promise<void> {
	const { checkAssertion } = await import('../serviceAccount');
	const form = req.form;
	const grant = String(form?.get('grant_type') ?? '');
	if (req.method !== 'POST' || grant !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
		return sendJson(res, 400, {
			error: 'unsupported_grant_type',
			error_description: 'Invalid grant_type: expected urn:ietf:params:oauth:grant-type:jwt-bearer',
		});
	}
	const check = checkAssertion(
		String(form?.get('assertion') ?? ''),
		ctx.google.serviceAccount,
		`${ctx.origin()}/oauth2/token`,
		Math.floor(Date.now() / 1000),
	);
	if (!check.ok)
		return sendJson(res, 400, { error: check.error, error_description: check.description });
	const token = `ya29.sandbox-${randomBytes(24).toString('base64url')}`;
	ctx.google.tokens.set(token, { expiresAt: Date.now() + ctx.config.tokenTtlSeconds * 1000 });
	sendJson(res, 200, {
		access_token: token,
		expires_in: ctx.config.tokenTtlSeconds,
		token_type: 'Bearer',
	});
}

/** Cloud Storage JSON API media download for outputs written to storageUri. */
export async function handleGcs(
	ctx: SandboxContext,
	req: SandboxRequest,
	res: ServerResponse,
): Promise<void> {
	const match = /^\/(?:download\/)?storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(req.path);
	if (!match || req.method !== 'GET') throw googleError(404, 'Not Found');
	requireToken(ctx, req);
	const uri = `gs://${match[1]}/${decodeURIComponent(match[2])}`;
	const file = ctx.google.gcs.get(uri);
	if (!file) throw googleError(404, `No such object: ${match[1]}/${decodeURIComponent(match[2])}`);
	if (req.query.get('alt') !== 'media')
		return sendJson(res, 200, {
			kind: 'storage#object',
			bucket: match[1],
			name: decodeURIComponent(match[2]),
			contentType: 'video/mp4',
			size: String(statSync(file).size),
		});
	sendFile(req, res, file, 'video/mp4');
}
