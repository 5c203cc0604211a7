import type { INodeProperties } from 'n8n-workflow';
import * as textToImage from './textToImage.operation';

export { textToImage };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['image'] } },
		options: [
			{
				name: 'Text to Image',
				value: 'textToImage',
				action: 'Create a reference still',
				description: 'Gen-4 Image with the pinned characters as @tag references',
			},
		],
		default: 'textToImage',
	},
	...textToImage.description,
];
