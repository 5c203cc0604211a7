import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { ContractError } from '../../shared/errors';
import type { ShotContext } from '../../shared/render/shotContext';
import { runwayMediaUri } from '../../shared/vendors/runway/media';
import { stringParameter } from '../../shared/parameters';

export function modelProperty(loadOptionsMethod: string, defaultModel: string): INodeProperties {
	return {
		displayName: 'Model Name or ID',
		name: 'model',
		type: 'options',
		typeOptions: { loadOptionsMethod },
		default: defaultModel,
		description:
			'Runway models from the model registry; "Custom Model ID" for newer ones. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	};
}

export const customModelProperty: INodeProperties = {
	displayName: 'Custom Model ID',
	name: 'customModelId',
	type: 'string',
	default: '',
	displayOptions: { show: { model: ['custom'] } },
};

export const sourceVideoProperties: INodeProperties[] = [
	{
		displayName: 'Source Video',
		name: 'videoSource',
		type: 'options',
		default: 'take',
		options: [
			{
				name: 'Latest Take of the Item',
				value: 'take',
				description: 'The newest succeeded take of the shot (any vendor)',
			},
			{ name: 'URL', value: 'url' },
		],
	},
	{
		displayName: 'Video URL',
		name: 'videoUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://cdn.example.com/shot-3.mp4',
		displayOptions: { show: { videoSource: ['url'] } },
	},
];

/** The video a control operation works on, as a URI Runway can fetch, with its duration when known. */
export async function sourceVideo(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: ShotContext,
): Promise<{ uri: string; durationSeconds: number; refsSent: string[] }> {
	if (ctx.getNodeParameter('videoSource', itemIndex, 'take') === 'url') {
		const uri = stringParameter(ctx, 'videoUrl', itemIndex);
		if (!/^(https?|runway):\/\//.test(uri))
			throw new ContractError(itemIndex, [
				{ path: 'videoUrl', message: 'must be an https URL or a runway:// URI' },
			]);
		return { uri, durationSeconds: context.shot.durationSeconds, refsSent: [] };
	}
	const take = [...context.takes]
		.reverse()
		.find((t) => t.status === 'succeeded' && t.asset && t.asset.mimeType.startsWith('video/'));
	if (!take?.asset)
		throw new ContractError(itemIndex, [
			{ path: 'takes', message: 'has no succeeded video take to work on' },
		]);
	return {
		uri: await runwayMediaUri(ctx, itemIndex, take.asset, context.pin, 'takes[].asset'),
		durationSeconds: context.shot.durationSeconds,
		refsSent: take.refsSent ?? [],
	};
}

export const taskIdProperty: INodeProperties = {
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	required: true,
	default: '={{ $json.jobId }}',
	description: 'The ID a submit returned (Runway has no task list: keep it on the item)',
};

export function readTaskId(ctx: IExecuteFunctions, itemIndex: number): string {
	const id = stringParameter(ctx, 'taskId', itemIndex);
	if (!id) throw new ContractError(itemIndex, [{ path: 'taskId', message: 'is required' }]);
	return id;
}
