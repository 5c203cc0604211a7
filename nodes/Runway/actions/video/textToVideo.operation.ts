import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { readShot, cancellableRenderProperties } from '../../../shared/render/properties';
import { nextAttempt } from '../../../shared/render/shotContext';
import type { Batch } from '../../../shared/router';
import { runwayConcurrency, runwayEstimate, runwayModel, runwayRender } from '../../helpers/plan';
import { customModelProperty, modelProperty } from '../descriptions';
import { runwayOptionsProperty, videoBody } from '../../helpers/videoBody';

export { validateShotSource as validate } from '../../../shared/render/properties';

const properties: INodeProperties[] = [
	modelProperty('textToVideoModels', 'gen4.5'),
	customModelProperty,
	...cancellableRenderProperties,
	runwayOptionsProperty,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['textToVideo'] } },
	properties,
);

export const concurrency = runwayConcurrency;

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
): Promise<INodeExecutionData[]> {
	const context = readShot(this, itemIndex, 'control', false);
	const model = runwayModel(this, itemIndex);
	const { body, audio, duration } = videoBody(this, itemIndex, context, model, true, true);
	return await runwayRender(this, itemIndex, batch, context, {
		endpoint: 'text_to_video',
		operation: 'textToVideo',
		model,
		body,
		estimate: runwayEstimate(model, {
			durationSeconds: duration,
			resolution: context.shot.resolution,
			audio,
		}),
		refsSent: [],
		mimeType: 'video/mp4',
		fileStem: `${context.pipeline.runId}-${context.shot.id}-control-${nextAttempt(context, 'control')}`,
	});
}
