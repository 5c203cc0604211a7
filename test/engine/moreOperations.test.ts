import { shotItemSchema } from '../../nodes/shared/contract';
import { bufferSource, probeMp4 } from '../../nodes/shared/mp4';
import { readBinary, runWorkflow, type WorkflowJson } from '../harness/engine';
import { asItems, pinWith, referenceImage, shotItems, singleNode } from '../harness/pipeline';
import {
	credentialsFor,
	sandboxJobs,
	sandboxLedger,
	waitForSandboxJob,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';

jest.setTimeout(90_000);

const FAST = { pollIntervalSeconds: 0.2, timeoutMinutes: 1 };
const VERTEX = { type: 'googleVideoPipelineApi', id: 'vpSandboxVertex', name: 'Vertex' };
const RUNWAY = { type: 'runwayVideoPipelineApi', id: 'vpSandboxRunway', name: 'Runway' };
const OPENAI = { type: 'openAiVideoPipelineApi', id: 'vpSandboxOpenAi', name: 'OpenAI' };

describe('remaining operations and the narrative loop (engine, sandbox)', () => {
	let sandbox: Sandbox;
	let pin: ReturnType<typeof pinWith>;

	beforeAll(async () => {
		sandbox = await withSandbox({
			config: { renderMs: { openai: 200, google: 200, runway: 200 } },
		});
		pin = pinWith([{ tag: 'mara', url: (await referenceImage(sandbox, 'mara.png', 41)).url }]);
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});

	it('extends the item’s latest Veo take by about 7 seconds at 720p', async () => {
		const credentials = credentialsFor(sandbox, 'vpSandboxVertex');
		const first = await runWorkflow(
			singleNode(
				'googleVeo',
				{
					resource: 'video',
					operation: 'generate',
					model: 'veo-3.1-generate-001',
					shotSource: 'item',
					referenceMode: 'none',
					renderOptions: { ...FAST, output: 'reference' },
					veoOptions: { storageUri: 'gs://renders/ext/' },
				},
				VERTEX,
			),
			{
				credentials,
				input: asItems(shotItems(1, undefined, { durationSeconds: 4, resolution: '720p' })),
			},
		);
		const extended = await runWorkflow(
			singleNode(
				'googleVeo',
				{
					resource: 'video',
					operation: 'extend',
					model: 'veo-3.1-generate-001',
					continuation: 'She walks out into the rain',
					renderOptions: FAST,
				},
				VERTEX,
			),
			{ credentials, input: [{ json: first.output('Node')[0].json }] },
		);
		expect(extended.error).toBeUndefined();
		const item = shotItemSchema.parse(extended.output('Node')[0].json);
		expect(item.takes.map((t) => t.operation)).toEqual(['generate', 'extend']);
		const probe = await probeMp4(
			bufferSource(await readBinary(extended.output('Node')[0].binary!.data.id!)),
		);
		expect(probe.durationSeconds).toBeCloseTo(11, 0);
		expect(probe.video).toMatchObject({ width: 1280, height: 720 });
	});

	it('transfers a performance onto the pinned character with Act-Two', async () => {
		const performance = await runWorkflow(
			singleNode(
				'runway',
				{
					resource: 'video',
					operation: 'textToVideo',
					model: 'gen4.5',
					shotSource: 'item',
					renderOptions: { ...FAST, output: 'reference' },
				},
				RUNWAY,
			),
			{
				credentials: credentialsFor(sandbox, 'vpSandboxRunway'),
				input: asItems(shotItems(1, pin, { durationSeconds: 5, layer: 'broll' })),
			},
		);
		const performanceUrl = (
			performance.output('Node')[0].json.takes as Array<{ asset: { ref: string } }>
		)[0].asset.ref;
		const acted = await runWorkflow(
			singleNode(
				'runway',
				{
					resource: 'video',
					operation: 'characterPerformance',
					performanceUrl,
					bodyControl: true,
					expressionIntensity: 4,
					renderOptions: FAST,
				},
				RUNWAY,
			),
			{
				credentials: credentialsFor(sandbox, 'vpSandboxRunway'),
				input: [{ json: performance.output('Node')[0].json }],
			},
		);
		expect(acted.error).toBeUndefined();
		const item = shotItemSchema.parse(acted.output('Node')[0].json);
		expect(item.takes[1]).toMatchObject({
			operation: 'characterPerformance',
			model: 'act_two',
			refsSent: ['mara'],
			status: 'succeeded',
			costUsd: 0.25,
		});
		const jobs = await sandboxJobs(sandbox);
		expect(jobs[1].request).toMatchObject({
			character: { type: 'image' },
			reference: { type: 'video', uri: performanceUrl },
			expressionIntensity: 4,
		});
	});

	it('submits on the Videos API only, reads the status, then collects the render without paying again', async () => {
		const credentials = credentialsFor(sandbox, 'vpSandboxOpenAi');
		const submitted = await runWorkflow(
			singleNode(
				'openAiStoryboard',
				{
					resource: 'video',
					operation: 'render',
					model: 'sora-2',
					shotSource: 'item',
					inputReference: 'none',
					mode: 'submit',
					renderOptions: FAST,
				},
				OPENAI,
			),
			{
				credentials,
				input: asItems(shotItems(1, undefined, { durationSeconds: 4, resolution: '720p' })),
			},
		);
		const pending = submitted.output('Node')[0].json;
		expect(pending.status).toBe('submitted');
		await waitForSandboxJob(sandbox);
		const collected = await runWorkflow(
			singleNode(
				'openAiStoryboard',
				{
					resource: 'video',
					operation: 'render',
					model: 'sora-2',
					shotSource: 'item',
					inputReference: 'none',
					renderOptions: FAST,
				},
				OPENAI,
			),
			{ credentials, input: [{ json: pending }] },
		);
		expect(shotItemSchema.parse(collected.output('Node')[0].json).takes).toEqual([
			expect.objectContaining({ jobId: pending.jobId, status: 'succeeded' }),
		]);
		expect((await sandboxLedger(sandbox)).entries).toHaveLength(1);
	});

	it('QC reads clips kept by reference with the vendor credential (gs:// objects, Videos API content) by range, and says which credential is missing', async () => {
		const credentials = {
			...credentialsFor(sandbox, 'vpSandboxVertex'),
			...credentialsFor(sandbox, 'vpSandboxOpenAi'),
		};
		const shot = () => asItems(shotItems(1, undefined, { durationSeconds: 4, resolution: '720p' }));
		const veo = await runWorkflow(
			singleNode(
				'googleVeo',
				{
					resource: 'video',
					operation: 'generate',
					model: 'veo-3.1-generate-001',
					shotSource: 'item',
					referenceMode: 'none',
					renderOptions: { ...FAST, output: 'reference' },
					veoOptions: { storageUri: 'gs://renders/qc/' },
				},
				VERTEX,
			),
			{ credentials, input: shot() },
		);
		const sora = await runWorkflow(
			singleNode(
				'openAiStoryboard',
				{
					resource: 'video',
					operation: 'render',
					model: 'sora-2',
					shotSource: 'item',
					inputReference: 'none',
					renderOptions: { ...FAST, output: 'reference' },
				},
				OPENAI,
			),
			{ credentials, input: shot() },
		);
		const rendered = [veo.output('Node')[0], sora.output('Node')[0]];
		expect(rendered.map((o) => shotItemSchema.parse(o.json).takes[0].asset!.kind)).toEqual([
			'gcs',
			'url',
		]);
		expect(rendered.every((o) => o.binary === undefined)).toBe(true);

		const keys = {
			googleVideoPipelineApi: { id: VERTEX.id, name: VERTEX.name },
			openAiVideoPipelineApi: { id: OPENAI.id, name: OPENAI.name },
		};
		const qc = async (withKeys: boolean, item: (typeof rendered)[number]) => {
			const result = await runWorkflow(
				singleNode(
					'qcRouter',
					{ barrier: 'item' },
					undefined,
					withKeys ? { credentials: keys } : {},
				),
				{ credentials, input: [{ json: item.json }] },
			);
			expect(result.error).toBeUndefined();
			return shotItemSchema.parse(result.runs('Node')[0].flat()[0].json).qc!.verdicts;
		};
		for (const item of rendered) {
			const verdicts = await qc(true, item);
			expect(verdicts.find((v) => v.check === 'duration')).toMatchObject({ pass: true });
			expect(verdicts.find((v) => v.check === 'aspectRatio')).toMatchObject({
				value: '1280x720',
				pass: true,
			});
			expect(verdicts.some((v) => v.check === 'probe')).toBe(false);
		}
		// Without the credential the clip cannot be checked, so it is not Passed (and a re-render would not help).
		expect(
			(await qc(false, rendered[0])).find((v) => v.check === 'probe.credential'),
		).toMatchObject({
			value:
				'the Google clip is kept by reference: add a Google credential to the QC Router to read it',
			pass: false,
		});
		expect(
			(await qc(false, rendered[1])).find((v) => v.check === 'probe.credential'),
		).toMatchObject({
			value:
				'the OpenAI clip is kept by reference: add an OpenAI credential to the QC Router to read it',
			pass: false,
		});
	});

	it('routes a narrative take that drifted back to the Videos API node until it passes', async () => {
		sandbox.setFaults({
			rules: [{ fault: 'drift', vendor: 'openai', times: 1, params: { drift: 'duration' } }],
		});
		const workflow: WorkflowJson = {
			name: 'narrative loop',
			nodes: [
				{
					id: 's',
					name: 'Sora',
					type: 'n8n-nodes-video-pipeline.openAiStoryboard',
					typeVersion: 1,
					position: [0, 0],
					parameters: {
						resource: 'video',
						operation: 'render',
						model: 'sora-2',
						shotSource: 'item',
						inputReference: 'none',
						renderOptions: FAST,
					},
					credentials: { openAiVideoPipelineApi: { id: 'vpSandboxOpenAi', name: 'OpenAI' } },
				},
				{
					id: 'q',
					name: 'QC',
					type: 'n8n-nodes-video-pipeline.qcRouter',
					typeVersion: 1,
					position: [300, 0],
					parameters: { barrier: 'run' },
				},
			] as never,
			connections: {
				Sora: { main: [[{ node: 'QC', type: 'main' as never, index: 0 }]] },
				QC: { main: [[], [{ node: 'Sora', type: 'main' as never, index: 0 }], [], [], [], []] },
			},
		};
		const result = await runWorkflow(workflow, {
			credentials: credentialsFor(sandbox, 'vpSandboxOpenAi'),
			input: asItems(
				shotItems(2, undefined, { durationSeconds: 8, resolution: '720p', needsAudio: true }),
			),
			startNode: 'Sora',
		});
		expect(result.error).toBeUndefined();
		const doneItems = result.runs('QC').flatMap((outputs) => outputs[5] ?? []);
		const done = doneItems.map((o) => shotItemSchema.parse(o.json));
		expect(done).toHaveLength(2);
		// The Videos API makes a still of every take; the report shows it.
		const report = doneItems[0].json.qcReport as { shots: Array<{ thumbnail?: string }> };
		expect(
			report.shots.every((shot) => shot.thumbnail?.startsWith('data:image/webp;base64,')),
		).toBe(true);
		expect(done[0].takes.at(-1)!.thumbnail).toMatchObject({
			kind: 'binary',
			ref: 'data_thumbnail',
			mimeType: 'image/webp',
		});
		expect(done.map((s) => s.takes.length).sort()).toEqual([1, 2]);
		expect(done.find((s) => s.takes.length === 2)!.qc).toMatchObject({
			status: 'passed',
			attempts: { narrative: 1 },
		});
		expect((await sandboxLedger(sandbox)).entries).toHaveLength(3);
	});
});
