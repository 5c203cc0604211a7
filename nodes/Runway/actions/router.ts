import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { routeOperations } from '../../shared/router';
import * as account from './account';
import * as asset from './asset';
import * as image from './image';
import * as task from './task';
import * as video from './video';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeOperations.call(this, {
		video: {
			imageToVideo: video.imageToVideo,
			textToVideo: video.textToVideo,
			videoToVideo: video.videoToVideo,
			upscale: video.upscale,
			characterPerformance: video.characterPerformance,
		},
		image: { textToImage: image.textToImage },
		asset: { upload: asset.upload },
		task: { get: task.get, cancel: task.cancel, download: task.download },
		account: { organization: account.organization },
	});
}
