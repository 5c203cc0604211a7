import type { INodeProperties } from 'n8n-workflow';
import * as createManifest from './createManifest.operation';

export { createManifest };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['storyboard'] } },
		options: [
			{
				name: 'Create Shot Manifest',
				value: 'createManifest',
				action: 'Create a shot manifest',
				description:
					'Script to validated shots with locked characters, timed beats and a layer per shot',
			},
		],
		default: 'createManifest',
	},
	...createManifest.description,
];
