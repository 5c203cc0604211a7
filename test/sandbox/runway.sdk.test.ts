import RunwayML, { TaskFailedError, toFile } from '@runwayml/sdk';
import { ffprobeBytes, pngImage } from '../harness/media';
import { withSandbox, type Sandbox } from '../harness/sandbox';

const dataUri = (bytes: Buffer, mime = 'image/png') =>
	`data:${mime};base64,${bytes.toString('base64')}`;

// waitForTaskOutput polls every 6 s (Runway's documented minimum is 5 s), so each wait takes a while.
jest.setTimeout(120_000);

/** The official @runwayml/sdk, unmodified, pointed at the sandbox, including its waitForTaskOutput helper. */
describe('sandbox: Runway API through @runwayml/sdk', () => {
	let sandbox: Sandbox;
	let client: RunwayML;

	beforeAll(async () => {
		sandbox = await withSandbox();
		client = new RunwayML({
			apiKey: sandbox.context.config.keys.runway,
			baseURL: sandbox.baseUrls.runway,
			maxRetries: 0,
		});
	});
	afterAll(async () => sandbox.stop());

	const download = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

	it('renders image to video with gen4_turbo and reports its cost', async () => {
		const created = await client.imageToVideo.create({
			model: 'gen4_turbo',
			promptImage: dataUri(pngImage(1280, 720, 1)),
			ratio: '1280:720',
			duration: 4,
			promptText: 'slow push in',
		});
		expect(created.id).toBeDefined();
		const task = await client.tasks.retrieve(created.id);
		expect(['PENDING', 'RUNNING', 'THROTTLED']).toContain(task.status);
		const done = await client.imageToVideo
			.create({
				model: 'gen4_turbo',
				promptImage: dataUri(pngImage(1280, 720, 2)),
				ratio: '720:1280',
				duration: 5,
			})
			.waitForTaskOutput({ timeout: 30_000 });
		expect(done.status).toBe('SUCCEEDED');
		const probe = ffprobeBytes(await download(done.output[0]));
		expect(probe).toMatchObject({ width: 720, height: 1280, videoCodec: 'h264' });
		expect(probe.audioCodec).toBeUndefined();
		expect(probe.durationSeconds).toBeCloseTo(5, 0);
		expect((done as any).cost).toEqual({ credits: 25 });
	});

	it('renders text to video with veo3.1 audio, text to image with @tag references, and video to video with aleph2', async () => {
		const veo = await client.textToVideo
			.create({
				model: 'veo3.1_fast',
				promptText: 'A lighthouse in fog',
				ratio: '1920:1080',
				duration: 4,
				audio: true,
			} as never)
			.waitForTaskOutput();
		expect(ffprobeBytes(await download(veo.output[0]))).toMatchObject({ audioCodec: 'aac' });
		const still = await client.textToImage
			.create({
				model: 'gen4_image',
				promptText: '@hero stands in @kitchen',
				ratio: '1920:1080',
				referenceImages: [
					{ uri: dataUri(pngImage(64, 64, 3)), tag: 'hero' },
					{ uri: dataUri(pngImage(64, 64, 4)), tag: 'kitchen' },
				],
			})
			.waitForTaskOutput();
		expect((await fetch(still.output[0])).headers.get('content-type')).toBe('image/png');
		const restyled = await client.videoToVideo
			.create({ model: 'aleph2', videoUri: veo.output[0], promptText: 'make it dusk' } as never)
			.waitForTaskOutput();
		expect(ffprobeBytes(await download(restyled.output[0])).durationSeconds).toBeCloseTo(4, 0);
		const upscaled = await client.videoUpscale
			.create({
				model: 'magnific_video_upscaler_creative',
				videoUri: restyled.output[0],
				resolution: '4k',
			} as never)
			.waitForTaskOutput();
		expect(ffprobeBytes(await download(upscaled.output[0]))).toMatchObject({ height: 2160 });
	});

	it('uploads an ephemeral file and uses its runway:// URI for act_two', async () => {
		const face = await client.uploads.createEphemeral({
			file: await toFile(pngImage(640, 640, 5), 'face.png', { type: 'image/png' }),
		});
		expect(face.uri).toMatch(/^runway:\/\/uploads\//);
		const performance = await client.textToVideo
			.create({ model: 'gen4.5', promptText: 'an actor speaks', ratio: '1280:720', duration: 4 })
			.waitForTaskOutput();
		const acted = await client.characterPerformance
			.create({
				model: 'act_two',
				character: { type: 'image', uri: face.uri },
				reference: { type: 'video', uri: performance.output[0] },
				ratio: '1280:720',
			} as never)
			.waitForTaskOutput();
		expect(acted.status).toBe('SUCCEEDED');
	});

	it('validates like Runway: version header, ratios, durations, tags, URLs, retired models', async () => {
		await expect(
			client.imageToVideo.create({
				model: 'gen4_turbo',
				promptImage: dataUri(pngImage(64, 64)),
				ratio: '1920:1080' as never,
			}),
		).rejects.toMatchObject({ status: 400 });
		await expect(
			client.textToVideo.create({ model: 'gen4.5', promptText: 'x', ratio: '1280:720' } as never),
		).rejects.toMatchObject({ status: 400 });
		await expect(
			client.textToImage.create({
				model: 'gen4_image_turbo',
				promptText: 'x',
				ratio: '1280:720',
			} as never),
		).rejects.toMatchObject({ status: 400 });
		await expect(
			client.textToImage.create({
				model: 'gen4_image',
				promptText: '@x',
				ratio: '1280:720',
				referenceImages: [{ uri: dataUri(pngImage(64, 64)), tag: '1x' }],
			}),
		).rejects.toMatchObject({ status: 400 });
		await expect(
			client.imageToVideo.create({
				model: 'gen4_turbo',
				promptImage: 'http://example.com/a.png',
				ratio: '1280:720',
			}),
		).rejects.toThrow(/Only HTTPS URLs are allowed/);
		await expect(
			client.videoToVideo.create({
				model: 'gen4_aleph' as never,
				videoUri: 'https://example.com/v.mp4',
				promptText: 'x',
				ratio: '1280:720',
			} as never),
		).rejects.toThrow(/no longer available; use aleph2/);
		const response = await fetch(`${sandbox.baseUrls.runway}/v1/organization`, {
			headers: { authorization: `Bearer ${sandbox.context.config.keys.runway}` },
		});
		expect(response.status).toBe(400);
		expect(await response.text()).toContain('X-Runway-Version');
	});

	it('reports credits and limits, and cancels then deletes tasks', async () => {
		const org = await client.organization.retrieve();
		expect(org.creditBalance).toBeLessThan(sandbox.context.config.runwayCredits);
		expect(org.tier.models.gen4_turbo).toMatchObject({ maxConcurrentGenerations: 3 });
		const created = await client.imageToVideo.create({
			model: 'gen4_turbo',
			promptImage: dataUri(pngImage(64, 64, 9)),
			ratio: '960:960',
			duration: 2,
		});
		await client.tasks.delete(created.id);
		expect((await client.tasks.retrieve(created.id)).status).toBe('CANCELLED');
		await client.tasks.delete(created.id);
		await expect(client.tasks.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
	});

	it('surfaces a failed task through the SDK helper with its failure code', async () => {
		sandbox.setFaults({
			rules: [
				{
					fault: 'job_failed',
					vendor: 'runway',
					op: 'submit',
					times: 1,
					params: { code: 'SAFETY.INPUT.TEXT', message: 'The prompt was flagged.' },
				},
			],
		});
		const error = await client.textToVideo
			.create({ model: 'gen4.5', promptText: 'x', ratio: '1280:720', duration: 2 })
			.waitForTaskOutput()
			.catch((e) => e);
		expect(error).toBeInstanceOf(TaskFailedError);
		expect(error.taskDetails).toMatchObject({ status: 'FAILED', failureCode: 'SAFETY.INPUT.TEXT' });
		sandbox.setFaults({ rules: [] });
	});
});
