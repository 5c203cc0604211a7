import type { Sandbox } from './server';

/**
 * n8n credentials (the JSON `n8n import:credentials --input` takes) pointing at a running
 * sandbox. The keys are the sandbox's throwaway keys.
 */
export function sandboxCredentials(sandbox: Sandbox) {
	const { keys, googleProject } = sandbox.context.config;
	return [
		{
			id: 'vpSandboxOpenAi',
			name: 'Sandbox OpenAI',
			type: 'openAiVideoPipelineApi',
			data: {
				apiKey: keys.openai,
				baseUrl: sandbox.baseUrls.openai,
				organizationId: '',
				projectId: '',
			},
		},
		{
			id: 'vpSandboxVertex',
			name: 'Sandbox Google (Vertex AI service account)',
			type: 'googleVideoPipelineApi',
			data: {
				authMode: 'serviceAccount',
				privateKeyJson: JSON.stringify(sandbox.context.google.serviceAccount.json),
				projectId: googleProject,
				location: 'us-central1',
				vertexBaseUrl: sandbox.baseUrls.vertex,
				storageBaseUrl: sandbox.baseUrls.gcs,
				tokenUrl: sandbox.baseUrls.token,
				accessToken: '',
			},
		},
		{
			id: 'vpSandboxVertexExpress',
			name: 'Sandbox Google (Vertex AI express key)',
			type: 'googleVideoPipelineApi',
			data: {
				authMode: 'vertexExpressKey',
				apiKey: keys.googleApiKey,
				vertexBaseUrl: sandbox.baseUrls.vertex,
				accessToken: '',
			},
		},
		{
			id: 'vpSandboxGemini',
			name: 'Sandbox Google (Gemini API key)',
			type: 'googleVideoPipelineApi',
			data: {
				authMode: 'geminiApiKey',
				apiKey: keys.googleApiKey,
				geminiBaseUrl: sandbox.baseUrls.gemini,
				accessToken: '',
			},
		},
		{
			id: 'vpBriefWebhookAuth',
			name: 'Brief webhook header',
			type: 'httpHeaderAuth',
			data: { name: 'X-Brief-Token', value: 'sandbox-brief-token' },
		},
		{
			id: 'vpBriefFormAuth',
			name: 'Brief form login',
			type: 'httpBasicAuth',
			data: { user: 'studio', password: 'sandbox-form-password' },
		},
		{
			id: 'vpMcpServerAuth',
			name: 'MCP server header',
			type: 'httpHeaderAuth',
			data: { name: 'X-Mcp-Token', value: 'sandbox-mcp-token' },
		},
		{
			id: 'vpSandboxRunway',
			name: 'Sandbox Runway',
			type: 'runwayVideoPipelineApi',
			data: { apiKey: keys.runway, baseUrl: sandbox.baseUrls.runway },
		},
		{
			id: 'vpSandboxFal',
			name: 'Sandbox fal',
			type: 'falVideoPipelineApi',
			data: {
				apiKey: keys.fal,
				queueBaseUrl: sandbox.baseUrls.falQueue,
				apiBaseUrl: sandbox.baseUrls.falApi,
			},
		},
		{
			id: 'vpSandboxReplicate',
			name: 'Sandbox Replicate',
			type: 'replicateVideoPipelineApi',
			data: { apiKey: keys.replicate, baseUrl: sandbox.baseUrls.replicate },
		},
	];
}
