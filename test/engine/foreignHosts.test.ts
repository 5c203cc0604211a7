import { readFileSync } from 'node:fs';
import {
	createServer,
	type IncomingHttpHeaders,
	type IncomingMessage,
	type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { runWorkflow, type RunResult } from '../harness/engine';
import { validShotItem } from '../fixtures/shotItem';
import { asItems, shotItems, singleNode } from '../harness/pipeline';
import {
	credentialsFor,
	sandboxJobs,
	sandboxLedger,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';
import makeFixtures, { FIXTURE_DIR } from '../setup/fixtures';

jest.setTimeout(180_000);

/** What a foreign listener was sent: every request, its headers, and how many body bytes it wrote back. */
interface Seen {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
	bytesWritten: number;
	closedEarly: boolean;
	/** Settles when the response is over: finished, or cut off by the client. */
	done: Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void | Promise<void>;

interface Listener {
	origin: string;
	port: number;
	seen: Seen[];
	handle(handler: Handler): void;
	close(): Promise<void>;
}

/** A local HTTP listener standing in for a host an item names (another port is another origin). */
async function listener(): Promise<Listener> {
	let handler: Handler = (_req, res) => void res.writeHead(404).end();
	const seen: Seen[] = [];
	const server = createServer((req, res) => {
		let settle!: () => void;
		const entry: Seen = {
			method: req.method ?? '',
			url: req.url ?? '',
			headers: req.headers,
			bytesWritten: 0,
			closedEarly: false,
			done: new Promise<void>((resolve) => (settle = resolve)),
		};
		seen.push(entry);
		res.on('close', () => {
			entry.closedEarly = !res.writableFinished;
			settle();
		});
		void handler(req, res, entry);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		origin: `http://127.0.0.1:${port}`,
		port,
		seen,
		handle: (next) => {
			handler = next;
			seen.length = 0;
		},
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** Writes `total` bytes in 1 MB chunks, waiting for the socket to drain, and stops when the client hangs up. */
async function stream(res: ServerResponse, seen: Seen, total: number): Promise<void> {
	const chunk = Buffer.alloc(1024 * 1024, 0x89);
	while (seen.bytesWritten < total && !res.destroyed) {
		const slice = chunk.subarray(0, Math.min(chunk.length, total - seen.bytesWritten));
		seen.bytesWritten += slice.length;
		if (!res.write(slice))
			await new Promise((resolve) => (res.once('drain', resolve), res.once('close', resolve)));
	}
	if (!res.destroyed) res.end();
}

/** Serves a file honouring Range (206 with the exact slice), as a well-behaved CDN does. */
function serveRanges(bytes: Buffer, contentType = 'video/mp4'): Handler {
	return (req, res, seen) => {
		const match = /^bytes=(\d+)-(\d+)?$/.exec(String(req.headers.range ?? ''));
		if (!match) {
			seen.bytesWritten += bytes.length;
			return void res
				.writeHead(200, { 'content-type': contentType, 'content-length': bytes.length })
				.end(bytes);
		}
		const start = Number(match[1]);
		if (start >= bytes.length)
			return void res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
		const end = Math.min(Number(match[2] ?? bytes.length - 1), bytes.length - 1);
		const body = bytes.subarray(start, end + 1);
		seen.bytesWritten += body.length;
		res
			.writeHead(206, {
				'content-type': contentType,
				'content-range': `bytes ${start}-${end}/${bytes.length}`,
				'content-length': body.length,
			})
			.end(body);
	};
}

const MODEL = { openai: 'sora-2', google: 'veo-3.1-generate-001', runway: 'gen4.5' } as const;

/** A shot item whose latest take is a clip at `ref`, rendered by `vendor`. */
function takeItem(vendor: keyof typeof MODEL, ref: string): Record<string, unknown> {
	const { pin: _pin, ...item } = validShotItem();
	const take = {
		...item.takes[0],
		vendor,
		model: MODEL[vendor],
		layer: vendor === 'runway' ? 'control' : 'hero',
		jobId: `${vendor}-job-1`,
		asset: { kind: 'url', ref, mimeType: 'video/mp4' },
	};
	return { ...item, takes: [take] };
}

const GOOGLE_MODES = [
	['Vertex service account', 'vpSandboxVertex'],
	['Vertex express key', 'vpSandboxVertexExpress'],
	['Gemini key', 'vpSandboxGemini'],
] as const;

const GOOGLE = (id: string) => ({ type: 'googleVideoPipelineApi', id, name: id });
const OPENAI = { type: 'openAiVideoPipelineApi', id: 'gw', name: 'gateway' };
const RUNWAY = { type: 'runwayVideoPipelineApi', id: 'rw', name: 'runway' };
const everything = (result: RunResult) => JSON.stringify(result.run);
/** The first reason matching `pattern` in the run, for assertions on what it says. */
const reason = (result: RunResult, pattern: RegExp) => pattern.exec(everything(result))?.[0] ?? '';

describe('credentials never reach a host an item names', () => {
	let sandbox: Sandbox;
	let foreign: Listener;
	let other: Listener;
	let faststart: Buffer;
	let moovAtEnd: Buffer;
	const GATEWAY_KEY = '3f2a9c7d1e5b4a60aa11bb22cc33dd44ee55ff66';

	beforeAll(async () => {
		await makeFixtures();
		faststart = readFileSync(path.join(FIXTURE_DIR, 'faststart.mp4'));
		moovAtEnd = readFileSync(path.join(FIXTURE_DIR, 'moov-at-end.mp4'));
		sandbox = await withSandbox({
			config: { renderMs: { openai: 150, google: 150, runway: 150 } },
		});
		foreign = await listener();
		other = await listener();
	});
	afterAll(async () => {
		await foreign.close();
		await other.close();
		await sandbox.stop();
	});
	beforeEach(() => {
		foreign.handle(serveRanges(faststart));
		other.handle(serveRanges(faststart));
	});

	const secrets = () => {
		const { keys } = sandbox.context.config;
		const privateKey = sandbox.context.google.serviceAccount.json.private_key.split('\n')[1];
		return [
			keys.openai,
			keys.runway,
			keys.googleApiKey,
			privateKey,
			GATEWAY_KEY,
			...sandbox.context.google.tokens.keys(),
		];
	};

	/** Nothing a listener received carries a credential: no auth header, no key header, no secret anywhere. */
	const expectNoSecret = (seen: Seen[]) => {
		for (const request of seen) {
			expect(request.headers.authorization).toBeUndefined();
			expect(request.headers['x-goog-api-key']).toBeUndefined();
			const text = `${request.url}\n${JSON.stringify(request.headers)}`;
			for (const secret of secrets()) expect(text.includes(secret)).toBe(false);
		}
	};

	describe('QC Router reads a take only where its vendor credential belongs', () => {
		it('OpenAI: a clip on a foreign host is refused with a clear reason, and the host is never contacted', async () => {
			const ref = `${foreign.origin}/latest/meta-data/x.mp4?sig=do-not-show`;
			const result = await runWorkflow(
				singleNode(
					'qcRouter',
					{ barrier: 'item' },
					{ type: 'openAiVideoPipelineApi', id: 'vpSandboxOpenAi', name: 'OpenAI' },
				),
				{
					credentials: credentialsFor(sandbox, 'vpSandboxOpenAi'),
					input: asItems([takeItem('openai', ref)]),
				},
			);
			expect(result.error).toBeUndefined();
			expect(foreign.seen).toEqual([]);
			expect(everything(result)).toMatch(
				new RegExp(
					`points at 127\\.0\\.0\\.1:${foreign.port}, which is not a host the OpenAI credential may be sent to`,
				),
			);
			// The reason names the host only: the take's own URL (query included) is the item's, not the reason's.
			expect(reason(result, /the OpenAI clip URL[^"]*/)).not.toContain('do-not-show');
		});

		it.each(GOOGLE_MODES)(
			'Google (%s): a clip on a foreign host is refused, the host never contacted',
			async (_mode, id) => {
				const result = await runWorkflow(singleNode('qcRouter', { barrier: 'item' }, GOOGLE(id)), {
					credentials: credentialsFor(sandbox, id),
					input: asItems([takeItem('google', `${foreign.origin}/latest/meta-data/x.mp4`)]),
				});
				expect(result.error).toBeUndefined();
				expect(foreign.seen).toEqual([]);
				expect(everything(result)).toMatch(
					/which is not a host the Google \([^)]+\) credential may be sent to/,
				);
			},
		);

		it('Runway: a signed output URL elsewhere is read bare (no key), by Range', async () => {
			const result = await runWorkflow(singleNode('qcRouter', { barrier: 'item' }), {
				input: asItems([takeItem('runway', `${foreign.origin}/out.mp4?_jwt=signed`)]),
			});
			expect(result.error).toBeUndefined();
			expect(foreign.seen.length).toBeGreaterThan(0);
			expect(foreign.seen.every((request) => request.headers.range)).toBe(true);
			expectNoSecret(foreign.seen);
		});

		it.each([
			[
				'a user@ prefix',
				(port: number) => `https://generativelanguage.googleapis.com@127.0.0.1:${port}/x.mp4`,
				/takes\[0\]\.asset\.ref: .*names a user before the host/,
			],
			[
				'the metadata IP',
				() => 'http://169.254.169.254/latest/meta-data/x.mp4',
				/takes\[0\]\.asset\.ref: .*link-local or cloud metadata/,
			],
			[
				'the metadata IP in decimal',
				() => 'http://2852039166/latest/meta-data/x.mp4',
				/takes\[0\]\.asset\.ref: .*169\.254\.169\.254/,
			],
		])(
			'a take URL with %s is refused by the contract, naming the field and the item',
			async (_name, url, message) => {
				const result = await runWorkflow(
					singleNode('qcRouter', { barrier: 'item' }, GOOGLE('vpSandboxGemini')),
					{
						credentials: credentialsFor(sandbox, 'vpSandboxGemini'),
						input: asItems([takeItem('google', url(foreign.port))]),
					},
				);
				expect(result.error!.message).toMatch(/^Item 0: /);
				expect(
					`${result.error!.message}\n${(result.error as { description?: string }).description ?? ''}`,
				).toMatch(message);
				expect(foreign.seen).toEqual([]);
			},
		);
	});

	describe('Download operations', () => {
		it.each(GOOGLE_MODES)(
			'Veo Download (%s): a take or a URI on a foreign host is refused by field, and the host never contacted',
			async (_mode, id) => {
				const fromTake = await runWorkflow(
					singleNode(
						'googleVeo',
						{ resource: 'video', operation: 'download', source: 'take' },
						GOOGLE(id),
					),
					{
						credentials: credentialsFor(sandbox, id),
						input: asItems([takeItem('google', `${foreign.origin}/x.mp4`)]),
					},
				);
				expect(fromTake.error!.message).toMatch(
					new RegExp(
						`^Item 0: takes\\.asset\\.ref: the URL points at 127\\.0\\.0\\.1:${foreign.port}, which is not a host the Google \\([^)]+\\) credential may be sent to`,
					),
				);
				const fromUri = await runWorkflow(
					singleNode(
						'googleVeo',
						{
							resource: 'video',
							operation: 'download',
							source: 'uri',
							uri: `${foreign.origin}/v1beta/files/x:download?alt=media`,
						},
						GOOGLE(id),
					),
					{ credentials: credentialsFor(sandbox, id), input: [{ json: {} }] },
				);
				expect(fromUri.error!.message).toMatch(
					/^Item 0: uri: the URL points at 127\.0\.0\.1:\d+, which is not a host/,
				);
				expect(foreign.seen).toEqual([]);
			},
		);

		it.each([
			[
				'a user@ prefix',
				(port: number) => `https://generativelanguage.googleapis.com@127.0.0.1:${port}/x.mp4`,
				/^Item 0: uri: the URL names a user before the host \(127\.0\.0\.1:\d+\)/,
			],
			[
				'the metadata IP',
				() => 'http://169.254.169.254/latest/meta-data/x.mp4',
				/^Item 0: uri: the URL points at 169\.254\.169\.254, a link-local or cloud metadata address/,
			],
			[
				'an IPv6-mapped metadata IP',
				() => 'http://[::ffff:169.254.169.254]/x.mp4',
				/^Item 0: uri: the URL points at \[::ffff:a9fe:a9fe\], a link-local/,
			],
		])('Veo Download refuses a URI with %s', async (_name, url, message) => {
			const result = await runWorkflow(
				singleNode(
					'googleVeo',
					{ resource: 'video', operation: 'download', source: 'uri', uri: url(foreign.port) },
					GOOGLE('vpSandboxGemini'),
				),
				{ credentials: credentialsFor(sandbox, 'vpSandboxGemini'), input: [{ json: {} }] },
			);
			expect(result.error!.message).toMatch(message);
			expect(foreign.seen).toEqual([]);
		});

		it('Videos API Download reads the base URL, never the host a take names', async () => {
			const result = await runWorkflow(
				singleNode(
					'openAiStoryboard',
					{ resource: 'video', operation: 'download', source: 'take' },
					{ type: 'openAiVideoPipelineApi', id: 'vpSandboxOpenAi', name: 'OpenAI' },
				),
				{
					credentials: credentialsFor(sandbox, 'vpSandboxOpenAi'),
					input: asItems([takeItem('openai', `${foreign.origin}/videos/openai-job-1/content`)]),
				},
			);
			// The sandbox has no such job: the answer comes from the configured base URL, not the take's host.
			expect(result.error!.message).toMatch(/HTTP 404.*openai, job openai-job-1, item 0/);
			expect(foreign.seen).toEqual([]);
		});

		it('Runway Download: the signed output URL is fetched without the key; the key goes to the API only', async () => {
			const api = await listener();
			api.handle(
				(req, res) =>
					void res.writeHead(200, { 'content-type': 'application/json' }).end(
						JSON.stringify({
							id: 'task-1',
							status: 'SUCCEEDED',
							output: [`${foreign.origin}/task-1.mp4?_jwt=signed`],
						}),
					),
			);
			try {
				const credentials = {
					runwayVideoPipelineApi: { apiKey: GATEWAY_KEY, baseUrl: api.origin },
				};
				const result = await runWorkflow(
					singleNode(
						'runway',
						{ resource: 'task', operation: 'download', source: 'taskId', taskId: 'task-1' },
						RUNWAY,
					),
					{ credentials, input: [{ json: {} }] },
				);
				expect(result.error).toBeUndefined();
				expect(result.output('Node')[0].json.download).toMatchObject({
					taskId: 'task-1',
					bytes: faststart.length,
				});
				expect(api.seen.map((request) => request.headers.authorization)).toEqual([
					`Bearer ${GATEWAY_KEY}`,
				]);
				expect(foreign.seen).toHaveLength(1);
				expectNoSecret(foreign.seen);
			} finally {
				await api.close();
			}
		});

		it('Runway Download: an output URL that redirects to the metadata IP or a private address is refused there', async () => {
			const api = await listener();
			api.handle(
				(req, res) =>
					void res.writeHead(200, { 'content-type': 'application/json' }).end(
						JSON.stringify({
							id: 'task-2',
							status: 'SUCCEEDED',
							output: [`${foreign.origin}/task-2.mp4`],
						}),
					),
			);
			try {
				const credentials = {
					runwayVideoPipelineApi: { apiKey: GATEWAY_KEY, baseUrl: api.origin },
				};
				for (const [location, message] of [
					[
						'http://169.254.169.254/latest/meta-data/iam',
						/redirected from 127\.0\.0\.1:\d+ to a URL that points at 169\.254\.169\.254, a link-local/,
					],
					[
						`${other.origin}/internal.mp4`,
						new RegExp(
							`redirected from 127\\.0\\.0\\.1:${foreign.port} to 127\\.0\\.0\\.1:${other.port}, a private or IP-literal address; refused`,
						),
					],
				] as const) {
					foreign.handle((req, res) => void res.writeHead(302, { location }).end());
					const result = await runWorkflow(
						singleNode(
							'runway',
							{ resource: 'task', operation: 'download', source: 'taskId', taskId: 'task-2' },
							RUNWAY,
						),
						{ credentials, input: [{ json: {} }] },
					);
					expect(result.error!.message).toMatch(message);
					expect(foreign.seen).toHaveLength(1);
					expectNoSecret(foreign.seen);
				}
				expect(other.seen).toEqual([]);
			} finally {
				await api.close();
			}
		});
	});

	describe('a gateway base URL that redirects', () => {
		let gateway: Listener;
		beforeAll(async () => {
			gateway = await listener();
		});
		afterAll(async () => gateway.close());
		const credentials = () => ({
			openAiVideoPipelineApi: {
				apiKey: GATEWAY_KEY,
				baseUrl: `${gateway.origin}/v1`,
				organizationId: '',
				projectId: '',
			},
		});
		const download = (videoId: string) =>
			singleNode(
				'openAiStoryboard',
				{ resource: 'video', operation: 'download', source: 'id', videoId },
				OPENAI,
			);

		it('a 302 of /videos/{id}/content to another origin is not followed with the key (refused: a private address)', async () => {
			gateway.handle(
				(req, res) =>
					void res.writeHead(302, { location: `${other.origin}/cdn/vid_1.mp4?token=x` }).end(),
			);
			const result = await runWorkflow(download('vid_1'), {
				credentials: credentials(),
				input: [{ json: {} }],
			});
			expect(result.error!.message).toMatch(
				new RegExp(
					`redirected from 127\\.0\\.0\\.1:${gateway.port} to 127\\.0\\.0\\.1:${other.port}, a private or IP-literal address; refused.*item 0`,
				),
			);
			expect(gateway.seen.map((request) => request.url)).toEqual([
				'/v1/videos/vid_1/content?variant=video',
			]);
			expect(gateway.seen[0].headers.authorization).toBe(`Bearer ${GATEWAY_KEY}`);
			expect(other.seen).toEqual([]);
		});

		it('a redirect within the gateway’s own origin is followed with the key', async () => {
			gateway.handle((req, res, seen) => {
				if (req.url?.startsWith('/v1/videos/'))
					return void res.writeHead(302, { location: '/files/vid_2.mp4' }).end();
				seen.bytesWritten = faststart.length;
				res
					.writeHead(200, { 'content-type': 'video/mp4', 'content-length': faststart.length })
					.end(faststart);
			});
			const result = await runWorkflow(download('vid_2'), {
				credentials: credentials(),
				input: [{ json: {} }],
			});
			expect(result.error).toBeUndefined();
			expect(result.output('Node')[0].json.download).toMatchObject({ bytes: faststart.length });
			expect(gateway.seen.map((request) => [request.url, request.headers.authorization])).toEqual([
				['/v1/videos/vid_2/content?variant=video', `Bearer ${GATEWAY_KEY}`],
				['/files/vid_2.mp4', `Bearer ${GATEWAY_KEY}`],
			]);
		});

		it('a key of no known shape that the gateway echoes back is redacted from errors and items', async () => {
			gateway.handle(
				(req, res) =>
					void res.writeHead(400, { 'content-type': 'application/json' }).end(
						JSON.stringify({
							error: {
								message: `Incorrect API key provided: ${GATEWAY_KEY}. You can find your API key at https://example.invalid`,
								type: 'invalid_request_error',
								code: 'invalid_api_key',
							},
						}),
					),
			);
			const render = singleNode(
				'openAiStoryboard',
				{
					resource: 'video',
					operation: 'render',
					model: 'sora-2',
					shotSource: 'item',
					inputReference: 'none',
					renderOptions: { pollIntervalSeconds: 0.2, timeoutMinutes: 1 },
				},
				OPENAI,
				{ onError: 'continueRegularOutput' },
			);
			const result = await runWorkflow(render, {
				credentials: credentials(),
				input: asItems(
					shotItems(1, undefined, { durationSeconds: 4, resolution: '720p', layer: 'broll' }),
				),
			});
			expect(gateway.seen.length).toBeGreaterThan(0);
			expect(everything(result)).toContain('Incorrect API key provided: [redacted]');
			expect(everything(result).includes(GATEWAY_KEY)).toBe(false);
		});
	});

	describe('every read is bounded', () => {
		const qcRunway = (ref: string) =>
			runWorkflow(singleNode('qcRouter', { barrier: 'item' }), {
				input: asItems([takeItem('runway', ref)]),
			});

		it('a host that ignores Range is read once, as a stream', async () => {
			foreign.handle((req, res, seen) => {
				seen.bytesWritten = moovAtEnd.length;
				res
					.writeHead(200, { 'content-type': 'video/mp4', 'content-length': moovAtEnd.length })
					.end(moovAtEnd);
			});
			const result = await qcRunway(`${foreign.origin}/moov-at-end.mp4`);
			expect(result.error).toBeUndefined();
			expect(foreign.seen.filter((request) => request.method === 'GET')).toHaveLength(1);
			// The clip was probed from that one answer: its duration was measured, not skipped.
			expect(everything(result)).not.toMatch(/skipped/);
		});

		it('a 206 that starts at another byte than asked is "range not honoured", after one request', async () => {
			foreign.handle((req, res) => {
				const start = Number(/^bytes=(\d+)-/.exec(String(req.headers.range))?.[1] ?? 0);
				res
					.writeHead(206, {
						'content-type': 'video/mp4',
						'content-range': `bytes ${start + 100}-${start + 199}/${faststart.length}`,
					})
					.end(faststart.subarray(start + 100, start + 200));
			});
			const result = await qcRunway(`${foreign.origin}/shifted.mp4?sig=hidden`);
			expect(result.error).toBeUndefined();
			expect(foreign.seen).toHaveLength(1);
			expect(everything(result)).toMatch(
				new RegExp(
					`range not honoured: asked 127\\.0\\.0\\.1:${foreign.port} for bytes from 0, it answered from 100`,
				),
			);
			expect(reason(result, /range not honoured[^"]*/)).not.toContain('sig=hidden');
		});

		it('a host that ignores Range and offers more than a probe reads is refused by its Content-Length', async () => {
			foreign.handle(async (req, res, seen) => {
				res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': 3 * 1024 ** 3 });
				await stream(res, seen, 3 * 1024 ** 3);
			});
			const result = await qcRunway(`${foreign.origin}/huge.mp4`);
			expect(result.error).toBeUndefined();
			expect(everything(result)).toMatch(
				new RegExp(
					`127\\.0\\.0\\.1:${foreign.port} ignored Range and offers 3221225472 bytes, more than the 2147483648 a probe reads`,
				),
			);
			await foreign.seen[0].done;
			expect(foreign.seen).toHaveLength(1);
			expect(foreign.seen[0].closedEarly).toBe(true);
			expect(foreign.seen[0].bytesWritten).toBeLessThan(64 * 1024 * 1024);
		});

		it('a clip URL that answers a web page is "not a video"', async () => {
			foreign.handle(
				serveRanges(Buffer.from('<html><body>login</body></html>'), 'text/html; charset=utf-8'),
			);
			const result = await qcRunway(`${foreign.origin}/login`);
			expect(result.error).toBeUndefined();
			expect(everything(result)).toMatch(
				new RegExp(`not a video: 127\\.0\\.0\\.1:${foreign.port} answered text/html`),
			);
		});

		it('a moov that claims 200 MB is refused before any of it is read', async () => {
			const ftyp = Buffer.concat([
				Buffer.from([0, 0, 0, 24]),
				Buffer.from('ftypisom'),
				Buffer.from([0, 0, 2, 0]),
				Buffer.from('isommp42'),
			]);
			const moovHeader = Buffer.concat([Buffer.alloc(4), Buffer.from('moov')]);
			moovHeader.writeUInt32BE(200 * 1024 * 1024, 0);
			const file = Buffer.concat([ftyp, moovHeader, Buffer.alloc(4096)]);
			foreign.handle(serveRanges(file));
			const result = await qcRunway(`${foreign.origin}/huge-moov.mp4`);
			expect(result.error).toBeUndefined();
			expect(everything(result)).toMatch(/moov box of 209715192 bytes is implausibly large/);
			expect(
				foreign.seen.reduce((sum, request) => sum + request.bytesWritten, 0),
			).toBeLessThanOrEqual(file.length);
		});

		it('Runway Download refuses an output that declares more than any clip, by its Content-Length, naming the task', async () => {
			const api = await listener();
			api.handle(
				(req, res) =>
					void res.writeHead(200, { 'content-type': 'application/json' }).end(
						JSON.stringify({
							id: 'task-huge',
							status: 'SUCCEEDED',
							output: [`${foreign.origin}/task-huge.mp4?_jwt=signed`],
						}),
					),
			);
			foreign.handle(async (req, res, seen) => {
				res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': 3 * 1024 ** 3 });
				await stream(res, seen, 3 * 1024 ** 3);
			});
			try {
				const result = await runWorkflow(
					singleNode(
						'runway',
						{ resource: 'task', operation: 'download', source: 'taskId', taskId: 'task-huge' },
						RUNWAY,
					),
					{
						credentials: { runwayVideoPipelineApi: { apiKey: GATEWAY_KEY, baseUrl: api.origin } },
						input: [{ json: {} }],
					},
				);
				expect(result.error!.message).toMatch(
					new RegExp(
						`the file at 127\\.0\\.0\\.1:${foreign.port} is 3072 MB; the limit is 2048 MB.*task-huge`,
					),
				);
				expect(result.error!.message).not.toContain('_jwt=signed');
				await foreign.seen[0].done;
				expect(foreign.seen).toHaveLength(1);
				expect(foreign.seen[0].closedEarly).toBe(true);
				expect(foreign.seen[0].bytesWritten).toBeLessThan(64 * 1024 * 1024);
				expectNoSecret(foreign.seen);
			} finally {
				await api.close();
			}
		});

		const pinWithReference = (url: string) => {
			const workflow = singleNode('pinState', {
				resource: 'pin',
				operation: 'create',
				characters: { character: [{ tag: 'mara', description: 'Mara', referenceUrls: url }] },
				grade: { palette: '#335577', look: 'cool dusk' },
			});
			return runWorkflow(workflow, { input: asItems(shotItems(1, undefined)) });
		};
		const SIXTY_MB = 60 * 1024 * 1024;

		it('Pin State refuses a 60 MB reference image by its Content-Length, without reading it', async () => {
			foreign.handle(async (req, res, seen) => {
				res.writeHead(200, { 'content-type': 'image/png', 'content-length': SIXTY_MB });
				await stream(res, seen, SIXTY_MB);
			});
			const result = await pinWithReference(`${foreign.origin}/big.png?sig=hidden`);
			expect(result.error!.message).toMatch(
				new RegExp(
					`^Item 0: characters\\[0\\]\\.referenceUrls\\[0\\]: could not be fetched: the file at 127\\.0\\.0\\.1:${foreign.port} is 60 MB; the limit is 20 MB`,
				),
			);
			expect(result.error!.message).not.toContain('sig=hidden');
			await foreign.seen[0].done;
			expect(foreign.seen[0].closedEarly).toBe(true);
			expect(foreign.seen[0].bytesWritten).toBeLessThan(20 * 1024 * 1024);
		});

		it('Pin State stops reading a reference image of undeclared size at 20 MB and closes the connection', async () => {
			foreign.handle(async (req, res, seen) => {
				res.writeHead(200, { 'content-type': 'image/png' });
				await stream(res, seen, SIXTY_MB);
			});
			const result = await pinWithReference(`${foreign.origin}/chunked.png`);
			expect(result.error!.message).toMatch(
				/^Item 0: characters\[0\]\.referenceUrls\[0\]: could not be fetched: the file at 127\.0\.0\.1:\d+ is over 20 MB, the limit; reading stopped there/,
			);
			await foreign.seen[0].done;
			expect(foreign.seen[0].closedEarly).toBe(true);
			expect(foreign.seen[0].bytesWritten).toBeLessThan(40 * 1024 * 1024);
		});
	});

	it('nothing above reached the sandbox as a job or a charge', async () => {
		expect(await sandboxJobs(sandbox)).toEqual([]);
		expect((await sandboxLedger(sandbox)).entries).toEqual([]);
	});
});
