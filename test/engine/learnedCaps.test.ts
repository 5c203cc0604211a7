import { shotItemSchema } from '../../nodes/shared/contract';
import { runWorkflow, type WorkflowJson } from '../harness/engine';
import { asItems, pinWith, referenceImage, shotItems } from '../harness/pipeline';
import { credentialsFor, withSandbox, type Sandbox } from '../harness/sandbox';
import { packageNode, runwayNode, to, veoNode } from '../harness/workflows';

jest.setTimeout(3 * 60_000);

const FAST = { pollIntervalSeconds: 0.2, timeoutMinutes: 1, concurrency: 10, output: 'reference' };

/** QC first (as in the templates): hero shots to Veo, b-roll to Runway, both back to QC. */
const mixedLoop = (): WorkflowJson => ({
	name: 'learned caps through QC',
	nodes: [
		packageNode('QC', 'qcRouter', { barrier: 'run' }),
		veoNode(FAST),
		runwayNode(FAST),
	] as never,
	connections: {
		QC: { main: [[], [], to('Veo'), to('Runway'), [], []] },
		Veo: { main: [to('QC')] },
		Runway: { main: [to('QC')] },
	},
});

describe('QC Router carries the caps the render nodes learned to All Done (engine, sandbox)', () => {
	let sandbox: Sandbox;
	let pin: ReturnType<typeof pinWith>;

	beforeAll(async () => {
		// Google takes two renders at once and refuses more; Runway takes three.
		sandbox = await withSandbox({
			config: {
				// Veo renders long enough against the 0.2 s polls, and against a busy machine's slow
				// submits, that a finished job is seen before another is sent: the account's cap of 2 is
				// then what the node learns, not one above it.
				renderMs: { google: 4000, runway: 300 },
				concurrency: { openai: 8, google: 2, runway: 3 },
				refuseOverConcurrency: { google: true },
			},
		});
		pin = pinWith([{ tag: 'mara', url: (await referenceImage(sandbox, 'mara.png', 21)).url }]);
	});
	afterAll(async () => sandbox.stop());

	/** Four hero shots and two b-roll shots of one run, each starting from last night's caps. */
	function runItems(carried: unknown) {
		const hero = shotItems(6, pin, { resolution: '720p' }).slice(0, 4);
		const broll = shotItems(6, undefined, {
			layer: 'broll',
			durationSeconds: 5,
			aspectRatio: '16:9',
		}).slice(4);
		return [...hero, ...broll].map((item) => ({ ...item, learnedConcurrency: carried }));
	}

	const run = async (items: unknown[]) =>
		await runWorkflow(mixedLoop(), {
			credentials: {
				...credentialsFor(sandbox, 'vpSandboxVertex'),
				...credentialsFor(sandbox, 'vpSandboxRunway'),
			},
			input: asItems(items),
			startNode: 'QC',
		});

	it('every All Done item carries what each vendor node learned, whichever vendor rendered the shot', async () => {
		// Last night Google took 4: tonight the account takes 2, so the Veo node learns lower.
		const result = await run(runItems({ google: 4, runway: 3 }));
		expect(result.error).toBeUndefined();

		const veo = result.output('Veo').map((o) => shotItemSchema.parse(o.json));
		const runway = result.output('Runway').map((o) => shotItemSchema.parse(o.json));
		const google = veo[0].learnedConcurrency?.google;
		expect(google).toBeLessThan(4);
		expect(veo.every((item) => item.learnedConcurrency?.google === google)).toBe(true);
		// The b-roll shots never went through Veo: they still carry last night's Google cap.
		expect(runway.map((item) => item.learnedConcurrency?.google)).toEqual([4, 4]);
		const runwayCap = runway[0].learnedConcurrency?.runway;
		expect(runwayCap).toBeGreaterThanOrEqual(3);

		const done = result.runs('QC').flatMap((outputs) => outputs[5] ?? []);
		expect(done).toHaveLength(6);
		for (const item of done)
			expect(item.json.learnedConcurrency).toEqual({ google, runway: runwayCap });
	});

	it('a malformed cap on an item is ignored, and does not hide what the nodes learn', async () => {
		const bad = await run(runItems({ google: 'four', runway: -1, acme: 9 }));
		expect(bad.error).toBeUndefined();
		const done = bad.runs('QC').flatMap((outputs) => outputs[5] ?? []);
		expect(done).toHaveLength(6);
		// Only what the render nodes learned tonight: the malformed field did not raise or lower it.
		// (From the safe start of 2 against the account's 2; a busy machine that notices a finished
		// job late may count one more in flight than the vendor ran, never the malformed 'four'.)
		const veoLearned = shotItemSchema.parse(bad.output('Veo')[0].json).learnedConcurrency?.google;
		expect(veoLearned).toBeLessThanOrEqual(3);
		for (const item of done) {
			const caps = item.json.learnedConcurrency as Record<string, number>;
			expect(Object.keys(caps).sort()).toEqual(['google', 'runway']);
			expect(caps.google).toBe(veoLearned);
		}
	});
});
