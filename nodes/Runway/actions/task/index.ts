import type { INodeProperties } from 'n8n-workflow';
import * as cancel from './cancel.operation';
import * as get from './get.operation';

export { cancel, get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['task'] } },
		options: [
			{ name: 'Cancel', value: 'cancel', action: 'Cancel or delete a task', description: 'Cancel a pending or running task, or delete a finished one' },
			{ name: 'Get', value: 'get', action: 'Get a task', description: 'Status, progress, fresh output URLs and cost' },
		],
		default: 'get',
	},
	...get.description,
	...cancel.description,
];
