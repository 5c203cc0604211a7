import type { INodeProperties } from 'n8n-workflow';
import * as apply from './apply.operation';
import * as create from './create.operation';
import * as verify from './verify.operation';

export { apply, create, verify };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['pin'] } },
		options: [
			{
				name: 'Apply Pin',
				value: 'apply',
				action: 'Apply a pin to every shot',
				description: 'Put an existing pin on every item and pick each shot’s references',
			},
			{
				name: 'Create Pin',
				value: 'create',
				action: 'Create and apply a pin',
				description:
					'Lock characters, grade, audio bed, style and seed into a fingerprinted pin on every shot',
			},
			{
				name: 'Verify Pin',
				value: 'verify',
				action: 'Verify every item carries the same pin',
				description: 'List items and takes that drifted from the pin',
			},
		],
		default: 'create',
	},
	...create.description,
	...apply.description,
	...verify.description,
];
