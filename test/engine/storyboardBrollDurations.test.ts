import { shotItemSchema } from '../../nodes/shared/contract';
import { runWorkflow } from '../harness/engine';
import { singleNode } from '../harness/pipeline';
import { credentialsFor, withSandbox, type Sandbox } from '../harness/sandbox';

const OPENAI = { type: 'openAiVideoPipelineApi', id: 'vpSandboxOpenAi', name: 'Sandbox OpenAI' };
const SCRIPT =
	'Mara unlocks the café at dawn. Steam curls from the espresso machine. Leo walks in from the rain. Mara hands Leo a cup: "First one is on me." The sign flips to open.';

/** B-roll is planned in the durations the control engine renders (Kling 3.0 starts at 3 s, Runway at 2 s). */
describe('Storyboard: b-roll durations for the control engine (engine, sandbox)', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await withSandbox();
	});
	afterAll(async () => sandbox.stop());

	const manifest = (run: Record<string, unknown>, targetSeconds = 28) =>
		runWorkflow(
			singleNode(
				'openAiStoryboard',
				{
					resource: 'storyboard',
					operation: 'createManifest',
					model: 'gpt-5.4-mini',
					script: SCRIPT,
					targetSeconds,
					aspectRatios: ['16:9'],
					variants: 1,
					layerPolicy: 'dialogueHero',
					outputShape: 'shots',
					run: { runId: 'cafe', heroDurations: '8', ...run },
				},
				OPENAI,
			),
			{
				credentials: credentialsFor(sandbox, 'vpSandboxOpenAi'),
				input: [{ json: {} }],
			},
		);

	it('keeps every b-roll shot inside the range and the run on its target', async () => {
		const defaults = (await manifest({}))
			.output('Node')
			.map((o) => shotItemSchema.parse(o.json).shot);
		expect(
			Math.min(...defaults.filter((s) => s.layer === 'broll').map((s) => s.durationSeconds)),
		).toBe(2);
		// Three 8 s hero shots and two b-roll shots of at least 3 s cannot make 28 s: the run says so, and 30 s works.
		expect((await manifest({ brollDurations: '3-10' })).error?.message).toMatch(
			/5 shots cannot add up to 28 s with hero shots of 8 s and b-roll of 3-10 s/,
		);
		const run = await manifest({ brollDurations: '3-10' }, 30);
		expect(run.error).toBeUndefined();
		const kling = run.output('Node').map((o) => shotItemSchema.parse(o.json).shot);
		const broll = kling.filter((s) => s.layer === 'broll').map((s) => s.durationSeconds);
		expect(broll.length).toBeGreaterThan(0);
		expect(broll.every((seconds) => seconds >= 3 && seconds <= 10)).toBe(true);
		expect(Math.abs(kling.reduce((sum, s) => sum + s.durationSeconds, 0) - 30)).toBeLessThanOrEqual(
			1,
		);
	});

	it('names a range it cannot read', async () => {
		const result = await manifest({ brollDurations: 'ten' });
		expect(result.error?.message).toMatch(
			/Item 0: run\.brollDurations: must be a range of seconds such as 2-10/,
		);
	});
});
