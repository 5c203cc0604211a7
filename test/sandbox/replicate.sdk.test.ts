import Replicate, { validateWebhook } from 'replicate';
import { createServer } from 'node:http';
import { ffprobeBytes, pngImage } from '../harness/media';
import {
	sandboxAsset,
	sandboxLedger,
	waitForSandboxJob,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';

jest.setTimeout(120_000);

/** The official `replicate` client, unmodified, pointed at the sandbox's Replicate emulation with its baseUrl option. */
describe('sandbox: Replicate predictions API through the replicate client', () => {
	let sandbox: Sandbox;
	let replicate: Replicate;
	let image: string;

	beforeAll(async () => {
		sandbox = await withSandbox();
		replicate = new Replicate({
			auth: sandbox.context.config.keys.replicate,
			baseUrl: `${sandbox.baseUrls.replicate}/v1`,
			useFileOutput: false,
		});
		image = await sandboxAsset(sandbox, 'first.png', pngImage(1280, 720, 9));
	});
	afterAll(async () => sandbox.stop());

	it('publishes each model input schema, creates, waits for and bills a prediction once', async () => {
		const model = await replicate.models.get('kwaivgi', 'kling-v2.1');
		const input = (model.latest_version as any).openapi_schema.components.schemas.Input;
		expect(input.required).toEqual(['prompt', 'start_image']);
		const collection = await replicate.collections.get('text-to-video');
		expect((collection.models ?? []).map((m) => `${m.owner}/${m.name}`)).toContain(
			'google/veo-3.1-lite',
		);

		const created = await replicate.predictions.create({
			model: 'kwaivgi/kling-v2.1',
			input: { prompt: 'harbour at dawn', start_image: image, duration: 5 },
		});
		expect(['starting', 'processing']).toContain(created.status);
		const done = await replicate.wait(created, { interval: 100 });
		expect(done.status).toBe('succeeded');
		expect(done.metrics?.predict_time).toEqual(expect.any(Number));
		const probe = ffprobeBytes(
			Buffer.from(await (await fetch(done.output as string)).arrayBuffer()),
		);
		expect(probe).toMatchObject({ width: 1920, height: 1080 });
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries.filter((e: { jobId: string }) => e.jobId === created.id)).toEqual([
			expect.objectContaining({ vendor: 'replicate', usd: 0.25 }),
		]);
		// Files are removed after the output lifetime: the prediction says so and the URL is gone.
		sandbox.context.jobs.get(created.id)!.expiresAt = Date.now() - 1;
		expect(await replicate.predictions.get(created.id)).toMatchObject({
			data_removed: true,
			output: null,
		});
		expect((await fetch(done.output as string)).status).toBe(404);
	});

	it('runs a short model with Prefer: wait through replicate.run', async () => {
		const output = await replicate.run('google/veo-3.1-lite', {
			input: { prompt: 'lighthouse', duration: 4, resolution: '720p' },
			wait: { mode: 'block', timeout: 30 },
		});
		expect(String(output)).toContain('/replicate/delivery/');
	});

	it('answers 401, 404, 422 naming the input field, 429, and cancels', async () => {
		const stranger = new Replicate({
			auth: 'r8_nobody',
			baseUrl: `${sandbox.baseUrls.replicate}/v1`,
		});
		await expect(
			stranger.predictions.create({ model: 'kwaivgi/kling-v2.1', input: { prompt: 'x' } }),
		).rejects.toMatchObject({ response: { status: 401 } });
		await expect(replicate.models.get('kwaivgi', 'kling-v9')).rejects.toMatchObject({
			response: { status: 404 },
		});
		const invalid = (await replicate.predictions
			.create({ model: 'kwaivgi/kling-v2.1', input: { prompt: 'x', image: image, duration: 7 } })
			.catch((error: unknown) => error)) as Error & { response: Response };
		expect(invalid.response.status).toBe(422);
		// The client puts the problem body in its message: every broken input field is named.
		for (const field of [
			'"field":"input.start_image"',
			'"field":"input.image"',
			'"field":"input.duration"',
		])
			expect(invalid.message).toContain(field);

		sandbox.setFaults({
			rules: [
				{
					vendor: 'replicate',
					op: 'poll',
					fault: 'rate_limit',
					times: 1,
					params: { retryAfterSeconds: 1 },
				},
			],
		} as never);
		const throttled = await fetch(`${sandbox.baseUrls.replicate}/v1/predictions/none`, {
			headers: { authorization: `Bearer ${sandbox.context.config.keys.replicate}` },
		});
		expect(throttled.status).toBe(429);
		expect(throttled.headers.get('retry-after')).toBe('1');
		sandbox.setFaults({ rules: [] } as never);

		sandbox.context.config.concurrency = { ...sandbox.context.config.concurrency, replicate: 0 };
		const held = await replicate.predictions.create({
			model: 'minimax/hailuo-02',
			input: { prompt: 'held' },
		});
		expect((await replicate.predictions.cancel(held.id)).status).toBe('canceled');
		sandbox.context.config.concurrency = { ...sandbox.context.config.concurrency, replicate: 8 };
	});

	it('sends signed webhooks for the events asked for, which the client validates', async () => {
		const received: Array<{ headers: Record<string, string>; body: string }> = [];
		const hook = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk) => (body += chunk));
			req.on('end', () => {
				received.push({ headers: req.headers as Record<string, string>, body });
				res.end('ok');
			});
		});
		await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(hook.address() as { port: number }).port}/replicate`;
		const created = await replicate.predictions.create({
			model: 'google/veo-3.1-lite',
			input: { prompt: 'dusk', duration: 4 },
			webhook: url,
			webhook_events_filter: ['completed'],
		});
		await waitForSandboxJob(sandbox, created.id);
		for (let i = 0; i < 100 && !received.length; i++)
			await new Promise((resolve) => setTimeout(resolve, 50));
		hook.close();
		expect(received).toHaveLength(1);
		expect(JSON.parse(received[0].body)).toMatchObject({ id: created.id, status: 'succeeded' });
		const secret = await replicate.webhooks.default.secret.get();
		const request = new Request(url, {
			method: 'POST',
			headers: received[0].headers,
			body: received[0].body,
		});
		expect(await validateWebhook(request, secret.key)).toBe(true);
		expect(
			await validateWebhook(
				new Request(url, {
					method: 'POST',
					headers: received[0].headers,
					body: received[0].body.replace('succeeded', 'failed'),
				}),
				secret.key,
			),
		).toBe(false);
	});
});
