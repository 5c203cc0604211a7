import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { routeOperations } from '../../shared/router';
import * as storyboard from './storyboard';
import * as video from './video';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeOperations.call(this, {
		storyboard: { createManifest: storyboard.createManifest },
		video: { render: video.render, remix: video.remix, get: video.get, download: video.download },
	});
}
