import OpenAI, { toFile } from 'openai';
import { z } from 'zod/v4';
import { ffprobeBytes, mp4Clip, pngImage } from '../harness/media';
import { withSandbox, type Sandbox } from '../harness/sandbox';

// Every test waits for sandbox renders (made by ffmpeg), which take seconds on a loaded machine.
jest.setTimeout(120_000);

/** The official openai SDK, unmodified, pointed at the sandbox. */
describe('sandbox: OpenAI Videos and Responses APIs through the openai SDK', () => {
	let sandbox: Sandbox;
	let client: OpenAI;

	beforeAll(async () => {
		sandbox = await withSandbox();
		client = new OpenAI({
			apiKey: sandbox.context.config.keys.openai,
			baseURL: sandbox.baseUrls.openai,
			maxRetries: 0,
		});
	});
	afterAll(async () => sandbox.stop());

	async function poll(id: string) {
		for (;;) {
			const video = await client.videos.retrieve(id);
			if (video.status === 'completed' || video.status === 'failed') return video;
			expect(['queued', 'in_progress']).toContain(video.status);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}

	it('creates, polls and downloads a render (multipart with an input_reference file)', async () => {
		const created = await client.videos.create({
			model: 'sora-2',
			prompt: 'A cyclist crosses a bridge at dawn.',
			seconds: '8',
			size: '1280x720',
			input_reference: await toFile(pngImage(1280, 720), 'first.png', { type: 'image/png' }),
		});
		expect(created).toMatchObject({
			object: 'video',
			model: 'sora-2',
			seconds: '8',
			size: '1280x720',
		});
		const done = await poll(created.id);
		expect(done).toMatchObject({ status: 'completed', progress: 100 });
		const content = await client.videos.downloadContent(created.id);
		const probe = ffprobeBytes(Buffer.from(await content.arrayBuffer()));
		expect(probe).toMatchObject({
			width: 1280,
			height: 720,
			videoCodec: 'h264',
			audioCodec: 'aac',
		});
		expect(probe.durationSeconds).toBeCloseTo(8, 0);
		const thumbnail = await client.videos.downloadContent(created.id, { variant: 'thumbnail' });
		expect(thumbnail.headers.get('content-type')).toBe('image/webp');
		expect(sandbox.context.jobs.get(created.id)!.refsReceived).toHaveLength(1);
	});

	it('rejects what the Videos API rejected: bad seconds, a size the model lacks, a mismatched reference', async () => {
		await expect(
			client.videos.create({ model: 'sora-2', prompt: 'x', seconds: '5' as never }),
		).rejects.toMatchObject({ status: 400, param: 'seconds' });
		await expect(
			client.videos.create({ model: 'sora-2', prompt: 'x', size: '1792x1024' }),
		).rejects.toMatchObject({ status: 400, param: 'size' });
		await expect(
			client.videos.create({
				model: 'sora-2',
				prompt: 'x',
				size: '720x1280',
				input_reference: await toFile(pngImage(640, 480), 'r.png', { type: 'image/png' }),
			}),
		).rejects.toMatchObject({ status: 400, param: 'input_reference' });
		await expect(
			new OpenAI({
				apiKey: 'sk-wrong-000000000000',
				baseURL: sandbox.baseUrls.openai,
				maxRetries: 0,
			}).videos.list(),
		).rejects.toMatchObject({ status: 401 });
	});

	it('lists with cursor pagination, remixes, edits, extends and deletes', async () => {
		const first = await poll(
			(
				await client.videos.create({
					model: 'sora-2-pro',
					prompt: 'Rain on a window.',
					seconds: '4',
					size: '1024x1792',
				})
			).id,
		);
		const remix = await poll(
			(await client.videos.remix(first.id, { prompt: 'Snow instead of rain.' })).id,
		);
		expect(remix.remixed_from_video_id).toBe(first.id);
		const edit = await poll(
			(await client.videos.edit({ prompt: 'Warmer light.', video: { id: first.id } })).id,
		);
		expect(edit.status).toBe('completed');
		const extended = await poll(
			(
				await client.videos.extend({
					prompt: 'The rain stops.',
					seconds: '8',
					video: { id: first.id },
				})
			).id,
		);
		expect(extended.seconds).toBe('12');
		const ids: string[] = [];
		for await (const video of client.videos.list({ limit: 2, order: 'asc' })) ids.push(video.id);
		expect(ids).toEqual(expect.arrayContaining([first.id, remix.id, edit.id, extended.id]));
		expect(await client.videos.delete(first.id)).toMatchObject({ id: first.id, deleted: true });
		await expect(client.videos.retrieve(first.id)).rejects.toMatchObject({ status: 404 });
	});

	it('creates a character from a short clip and uses it in a render', async () => {
		const clip = mp4Clip(1280, 720, 3);
		const character = await client.videos.createCharacter({
			name: 'Mara',
			video: await toFile(clip, 'mara.mp4', { type: 'video/mp4' }),
		});
		expect(await client.videos.getCharacter(character.id!)).toMatchObject({
			id: character.id,
			name: 'Mara',
		});
		const video = await client.videos.create({
			model: 'sora-2',
			prompt: 'Mara waves.',
			characters: [{ id: character.id! }],
		} as never);
		expect(sandbox.context.jobs.get(video.id)!.refsReceived).toHaveLength(1);
		const tooLong = mp4Clip(1280, 720, 6);
		await expect(
			client.videos.createCharacter({
				name: 'Long',
				video: await toFile(tooLong, 'long.mp4', { type: 'video/mp4' }),
			}),
		).rejects.toMatchObject({ status: 400, param: 'video' });
	});

	it('answers Responses API json_schema requests with output that validates against the schema', async () => {
		const Manifest = z
			.object({
				title: z.string().min(1),
				shots: z
					.array(
						z
							.object({
								beat: z.string(),
								durationSeconds: z.number().min(2).max(8),
								layer: z.enum(['hero', 'broll']),
							})
							.strict(),
					)
					.min(2)
					.max(6),
			})
			.strict();
		const script =
			'A runner laces her shoes. She sprints through the city. The sun rises over the river.';
		const response = await client.responses.create({
			model: 'gpt-5.4-mini',
			input: script,
			text: {
				format: {
					type: 'json_schema',
					name: 'shot_manifest',
					strict: true,
					schema: z.toJSONSchema(Manifest) as Record<string, unknown>,
				},
			},
		});
		const manifest = Manifest.parse(JSON.parse(response.output_text));
		expect(manifest.shots).toHaveLength(3);
		expect(manifest.shots[1].beat).toBe('She sprints through the city.');
		const again = await client.responses.create({
			model: 'gpt-5.4-mini',
			input: script,
			text: {
				format: {
					type: 'json_schema',
					name: 'shot_manifest',
					strict: true,
					schema: z.toJSONSchema(Manifest) as Record<string, unknown>,
				},
			},
		});
		expect(again.output_text).toBe(response.output_text);
		expect(response.usage!.total_tokens).toBeGreaterThan(0);
	});

	it('answers sora models as OpenAI does since the shutdown when switched to retired', async () => {
		sandbox.context.config.openaiRetired = true;
		try {
			await expect(client.videos.create({ model: 'sora-2', prompt: 'x' })).rejects.toMatchObject({
				status: 404,
				code: 'model_not_found',
			});
		} finally {
			sandbox.context.config.openaiRetired = false;
		}
	});
});
