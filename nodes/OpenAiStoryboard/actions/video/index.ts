import type { INodeProperties } from 'n8n-workflow';
import * as download from './download.operation';
import * as get from './get.operation';

export { download, get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['video'] } },
		options: [
			{
				name: 'Get Status',
				value: 'get',
				action: 'Get the status of a video render',
				description: 'Read a render job by its ID',
			},
			{
				name: 'Download',
				value: 'download',
				action: 'Download a rendered video',
				description: 'Stream a finished render into a binary field',
			},
		],
		default: 'get',
	},
	...get.description,
	...download.description,
];
