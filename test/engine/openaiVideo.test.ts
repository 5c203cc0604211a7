import { shotItemSchema } from '../../nodes/shared/contract';
import { bufferSource, probeMp4 } from '../../nodes/shared/mp4';
import { readBinary, runWorkflow } from '../harness/engine';
import { pngImage } from '../harness/media';
import { asItems, shotItems, singleNode } from '../harness/pipeline';
import {
	credentialsFor,
	sandboxJobs,
	sandboxLedger,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';

jest.setTimeout(60_000);

const OPENAI = { type: 'openAiVideoPipelineApi', id: 'vpSandboxOpenAi', name: 'Sandbox OpenAI' };
const FAST = { pollIntervalSeconds: 0.2, timeoutMinutes: 1 };

describe('OpenAI Storyboard: Videos API renders (engine, sandbox as a gateway)', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { openai: 300 } } });
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});

	const render = (parameters: Record<string, unknown> = {}) =>
		singleNode(
			'openAiStoryboard',
			{
				resource: 'video',
				operation: 'render',
				model: 'sora-2',
				shotSource: 'item',
				inputReference: 'none',
				renderOptions: FAST,
				...parameters,
			},
			OPENAI,
		);
	const run = (
		workflow: ReturnType<typeof render>,
		input: unknown[],
		credentials = credentialsFor(sandbox, 'vpSandboxOpenAi'),
	) =>
		runWorkflow(workflow, {
			credentials,
			input: input.map((item) =>
				item && typeof item === 'object' && 'json' in (item as object) ? item : { json: item },
			) as never,
		});

	it('renders shots on the Videos API and books them at the model’s price per second', async () => {
		const result = await run(
			render(),
			asItems(shotItems(2, undefined, { durationSeconds: 8, resolution: '720p', layer: 'broll' })),
		);
		expect(result.error).toBeUndefined();
		for (const out of result.output('Node')) {
			const item = shotItemSchema.parse(out.json);
			expect(item.takes[0]).toMatchObject({
				layer: 'narrative',
				vendor: 'openai',
				model: 'sora-2',
				operation: 'render',
				status: 'succeeded',
				costUsd: 0.8,
			});
			const probe = await probeMp4(bufferSource(await readBinary(out.binary!.data.id!)));
			expect(probe.video).toMatchObject({ width: 1280, height: 720 });
		}
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.totalUsd).toBe(1.6);
	});

	it('sends a binary input reference as multipart', async () => {
		const [item] = shotItems(1, undefined, {
			durationSeconds: 4,
			resolution: '720p',
			aspectRatio: '9:16',
		});
		const png = pngImage(720, 1280, 5);
		const result = await run(
			render({ inputReference: 'binary', inputReferenceProperty: 'first' }),
			[
				{
					json: item,
					binary: {
						first: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'first.png' },
					},
				},
			],
		);
		expect(result.error).toBeUndefined();
		const [job] = await sandboxJobs(sandbox);
		expect(job.refsReceived).toHaveLength(1);
		expect(job.request).toMatchObject({ size: '720x1280', seconds: 4 });
	});

	it('edits and extends the latest render as new takes', async () => {
		const first = await run(
			render({ renderOptions: { ...FAST, output: 'reference' } }),
			asItems(shotItems(1, undefined, { durationSeconds: 4, resolution: '720p' })),
		);
		const edited = await run(
			singleNode(
				'openAiStoryboard',
				{
					resource: 'video',
					operation: 'remix',
					remixKind: 'edit',
					instruction: 'Make it dusk',
					renderOptions: { ...FAST, output: 'reference' },
				},
				OPENAI,
			),
			[first.output('Node')[0].json],
		);
		const extended = await run(
			singleNode(
				'openAiStoryboard',
				{
					resource: 'video',
					operation: 'remix',
					remixKind: 'extend',
					addSeconds: 8,
					renderOptions: FAST,
				},
				OPENAI,
			),
			[edited.output('Node')[0].json],
		);
		expect(extended.error).toBeUndefined();
		const item = shotItemSchema.parse(extended.output('Node')[0].json);
		expect(item.takes.map((take) => take.operation)).toEqual(['render', 'edit', 'extend']);
		const probe = await probeMp4(
			bufferSource(await readBinary(extended.output('Node')[0].binary!.data.id!)),
		);
		expect(probe.durationSeconds).toBeCloseTo(12, 0);
	});

	it('records a moderation block as a failed take', async () => {
		sandbox.setFaults({ rules: [{ fault: 'job_failed', vendor: 'openai', times: 1 }] });
		const result = await run(
			render(),
			asItems(shotItems(1, undefined, { durationSeconds: 4, resolution: '720p' })),
		);
		expect(shotItemSchema.parse(result.output('Node')[0].json).takes[0]).toMatchObject({
			status: 'failed',
			failure: { code: 'moderation_blocked', retryable: false },
		});
	});

	it('refuses sora on OpenAI itself, naming the replacement, before sending anything', async () => {
		const credentials = {
			openAiVideoPipelineApi: {
				...credentialsFor(sandbox, 'vpSandboxOpenAi').openAiVideoPipelineApi,
				baseUrl: 'https://api.openai.com/v1',
			},
		};
		const result = await run(
			render(),
			asItems(shotItems(1, undefined, { durationSeconds: 4, resolution: '720p' })),
			credentials,
		);
		expect(result.error!.message).toBe(
			'Model sora-2 was retired by openai on 2026-09-24. Use veo-3.1-generate-001 instead. ' +
				'OpenAI shut the Videos API down; OpenAI-compatible gateways that still serve this ID keep working when the credential points at them.',
		);
	});

	it('names a duration Sora does not render', async () => {
		const result = await run(render(), asItems(shotItems(1, undefined, { durationSeconds: 6 })));
		expect(result.error!.message).toMatch(
			/Item 0: shot\.durationSeconds: durationSeconds 6 is not offered by sora-2 \(allowed: 4, 8, 12, 16, 20\)/,
		);
	});
});
