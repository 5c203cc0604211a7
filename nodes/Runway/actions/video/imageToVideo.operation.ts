import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { ContractError } from '../../../shared/errors';
import { pickReferences } from '../../../shared/render/prompt';
import { readShot, cancellableRenderProperties } from '../../../shared/render/properties';
import { missedOfAttempt, nextAttempt, stillOfAttempt } from '../../../shared/render/shotContext';
import type { Batch } from '../../../shared/router';
import { runwayMediaUri } from '../../../shared/vendors/runway/media';
import {
	runwayConcurrency,
	runwayEstimate,
	runwayModel,
	runwayRender,
	TEXT_TO_IMAGE,
} from '../../helpers/plan';
import { runwayOptionsProperty, videoBody } from '../../helpers/videoBody';
import { customModelProperty, modelProperty } from '../descriptions';
import { stringParameter } from '../../../shared/parameters';

export { validateShotSource as validate } from '../../../shared/render/properties';

export const promptImageProperties: INodeProperties[] = [
	{
		displayName: 'First Frame',
		name: 'promptImageSource',
		type: 'options',
		default: 'pin',
		options: [
			{ name: 'From the Pin (First Character’s Reference)', value: 'pin' },
			{ name: 'Binary Field', value: 'binary' },
			{ name: 'URL', value: 'url' },
		],
	},
	{
		displayName: 'Binary Field',
		name: 'promptImageProperty',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { promptImageSource: ['binary'] } },
	},
	{
		displayName: 'Image URL',
		name: 'promptImageUrl',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { promptImageSource: ['url'] } },
	},
];

const properties: INodeProperties[] = [
	modelProperty('imageToVideoModels', 'gen4_turbo'),
	customModelProperty,
	...cancellableRenderProperties,
	...promptImageProperties,
	runwayOptionsProperty,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['imageToVideo'] } },
	properties,
);

export const concurrency = runwayConcurrency;

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
): Promise<INodeExecutionData[]> {
	const context = readShot(this, itemIndex, 'control', false);
	const source = this.getNodeParameter('promptImageSource', itemIndex, 'pin') as string;
	const property =
		source === 'binary'
			? (this.getNodeParameter('promptImageProperty', itemIndex) as string)
			: undefined;
	// The keyframe step of this attempt failed or was refused (its render error rides on the item;
	// QC Router clears it before every round), or its still for this property was cancelled at the
	// timeout: no still of this attempt to animate, and an image left from an earlier round would
	// be paid for and fail the pin. QC routes the failed take instead.
	if (
		property !== undefined &&
		(context.renderError?.layer === 'control' ||
			missedOfAttempt(context, 'control', TEXT_TO_IMAGE, property))
	)
		return [{ ...this.getInputData()[itemIndex], pairedItem: { item: itemIndex } }];
	const model = runwayModel(this, itemIndex);
	const { body, audio, duration } = videoBody(this, itemIndex, context, model, true);
	let promptImage: string;
	let refsSent: string[] = [];
	if (source === 'pin') {
		const [first] = pickReferences(context.pin, context.shot, 1);
		if (!first)
			throw new ContractError(itemIndex, [
				{
					path: context.fromContract ? 'pin.characters' : 'promptImageSource',
					message:
						'has no reference image for the shot’s characters; choose another First Frame source',
				},
			]);
		promptImage = await runwayMediaUri(
			this,
			itemIndex,
			first.asset,
			context.pin,
			'pin.characters.refs[0]',
		);
		refsSent = [first.tag];
	} else if (property !== undefined) {
		const mimeType = this.getInputData()[itemIndex].binary?.[property]?.mimeType ?? 'image/png';
		promptImage = await runwayMediaUri(
			this,
			itemIndex,
			{ kind: 'binary', ref: property, mimeType },
			context.pin,
			'promptImageProperty',
		);
		refsSent = stillOfAttempt(context, 'control', property)?.refsSent ?? [];
	} else {
		promptImage = stringParameter(this, 'promptImageUrl', itemIndex);
		if (!promptImage)
			throw new ContractError(itemIndex, [{ path: 'promptImageUrl', message: 'is required' }]);
	}
	return await runwayRender(this, itemIndex, batch, context, {
		endpoint: 'image_to_video',
		operation: 'imageToVideo',
		model,
		body: { ...body, promptImage },
		estimate: runwayEstimate(model, {
			durationSeconds: duration,
			resolution: context.shot.resolution,
			audio,
		}),
		refsSent,
		mimeType: 'video/mp4',
		fileStem: `${context.pipeline.runId}-${context.shot.id}-control-${nextAttempt(context, 'control')}`,
	});
}
