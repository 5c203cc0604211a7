import type { INodeProperties } from 'n8n-workflow';
import * as upload from './upload.operation';

export { upload };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['asset'] } },
		options: [
			{
				name: 'Upload',
				value: 'upload',
				action: 'Upload a file to runway',
				description: 'Upload a binary for use as an input (runway:// URI, valid 24 h)',
			},
		],
		default: 'upload',
	},
	...upload.description,
];
