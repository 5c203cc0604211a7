import type { INodeProperties } from 'n8n-workflow';
import * as cancel from './cancel.operation';
import * as get from './get.operation';
import * as render from './render.operation';

export { cancel, get, render };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['video'] } },
		options: [
			{
				name: 'Cancel',
				value: 'cancel',
				action: 'Cancel a render',
				description: 'Cancel a fal request or a Replicate prediction',
			},
			{
				name: 'Get Status',
				value: 'get',
				action: 'Get the status of a render',
				description: 'Read a request or prediction by its ID, without paying',
			},
			{
				name: 'Render',
				value: 'render',
				action: 'Render a shot on an aggregator model',
				description:
					'Build the request from the model’s input schema, submit once, wait and collect',
			},
		],
		default: 'render',
	},
	...render.description,
	...get.description,
	...cancel.description,
];
