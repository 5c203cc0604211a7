import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import * as pin from './actions/pin';
import { router } from './actions/router';

export class PinState implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Pin State',
		name: 'pinState',
		icon: { light: 'file:../../icons/pinState.svg', dark: 'file:../../icons/pinState.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description:
			'Lock characters, colour grade, audio bed, style and seed into a fingerprinted state every shot carries',
		defaults: { name: 'Pin State' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'runwayVideoPipelineApi',
				required: false,
				displayOptions: { show: { uploadReferencesTo: ['runway'] } },
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Pin', value: 'pin' }],
				default: 'pin',
			},
			...pin.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
