import { readFileSync } from 'node:fs';
import { defaultConfig } from '../../sandbox/config';
import { castFromPrompt } from '../../sandbox/media/cast';
import { render, type RenderSpec } from '../../sandbox/media/render';
import { driftedSpec } from '../../sandbox/vendors/drift';
import { withSandbox, type Sandbox } from '../harness/sandbox';

jest.setTimeout(120_000);

/** The frame judge request the QC Router sends, in miniature: one clip, one anchor, a palette. */
const request = (clip: Buffer, anchor: Buffer) => ({
	contents: [
		{
			role: 'user',
			parts: [
				{
					text: 'Quality-check this shot. Characters in the clip, left to right: mara. Graded look: dusk; palette #335577. Score the clip at 1.0 s, 2.0 s (one entry per time in frames).',
				},
				{ inlineData: { mimeType: 'video/mp4', data: clip.toString('base64') } },
				{
					text: 'Anchor of @mara: shot-1, take j1. Its characters, left to right: mara. Compare with its frames at 1.0 s, 2.0 s; score anchorScore for @mara.',
				},
				{ inlineData: { mimeType: 'video/mp4', data: anchor.toString('base64') } },
			],
		},
	],
	generationConfig: {
		responseMimeType: 'application/json',
		responseJsonSchema: {
			type: 'object',
			properties: {
				frames: {
					type: 'array',
					items: { type: 'object', properties: { characters: { type: 'array' } } },
				},
			},
		},
	},
});

describe('the sandbox vision judge is no oracle', () => {
	let sandbox: Sandbox;
	let clean: Buffer;
	let drifted: Buffer;
	let anchor: Buffer;

	beforeAll(async () => {
		sandbox = await withSandbox();
		const prompt =
			'A walk. Characters: mara: a tall woman in a red coat. Look: dusk; palette #335577.';
		const spec: RenderSpec = {
			kind: 'video',
			width: 640,
			height: 360,
			fps: 24,
			durationSeconds: 3,
			audio: false,
			prompt,
			references: [],
			cast: castFromPrompt(prompt).map((c) => c.identity),
			palette: ['#335577'],
		};
		anchor = readFileSync(await render(spec));
		clean = readFileSync(await render({ ...spec, prompt: `${prompt} #seed2` }));
		drifted = readFileSync(
			await render(driftedSpec({ ...spec, prompt: `${prompt} #seed3` }, { drift: 'character' })),
		);
	});
	afterAll(async () => sandbox.stop());

	const judge = async (clip: Buffer) => {
		const response = await fetch(
			`${sandbox.baseUrls.gemini}/v1beta/models/gemini-3.1-flash-lite:generateContent`,
			{
				method: 'POST',
				headers: {
					'x-goog-api-key': sandbox.context.config.keys.googleApiKey,
					'content-type': 'application/json',
				},
				body: JSON.stringify(request(clip, anchor)),
			},
		);
		expect(response.status).toBe(200);
		const body = (await response.json()) as {
			candidates: Array<{ content: { parts: Array<{ text: string }> } }>;
		};
		return JSON.parse(body.candidates[0].content.parts[0].text) as {
			frames: Array<{
				atSeconds: number;
				colourScore: number;
				characters: Array<{ tag: string; anchorScore: number }>;
			}>;
		};
	};
	const anchorScores = (answer: Awaited<ReturnType<typeof judge>>) =>
		answer.frames.map((f) => f.characters.find((c) => c.tag === 'mara')!.anchorScore);
	const setNoise = (body: unknown) =>
		fetch(`${sandbox.origin}/_sandbox/judge`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});

	it('reads the frames asked: the same face from its description matches the anchor, a changed one does not', async () => {
		await setNoise({ falseNegativeRate: 0, falsePositiveRate: 0 });
		const answer = await judge(clean);
		expect(answer.frames.map((f) => f.atSeconds)).toEqual([1, 2]);
		expect(anchorScores(answer)).toEqual([1, 1]);
		expect(anchorScores(await judge(drifted))).toEqual([0, 0]);
	});

	it('misses a drift and flags a clean clip at the seeded rates, and says which answers were wrong', async () => {
		await setNoise({ falseNegativeRate: 1, falsePositiveRate: 0, seed: 5 });
		expect(Math.min(...anchorScores(await judge(drifted)))).toBeGreaterThanOrEqual(0.82);
		await setNoise({ falseNegativeRate: 0, falsePositiveRate: 1, seed: 5 });
		const flagged = await judge(clean);
		expect(
			Math.min(...anchorScores(flagged), ...flagged.frames.map((f) => f.colourScore)),
		).toBeLessThan(0.8);
		const calls = (
			(await (await fetch(`${sandbox.origin}/_sandbox/judge`)).json()) as {
				calls: Array<{ clean: boolean; noise: string | null }>;
			}
		).calls;
		expect(calls).toEqual([expect.objectContaining({ clean: true, noise: 'false_positive' })]);
		// Seeded: the same seed gives the same wrong answer.
		await setNoise({ seed: 5 });
		expect(await judge(clean)).toEqual(flagged);
	});

	it('takes its rates from the environment and refuses a rate outside 0..1', async () => {
		expect(
			defaultConfig({ SANDBOX_JUDGE_FN: '0.05', SANDBOX_JUDGE_FP: '0.1', SANDBOX_JUDGE_SEED: '9' })
				.judge,
		).toEqual({ falseNegativeRate: 0.05, falsePositiveRate: 0.1, seed: 9 });
		const response = await setNoise({ falsePositiveRate: 2 });
		expect(response.status).toBe(400);
		expect(await response.json()).toEqual({
			error: 'falsePositiveRate must be a rate from 0 to 1',
		});
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
		expect(await (await fetch(`${sandbox.origin}/_sandbox/judge`)).json()).toMatchObject({
			falseNegativeRate: 0,
			falsePositiveRate: 0,
			calls: [],
		});
	});
});
