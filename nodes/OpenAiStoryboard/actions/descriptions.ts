// The Video ID parameter that Get and Download share.
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { ContractError } from '../../shared/errors';
import { stringParameter } from '../../shared/parameters';

/** The job ID a Videos API operation acts on; read it with readVideoId. */
export function videoIdProperty(description: string): INodeProperties {
	return {
		displayName: 'Video ID',
		name: 'videoId',
		type: 'string',
		required: true,
		default: '={{ $json.jobId }}',
		placeholder: 'video_abc123',
		description,
	};
}

export function readVideoId(ctx: IExecuteFunctions, itemIndex: number): string {
	const id = stringParameter(ctx, 'videoId', itemIndex);
	if (!id)
		throw new ContractError(itemIndex, [
			{ path: 'videoId', message: 'is required (the job ID of the render)' },
		]);
	return id;
}
