import { shotItemSchema } from '../../nodes/shared/contract';
import { runWorkflow } from '../harness/engine';
import { singleNode } from '../harness/pipeline';
import { credentialsFor, sandboxLedger, withSandbox, type Sandbox } from '../harness/sandbox';

jest.setTimeout(60_000);

const OPENAI = { type: 'openAiVideoPipelineApi', id: 'vpSandboxOpenAi', name: 'Sandbox OpenAI' };
const SCRIPT =
	'Mara unlocks the café at dawn. Steam curls from the espresso machine. Leo walks in from the rain. Mara hands Leo a cup: "First one is on me." The sign flips to open.';

describe('OpenAI Storyboard: Create Shot Manifest (engine, sandbox)', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await withSandbox();
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});

	const manifest = (parameters: Record<string, unknown>) =>
		runWorkflow(
			singleNode(
				'openAiStoryboard',
				{
					resource: 'storyboard',
					operation: 'createManifest',
					model: 'gpt-5.4-mini',
					script: SCRIPT,
					targetSeconds: 30,
					aspectRatios: ['16:9'],
					variants: 1,
					layerPolicy: 'dialogueHero',
					outputShape: 'shots',
					...parameters,
				},
				OPENAI,
			),
			{
				credentials: credentialsFor(sandbox, 'vpSandboxOpenAi'),
				input: [{ json: {} }],
			},
		);

	it('turns a script into shot items that satisfy the contract, timed to the target, with locked characters', async () => {
		const result = await manifest({ run: { runId: 'cafe-launch', budgetUsd: 40 } });
		expect(result.error).toBeUndefined();
		const items = result.output('Node').map((o) => shotItemSchema.parse(o.json));
		expect(items).toHaveLength(5);
		const total = items.reduce((sum, item) => sum + item.shot.durationSeconds, 0);
		expect(Math.abs(total - 30)).toBeLessThanOrEqual(1);
		expect(items.map((i) => i.shot.index)).toEqual([0, 1, 2, 3, 4]);
		expect(items.map((i) => i.shot.beat.startSeconds)).toEqual(
			items.map((_, n) => items.slice(0, n).reduce((s, i) => s + i.shot.durationSeconds, 0)),
		);
		for (const item of items) {
			expect(item.pipeline).toMatchObject({ runId: 'cafe-launch', shotCount: 5, budgetUsd: 40 });
			if (item.shot.layer === 'hero') expect([4, 6, 8]).toContain(item.shot.durationSeconds);
			else expect(item.shot.durationSeconds).toBeGreaterThanOrEqual(2);
		}
		const manifestJson = result.output('Node')[0].json.manifest as {
			characters: Array<{ tag: string }>;
		};
		expect(manifestJson.characters.map((c) => c.tag)).toEqual(['mara', 'leo']);
		expect(items[3].shot).toMatchObject({
			layer: 'hero',
			characters: ['mara', 'leo'],
			dialogue: 'First one is on me.',
		});
		expect(items[1].shot).toMatchObject({ layer: 'broll', characters: [] });
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(1);
		expect(items[0].ledger).toEqual([
			expect.objectContaining({
				layer: 'narrative',
				jobId: ledger.entries[0].jobId,
				usd: ledger.entries[0].usd,
				estimated: false,
			}),
		]);
		expect(items[0].pipeline.spentUsd).toBe(ledger.entries[0].usd);
	});

	it('makes one run per variant and aspect ratio, and can output one manifest item', async () => {
		const result = await manifest({
			variants: 2,
			aspectRatios: ['16:9', '9:16'],
			outputShape: 'manifest',
			run: { runId: 'batch' },
		});
		expect(result.error).toBeUndefined();
		const runs = result
			.output('Node')
			.map((o) => o.json as { pipeline: { runId: string }; shots: Array<{ aspectRatio: string }> });
		expect(runs.map((r) => r.pipeline.runId)).toEqual([
			'batch-v1-16x9',
			'batch-v1-9x16',
			'batch-v2-16x9',
			'batch-v2-9x16',
		]);
		expect(runs[1].shots.every((shot) => shot.aspectRatio === '9:16')).toBe(true);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(2);
		// Each storyboard call is booked once, on its variant's first run, so the runs add up to the bill.
		const booked = result.output('Node').map((o) => o.json as { ledger: Array<{ usd: number }> });
		expect(booked.map((run) => run.ledger.length)).toEqual([1, 0, 1, 0]);
		expect(
			booked.flatMap((run) => run.ledger).reduce((sum, entry) => sum + entry.usd, 0),
		).toBeCloseTo(ledger.totalUsd, 6);
	});

	it('puts every shot of a run in a ratio the hero model does not render on the control layer', async () => {
		const result = await manifest({ aspectRatios: ['9:16', '1:1'], run: { runId: 'feed' } });
		expect(result.error).toBeUndefined();
		const shots = result
			.output('Node')
			.map(
				(o) =>
					o.json as { pipeline: { runId: string }; shot: { layer: string; needsAudio: boolean } },
			);
		const square = shots.filter((s) => s.pipeline.runId === 'feed-v1-1x1');
		const tall = shots.filter((s) => s.pipeline.runId === 'feed-v1-9x16');
		expect(tall.some((s) => s.shot.layer === 'hero' && s.shot.needsAudio)).toBe(true);
		expect(square).toHaveLength(tall.length);
		expect(square.every((s) => s.shot.layer === 'broll' && !s.shot.needsAudio)).toBe(true);
	});

	it('follows a shot list line for line', async () => {
		const result = await manifest({
			shotList: 'Wide of the café at dawn\nMara pours milk\nClose on the cup',
			targetSeconds: 14,
		});
		expect(result.error).toBeUndefined();
		expect(result.output('Node').map((o) => (o.json.shot as { prompt: string }).prompt)).toEqual([
			'Wide of the café at dawn',
			'Mara pours milk',
			'Close on the cup',
		]);
	});

	it('retries an unusable answer once with the problems, then fails naming them', async () => {
		const result = await manifest({ layerPolicy: 'allHero', targetSeconds: 200 });
		expect(result.run.status).toBe('error');
		expect(result.error!.message).toMatch(
			/Item 0: answer: the model's manifest was unusable twice \(variant 1\): 5 shots cannot add up to 200 s/,
		);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(2);
		expect(sandbox.context.jobs.jobs.size).toBe(0);
	});

	it('names a missing script', async () => {
		const result = await manifest({ script: '   ' });
		expect(result.error!.message).toBe('Item 0: script: is required');
	});
});
