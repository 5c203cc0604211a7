import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class ReplicateVideoPipelineApi implements ICredentialType {
	name = 'replicateVideoPipelineApi';

	displayName = 'Replicate (Video Pipeline) API';

	icon = {
		light: 'file:../icons/replicate.svg',
		dark: 'file:../icons/replicate.dark.svg',
	} as const;

	documentationUrl = 'https://replicate.com/docs/reference/http';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'An API token (r8_...) from replicate.com/account/api-tokens',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.replicate.com',
			description: 'Replicate HTTP API host (without /v1)',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/v1/account',
			method: 'GET',
		},
	};
}
