import type { INodeProperties } from 'n8n-workflow';
import * as characterPerformance from './characterPerformance.operation';
import * as imageToVideo from './imageToVideo.operation';
import * as textToVideo from './textToVideo.operation';
import * as upscale from './upscale.operation';
import * as videoToVideo from './videoToVideo.operation';

export { characterPerformance, imageToVideo, textToVideo, upscale, videoToVideo };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['video'] } },
		options: [
			{
				name: 'Character Performance',
				value: 'characterPerformance',
				action: 'Transfer a performance to a character',
				description: 'Act-Two: a performance video drives the pinned character',
			},
			{
				name: 'Image to Video',
				value: 'imageToVideo',
				action: 'Render b roll from a first frame',
				description: 'Gen-4 Turbo, Gen-4.5 or Veo 3.1 from an image',
			},
			{
				name: 'Text to Video',
				value: 'textToVideo',
				action: 'Render b roll from text',
				description: 'Gen-4.5 or Veo 3.1 from the shot prompt',
			},
			{
				name: 'Upscale',
				value: 'upscale',
				action: 'Upscale a video',
				description: 'Magnific upscaling or frame-rate enhancement',
			},
			{
				name: 'Video to Video',
				value: 'videoToVideo',
				action: 'Restyle or correct a video',
				description: 'Aleph 2: restyle to the pin, correct the camera path, outpaint',
			},
		],
		default: 'imageToVideo',
	},
	...imageToVideo.description,
	...textToVideo.description,
	...videoToVideo.description,
	...upscale.description,
	...characterPerformance.description,
];
