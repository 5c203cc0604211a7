import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { router } from './actions/router';
import * as storyboard from './actions/storyboard';
import * as video from './actions/video';
import { storyboardModels, videoModels } from './methods/loadOptions';

export class OpenAiStoryboard implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenAI Storyboard',
		name: 'openAiStoryboard',
		icon: {
			light: 'file:../../icons/storyboard.svg',
			dark: 'file:../../icons/storyboard.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Narrative layer: shot manifests with OpenAI, and renders on the OpenAI-compatible Videos API',
		defaults: { name: 'OpenAI Storyboard' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'openAiVideoPipelineApi', required: true },
			{
				name: 'renderJournalVideoPipelineApi',
				required: false,
				displayOptions: { show: { resource: ['video'] } },
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Storyboard', value: 'storyboard' },
					{ name: 'Video', value: 'video' },
				],
				default: 'storyboard',
			},
			...storyboard.description,
			...video.description,
		],
	};

	methods = { loadOptions: { storyboardModels, videoModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
