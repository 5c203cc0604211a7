import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';
import {
	GOOGLE_TOKEN_URL,
	parseServiceAccountKey,
	signServiceAccountAssertion,
} from '../nodes/shared/vendors/google/auth';

/**
 * One Google credential for both Veo backends. Vertex AI with a service account exchanges a
 * signed JWT for an access token in preAuthentication; n8n keeps the token with the credential
 * and asks for a new one when Google answers 401 after it expires. Vertex express mode and the
 * Gemini API use an API key in the x-goog-api-key header (never in the URL).
 */
export class GoogleVideoPipelineApi implements ICredentialType {
	name = 'googleVideoPipelineApi';

	displayName = 'Google Veo (Video Pipeline) API';

	icon = { light: 'file:../icons/google.svg', dark: 'file:../icons/google.dark.svg' } as const;

	documentationUrl =
		'https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/veo-video-generation';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authMode',
			type: 'options',
			default: 'serviceAccount',
			options: [
				{
					name: 'Vertex AI: Service Account',
					value: 'serviceAccount',
					description: 'Recommended; Veo 3.1 is generally available on Vertex AI',
				},
				{
					name: 'Vertex AI: Express Mode API Key',
					value: 'vertexExpressKey',
					description: 'Vertex AI express mode; no project in the request path',
				},
				{
					name: 'Gemini API Key',
					value: 'geminiApiKey',
					description: 'Google AI Studio key; which Veo models it still serves is not confirmed',
				},
			],
		},
		{
			displayName: 'Service Account Key (JSON)',
			name: 'privateKeyJson',
			type: 'string',
			typeOptions: { password: true, rows: 6 },
			default: '',
			required: true,
			description: 'The whole JSON key file of a service account with the Vertex AI User role',
			displayOptions: { show: { authMode: ['serviceAccount'] } },
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authMode: ['vertexExpressKey', 'geminiApiKey'] } },
		},
		{
			displayName: 'Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			description: 'Google Cloud project; taken from the service account key when empty',
			displayOptions: { show: { authMode: ['serviceAccount'] } },
		},
		{
			displayName: 'Location',
			name: 'location',
			type: 'string',
			default: 'us-central1',
			description: 'Vertex AI region, or global',
			displayOptions: { show: { authMode: ['serviceAccount'] } },
		},
		{
			displayName: 'Vertex AI Base URL',
			name: 'vertexBaseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://us-central1-aiplatform.googleapis.com',
			description:
				'Leave empty to derive it from the location (express mode: https://aiplatform.googleapis.com)',
			displayOptions: { show: { authMode: ['serviceAccount', 'vertexExpressKey'] } },
		},
		{
			displayName: 'Gemini API Base URL',
			name: 'geminiBaseUrl',
			type: 'string',
			default: 'https://generativelanguage.googleapis.com',
			displayOptions: { show: { authMode: ['geminiApiKey'] } },
		},
		{
			displayName: 'Cloud Storage Base URL',
			name: 'storageBaseUrl',
			type: 'string',
			default: 'https://storage.googleapis.com',
			description: 'Where renders written to a gs:// output location are downloaded from',
			displayOptions: { show: { authMode: ['serviceAccount'] } },
		},
		{
			displayName: 'Token URL',
			name: 'tokenUrl',
			type: 'string',
			default: GOOGLE_TOKEN_URL,
			description: 'OAuth 2.0 token endpoint the service account assertion is exchanged at',
			displayOptions: { show: { authMode: ['serviceAccount'] } },
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	async preAuthentication(
		this: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<IDataObject> {
		if (credentials.authMode !== 'serviceAccount') return {};
		const key = parseServiceAccountKey(String(credentials.privateKeyJson ?? ''));
		const tokenUrl = String(credentials.tokenUrl || key.token_uri || GOOGLE_TOKEN_URL);
		const assertion = signServiceAccountAssertion(key, tokenUrl, Math.floor(Date.now() / 1000));
		const response = (await this.helpers.httpRequest({
			method: 'POST',
			url: tokenUrl,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({
				grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
				assertion,
			}).toString(),
			json: true,
			// The signed assertion goes to the configured token endpoint only, never where it redirects.
			disableFollowRedirect: true,
		})) as { access_token?: string };
		if (!response?.access_token)
			throw new Error('The Google token endpoint answered without an access_token');
		return { accessToken: response.access_token };
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const headers = { ...(requestOptions.headers ?? {}) };
		if (credentials.authMode === 'serviceAccount') {
			headers.Authorization = `Bearer ${String(credentials.accessToken ?? '')}`;
		} else {
			headers['x-goog-api-key'] = String(credentials.apiKey ?? '');
		}
		return { ...requestOptions, headers };
	}

	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			url: '={{ $credentials.authMode === "geminiApiKey" ? $credentials.geminiBaseUrl.replace(/\\/+$/, "") + "/v1beta/models/gemini-3.5-flash:countTokens" : ($credentials.vertexBaseUrl ? $credentials.vertexBaseUrl.replace(/\\/+$/, "") : ($credentials.authMode === "vertexExpressKey" || $credentials.location === "global" ? "https://aiplatform.googleapis.com" : "https://" + $credentials.location + "-aiplatform.googleapis.com")) + ($credentials.authMode === "vertexExpressKey" ? "/v1/publishers/google/models/gemini-3.5-flash:countTokens" : "/v1/projects/" + ($credentials.projectId || JSON.parse($credentials.privateKeyJson).project_id) + "/locations/" + $credentials.location + "/publishers/google/models/gemini-3.5-flash:countTokens") }}',
			body: { contents: [{ role: 'user', parts: [{ text: 'ping' }] }] },
		},
	};
}
