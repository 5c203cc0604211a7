import type { Sandbox } from './server';

/**
 * n8n credentials (the JSON `n8n import:credentials --input` takes) pointing at a running
 * sandbox. The keys are the sandbox's throwaway keys.
 */
export function sandboxCredentials(sandbox: Sandbox) {
	const { keys } = sandbox.context.config;
	return [
		{
			id: 'vpSandboxOpenAi',
			name: 'Sandbox OpenAI',
			type: 'openAiVideoPipelineApi',
			data: { apiKey: keys.openai, baseUrl: sandbox.baseUrls.openai, organizationId: '', projectId: '' },
		},
	];
}
