import { sandboxCredentials } from '../sandbox/credentials';
import { ensureN8nRuntime, N8nInstance } from '../test/harness/n8nCli';
import type { Sandbox } from '../test/harness/sandbox';

/**
 * The peer comparison: the same Veo batch through n8n's own Google Gemini "Generate a Video" node
 * and through our Veo node with its defaults, each a manual trigger, a Code node with the prompts
 * and the renderer, in one n8n CLI against the sandbox's Gemini API.
 */
export async function geminiPeerInstance(sandbox: Sandbox): Promise<N8nInstance> {
	const n8n = new N8nInstance(ensureN8nRuntime());
	await n8n.importCredentials([
		...sandboxCredentials(sandbox),
		{
			id: 'vpBenchGeminiNative',
			name: 'Sandbox Gemini (n8n node)',
			type: 'googlePalmApi',
			data: { host: sandbox.baseUrls.gemini, apiKey: sandbox.context.config.keys.googleApiKey },
		},
	]);
	return n8n;
}

export function peerWorkflows(renders: number, idSuffix = '') {
	const prompts = Array.from({ length: renders }, (_, i) => ({
		prompt: `Shot ${i + 1}: a lighthouse at dusk, waves, slow push in`,
	}));
	const batch = (id: string, renderer: Record<string, unknown>) => ({
		id,
		name: id,
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		nodes: [
			{
				id: 'go',
				name: 'Go',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'prompts',
				name: 'Prompts',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: { jsCode: `return ${JSON.stringify(prompts)}.map((json) => ({ json }));` },
			},
			{ id: 'render', name: 'Render', position: [400, 0], ...renderer },
		],
		connections: {
			Go: { main: [[{ node: 'Prompts', type: 'main', index: 0 }]] },
			Prompts: { main: [[{ node: 'Render', type: 'main', index: 0 }]] },
		},
	});
	return {
		theirs: batch(`benchGeminiNative${idSuffix}`, {
			type: '@n8n/n8n-nodes-langchain.googleGemini',
			typeVersion: 1.1,
			parameters: {
				resource: 'video',
				operation: 'generate',
				modelId: { __rl: true, mode: 'id', value: 'models/veo-3.1-fast-generate-001' },
				prompt: '={{ $json.prompt }}',
				returnAs: 'video',
				options: { aspectRatio: '16:9', durationSeconds: 8 },
			},
			credentials: {
				googlePalmApi: { id: 'vpBenchGeminiNative', name: 'Sandbox Gemini (n8n node)' },
			},
		}),
		ours: batch(`benchVeoOurs${idSuffix}`, {
			type: 'n8n-nodes-video-pipeline.googleVeo',
			typeVersion: 1,
			parameters: {
				resource: 'video',
				operation: 'generate',
				model: 'veo-3.1-fast-generate-001',
				shotSource: 'manual',
				prompt: '={{ $json.prompt }}',
				durationSeconds: 8,
				aspectRatio: '16:9',
				resolution: '720p',
				renderOptions: {},
			},
			credentials: {
				googleVideoPipelineApi: { id: 'vpSandboxGemini', name: 'Sandbox Google (Gemini API key)' },
			},
		}),
	};
}

export interface RenderRun {
	/** n8n's own figure for the Render node. */
	ms: number;
	startTime: number;
	items: Array<{ json: Record<string, unknown> }>;
}

/** Imports and runs one peer workflow; the Render node's run data. */
export async function executeRender(
	n8n: N8nInstance,
	workflow: { id: string },
	renders: number,
): Promise<RenderRun> {
	await n8n.importWorkflow(workflow);
	const result = await n8n.execute(workflow.id);
	const render = result.run?.data?.resultData?.runData?.Render?.[0];
	if (!render || render.error)
		throw new Error(
			`${workflow.id} failed: ${render?.error?.message ?? result.stderr.slice(-2000)}`,
		);
	const items = render.data.main[0] as RenderRun['items'];
	if (items.length !== renders)
		throw new Error(`${workflow.id} returned ${items.length} items, not ${renders}`);
	return { ms: render.executionTime as number, startTime: render.startTime as number, items };
}
