import { shotItemSchema } from '../../nodes/shared/contract';
import { runWorkflow } from '../harness/engine';
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

/** An OpenAI-compatible gateway serves other vendors' models on /v1/videos, under IDs the registry does not know. */
describe('Videos API on a gateway: models the registry does not know (engine, sandbox with OpenAI shut down)', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { openai: 300 }, openaiRetired: true } });
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});

	const render = (model: string) =>
		singleNode(
			'openAiStoryboard',
			{
				resource: 'video',
				operation: 'render',
				model,
				shotSource: 'item',
				inputReference: 'none',
				renderOptions: { ...FAST, output: 'reference' },
			},
			OPENAI,
		);
	const run = (model: string, durationSeconds: number) =>
		runWorkflow(render(model), {
			credentials: credentialsFor(sandbox, 'vpSandboxOpenAi'),
			input: asItems(
				shotItems(1, undefined, { durationSeconds, resolution: '720p', layer: 'broll' }),
			),
		});

	it('renders a gateway model it does not know and books the cost the gateway reports', async () => {
		const result = await run('google/veo-3.1-fast', 8);
		expect(result.error).toBeUndefined();
		const item = shotItemSchema.parse(result.output('Node')[0].json);
		expect(item.takes[0]).toMatchObject({
			vendor: 'openai',
			model: 'google/veo-3.1-fast',
			status: 'succeeded',
			costUsd: 1.2,
		});
		// The gateway's usage.cost, not a guess: the same figure its own ledger charged.
		expect(item.ledger[0]).toMatchObject({
			model: 'google/veo-3.1-fast',
			unit: 'second',
			units: 8,
			usd: 1.2,
			estimated: false,
		});
		expect((await sandboxLedger(sandbox)).entries.map((e: { usd: number }) => e.usd)).toEqual([
			1.2,
		]);
		const [job] = await sandboxJobs(sandbox);
		expect(job.request).toMatchObject({
			model: 'google/veo-3.1-fast',
			seconds: 8,
			size: '1280x720',
		});
	});

	it('turns the gateway’s own limits into an error naming the field and the item, and pays nothing', async () => {
		const result = await run('minimax/h3', 8);
		expect(result.error?.message).toMatch(
			/HTTP 400 invalid_value: Invalid value: '8'\. Supported values for minimax\/h3 are: '6', '10'\. \(param: seconds\) \[openai, item 0\]/,
		);
		expect((await sandboxLedger(sandbox)).entries).toEqual([]);
	});

	it('answers a model nobody serves with the vendor’s own model_not_found', async () => {
		const result = await run('sora-2', 8);
		expect(result.error?.message).toMatch(/model_not_found/);
		const unknown = await run('acme/never-released', 8);
		expect(unknown.error?.message).toMatch(
			/HTTP 404 model_not_found: The model 'acme\/never-released' does not exist or you do not have access to it\. \(param: model\)/,
		);
	});
});
