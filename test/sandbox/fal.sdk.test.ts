import { ApiError, createFalClient, ValidationError } from '@fal-ai/client';
import { ffprobeBytes, pngImage } from '../harness/media';
import { sandboxAsset, waitForSandboxJob, withSandbox, type Sandbox } from '../harness/sandbox';

jest.setTimeout(120_000);

const KLING = 'fal-ai/kling-video/v3/pro/image-to-video';

/**
 * The official @fal-ai/client, unmodified, against the sandbox's fal emulation. The client only
 * talks to https://queue.fal.run; its own `fetch` option sends those requests to the sandbox.
 */
describe('sandbox: fal queue API through @fal-ai/client', () => {
	let sandbox: Sandbox;
	let fal: ReturnType<typeof createFalClient>;
	let image: string;

	const toSandbox = (input: string | URL | Request, init?: RequestInit) =>
		fetch(
			String(input instanceof Request ? input.url : input).replace(
				'https://queue.fal.run',
				sandbox.baseUrls.falQueue,
			),
			init,
		);

	beforeAll(async () => {
		sandbox = await withSandbox();
		fal = createFalClient({
			credentials: sandbox.context.config.keys.fal,
			fetch: toSandbox as typeof fetch,
			retry: { maxRetries: 0 } as never,
		});
		image = await sandboxAsset(sandbox, 'start.png', pngImage(1280, 720, 7));
	});
	afterAll(async () => sandbox.stop());

	it('submits, reports queue position and status, returns the result with an expiring video URL, and bills it once', async () => {
		const queued = await fal.queue.submit(KLING, {
			input: {
				prompt: 'a slow dolly over a harbour',
				start_image_url: image,
				duration: '5',
				generate_audio: false,
			},
		});
		expect(queued).toMatchObject({ status: 'IN_QUEUE', request_id: expect.any(String) });
		expect(typeof (queued as { queue_position?: number }).queue_position).toBe('number');
		const done = await fal.queue.subscribeToStatus(KLING, {
			requestId: queued.request_id,
			pollInterval: 100,
			logs: true,
		});
		expect(done.status).toBe('COMPLETED');
		const result = await fal.queue.result(KLING, { requestId: queued.request_id });
		expect(result.requestId).toBe(queued.request_id);
		const video = (result.data as { video: { url: string; content_type: string } }).video;
		expect(video.content_type).toBe('video/mp4');
		const probe = ffprobeBytes(Buffer.from(await (await fetch(video.url)).arrayBuffer()));
		expect(probe).toMatchObject({ width: 1920, height: 1080 });
		expect(probe.durationSeconds).toBeCloseTo(5, 0);
		const ledger = (await (await fetch(`${sandbox.origin}/_sandbox/ledger`)).json()) as {
			entries: Array<{ vendor: string; jobId: string; usd: number }>;
		};
		expect(ledger.entries.filter((e) => e.jobId === queued.request_id)).toEqual([
			expect.objectContaining({ vendor: 'fal', usd: 0.56 }),
		]);
		// Outputs expire: once the lifetime passes the CDN no longer serves the file.
		sandbox.context.jobs.get(queued.request_id)!.expiresAt = Date.now() - 1;
		expect((await fetch(video.url)).status).toBe(404);
	});

	it('answers 401, 404, 422 naming the field, and cancels a queued request', async () => {
		const stranger = createFalClient({
			credentials: 'nobody:nothing',
			fetch: toSandbox as typeof fetch,
			retry: { maxRetries: 0 } as never,
		});
		await expect(
			stranger.queue.submit(KLING, { input: { prompt: 'x', start_image_url: image } }),
		).rejects.toMatchObject({ status: 401 });
		await expect(
			fal.queue.submit('fal-ai/kling-vdeo/v3/pro/image-to-video', { input: { prompt: 'x' } }),
		).rejects.toMatchObject({ status: 404 });
		const invalid = await fal.queue
			.submit('fal-ai/kling-video/v2.1/standard/image-to-video', {
				input: { prompt: 'x', start_image_url: image, duration: '7' } as never,
			})
			.catch((error: unknown) => error);
		expect(invalid).toBeInstanceOf(ValidationError);
		const fields = (invalid as ValidationError).fieldErrors.map((issue) => issue.loc.join('.'));
		expect(fields).toEqual(
			expect.arrayContaining(['body.image_url', 'body.start_image_url', 'body.duration']),
		);

		sandbox.context.config.concurrency = { ...sandbox.context.config.concurrency, fal: 0 };
		const held = await fal.queue.submit(KLING, {
			input: { prompt: 'held', start_image_url: image },
		});
		const status = await fal.queue.status(KLING, { requestId: held.request_id });
		expect(status).toMatchObject({ status: 'IN_QUEUE', queue_position: expect.any(Number) });
		await fal.queue.cancel(KLING, { requestId: held.request_id });
		expect(sandbox.context.jobs.get(held.request_id)!.state).toBe('cancelled');
		sandbox.context.config.concurrency = { ...sandbox.context.config.concurrency, fal: 8 };
		await expect(fal.queue.result(KLING, { requestId: held.request_id })).rejects.toBeInstanceOf(
			ApiError,
		);
	});

	it('answers 429 with a retry hint the client honours (one job, one charge), and posts the result to fal_webhook', async () => {
		sandbox.setFaults({
			rules: [
				{
					vendor: 'fal',
					op: 'submit',
					fault: 'rate_limit',
					times: 1,
					params: { retryAfterSeconds: 1 },
				},
			],
		} as never);
		const before = sandbox.context.jobs.jobs.size;
		const retried = await fal.queue.submit(KLING, {
			input: { prompt: 'throttled once', start_image_url: image },
		});
		expect(
			sandbox.context.faults.log.filter(
				(entry) => entry.vendor === 'fal' && entry.fault === 'rate_limit',
			),
		).toHaveLength(1);
		expect(sandbox.context.jobs.jobs.size).toBe(before + 1);
		await waitForSandboxJob(sandbox, retried.request_id);
		sandbox.setFaults({ rules: [] } as never);

		const received: unknown[] = [];
		const { createServer } = await import('node:http');
		const hook = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk) => (body += chunk));
			req.on('end', () => {
				received.push(JSON.parse(body));
				res.end('ok');
			});
		});
		await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
		const port = (hook.address() as { port: number }).port;
		const queued = await fal.queue.submit('fal-ai/veo3.1/fast', {
			input: { prompt: 'lighthouse', duration: '4s' },
			webhookUrl: `http://127.0.0.1:${port}/fal`,
		});
		await waitForSandboxJob(sandbox, queued.request_id);
		for (let i = 0; i < 100 && !received.length; i++)
			await new Promise((resolve) => setTimeout(resolve, 50));
		hook.close();
		expect(received).toEqual([
			expect.objectContaining({
				request_id: queued.request_id,
				status: 'OK',
				payload: {
					video: expect.objectContaining({ url: expect.stringContaining('/fal/cdn/') }),
					seed: expect.any(Number),
				},
			}),
		]);
	});
});
