import type { INodeProperties } from 'n8n-workflow';
import * as download from './download.operation';
import * as get from './get.operation';
import * as remix from './remix.operation';
import * as render from './render.operation';

export { download, get, remix, render };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['video'] } },
		options: [
			{
				name: 'Edit / Extend / Remix',
				value: 'remix',
				action: 'Edit extend or remix a render',
				description: 'Build a new take on the item’s latest render',
			},
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
			{
				name: 'Render',
				value: 'render',
				action: 'Render a shot on the videos API',
				description: 'Render the shot through an OpenAI-compatible Videos API',
			},
		],
		default: 'render',
	},
	...render.description,
	...remix.description,
	...get.description,
	...download.description,
];
