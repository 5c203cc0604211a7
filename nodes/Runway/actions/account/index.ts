import type { INodeProperties } from 'n8n-workflow';
import * as organization from './organization.operation';

export { organization };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['account'] } },
		options: [
			{
				name: 'Get Organization',
				value: 'organization',
				action: 'Get credits and limits',
				description: 'Credit balance, tier and per-model limits',
			},
		],
		default: 'organization',
	},
	...organization.description,
];
