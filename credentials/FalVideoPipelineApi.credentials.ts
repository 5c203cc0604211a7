import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class FalVideoPipelineApi implements ICredentialType {
	name = 'falVideoPipelineApi';

	displayName = 'Fal (Video Pipeline) API';

	icon = { light: 'file:../icons/fal.svg', dark: 'file:../icons/fal.dark.svg' } as const;

	documentationUrl = 'https://docs.fal.ai/model-apis/model-endpoints/queue';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'A fal key (key ID and secret, "id:secret"), from fal.ai/dashboard/keys',
		},
		{
			displayName: 'Queue Base URL',
			name: 'queueBaseUrl',
			type: 'string',
			default: 'https://queue.fal.run',
			description: 'Where renders are submitted, polled and cancelled',
		},
		{
			displayName: 'Platform API Base URL',
			name: 'apiBaseUrl',
			type: 'string',
			default: 'https://api.fal.ai/v1',
			description: 'The model catalogue, input schemas and prices',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Key {{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.apiBaseUrl.replace(/\\/+$/, "")}}',
			url: '/models/pricing',
			qs: { endpoint_id: 'fal-ai/veo3.1/fast' },
			method: 'GET',
		},
	};
}
