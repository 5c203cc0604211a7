import { defaultConfig } from '../../sandbox/config';
import { FaultInjector } from '../../sandbox/faults';
import { ffprobeBytes, pngImage } from '../harness/media';
import { withSandbox, type Sandbox } from '../harness/sandbox';

jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sandbox faults, timing, limits and the billing ledger', () => {
	let sandbox: Sandbox;
	const keys = () => sandbox.context.config.keys;
	const openai = (path: string, init: RequestInit = {}) =>
		fetch(`${sandbox.baseUrls.openai}${path}`, {
			...init,
			headers: {
				authorization: `Bearer ${keys().openai}`,
				'content-type': 'application/json',
				...(init.headers ?? {}),
			},
		});
	const createVideo = (body: Record<string, unknown> = {}) =>
		openai('/videos', {
			method: 'POST',
			body: JSON.stringify({
				model: 'sora-2',
				prompt: 'A fox in snow.',
				seconds: '4',
				size: '1280x720',
				...body,
			}),
		});
	const gemini = (path: string, body?: unknown) =>
		fetch(`${sandbox.baseUrls.gemini}${path}`, {
			method: body ? 'POST' : 'GET',
			headers: { 'x-goog-api-key': keys().googleApiKey, 'content-type': 'application/json' },
			body: body ? JSON.stringify(body) : undefined,
		});
	const runway = (path: string, init: RequestInit = {}) =>
		fetch(`${sandbox.baseUrls.runway}${path}`, {
			...init,
			headers: {
				authorization: `Bearer ${keys().runway}`,
				'x-runway-version': '2024-11-06',
				'content-type': 'application/json',
				...(init.headers ?? {}),
			},
		});
	async function finished(id: string) {
		for (;;) {
			const job = sandbox.context.jobs.get(id)!;
			if (['succeeded', 'failed', 'cancelled'].includes(job.state)) return job;
			await sleep(50);
		}
	}

	beforeAll(async () => {
		sandbox = await withSandbox({
			config: { renderMs: { openai: 200, google: 200, runway: 200 } },
		});
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
		Object.assign(sandbox.context.config, { outputTtlMs: 3_600_000, vertexRequestsPerMinute: 600 });
	});

	const setFaults = (plan: unknown) =>
		fetch(`${sandbox.origin}/_sandbox/faults`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(plan),
		});

	it('answers a 429 burst with each vendor’s own retry hint', async () => {
		await setFaults({
			rules: [{ fault: 'rate_limit', op: 'submit', times: 3, params: { retryAfterSeconds: 2 } }],
		});
		const o = await createVideo();
		expect(o.status).toBe(429);
		expect(o.headers.get('retry-after-ms')).toBe('2000');
		expect(((await o.json()) as any).error.type).toBe('rate_limit_error');
		const g = await gemini('/v1beta/models/veo-3.1-generate-001:predictLongRunning', {
			instances: [{ prompt: 'x' }],
		});
		expect(g.status).toBe(429);
		expect(((await g.json()) as any).error.details[0]).toEqual({
			'@type': 'type.googleapis.com/google.rpc.RetryInfo',
			retryDelay: '2s',
		});
		const r = await runway('/v1/text_to_video', {
			method: 'POST',
			body: JSON.stringify({ model: 'gen4.5', promptText: 'x', ratio: '1280:720', duration: 2 }),
		});
		expect(r.status).toBe(429);
		expect(r.headers.get('retry-after')).toBe('2');
		expect((await createVideo()).status).toBe(200);
		expect(sandbox.context.jobs.jobs.size).toBe(1);
	});

	it('fails submits with 5xx before accepting them and polls with 5xx without losing the job', async () => {
		await setFaults({
			rules: [
				{
					fault: 'server_error',
					vendor: 'openai',
					op: 'submit',
					times: 1,
					params: { status: 503 },
				},
				{ fault: 'server_error', vendor: 'openai', op: 'poll', times: 2 },
			],
		});
		expect((await createVideo()).status).toBe(503);
		expect(sandbox.context.jobs.jobs.size).toBe(0);
		const { id } = (await (await createVideo()).json()) as { id: string };
		expect((await openai(`/videos/${id}`)).status).toBe(500);
		expect((await openai(`/videos/${id}`)).status).toBe(500);
		await finished(id);
		expect(((await (await openai(`/videos/${id}`)).json()) as any).status).toBe('completed');
		expect(sandbox.context.ledger.entries).toHaveLength(1);
	});

	it('resets connections, answers slowly and sends malformed JSON when told to', async () => {
		await setFaults({
			rules: [
				{ fault: 'reset', op: 'poll', times: 1 },
				{ fault: 'slow', op: 'other', times: 1, params: { delayMs: 600 } },
				{ fault: 'malformed', op: 'submit', times: 1 },
			],
		});
		const malformed = await createVideo();
		expect(malformed.status).toBe(200);
		await expect(malformed.json()).rejects.toThrow();
		const { id } = (await (await createVideo()).json()) as { id: string };
		await expect(openai(`/videos/${id}`)).rejects.toThrow();
		const started = Date.now();
		expect((await openai('/models')).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(550);
		const log = ((await (await fetch(`${sandbox.origin}/_sandbox/faults`)).json()) as any).log.map(
			(entry: any) => entry.fault,
		);
		expect(log).toEqual(['malformed', 'reset', 'slow']);
	});

	it('fails, filters and strands jobs as each vendor does, and charges none of them', async () => {
		await setFaults({
			rules: [
				{ fault: 'job_failed', vendor: 'openai', times: 1 },
				{ fault: 'job_failed', vendor: 'google', times: 1 },
				{
					fault: 'job_failed',
					vendor: 'google',
					times: 1,
					params: { code: 'INTERNAL', message: 'Internal error encountered.' },
				},
				{ fault: 'stuck', vendor: 'runway', times: 1 },
			],
		});
		const video = (await (await createVideo()).json()) as { id: string };
		await finished(video.id);
		expect((await (await openai(`/videos/${video.id}`)).json()) as any).toMatchObject({
			status: 'failed',
			error: { code: 'moderation_blocked' },
		});

		const rai = (await (
			await gemini('/v1beta/models/veo-3.1-generate-001:predictLongRunning', {
				instances: [{ prompt: 'x' }],
			})
		).json()) as { name: string };
		const internal = (await (
			await gemini('/v1beta/models/veo-3.1-generate-001:predictLongRunning', {
				instances: [{ prompt: 'y' }],
			})
		).json()) as { name: string };
		await sleep(400);
		const raiDone = (await (await gemini(`/v1beta/${rai.name}`)).json()) as any;
		expect(raiDone.done).toBe(true);
		expect(raiDone.response.generateVideoResponse).toMatchObject({ raiMediaFilteredCount: 1 });
		expect(raiDone.response.generateVideoResponse.raiMediaFilteredReasons[0]).toMatch(
			/Support codes: \d{8}/,
		);
		expect(raiDone.response.generateVideoResponse.generatedSamples).toBeUndefined();
		expect(((await (await gemini(`/v1beta/${internal.name}`)).json()) as any).error).toMatchObject({
			code: 13,
			status: 'INTERNAL',
		});

		const task = (await (
			await runway('/v1/text_to_video', {
				method: 'POST',
				body: JSON.stringify({ model: 'gen4.5', promptText: 'x', ratio: '1280:720', duration: 2 }),
			})
		).json()) as { id: string };
		await sleep(600);
		expect(((await (await runway(`/v1/tasks/${task.id}`)).json()) as any).status).toBe('RUNNING');
		expect(sandbox.context.ledger.entries).toHaveLength(0);
	});

	it('expires outputs the way each vendor does', async () => {
		const ttlMs = sandbox.context.config.outputTtlMs;
		const video = (await (await createVideo()).json()) as { id: string };
		const task = (await (
			await runway('/v1/text_to_video', {
				method: 'POST',
				body: JSON.stringify({ model: 'gen4.5', promptText: 'x', ratio: '1280:720', duration: 2 }),
			})
		).json()) as { id: string };
		await finished(video.id);
		await finished(task.id);
		const output = ((await (await runway(`/v1/tasks/${task.id}`)).json()) as any).output[0];
		expect((await fetch(output)).status).toBe(200);
		// Move the sandbox's clock past the outputs' lifetime instead of waiting for it, so how fast
		// this machine answers cannot decide what has expired. Only Date is faked; timers run.
		jest.useFakeTimers({
			now: Date.now() + ttlMs + 1000,
			doNotFake: [
				'hrtime',
				'nextTick',
				'performance',
				'queueMicrotask',
				'setImmediate',
				'clearImmediate',
				'setInterval',
				'clearInterval',
				'setTimeout',
				'clearTimeout',
			],
		});
		try {
			expect((await openai(`/videos/${video.id}/content`)).status).toBe(404);
			expect((await fetch(output)).status).toBe(403);
			const fresh = ((await (await runway(`/v1/tasks/${task.id}`)).json()) as any).output[0];
			expect((await fetch(fresh)).status).toBe(200);
			await setFaults({
				rules: [{ fault: 'expired', vendor: 'runway', op: 'download', times: 1 }],
			});
			expect((await fetch(fresh)).status).toBe(403);
		} finally {
			jest.useRealTimers();
		}
	});

	it('drifts renders that ignore the pin: other character, shifted colour, no audio, wrong duration', async () => {
		const reference = pngImage(1280, 720, 21);
		const body = (prompt: string) => {
			const form = new FormData();
			form.append('model', 'sora-2');
			form.append('prompt', prompt);
			form.append('seconds', '8');
			form.append('size', '1280x720');
			form.append('input_reference', new Blob([reference], { type: 'image/png' }), 'ref.png');
			return form;
		};
		const make = async (drift?: string) => {
			if (drift)
				await setFaults({
					rules: [{ fault: 'drift', vendor: 'openai', times: 1, params: { drift } }],
				});
			const response = await fetch(`${sandbox.baseUrls.openai}/videos`, {
				method: 'POST',
				headers: { authorization: `Bearer ${keys().openai}` },
				body: body('Hero #446688'),
			});
			const job = await finished(((await response.json()) as { id: string }).id);
			return job;
		};
		const clean = await make();
		const drifts = {
			character: await make('character'),
			colour: await make('colour'),
			audio: await make('audio'),
			duration: await make('duration'),
		};
		expect(drifts.character.spec.references).not.toEqual(clean.spec.references);
		expect(drifts.character.refsReceived).toEqual(clean.refsReceived);
		expect(drifts.colour.spec.palette).not.toEqual(clean.spec.palette);
		const probe = (job: typeof clean) => ffprobeBytes(require('node:fs').readFileSync(job.file!));
		expect(probe(clean).audioCodec).toBe('aac');
		expect(probe(drifts.audio).audioCodec).toBeUndefined();
		expect(probe(clean).durationSeconds).toBeCloseTo(8, 0);
		expect(probe(drifts.duration).durationSeconds).toBeCloseTo(4, 0);
	});

	it('carries the characters of a keyframe still into the clip animated from it, drifted or not', async () => {
		const { readFileSync } = require('node:fs') as typeof import('node:fs');
		const { sampleFrame, colourDistance } =
			require('../../sandbox/media/frames') as typeof import('../../sandbox/media/frames');
		const characters = 'Characters: Ava: a barista with short red hair. Look: warm #aa6633.';
		const task = async (endpoint: string, body: Record<string, unknown>) => {
			const created = await runway(`/v1/${endpoint}`, {
				method: 'POST',
				body: JSON.stringify(body),
			});
			expect(created.status).toBe(200);
			return finished(((await created.json()) as { id: string }).id);
		};
		/** A square keyframe for a shot, then the clip animated from it, sent back as bytes (what the nodes do). */
		const squareShot = async (action: string, drift?: { model: string; kind: string }) => {
			await setFaults({
				rules: drift
					? [
							{
								fault: 'drift',
								vendor: 'runway',
								model: drift.model,
								times: 1,
								params: { drift: drift.kind },
							},
						]
					: [],
			});
			const still = await task('text_to_image', {
				model: 'gen4_image',
				promptText: `${action} ${characters}`,
				ratio: '1024:1024',
			});
			const promptImage = `data:image/png;base64,${readFileSync(still.file!).toString('base64')}`;
			const clip = await task('image_to_video', {
				model: 'gen4.5',
				promptImage,
				promptText: `${action} ${characters}`,
				ratio: '960:960',
				duration: 2,
			});
			return { still, clip, face: (await sampleFrame(clip.file!, 1)).slots[0] };
		};
		const same = (a: number[][], b: number[][]) =>
			a.every((colour, quadrant) => colourDistance(colour as never, b[quadrant] as never) <= 40);

		const first = await squareShot('Ava opens the fridge.');
		const second = await squareShot('Ava smiles on the balcony.');
		expect(first.still.spec.cast).toHaveLength(1);
		expect(first.clip.spec.cast).toEqual(first.still.spec.cast);
		expect(same(second.face, first.face)).toBe(true);
		expect(first.clip.extra.drift).toBeUndefined();

		// A still that ignored the pin makes a clip that ignores it, and the ground truth says so.
		const driftedStill = await squareShot('Ava waves.', { model: 'gen4_image', kind: 'character' });
		expect(driftedStill.still.extra.drift).toEqual({ drift: 'character' });
		expect(driftedStill.clip.extra.drift).toEqual({
			drift: 'character',
			inheritedFrom: driftedStill.still.id,
		});
		expect(same(driftedStill.face, first.face)).toBe(false);

		// A clip that ignores a clean still changes the face too.
		const driftedClip = await squareShot('Ava waves.', { model: 'gen4.5', kind: 'character' });
		expect(driftedClip.still.extra.drift).toBeUndefined();
		expect(driftedClip.clip.extra.drift).toEqual({ drift: 'character' });
		expect(same(driftedClip.face, first.face)).toBe(false);

		// Any other first frame (a user's own image) is still just a reference of its own.
		const foreign = await task('image_to_video', {
			model: 'gen4.5',
			promptImage: `data:image/png;base64,${pngImage(960, 960, 77).toString('base64')}`,
			promptText: `Ava waves. ${characters}`,
			ratio: '960:960',
			duration: 2,
		});
		expect(foreign.spec.cast).toBeUndefined();
		expect(foreign.spec.references).toHaveLength(1);
	});

	it('draws probabilistic faults reproducibly from a seed and honours `times`', () => {
		const draw = (seed: number) => {
			const injector = new FaultInjector();
			injector.configure({
				seed,
				rules: [
					{ fault: 'server_error', probability: 0.3 },
					{ fault: 'reset', times: 2, probability: 0.5 },
				],
			});
			return Array.from({ length: 400 }, () => injector.draw('runway', 'poll')?.fault ?? '-');
		};
		const a = draw(42);
		expect(draw(42)).toEqual(a);
		expect(draw(43)).not.toEqual(a);
		const errors = a.filter((fault) => fault === 'server_error').length;
		expect(errors).toBeGreaterThan(90);
		expect(errors).toBeLessThan(150);
		expect(a.filter((fault) => fault === 'reset')).toHaveLength(2);
	});

	it('reads a fault plan and the realistic timing profile from the environment', async () => {
		const configured = await withSandbox({
			env: {
				SANDBOX_FAULTS: JSON.stringify({
					seed: 5,
					rules: [{ fault: 'rate_limit', vendor: 'runway' }],
				}),
				SANDBOX_PROFILE: 'realistic',
				SANDBOX_TIME_SCALE: '0.01',
			},
		});
		try {
			expect(configured.context.config.renderMs).toEqual({
				openai: 900,
				google: 750,
				runway: 450,
				fal: 600,
				replicate: 600,
			});
			const response = await fetch(`${configured.baseUrls.runway}/v1/organization`, {
				headers: {
					authorization: `Bearer ${configured.context.config.keys.runway}`,
					'x-runway-version': '2024-11-06',
				},
			});
			expect(response.status).toBe(429);
		} finally {
			await configured.stop();
		}
		expect(defaultConfig({}).renderMs.openai).toBe(300);
	});

	it('throttles Runway tasks past the account concurrency and limits Vertex requests per minute', async () => {
		const images = [0, 1, 2, 3, 4].map(
			(i) => `data:image/png;base64,${pngImage(64, 64, 30 + i).toString('base64')}`,
		);
		sandbox.context.config.renderMs.runway = 1500;
		const ids: string[] = [];
		for (const promptImage of images) {
			const created = await runway('/v1/image_to_video', {
				method: 'POST',
				body: JSON.stringify({ model: 'gen4_turbo', promptImage, ratio: '960:960', duration: 2 }),
			});
			ids.push(((await created.json()) as { id: string }).id);
		}
		sandbox.context.config.renderMs.runway = 200;
		const statuses = await Promise.all(
			ids.map(async (id) => ((await (await runway(`/v1/tasks/${id}`)).json()) as any).status),
		);
		expect(statuses.filter((status) => status === 'RUNNING')).toHaveLength(3);
		expect(statuses.filter((status) => status === 'THROTTLED')).toHaveLength(2);
		await Promise.all(ids.map(finished));
		expect(
			sandbox.context.ledger.entries.filter((entry) => entry.vendor === 'runway'),
		).toHaveLength(5);

		sandbox.context.config.vertexRequestsPerMinute = 2;
		const express = () =>
			fetch(
				`${sandbox.baseUrls.vertex}/v1/publishers/google/models/veo-3.1-fast-generate-001:predictLongRunning`,
				{
					method: 'POST',
					headers: { 'x-goog-api-key': keys().googleApiKey, 'content-type': 'application/json' },
					body: JSON.stringify({
						instances: [{ prompt: 'x' }],
						parameters: { durationSeconds: 4 },
					}),
				},
			);
		expect((await express()).status).toBe(200);
		expect((await express()).status).toBe(200);
		const limited = await express();
		expect(limited.status).toBe(429);
		expect(((await limited.json()) as any).error.details[0].retryDelay).toMatch(/^\d+s$/);
	});

	it('keeps an exact billing ledger and shows a request paid twice as a duplicate', async () => {
		const a = (await (await createVideo({ seconds: '8' })).json()) as { id: string };
		const b = (await (await createVideo({ seconds: '8' })).json()) as { id: string };
		const c = (await (
			await createVideo({ model: 'sora-2-pro', size: '1792x1024', seconds: '4' })
		).json()) as { id: string };
		await Promise.all([a.id, b.id, c.id].map(finished));
		const ledger = (await (await fetch(`${sandbox.origin}/_sandbox/ledger`)).json()) as any;
		expect(ledger.entries.map((entry: any) => [entry.jobId, entry.units, entry.usd])).toEqual(
			[
				[a.id, 8, 0.8],
				[b.id, 8, 0.8],
				[c.id, 4, 2],
			].sort(
				(x, y) =>
					ledger.entries.findIndex((e: any) => e.jobId === x[0]) -
					ledger.entries.findIndex((e: any) => e.jobId === y[0]),
			),
		);
		expect(ledger.totalUsd).toBe(3.6);
		expect(ledger.duplicates).toEqual([
			{
				fingerprint: ledger.entries.find((e: any) => e.jobId === a.id).requestFingerprint,
				count: 2,
			},
		]);
	});
});
