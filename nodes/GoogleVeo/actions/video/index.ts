import type { INodeProperties } from 'n8n-workflow';
import * as download from './download.operation';
import * as extend from './extend.operation';
import * as generate from './generate.operation';
import * as get from './get.operation';

export { download, extend, generate, get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['video'] } },
		options: [
			{
				name: 'Download',
				value: 'download',
				action: 'Download a veo video',
				description: 'Stream a finished render into a binary field',
			},
			{
				name: 'Extend',
				value: 'extend',
				action: 'Extend a veo video',
				description: 'Continue the item’s latest Veo take by about 7 seconds',
			},
			{
				name: 'Generate',
				value: 'generate',
				action: 'Generate a hero shot',
				description: 'Render the shot with Veo, references and native audio',
			},
			{
				name: 'Get Operation',
				value: 'get',
				action: 'Get the status of a veo render',
				description: 'Read a render by its operation name',
			},
		],
		default: 'generate',
	},
	...generate.description,
	...extend.description,
	...get.description,
	...download.description,
];
