import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { backendProperty } from './actions/descriptions';
import { router } from './actions/router';
import * as video from './actions/video';
import { searchModels } from './methods/listSearch';

export class VideoAggregator implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Video Aggregator',
		name: 'videoAggregator',
		icon: {
			light: 'file:../../icons/aggregator.svg',
			dark: 'file:../../icons/aggregator.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["backend"] }}',
		description:
			'Hero or control layer on any video model of fal or Replicate (Kling, Seedance, Wan, MiniMax, Veo, Gemini Omni), built from the model’s own input schema',
		defaults: { name: 'Video Aggregator' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'falVideoPipelineApi',
				required: true,
				displayOptions: { show: { backend: ['fal'] } },
			},
			{
				name: 'replicateVideoPipelineApi',
				required: true,
				displayOptions: { show: { backend: ['replicate'] } },
			},
			{ name: 'renderJournalVideoPipelineApi', required: false },
		],
		properties: [
			backendProperty,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Video', value: 'video' }],
				default: 'video',
			},
			...video.description,
		],
	};

	methods = { listSearch: { searchModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
