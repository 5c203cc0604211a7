import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * An n8n API key for the render journal: render nodes record every submit in a data table of
 * this n8n instance, so a render sent by a step that died before it finished (a killed worker)
 * is collected by the retry instead of being paid again.
 */
export class RenderJournalVideoPipelineApi implements ICredentialType {
	name = 'renderJournalVideoPipelineApi';

	displayName = 'Render Journal (Video Pipeline) API';

	icon = { light: 'file:../icons/journal.svg', dark: 'file:../icons/journal.dark.svg' } as const;

	documentationUrl = 'https://docs.n8n.io/api/authentication/';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'An API key of this n8n instance (Settings > n8n API) with the data table scopes: list, create, and row read, create, update and upsert',
		},
		{
			displayName: 'API URL',
			name: 'baseUrl',
			type: 'string',
			required: true,
			default: 'http://localhost:5678/api/v1',
			description:
				"This n8n instance's public API as the workers reach it (in queue mode, the main instance), ending in /api/v1",
		},
		{
			displayName: 'Journal Table',
			name: 'tableName',
			type: 'string',
			default: 'video_render_journal',
			description:
				'The data table the journal is kept in; created on first use in the key owner’s personal project',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { 'X-N8N-API-KEY': '={{$credentials.apiKey}}' },
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/data-tables',
			qs: { limit: 1 },
			// Without it, a URL missing /api/v1 gets the editor's index.html with a 200.
			headers: { Accept: 'application/json' },
			method: 'GET',
		},
	};
}
