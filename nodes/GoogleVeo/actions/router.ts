import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { routeOperations } from '../../shared/router';
import * as video from './video';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeOperations.call(this, {
		video: {
			generate: video.generate,
			extend: video.extend,
			get: video.get,
			download: video.download,
		},
	});
}
