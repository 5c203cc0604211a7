import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import * as account from './actions/account';
import * as asset from './actions/asset';
import * as image from './actions/image';
import { router } from './actions/router';
import * as task from './actions/task';
import * as video from './actions/video';
import {
	imageToVideoModels,
	textToImageModels,
	textToVideoModels,
	upscaleModels,
	videoToVideoModels,
} from './methods/loadOptions';

export class Runway implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Runway',
		name: 'runway',
		icon: { light: 'file:../../icons/runway.svg', dark: 'file:../../icons/runway.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Control layer: b-roll, @tag reference stills, restyle and camera correction, upscaling and performance transfer with Runway',
		defaults: { name: 'Runway' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'runwayVideoPipelineApi', required: true },
			{
				name: 'renderJournalVideoPipelineApi',
				required: false,
				displayOptions: { show: { resource: ['video', 'image'] } },
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Account', value: 'account' },
					{ name: 'Asset', value: 'asset' },
					{ name: 'Image', value: 'image' },
					{ name: 'Task', value: 'task' },
					{ name: 'Video', value: 'video' },
				],
				default: 'video',
			},
			...video.description,
			...image.description,
			...asset.description,
			...task.description,
			...account.description,
		],
	};

	methods = {
		loadOptions: {
			imageToVideoModels,
			textToVideoModels,
			textToImageModels,
			videoToVideoModels,
			upscaleModels,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
