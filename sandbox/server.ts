import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultConfig, type SandboxConfig } from './config';
import type { SandboxContext, VendorHandler } from './context';
import { FaultInjector, faultPlanFromEnv, type FaultPlan } from './faults';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpError, readRequest, requestPrompt, sendBytes, sendFile, sendJson } from './http';
import { JobEngine } from './jobs';
import { BillingLedger } from './ledger';
import { assertFfmpeg } from './media/render';
import { SAMPLE_TAG, samplePng } from './media/samples';
import { createServiceAccount } from './serviceAccount';
import { geminiHandler, handleGcs, handleToken, vertexHandler } from './vendors/google';
import { googleErrorBody } from './vendors/googleErrors';
import { openaiHandler } from './vendors/openai';
import { handleRunwayCdn, handleRunwayUpload, runwayHandler } from './vendors/runway';
import { JudgeNoise, type JudgeNoiseSettings } from './vendors/judgeFrames';
import { falHandler } from './vendors/fal';
import { replicateHandler } from './vendors/replicate';
import { randomBytes } from 'node:crypto';

export interface SandboxOptions {
	port?: number;
	host?: string;
	config?: Partial<SandboxConfig>;
	faults?: FaultPlan;
	env?: NodeJS.ProcessEnv;
}

export interface Sandbox {
	origin: string;
	port: number;
	baseUrls: {
		openai: string;
		gemini: string;
		vertex: string;
		token: string;
		gcs: string;
		runway: string;
		falQueue: string;
		falApi: string;
		replicate: string;
	};
	context: SandboxContext;
	setFaults(plan: FaultPlan): void;
	stop(): Promise<void>;
}

/** Vendor handlers by path prefix. */
const googleSide = (handle: VendorHandler['handle']): VendorHandler => ({
	vendor: 'google',
	classify: () => ({ op: 'other' }),
	errorBody: (status, message, extra) => ({
		body: googleErrorBody(status, message, extra?.retryAfterSeconds),
		headers: {},
	}),
	handle,
});

const HANDLERS: Array<{ prefix: string; handler: VendorHandler }> = [
	{ prefix: '/openai', handler: openaiHandler },
	{ prefix: '/vertex', handler: vertexHandler },
	{ prefix: '/gemini', handler: geminiHandler },
	{ prefix: '/oauth2/token', handler: googleSide(handleToken) },
	{ prefix: '/gcs', handler: googleSide(handleGcs) },
	{ prefix: '/runway', handler: runwayHandler },
	{
		prefix: '/runway-upload',
		handler: { ...runwayHandler, classify: () => ({ op: 'other' }), handle: handleRunwayUpload },
	},
	{
		prefix: '/runway-cdn',
		handler: { ...runwayHandler, classify: () => ({ op: 'download' }), handle: handleRunwayCdn },
	},
	{ prefix: '/fal', handler: falHandler },
	{ prefix: '/replicate', handler: replicateHandler },
];

function mimeTypeOf(file: string): string {
	const ext = path.extname(file).toLowerCase();
	return (
		(
			{
				'.png': 'image/png',
				'.jpg': 'image/jpeg',
				'.jpeg': 'image/jpeg',
				'.webp': 'image/webp',
				'.mp4': 'video/mp4',
				'.cube': 'text/plain',
			} as Record<string, string>
		)[ext] ?? 'application/octet-stream'
	);
}

function sendVendorError(
	res: ServerResponse,
	handler: VendorHandler,
	status: number,
	message: string,
	extra?: { code?: string; retryAfterSeconds?: number },
): void {
	const { body, headers } = handler.errorBody(status, message, extra);
	sendJson(res, status, body, headers);
}

async function applyTransportFault(
	ctx: SandboxContext,
	handler: VendorHandler,
	req: IncomingMessage,
	res: ServerResponse,
	op: 'submit' | 'poll' | 'download' | 'other',
	model?: string,
	prompt?: string,
): Promise<boolean | 'afterSend'> {
	const fault = ctx.faults.draw(
		handler.vendor,
		op,
		model,
		['rate_limit', 'server_error', 'reset', 'slow', 'malformed'],
		prompt,
	);
	if (!fault) return false;
	switch (fault.fault) {
		case 'reset':
			req.socket.destroy();
			return true;
		case 'slow':
			await new Promise((resolve) => setTimeout(resolve, Number(fault.params?.delayMs ?? 2000)));
			return false;
		case 'rate_limit':
			sendVendorError(
				res,
				handler,
				429,
				String(fault.params?.message ?? 'Rate limit reached; please retry after a short wait.'),
				{ retryAfterSeconds: Number(fault.params?.retryAfterSeconds ?? 1) },
			);
			return true;
		case 'server_error': {
			// A vendor that accepted (and billed) the job but answered 5xx: the client never sees the job ID.
			if (fault.params?.afterSend && op === 'submit') return 'afterSend';
			const status = Number(fault.params?.status ?? 500);
			sendVendorError(
				res,
				handler,
				status,
				String(fault.params?.message ?? 'The server had an error while processing your request.'),
			);
			return true;
		}
		case 'malformed':
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"id": "trunc');
			return true;
	}
	return false;
}

