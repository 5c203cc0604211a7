import { listSearch, loadOptions } from '../harness/engine';
import { singleNode } from '../harness/pipeline';
import { credentialsFor, withSandbox, type Sandbox } from '../harness/sandbox';

/** Model pickers over live catalogues: aggregators and OpenAI-compatible gateways serve models the registry does not know. */
describe('model pickers for aggregators and gateways', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await withSandbox();
	});
	afterAll(async () => sandbox.stop());

	const aggregator = (backend: string, credential: { type: string; id: string; name: string }) =>
		singleNode('videoAggregator', { backend, resource: 'video', operation: 'render' }, credential);

	it('lists fal’s video catalogue, text and image to video, and searches it', async () => {
		const node = aggregator('fal', { type: 'falVideoPipelineApi', id: 'f', name: 'f' });
		const all = await listSearch(
			node,
			'Node',
			'searchModels',
			credentialsFor(sandbox, 'vpSandboxFal'),
		);
		expect(all.results.map((r) => r.value)).toEqual(
			expect.arrayContaining([
				'fal-ai/kling-video/v3/pro/image-to-video',
				'fal-ai/kling-video/v3/pro/text-to-video',
				'fal-ai/veo3.1/fast',
				'fal-ai/gemini-omni/flash/reference-to-video',
			]),
		);
		const kling = await listSearch(
			node,
			'Node',
			'searchModels',
			credentialsFor(sandbox, 'vpSandboxFal'),
			'kling',
		);
		expect(kling.results.length).toBeGreaterThan(0);
		expect(kling.results.every((r) => String(r.value).includes('kling'))).toBe(true);
	});

	it('lists Replicate’s video collection', async () => {
		const result = await listSearch(
			aggregator('replicate', { type: 'replicateVideoPipelineApi', id: 'r', name: 'r' }),
			'Node',
			'searchModels',
			credentialsFor(sandbox, 'vpSandboxReplicate'),
		);
		expect(result.results.map((r) => r.value)).toEqual([
			'kwaivgi/kling-v2.1',
			'google/veo-3.1-lite',
			'minimax/hailuo-02',
			// A community model: billed by the prediction's predict_time, not per output.
			'community/wan-2.7-t2v',
		]);
	});

	it('fails the fal picker with fal’s own 401 when the key is wrong, never showing the key', async () => {
		const credentials = credentialsFor(sandbox, 'vpSandboxFal');
		credentials.falVideoPipelineApi = {
			...credentials.falVideoPipelineApi,
			apiKey: 'wrong-id:wrong-secret-value-000000',
		};
		const failure = await listSearch(
			aggregator('fal', { type: 'falVideoPipelineApi', id: 'f', name: 'f' }),
			'Node',
			'searchModels',
			credentials,
		).catch((error: Error) => error);
		expect((failure as Error).message).toMatch(/401/);
		expect(JSON.stringify(failure)).not.toContain('wrong-secret-value-000000');
	});

	it('lists the gateway’s own video models in the Storyboard video picker, marked as not in the registry', async () => {
		const options = await loadOptions(
			singleNode(
				'openAiStoryboard',
				{ resource: 'video', operation: 'render' },
				{ type: 'openAiVideoPipelineApi', id: 'o', name: 'o' },
			),
			'Node',
			'videoModels',
			credentialsFor(sandbox, 'vpSandboxOpenAi'),
		);
		const listed = options
			.filter((o) => String(o.name).includes('listed by your gateway'))
			.map((o) => o.value);
		expect(listed).toEqual(
			expect.arrayContaining(['minimax/h3', 'google/veo-3.1-fast', 'wan-ai/wan-2.6-t2v']),
		);
		// What the registry knows is offered once, with its facts, not again as a gateway listing.
		expect(listed).not.toContain('sora-2');
		expect(listed).not.toContain('gpt-5.4-mini');
		expect(options.find((o) => o.value === 'minimax/h3')!.description).toContain(
			'booked as an estimate',
		);
		expect(options.at(-1)!.value).toBe('custom');
	});
});
