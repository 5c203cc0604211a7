import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export const RUNWAY_API_VERSION = '2024-11-06';

export class RunwayVideoPipelineApi implements ICredentialType {
	name = 'runwayVideoPipelineApi';

	displayName = 'Runway (Video Pipeline) API';

	icon = { light: 'file:../icons/runway.svg', dark: 'file:../icons/runway.dark.svg' } as const;

	documentationUrl = 'https://docs.dev.runwayml.com/guides/setup/';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'A developer-portal key (key_...). Keys from the Runway web app do not work here.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.dev.runwayml.com',
			description: 'Runway developer API host; api.runwayml.com is the web app and answers 401',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
				'X-Runway-Version': RUNWAY_API_VERSION,
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/v1/organization',
			method: 'GET',
		},
	};
}
