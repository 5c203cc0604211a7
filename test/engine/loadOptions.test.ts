import { loadOptions } from '../harness/engine';
import { singleNode } from '../harness/pipeline';
import { credentialsFor, withSandbox, type Sandbox } from '../harness/sandbox';

describe('model pickers: the registry plus what the vendor lists live', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await withSandbox();
	});
	afterAll(async () => sandbox.stop());

	it('offers Veo models per backend, marking unconfirmed availability on the Gemini API', async () => {
		const vertex = await loadOptions(
			singleNode(
				'googleVeo',
				{ resource: 'video', operation: 'generate' },
				{ type: 'googleVideoPipelineApi', id: 'v', name: 'v' },
			),
			'Node',
			'veoModels',
			credentialsFor(sandbox, 'vpSandboxVertex'),
		);
		expect(vertex.map((o) => o.value)).toEqual([
			'veo-3.1-generate-001',
			'veo-3.1-fast-generate-001',
			'veo-3.1-lite-generate-001',
			'custom',
		]);
		const gemini = await loadOptions(
			singleNode(
				'googleVeo',
				{ resource: 'video', operation: 'generate' },
				{ type: 'googleVideoPipelineApi', id: 'g', name: 'g' },
			),
			'Node',
			'veoModels',
			credentialsFor(sandbox, 'vpSandboxGemini'),
		);
		expect(gemini.find((o) => o.value === 'veo-3.1-generate-001')!.description).toContain(
			'availability unconfirmed',
		);
		expect(gemini.at(-1)!.value).toBe('custom');
	});

	it('lists a Veo model the Gemini API serves that the registry does not know', async () => {
		const { VEO_MODELS } = await import('../../sandbox/data/google');
		VEO_MODELS['veo-4.0-generate-preview'] = { ...VEO_MODELS['veo-3.1-generate-001'] };
		try {
			const gemini = await loadOptions(
				singleNode(
					'googleVeo',
					{ resource: 'video', operation: 'generate' },
					{ type: 'googleVideoPipelineApi', id: 'g', name: 'g' },
				),
				'Node',
				'veoModels',
				credentialsFor(sandbox, 'vpSandboxGemini'),
			);
			expect(gemini.find((o) => o.value === 'veo-4.0-generate-preview')!.name).toContain(
				'listed by the Gemini API',
			);
		} finally {
			delete VEO_MODELS['veo-4.0-generate-preview'];
		}
	});

	it('marks Runway models the account tier lacks', async () => {
		const { IMAGE_TO_VIDEO, TEXT_TO_VIDEO } = await import('../../sandbox/data/runway');
		const [i2v, t2v] = [IMAGE_TO_VIDEO['veo3.1_fast'], TEXT_TO_VIDEO['veo3.1_fast']];
		delete IMAGE_TO_VIDEO['veo3.1_fast'];
		delete TEXT_TO_VIDEO['veo3.1_fast'];
		try {
			const options = await loadOptions(
				singleNode(
					'runway',
					{ resource: 'video', operation: 'imageToVideo' },
					{ type: 'runwayVideoPipelineApi', id: 'r', name: 'r' },
				),
				'Node',
				'imageToVideoModels',
				credentialsFor(sandbox, 'vpSandboxRunway'),
			);
			expect(options.map((o) => o.value)).toEqual([
				'gen4_turbo',
				'gen4.5',
				'veo3.1',
				'veo3.1_fast',
				'gemini_omni_flash',
				'custom',
			]);
			// gemini_omni_flash is reported as resold by Runway, not confirmed: the sandbox account does not have it either.
			expect(
				options
					.filter((o) => String(o.description).includes("not in this account's tier"))
					.map((o) => o.value),
			).toEqual(['veo3.1_fast', 'gemini_omni_flash']);
		} finally {
			IMAGE_TO_VIDEO['veo3.1_fast'] = i2v;
			TEXT_TO_VIDEO['veo3.1_fast'] = t2v;
		}
	});
});
