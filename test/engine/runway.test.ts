import { shotItemSchema, type ShotItem } from '../../nodes/shared/contract';
import { bufferSource, probeMp4 } from '../../nodes/shared/mp4';
import { readBinary, runWorkflow } from '../harness/engine';
import { pngImage } from '../harness/media';
import { asItems, pinWith, referenceImage, shotItems, singleNode } from '../harness/pipeline';
import { keyframeThenClip } from '../harness/workflows';
import {
	credentialsFor,
	sandboxJobs,
	sandboxLedger,
	waitForSandboxJob,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';

jest.setTimeout(60_000);

const RUNWAY = { type: 'runwayVideoPipelineApi', id: 'vpSandboxRunway', name: 'Sandbox Runway' };
const FAST = { pollIntervalSeconds: 0.2, timeoutMinutes: 1 };

describe('Runway node (engine, sandbox over loopback)', () => {
	let sandbox: Sandbox;
	let pin: ReturnType<typeof pinWith>;

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { runway: 300 } } });
		const mara = await referenceImage(sandbox, 'mara.png', 3);
		const bottle = await referenceImage(sandbox, 'bottle.png', 4);
		pin = pinWith([
			{ tag: 'mara', url: mara.url },
			{ tag: 'bottle', url: bottle.url },
		]);
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});

	const node = (resource: string, operation: string, parameters: Record<string, unknown> = {}) =>
		singleNode(
			'runway',
			{ resource, operation, shotSource: 'item', renderOptions: FAST, ...parameters },
			RUNWAY,
		);
	const run = (workflow: ReturnType<typeof node>, items: unknown[]) =>
		runWorkflow(workflow, {
			credentials: credentialsFor(sandbox, 'vpSandboxRunway'),
			input: asItems(items),
		});
	const broll = (count: number, over: Partial<ShotItem['shot']> = {}) =>
		shotItems(count, pin, { layer: 'broll', durationSeconds: 5, ...over });

	it('renders b-roll image to video from the pin and books Runway’s own credits', async () => {
		const result = await run(
			node('video', 'imageToVideo', { model: 'gen4_turbo', promptImageSource: 'pin' }),
			broll(2),
		);
		expect(result.error).toBeUndefined();
		for (const out of result.output('Node')) {
			const item = shotItemSchema.parse(out.json);
			expect(item.takes[0]).toMatchObject({
				layer: 'control',
				vendor: 'runway',
				model: 'gen4_turbo',
				operation: 'imageToVideo',
				status: 'succeeded',
				refsSent: ['mara'],
				costUsd: 0.25,
			});
			expect(item.ledger[0]).toMatchObject({
				unit: 'credit',
				units: 25,
				usd: 0.25,
				estimated: false,
			});
			const probe = await probeMp4(bufferSource(await readBinary(out.binary!.data.id!)));
			expect(probe.video).toMatchObject({ width: 1280, height: 720 });
			expect(probe.durationSeconds).toBeCloseTo(5, 0);
		}
		const jobs = await sandboxJobs(sandbox);
		expect(jobs.map((job) => job.request.ratio)).toEqual(['1280:720', '1280:720']);
		expect((await sandboxLedger(sandbox)).totalUsd).toBe(0.5);
	});

	it('treats THROTTLED as queued: more renders than the account runs at once all finish', async () => {
		const result = await run(
			node('video', 'textToVideo', { model: 'gen4.5', renderOptions: { ...FAST, concurrency: 5 } }),
			broll(5, { aspectRatio: '9:16' }),
		);
		expect(result.error).toBeUndefined();
		expect(result.output('Node').map((o) => shotItemSchema.parse(o.json).takes[0].status)).toEqual(
			Array(5).fill('succeeded'),
		);
		expect(sandbox.context.config.concurrency.runway).toBe(3);
		expect((await sandboxLedger(sandbox)).entries).toHaveLength(5);
	});

	it('makes a reference still with the pinned characters as @tags', async () => {
		const result = await run(node('image', 'textToImage', { model: 'gen4_image' }), broll(1));
		expect(result.error).toBeUndefined();
		const item = shotItemSchema.parse(result.output('Node')[0].json);
		expect(item.takes[0]).toMatchObject({
			operation: 'textToImage',
			refsSent: ['mara', 'bottle'],
			asset: { kind: 'binary', mimeType: 'image/png' },
			costUsd: 0.08,
		});
		const [job] = await sandboxJobs(sandbox);
		expect(job.request.promptText).toContain('@mara');
		expect(job.request.referenceImages.map((r: { tag: string }) => r.tag)).toEqual([
			'mara',
			'bottle',
		]);
	});

	it('animates the keyframe it drew with the pinned references, and the clip’s take names them', async () => {
		const keyframed = await run(keyframeThenClip(FAST), broll(1, { characters: ['mara'] }));
		expect(keyframed.error).toBeUndefined();
		const [still, clip] = shotItemSchema.parse(keyframed.output('Clip')[0].json).takes;
		expect(still).toMatchObject({ operation: 'textToImage', refsSent: ['mara'], attempt: 1 });
		expect(clip).toMatchObject({ operation: 'imageToVideo', refsSent: ['mara'], attempt: 1 });
		expect((await sandboxJobs(sandbox)).map((job) => job.model)).toEqual(['gen4_image', 'gen4.5']);

		// An image the item carries that no still of this attempt drew names no references: one
		// brought by the operator, or the keyframe left from round 1 when round 2's clip is asked for.
		const png = pngImage(320, 240, 5);
		const keyframe = { data: png.toString('base64'), mimeType: 'image/png', fileName: 'k.png' };
		const clipNode = node('video', 'imageToVideo', {
			model: 'gen4.5',
			promptImageSource: 'binary',
			promptImageProperty: 'keyframe',
		});
		const clipOf = (json: unknown) =>
			runWorkflow(clipNode, {
				credentials: credentialsFor(sandbox, 'vpSandboxRunway'),
				input: [{ json: json as never, binary: { keyframe } }],
			});
		const brought = await clipOf(broll(1, { characters: ['mara'] })[0]);
		expect(brought.error).toBeUndefined();
		expect(shotItemSchema.parse(brought.output('Node')[0].json).takes[0].refsSent).toEqual([]);
		const roundTwo: Record<string, unknown> = {
			...keyframed.output('Clip')[0].json,
			qc: { attempts: { narrative: 0, hero: 0, control: 1 }, verdicts: [], status: 'retry' },
		};
		const stale = await clipOf(roundTwo);
		expect(stale.error).toBeUndefined();
		expect(shotItemSchema.parse(stale.output('Node')[0].json).takes.at(-1)).toMatchObject({
			operation: 'imageToVideo',
			attempt: 2,
			refsSent: [],
		});

		// This attempt's still was refused: the clip node pays for nothing and hands the refusal on.
		const jobs = (await sandboxJobs(sandbox)).length;
		const refusal = { layer: 'control', code: 'budget', message: 'the run budget is spent' };
		const refused = await clipOf({ ...roundTwo, renderError: refusal });
		expect(refused.error).toBeUndefined();
		const [passed] = refused.output('Node');
		expect(passed.json.renderError).toEqual(refusal);
		expect(passed.json.takes).toEqual(roundTwo.takes);
		expect(await sandboxJobs(sandbox)).toHaveLength(jobs);
	});

	it('restyles the item’s latest take with Aleph 2 and upscales it, each a new take of the shot', async () => {
		const first = await run(
			node('video', 'textToVideo', {
				model: 'gen4.5',
				renderOptions: { ...FAST, output: 'reference' },
			}),
			broll(1),
		);
		const restyled = await run(
			node('video', 'videoToVideo', {
				model: 'aleph2',
				videoSource: 'take',
				purpose: 'restyle',
				targetAspectRatio: 'keep',
				renderOptions: { ...FAST, output: 'reference' },
			}),
			[first.output('Node')[0].json],
		);
		expect(restyled.error).toBeUndefined();
		const afterRestyle = shotItemSchema.parse(restyled.output('Node')[0].json);
		expect(afterRestyle.takes.map((t) => t.operation)).toEqual([
			'textToVideo',
			'videoToVideo:restyle',
		]);
		const upscaled = await run(
			node('video', 'upscale', {
				model: 'magnific_video_upscaler_creative',
				videoSource: 'take',
				upscaleResolution: '4k',
			}),
			[afterRestyle],
		);
		expect(upscaled.error).toBeUndefined();
		const probe = await probeMp4(
			bufferSource(await readBinary(upscaled.output('Node')[0].binary!.data.id!)),
		);
		expect(probe.video!.height).toBe(2160);
		const jobs = await sandboxJobs(sandbox);
		expect(jobs.map((job) => job.model)).toEqual([
			'gen4.5',
			'aleph2',
			'magnific_video_upscaler_creative',
		]);
		expect(jobs[1].request.promptText).toContain('regrade to cool dusk, palette #335577');
	});

	it('records a safety block as a failed take that is not retryable', async () => {
		sandbox.setFaults({
			rules: [
				{
					fault: 'job_failed',
					vendor: 'runway',
					times: 1,
					params: { code: 'SAFETY.INPUT.TEXT', message: 'The prompt was flagged.' },
				},
			],
		});
		const result = await run(node('video', 'textToVideo', { model: 'gen4.5' }), broll(1));
		expect(result.error).toBeUndefined();
		expect(shotItemSchema.parse(result.output('Node')[0].json).takes[0]).toMatchObject({
			status: 'failed',
			failure: { code: 'SAFETY.INPUT.TEXT', retryable: false },
			costUsd: 0,
		});
	});

	it('submits only, reads the task, and collects it on a re-run without a second charge', async () => {
		const submitted = await run(
			node('video', 'textToVideo', { model: 'gen4.5', mode: 'submit' }),
			broll(1),
		);
		const pending = submitted.output('Node')[0].json as Record<string, unknown>;
		expect(pending.status).toBe('submitted');
		expect((pending.takes as Array<{ costUsd: number }>)[0].costUsd).toBe(0.6);
		await waitForSandboxJob(sandbox);
		const task = await run(
			singleNode(
				'runway',
				{ resource: 'task', operation: 'get', taskId: '={{ $json.jobId }}' },
				RUNWAY,
			),
			[pending],
		);
		expect(task.output('Node')[0].json).toMatchObject({
			status: 'succeeded',
			vendorStatus: 'SUCCEEDED',
			credits: 60,
		});
		// The waiting step writes to a field of its own: it still collects the task the Submit Only
		// step sent (whose take names no field: that step writes none), and names its field.
		expect((pending.takes as Array<Record<string, unknown>>)[0].binaryProperty).toBeUndefined();
		const collected = await run(
			node('video', 'textToVideo', {
				model: 'gen4.5',
				renderOptions: { ...FAST, binaryPropertyName: 'clip' },
			}),
			[pending],
		);
		const [done] = collected.output('Node');
		expect(shotItemSchema.parse(done.json).takes).toMatchObject([
			{ status: 'succeeded', binaryProperty: 'clip', asset: { kind: 'binary', ref: 'clip' } },
		]);
		expect(done.binary?.clip).toBeDefined();
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(1);
		expect(ledger.duplicates).toEqual([]);
	});

	it('downloads the latest take kept by reference with a fresh signed URL after the one on the take expired', async () => {
		const rendered = await run(
			node('video', 'textToVideo', {
				model: 'gen4.5',
				renderOptions: { ...FAST, output: 'reference' },
			}),
			broll(1),
		);
		expect(rendered.error).toBeUndefined();
		const [item] = rendered.output('Node');
		expect(item.binary).toBeUndefined();
		const take = shotItemSchema.parse(item.json).takes[0];
		// By delivery time the signed URL recorded on the take has expired (the CDN refuses it).
		const stale = new URL(take.asset!.ref);
		stale.searchParams.set('Expires', String(Date.now() - 1000));
		expect((await fetch(stale)).ok).toBe(false);
		const downloaded = await run(
			singleNode(
				'runway',
				{ resource: 'task', operation: 'download', source: 'take', binaryPropertyName: 'master' },
				RUNWAY,
			),
			[{ ...item.json, takes: [{ ...take, asset: { ...take.asset!, ref: stale.toString() } }] }],
		);
		expect(downloaded.error).toBeUndefined();
		const [out] = downloaded.output('Node');
		expect(out.json.download).toMatchObject({ taskId: take.jobId });
		const probe = await probeMp4(bufferSource(await readBinary(out.binary!.master.id!)));
		expect(probe.video).toMatchObject({ width: 1280, height: 720 });

		const unknown = await run(
			singleNode('runway', { resource: 'task', operation: 'download', source: 'take' }, RUNWAY),
			[{ ...item.json, takes: [] }],
		);
		expect(unknown.error!.message).toBe(
			'Item 0: takes: has no succeeded Runway take with a URL to download',
		);

		// At delivery, one download per vendor in a chain: this one fetches only shots whose final
		// take is Runway's and passes a Veo shot and a shot without any take on untouched.
		const veoShot = {
			...item.json,
			takes: [
				{
					...take,
					vendor: 'google',
					model: 'veo-3.1-fast-generate-001',
					jobId: 'projects/p/locations/us-central1/publishers/google/models/veo/operations/op-1',
					asset: { kind: 'gcs', ref: 'gs://renders/op-1.mp4', mimeType: 'video/mp4' },
				},
			],
		};
		const chain = await run(
			singleNode(
				'runway',
				{ resource: 'task', operation: 'download', source: 'take', otherVendors: 'passThrough' },
				RUNWAY,
			),
			[veoShot, item.json, { ...item.json, takes: [] }],
		);
		expect(chain.error).toBeUndefined();
		const [passedVeo, fetched, passedEmpty] = chain.output('Node');
		expect(passedVeo).toMatchObject({ json: veoShot });
		expect(passedVeo.binary).toBeUndefined();
		expect(passedEmpty.binary).toBeUndefined();
		expect(fetched.binary!.data.mimeType).toBe('video/mp4');
		expect(chain.output('Node').map((o) => o.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
	});

	it('uploads a binary, cancels tasks and reads the organization', async () => {
		const org = await run(
			singleNode('runway', { resource: 'account', operation: 'organization' }, RUNWAY),
			[{}],
		);
		expect(
			(org.output('Node')[0].json.organization as { creditBalance: number }).creditBalance,
		).toBe(sandbox.context.config.runwayCredits);
		const submitted = await run(
			node('video', 'textToVideo', { model: 'gen4.5', mode: 'submit' }),
			broll(1),
		);
		const cancelled = await run(
			singleNode(
				'runway',
				{ resource: 'task', operation: 'cancel', taskId: '={{ $json.jobId }}' },
				RUNWAY,
			),
			[submitted.output('Node')[0].json],
		);
		expect(cancelled.output('Node')[0].json.cancelled).toBe(true);
		expect((await sandboxJobs(sandbox))[0].state).toBe('cancelled');

		const png = pngImage(320, 240, 9);
		const uploaded = await runWorkflow(
			singleNode(
				'runway',
				{ resource: 'asset', operation: 'upload', binaryPropertyName: 'still' },
				RUNWAY,
			),
			{
				credentials: credentialsFor(sandbox, 'vpSandboxRunway'),
				input: [
					{
						json: {},
						binary: {
							still: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'still.png' },
						},
					},
				],
			},
		);
		expect(uploaded.error).toBeUndefined();
		const uri = uploaded.output('Node')[0].json.runwayUri as string;
		expect(uri).toMatch(/^runway:\/\/uploads\/[0-9a-f]+\/still\.png$/);
		const upload = sandbox.context.runway.uploads.get(uri.split('/')[3])!;
		expect(upload.bytes).toBe(png.length);
	});

	it('names the field of a shot Runway cannot render', async () => {
		const result = await run(
			node('video', 'imageToVideo', { model: 'gen4_turbo' }),
			broll(1, { durationSeconds: 12 }),
		);
		expect(result.error!.message).toMatch(
			/Item 0: shot\.durationSeconds: durationSeconds 12 is outside 2-10 for gen4_turbo/,
		);
		const retired = await run(
			node('video', 'videoToVideo', {
				model: 'custom',
				customModelId: 'gen4_aleph',
				videoSource: 'url',
				videoUrl: 'https://cdn.example.com/a.mp4',
				purpose: 'restyle',
			}),
			broll(1),
		);
		expect(retired.error!.message).toContain('Use aleph2 instead');
		expect(await sandboxJobs(sandbox)).toHaveLength(0);
	});
});
