import type { INodeProperties } from 'n8n-workflow';
import * as cancel from './cancel.operation';
import * as download from './download.operation';
import * as get from './get.operation';

export { cancel, download, get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['task'] } },
		options: [
			{
				name: 'Cancel',
				value: 'cancel',
				action: 'Cancel or delete a task',
				description: 'Cancel a pending or running task, or delete a finished one',
			},
			{
				name: 'Download',
				value: 'download',
				action: 'Download a task output',
				description:
					'Stream a finished task’s output into a binary field (reads a fresh signed URL first)',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a task',
				description: 'Status, progress, fresh output URLs and cost',
			},
		],
		default: 'get',
	},
	...get.description,
	...cancel.description,
	...download.description,
];