/**
 * Lets the vendor handle the submit (the job is created and charged), then throws its answer away
 * and sends a 5xx instead. The jobs charged meanwhile go on the fault's log entry, so a test can
 * tell a render the client was never told about from one it lost.
 */
async function handleThenFail(
	ctx: SandboxContext,
	handler: VendorHandler,
	request: Awaited<ReturnType<typeof readRequest>>,
	res: ServerResponse,
): Promise<void> {
	const logged = ctx.faults.log[ctx.faults.log.length - 1];
	const charged = ctx.ledger.entries.length;
	const known = new Set(ctx.jobs.jobs.keys());
	const discard = {
		writeHead: () => discard,
		setHeader: () => discard,
		write: () => true,
		end: () => discard,
		headersSent: false,
	};
	await handler.handle(ctx, request, discard as unknown as ServerResponse);
	// Vendors that charge at submit show on the ledger now; Google charges a render when it succeeds,
	// under its operation name, so the new jobs are named both ways.
	if (logged)
		logged.jobIds = [
			...ctx.ledger.entries.slice(charged).map((entry) => entry.jobId),
			...[...ctx.jobs.jobs.values()]
				.filter((job) => !known.has(job.id))
				.flatMap((job) => [job.id, job.extra?.operationName].filter(Boolean) as string[]),
		];
	sendVendorError(res, handler, 500, 'The server had an error while processing your request.');
}

