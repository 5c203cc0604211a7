import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { router } from './actions/router';
import * as video from './actions/video';
import { veoModels } from './methods/loadOptions';

export class GoogleVeo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Google Veo',
		name: 'googleVeo',
		icon: { light: 'file:../../icons/google.svg', dark: 'file:../../icons/google.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + ($parameter["model"] || "") }}',
		description:
			'Hero shots with Veo 3.1 on Vertex AI or the Gemini API: pinned reference images, native audio, streamed downloads',
		defaults: { name: 'Google Veo' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'googleVideoPipelineApi', required: true },
			{ name: 'renderJournalVideoPipelineApi', required: false },
		],
		properties: [
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

	methods = { loadOptions: { veoModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
