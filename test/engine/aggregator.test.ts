import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { shotItemSchema, type ShotItem } from '../../nodes/shared/contract';
import { bufferSource, probeMp4 } from '../../nodes/shared/mp4';
import { readBinary, runWorkflow, type WorkflowJson } from '../harness/engine';
import { asItems, pinWith, referenceImage, shotItems, singleNode } from '../harness/pipeline';
import {
	credentialsFor,
	sandboxJobs,
	sandboxLedger,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';

jest.setTimeout(120_000);

const FAL = { type: 'falVideoPipelineApi', id: 'vpSandboxFal', name: 'Sandbox fal' };
const REPLICATE = {
	type: 'replicateVideoPipelineApi',
	id: 'vpSandboxReplicate',
	name: 'Sandbox Replicate',
};
const FAST = { pollIntervalSeconds: 0.2, timeoutMinutes: 1 };
const KLING_V3 = 'fal-ai/kling-video/v3/pro/image-to-video';
const KLING_V21 = 'fal-ai/kling-video/v2.1/standard/image-to-video';

const model = (id: string) => ({ __rl: true, mode: 'id', value: id });

describe('Video Aggregator node (engine, sandbox fal and Replicate over loopback)', () => {
	let sandbox: Sandbox;
	let pin: ReturnType<typeof pinWith>;
	let maraUrl: string;

	beforeAll(async () => {
		sandbox = await withSandbox({
			config: { renderMs: { fal: 300, replicate: 300, google: 200 } },
		});
		maraUrl = (await referenceImage(sandbox, 'mara.png', 21)).url;
		pin = pinWith([{ tag: 'mara', url: maraUrl }]);
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
		sandbox.context.config.concurrency = {
			...sandbox.context.config.concurrency,
			fal: 8,
			replicate: 8,
		};
	});

	const credentials = () => ({
		...credentialsFor(sandbox, 'vpSandboxFal'),
		...credentialsFor(sandbox, 'vpSandboxReplicate'),
		...credentialsFor(sandbox, 'vpSandboxVertex'),
	});
	const node = (backend: 'fal' | 'replicate', parameters: Record<string, unknown>) =>
		singleNode(
			'videoAggregator',
			{
				backend,
				resource: 'video',
				operation: 'render',
				shotSource: 'item',
				renderOptions: FAST,
				...parameters,
			},
			backend === 'fal' ? FAL : REPLICATE,
		);
	const run = (workflow: WorkflowJson, items: unknown[]) =>
		runWorkflow(workflow, { credentials: credentials(), input: asItems(items) });
	const broll = (count: number, over: Partial<ShotItem['shot']> = {}) =>
		shotItems(count, pin, { layer: 'broll', durationSeconds: 5, ...over });
	const traffic = async () =>
		(await (await fetch(`${sandbox.origin}/_sandbox/traffic`)).json()) as Record<string, number>;

	it('renders b-roll on Kling via fal from the pin, in the model’s own field names, and books fal’s own price', async () => {
		const result = await run(node('fal', { model: model(KLING_V3) }), broll(2));
		expect(result.error).toBeUndefined();
		const jobs = await sandboxJobs(sandbox);
		expect(jobs).toHaveLength(2);
		for (const job of jobs) {
			// Kling 3.0 takes start_image_url and a duration string; the pin's reference is the first frame.
			expect(job.request).toMatchObject({
				start_image_url: maraUrl,
				duration: '5',
				generate_audio: false,
				negative_prompt: 'text, watermark',
			});
			expect(job.request.prompt).toContain('mara');
			expect(job.request).not.toHaveProperty('image_url');
		}
		for (const out of result.output('Node')) {
			const item = shotItemSchema.parse(out.json);
			expect(item.takes[0]).toMatchObject({
				layer: 'control',
				vendor: 'fal',
				model: KLING_V3,
				operation: 'render',
				status: 'succeeded',
				refsSent: ['mara'],
				costUsd: 0.56,
			});
			expect(item.ledger[0]).toMatchObject({
				layer: 'control',
				vendor: 'fal',
				unit: 'second',
				units: 5,
				unitPriceUsd: 0.112,
				usd: 0.56,
				estimated: false,
			});
			const probe = await probeMp4(bufferSource(await readBinary(out.binary!.data.id!)));
			expect(probe.video).toMatchObject({ width: 1920, height: 1080 });
			expect(probe.durationSeconds).toBeCloseTo(5, 0);
		}
		expect(JSON.stringify(result.output('Node').map((o) => o.json))).not.toContain(
			sandbox.context.config.keys.fal.split(':')[1],
		);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries.map((e: { vendor: string; usd: number }) => [e.vendor, e.usd])).toEqual([
			['fal', 0.56],
			['fal', 0.56],
		]);
		expect(ledger.duplicates).toEqual([]);
	});

	it('renders a hero shot on Replicate with that model’s fields (image, integer duration, seed), kept by reference', async () => {
		const result = await run(
			node('replicate', {
				model: model('google/veo-3.1-lite'),
				layer: 'shot',
				renderOptions: { ...FAST, output: 'reference' },
			}),
			shotItems(1, pin, { durationSeconds: 8, resolution: '1080p' }),
		);
		expect(result.error).toBeUndefined();
		const [job] = await sandboxJobs(sandbox);
		expect(job.request).toMatchObject({
			image: maraUrl,
			duration: 8,
			aspect_ratio: '16:9',
			resolution: '1080p',
			seed: 100,
		});
		const item = shotItemSchema.parse(result.output('Node')[0].json);
		expect(item.takes[0]).toMatchObject({
			layer: 'hero',
			vendor: 'replicate',
			model: 'google/veo-3.1-lite',
			refsSent: ['mara'],
			asset: { kind: 'url', mimeType: 'video/mp4' },
		});
		expect(item.takes[0].asset!.ref).toContain('/replicate/delivery/');
		// Replicate's API reports no price: the registry's figure is booked, marked as an estimate.
		expect(item.ledger[0]).toMatchObject({
			vendor: 'replicate',
			units: 8,
			unitPriceUsd: 0.08,
			usd: 0.64,
			estimated: true,
		});
		expect((await sandboxLedger(sandbox)).entries[0]).toMatchObject({
			vendor: 'replicate',
			usd: 0.64,
		});
	});

	it('books a Replicate model billed by hardware time as Replicate reports it: predict_time seconds at the hardware’s price', async () => {
		const result = await run(
			node('replicate', {
				model: model('community/wan-2.7-t2v'),
				firstFrameSource: 'none',
				aggregatorOptions: { replicateBilling: 'a100Large' },
			}),
			broll(2),
		);
		expect(result.error).toBeUndefined();
		const charged = (await sandboxLedger(sandbox)).entries as Array<{
			jobId: string;
			units: number;
			usd: number;
		}>;
		expect(charged).toHaveLength(2);
		for (const out of result.output('Node')) {
			const item = shotItemSchema.parse(out.json);
			const bill = charged.find((e) => e.jobId === item.takes[0].jobId)!;
			// The seconds are the vendor's (its metrics.predict_time, which the sandbox bills), not the clip's 5 s.
			expect(bill.units).not.toBe(5);
			expect(item.ledger[0]).toMatchObject({
				vendor: 'replicate',
				unit: 'second',
				unitPriceUsd: 0.0014,
				estimated: false,
			});
			expect(item.ledger[0].units).toBeCloseTo(bill.units, 6);
			expect(item.ledger[0].usd).toBeCloseTo(bill.usd, 6);
			expect(item.takes[0].costUsd).toBeCloseTo(bill.usd, 6);
		}
		// Without the hardware named, the same model is booked as an estimate, never as Replicate's figure.
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
		const unnamed = await run(
			node('replicate', {
				model: model('community/wan-2.7-t2v'),
				firstFrameSource: 'none',
				aggregatorOptions: { pricePerSecondUsd: 0.01 },
			}),
			broll(1),
		);
		expect(shotItemSchema.parse(unnamed.output('Node')[0].json).ledger[0]).toMatchObject({
			units: 5,
			unitPriceUsd: 0.01,
			estimated: true,
		});
	});

	it('refuses, by field and item, what the model’s schema does not take, before anything is paid', async () => {
		const tooShort = await run(
			node('fal', { model: model(KLING_V21) }),
			broll(1, { durationSeconds: 8 }),
		);
		expect(tooShort.error?.message).toMatch(
			/Item 0: shot\.durationSeconds: 8 s is not offered by fal-ai\/kling-video\/v2\.1\/standard\/image-to-video \(its input "duration" takes 5, 10 s\)/,
		);
		const unknownInput = await run(
			node('fal', { model: model(KLING_V21), extraInput: '{"motion_strength": 2}' }),
			broll(1),
		);
		expect(unknownInput.error?.message).toMatch(
			/Item 0: extraInput\.motion_strength: "motion_strength" is not an input of/,
		);
		const noFrame = await run(
			node('replicate', { model: model('kwaivgi/kling-v2.1'), firstFrameSource: 'none' }),
			broll(1),
		);
		expect(noFrame.error?.message).toMatch(
			/Item 0: pin\.characters: kwaivgi\/kling-v2\.1 requires its input "start_image"/,
		);
		// A hero shot pinning two characters on a model that takes one first frame could never pass QC.
		const leoPin = pinWith([
			{ tag: 'mara', url: maraUrl },
			{ tag: 'leo', url: maraUrl.replace('mara', 'leo') },
		]);
		const twoCharacters = await run(
			node('fal', { model: model(KLING_V3), layer: 'hero' }),
			shotItems(1, leoPin, { durationSeconds: 5 }),
		);
		expect(twoCharacters.error?.message).toMatch(
			/Item 0: layer: fal-ai\/kling-video\/v3\/pro\/image-to-video carries mara but the hero shot pins mara, leo: QC would fail the take for leo/,
		);
		const omni = await run(
			node('fal', { model: model('fal-ai/gemini-omni/flash/reference-to-video'), layer: 'hero' }),
			shotItems(1, leoPin, { durationSeconds: 5, resolution: '720p' }),
		);
		expect(omni.error).toBeUndefined();
		expect(shotItemSchema.parse(omni.output('Node')[0].json).takes[0]).toMatchObject({
			layer: 'hero',
			refsSent: ['mara', 'leo'],
		});
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
		const missing = await run(node('fal', { model: model('fal-ai/kling-vdeo/v3') }), broll(1));
		expect(missing.error?.message).toMatch(
			/Item 0: model: fal-ai\/kling-vdeo\/v3 is not in the fal catalogue/,
		);
		expect((await traffic())['fal:submit'] ?? 0).toBe(0);
		expect((await sandboxLedger(sandbox)).entries).toEqual([]);
	});

	it('reports the vendor’s own 422 with the field it names, and the item', async () => {
		// The node checks names and types; the range is the vendor's to refuse.
		const result = await run(
			node('fal', { model: model(KLING_V21), extraInput: '{"cfg_scale": 3}' }),
			broll(1),
		);
		expect(result.error?.message).toMatch(
			/HTTP 422 validation_error: input refused: cfg_scale: must be between 0 and 1/,
		);
		expect(result.error?.message).toMatch(/\[fal, item 0\]/);
		// The key never reaches an error or an item.
		const { fal, replicate } = sandbox.context.config.keys;
		for (const secret of [fal, fal.split(':')[1], replicate])
			expect(
				JSON.stringify({
					error: result.error,
					message: result.error?.message,
					description: (result.error as { description?: string })?.description,
				}),
			).not.toContain(secret);
		expect((await sandboxLedger(sandbox)).entries).toEqual([]);
	});

	it('answers a wrong key with the vendor’s 401, naming the item and never the key', async () => {
		for (const backend of ['fal', 'replicate'] as const) {
			const wrong =
				backend === 'fal'
					? 'aaaa-bbbb:wrong-fal-secret-0123456789'
					: 'r8_wrongReplicateToken0123456789';
			const creds = credentials();
			const type = backend === 'fal' ? 'falVideoPipelineApi' : 'replicateVideoPipelineApi';
			creds[type] = { ...creds[type], apiKey: wrong };
			const result = await runWorkflow(
				node(backend, { model: model(backend === 'fal' ? KLING_V3 : 'kwaivgi/kling-v2.1') }),
				{ credentials: creds, input: asItems(broll(1)) },
			);
			expect(result.error?.message).toMatch(new RegExp(`HTTP 401.*\\[${backend}, item 0\\]`));
			expect(
				JSON.stringify({
					message: result.error?.message,
					description: (result.error as { description?: string })?.description,
				}),
			).not.toContain(wrong.split(':').pop());
		}
		expect((await sandboxLedger(sandbox)).entries).toEqual([]);
	});

	it('honours 429 on submit and on polls: the submit is sent again only because it was refused, and paid once', async () => {
		sandbox.setFaults({
			rules: [
				{
					vendor: 'fal',
					op: 'submit',
					fault: 'rate_limit',
					times: 1,
					params: { retryAfterSeconds: 0.3 },
				},
				{
					vendor: 'fal',
					op: 'poll',
					fault: 'rate_limit',
					times: 2,
					params: { retryAfterSeconds: 0.3 },
				},
			],
		} as never);
		const result = await run(node('fal', { model: model(KLING_V3) }), broll(1));
		expect(result.error).toBeUndefined();
		expect(shotItemSchema.parse(result.output('Node')[0].json).takes[0].status).toBe('succeeded');
		expect(sandbox.context.faults.log.filter((entry) => entry.fault === 'rate_limit')).toHaveLength(
			3,
		);
		expect((await traffic())['fal:submit']).toBe(2);
		expect(await sandboxJobs(sandbox)).toHaveLength(1);
		expect((await sandboxLedger(sandbox)).entries).toHaveLength(1);
	});

	it('resumes by request and prediction ID without paying twice', async () => {
		for (const [backend, id] of [
			['fal', KLING_V3],
			['replicate', 'kwaivgi/kling-v2.1'],
		] as const) {
			const submitted = await run(node(backend, { model: model(id), mode: 'submit' }), broll(1));
			expect(submitted.error).toBeUndefined();
			const held = shotItemSchema.parse(submitted.output('Node')[0].json);
			expect(held.takes[0]).toMatchObject({ vendor: backend, status: 'submitted' });
			const collected = await run(node(backend, { model: model(id) }), [held]);
			expect(collected.error).toBeUndefined();
			const done = shotItemSchema.parse(collected.output('Node')[0].json);
			expect(done.takes).toHaveLength(1);
			expect(done.takes[0]).toMatchObject({ jobId: held.takes[0].jobId, status: 'succeeded' });
			// Collected once more: still the same job, still one charge.
			await run(node(backend, { model: model(id) }), [held]);
		}
		expect((await traffic())['fal:submit']).toBe(1);
		expect((await traffic())['replicate:submit']).toBe(1);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries.map((e: { vendor: string }) => e.vendor)).toEqual(['fal', 'replicate']);
		expect(ledger.duplicates).toEqual([]);
	});

	it('reads a queued request’s position and cancels it, on both aggregators', async () => {
		sandbox.context.config.concurrency = {
			...sandbox.context.config.concurrency,
			fal: 0,
			replicate: 0,
		};
		for (const [backend, id, queued] of [
			['fal', KLING_V3, /^IN_QUEUE \(position \d+\)$/],
			['replicate', 'minimax/hailuo-02', /^starting$/],
		] as const) {
			const submitted = await run(
				node(backend, { model: model(id), mode: 'submit' }),
				broll(1, { durationSeconds: backend === 'fal' ? 5 : 6 }),
			);
			const item = submitted.output('Node')[0].json;
			const status = await run(
				singleNode(
					'videoAggregator',
					{
						backend,
						resource: 'video',
						operation: 'get',
						model: model(id),
						jobId: '={{ $json.jobId }}',
					},
					backend === 'fal' ? FAL : REPLICATE,
				),
				[item],
			);
			expect(status.output('Node')[0].json).toMatchObject({
				status: 'queued',
				vendorStatus: expect.stringMatching(queued),
			});
			const cancelled = await run(
				singleNode(
					'videoAggregator',
					{
						backend,
						resource: 'video',
						operation: 'cancel',
						model: model(id),
						jobId: '={{ $json.jobId }}',
					},
					backend === 'fal' ? FAL : REPLICATE,
				),
				[item],
			);
			expect(cancelled.error).toBeUndefined();
			expect(sandbox.context.jobs.get(String(item.jobId))!.state).toBe('cancelled');
		}
		expect((await sandboxLedger(sandbox)).entries).toEqual([]);
	});

	it('asks each aggregator to notify a webhook when set, and still collects by polling', async () => {
		const received: Array<{ url?: string; body: Record<string, unknown> }> = [];
		const hook = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk) => (body += chunk));
			req.on('end', () => {
				received.push({ url: req.url, body: JSON.parse(body) });
				res.end('ok');
			});
		});
		await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
		const base = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
		try {
			const fal = await run(
				node('fal', { model: model(KLING_V3), aggregatorOptions: { webhookUrl: `${base}/fal` } }),
				broll(1),
			);
			const replicate = await run(
				node('replicate', {
					model: model('kwaivgi/kling-v2.1'),
					aggregatorOptions: { webhookUrl: `${base}/replicate` },
				}),
				broll(1),
			);
			expect(fal.error).toBeUndefined();
			expect(replicate.error).toBeUndefined();
			const jobIds = [fal, replicate].map(
				(r) => shotItemSchema.parse(r.output('Node')[0].json).takes[0].jobId,
			);
			for (let i = 0; i < 100 && received.length < 2; i++)
				await new Promise((resolve) => setTimeout(resolve, 50));
			expect(received.find((r) => r.url === '/fal')?.body).toMatchObject({
				request_id: jobIds[0],
				status: 'OK',
			});
			// Only the completed event was asked for.
			expect(received.filter((r) => r.url === '/replicate').map((r) => r.body.status)).toEqual([
				'succeeded',
			]);
			expect(received.find((r) => r.url === '/replicate')?.body).toMatchObject({ id: jobIds[1] });
		} finally {
			hook.close();
		}
	});

	it('QC sends a drifted b-roll shot back to the aggregator that rendered it, and a hero shot to Veo', async () => {
		sandbox.setFaults({
			rules: [{ fault: 'drift', vendor: 'fal', times: 1, params: { drift: 'duration' } }],
		} as never);
		const to = (target: string) => [{ node: target, type: 'main' as never, index: 0 }];
		const workflow: WorkflowJson = {
			name: 'aggregator QC loop',
			nodes: [
				{
					id: 'q',
					name: 'QC',
					type: 'n8n-nodes-video-pipeline.qcRouter',
					typeVersion: 1,
					position: [0, 0],
					parameters: { barrier: 'run' },
				},
				{
					id: 'v',
					name: 'Veo',
					type: 'n8n-nodes-video-pipeline.googleVeo',
					typeVersion: 1,
					position: [300, 0],
					parameters: {
						resource: 'video',
						operation: 'generate',
						model: 'veo-3.1-fast-generate-001',
						shotSource: 'item',
						referenceMode: 'pin',
						generateAudio: true,
						renderOptions: FAST,
					},
					credentials: { googleVideoPipelineApi: { id: 'vpSandboxVertex', name: 'Vertex' } },
				},
				{
					id: 'a',
					name: 'Kling',
					type: 'n8n-nodes-video-pipeline.videoAggregator',
					typeVersion: 1,
					position: [300, 200],
					parameters: {
						backend: 'fal',
						resource: 'video',
						operation: 'render',
						model: model(KLING_V3),
						shotSource: 'item',
						renderOptions: FAST,
					},
					credentials: { falVideoPipelineApi: { id: 'vpSandboxFal', name: 'fal' } },
				},
			] as never,
			connections: {
				QC: { main: [[], [], to('Veo'), to('Kling'), [], []] },
				Veo: { main: [to('QC')] },
				Kling: { main: [to('QC')] },
			},
		};
		const hero = shotItems(
			1,
			pin,
			{ durationSeconds: 8, resolution: '720p', needsAudio: true },
			{ shotCount: 3 },
		);
		const items = [
			...hero,
			...broll(2).map((item, index) => ({
				...item,
				pipeline: { ...item.pipeline, shotCount: 3 },
				shot: { ...item.shot, id: `broll-${index + 1}`, index: index + 1 },
			})),
		];
		const result = await runWorkflow(workflow, {
			credentials: credentials(),
			input: asItems(items),
			startNode: 'QC',
		});
		expect(result.error).toBeUndefined();
		const done = result
			.runs('QC')
			.flatMap((outputs) => outputs[5] ?? [])
			.map((o) => shotItemSchema.parse(o.json));
		expect(done).toHaveLength(3);
		expect(done.every((shot) => shot.qc?.status === 'passed')).toBe(true);
		expect(done[0].takes.map((t) => t.vendor)).toEqual(['google']);
		const redone = done.filter((shot) => shot.takes.length === 2);
		expect(redone).toHaveLength(1);
		expect(redone[0].takes.map((t) => [t.vendor, t.layer, t.attempt])).toEqual([
			['fal', 'control', 1],
			['fal', 'control', 2],
		]);
		expect(redone[0].qc).toMatchObject({ attempts: { control: 1, hero: 0 } });
		expect(result.runs('Kling')).toHaveLength(2);
		expect(result.runs('Veo')).toHaveLength(1);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries.map((e: { vendor: string }) => e.vendor).sort()).toEqual([
			'fal',
			'fal',
			'fal',
			'google',
		]);
	});
});