async function control(
	ctx: SandboxContext,
	sandbox: () => Sandbox,
	req: IncomingMessage,
	res: ServerResponse,
): Promise<void> {
	const request = await readRequest(req, '/_sandbox'.length);
	const body = (request.json ?? {}) as Record<string, unknown>;
	switch (`${request.method} ${request.path}`) {
		case 'GET /ledger':
			return sendJson(res, 200, ctx.ledger.summary());
		case 'GET /jobs':
			return sendJson(res, 200, {
				jobs: [...ctx.jobs.jobs.values()].map(
					({ spec, onSucceeded: _cb, file: _file, ...job }) => ({ ...job, spec }),
				),
			});
		case 'GET /webhooks':
			return sendJson(res, 200, { webhooks: ctx.aggregators.webhooks });
		case 'GET /traffic':
			return sendJson(res, 200, Object.fromEntries(ctx.traffic));
		case 'GET /faults':
			return sendJson(res, 200, { ...ctx.faults.plan(), log: ctx.faults.log });
		case 'POST /faults':
			ctx.faults.configure(body as unknown as FaultPlan);
			return sendJson(res, 200, ctx.faults.plan());
		case 'GET /judge':
			return sendJson(res, 200, { ...ctx.judge.settings, calls: ctx.judge.calls });
		case 'POST /judge': {
			const settings: Partial<JudgeNoiseSettings> = {};
			for (const key of ['falseNegativeRate', 'falsePositiveRate', 'seed'] as const) {
				if (body[key] === undefined) continue;
				const value = Number(body[key]);
				if (!Number.isFinite(value) || (key !== 'seed' && (value < 0 || value > 1)))
					return sendJson(res, 400, {
						error: `${key} must be ${key === 'seed' ? 'a number' : 'a rate from 0 to 1'}`,
					});
				settings[key] = value;
			}
			ctx.judge.configure(settings);
			ctx.config.judge = { ...ctx.judge.settings };
			return sendJson(res, 200, ctx.judge.settings);
		}
		case 'GET /config':
			return sendJson(res, 200, { ...ctx.config, keys: undefined, baseUrls: sandbox().baseUrls });
		case 'PATCH /config':
			Object.assign(ctx.config, body);
			return sendJson(res, 200, { ok: true });
		case 'GET /assets':
			return sendJson(res, 200, {
				assets: [...ctx.media.keys()].filter((url) => url.startsWith(`${ctx.origin()}/assets/`)),
			});
		case 'GET /service-account':
			return sendJson(res, 200, ctx.google.serviceAccount.json);
		case 'POST /reset':
			ctx.jobs.clear();
			ctx.ledger.clear();
			ctx.runway.credits.clear();
			ctx.runway.generations.clear();
			ctx.runway.uploads.clear();
			ctx.google.files.clear();
			ctx.google.requestLog.clear();
			ctx.traffic.clear();
			ctx.aggregators.webhooks.length = 0;
			ctx.faults.configure({ rules: [] });
			ctx.judge.configure({ falseNegativeRate: 0, falsePositiveRate: 0 });
			return sendJson(res, 200, { ok: true });
	}
	const asset = /^\/assets\/([A-Za-z0-9._-]+)$/.exec(request.path)?.[1];
	if (asset && request.method === 'PUT') {
		// Reference images for tests and templates: served at /assets/<name> like any https asset host.
		const dir = path.join(
			process.env.SANDBOX_MEDIA_DIR ?? path.join(tmpdir(), 'vp-sandbox-media'),
			'assets',
		);
		mkdirSync(dir, { recursive: true });
		const file = path.join(dir, `${Date.now()}-${asset}`);
		writeFileSync(file, request.raw);
		const url = `${ctx.origin()}/assets/${asset}`;
		ctx.media.set(url, file);
		return sendJson(res, 201, { url });
	}
	sendJson(res, 404, {
		error: `unknown control endpoint ${request.method} /_sandbox${request.path}`,
	});
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	await assertFfmpeg();
	const env = options.env ?? process.env;
	const config: SandboxConfig = { ...defaultConfig(env), ...(options.config ?? {}) };
	const faults = new FaultInjector();
	const plan = options.faults ?? faultPlanFromEnv(env);
	if (plan) faults.configure(plan);
	let origin = '';
	const context: SandboxContext = {
		config,
		faults,
		judge: new JudgeNoise({ ...config.judge }),
		traffic: new Map(),
		media: new Map(),
		runway: { credits: new Map(), generations: new Map(), uploads: new Map() },
		openai: { characters: new Map() },
		aggregators: {
			webhooks: [],
			replicateWebhookSecret: `whsec_${randomBytes(24).toString('base64')}`,
		},
		google: {
			projectId: config.googleProject,
			serviceAccount: createServiceAccount(config.googleProject, 'http://127.0.0.1/oauth2/token'),
			tokens: new Map(),
			files: new Map(),
			uploads: new Map(),
			gcs: new Map(),
			requestLog: new Map(),
		},
		ledger: new BillingLedger(),
		jobs: new JobEngine({
			concurrency: (vendor) => config.concurrency[vendor] ?? Infinity,
			outputTtlMs: () => config.outputTtlMs,
		}),
		origin: () => origin,
	};
	let sandbox: Sandbox;

	const server: Server = createServer((req, res) => {
		const url = req.url ?? '/';
		void (async () => {
			if (url.startsWith('/_sandbox/')) return await control(context, () => sandbox, req, res);
			const sample = /^\/assets\/samples\/([^/?]+)\.png(?:\?|$)/.exec(url)?.[1];
			if (sample !== undefined) {
				// Counted like a vendor call, so a test can prove the sample references were fetched.
				if (!SAMPLE_TAG.test(sample)) return sendJson(res, 404, { error: 'no such sample' });
				const counter = `assets:samples/${sample}.png`;
				context.traffic.set(counter, (context.traffic.get(counter) ?? 0) + 1);
				return sendBytes(req, res, samplePng(sample), 'image/png');
			}
			if (url.startsWith('/assets/')) {
				const file = context.media.get(`${origin}${url.split('?')[0]}`);
				if (!file) return sendJson(res, 404, { error: 'no such asset' });
				return sendFile(req, res, file, mimeTypeOf(file));
			}
			const route = HANDLERS.find(({ prefix }) => url === prefix || url.startsWith(`${prefix}/`));
			if (!route) return sendJson(res, 404, { error: `no vendor is served at ${url}` });
			const request = await readRequest(req, route.prefix.length);
			const { op, model } = route.handler.classify(request);
			const counter = `${route.handler.vendor}:${op}`;
			context.traffic.set(counter, (context.traffic.get(counter) ?? 0) + 1);
			const fault = await applyTransportFault(
				context,
				route.handler,
				req,
				res,
				op,
				model,
				requestPrompt(request),
			);
			if (fault === true) return;
			try {
				if (fault === 'afterSend')
					return await handleThenFail(context, route.handler, request, res);
				await route.handler.handle(context, request, res);
			} catch (error) {
				if (error instanceof HttpError)
					return sendJson(res, error.status, error.body, error.headers);
				console.error('sandbox error', error);
				sendVendorError(res, route.handler, 500, `sandbox failure: ${(error as Error).message}`);
			}
		})().catch((error) => {
			if (!res.headersSent) sendJson(res, 500, { error: String(error) });
		});
	});
	server.keepAliveTimeout = 1000;

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	origin = `http://${options.host ?? '127.0.0.1'}:${port}`;
	context.google.serviceAccount.json.token_uri = `${origin}/oauth2/token`;
	sandbox = {
		origin,
		port,
		baseUrls: {
			openai: `${origin}/openai/v1`,
			gemini: `${origin}/gemini`,
			vertex: `${origin}/vertex`,
			token: `${origin}/oauth2/token`,
			gcs: `${origin}/gcs`,
			runway: `${origin}/runway`,
			falQueue: `${origin}/fal/queue`,
			falApi: `${origin}/fal/api/v1`,
			replicate: `${origin}/replicate`,
		},
		context,
		setFaults: (faultPlan) => faults.configure(faultPlan),
		stop: async () => {
			context.jobs.stop();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
	return sandbox;
}
