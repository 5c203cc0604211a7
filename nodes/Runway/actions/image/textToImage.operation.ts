import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { composePrompt, pickReferences, seedFor } from '../../../shared/render/prompt';
import { readShot, cancellableRenderProperties } from '../../../shared/render/properties';
import { nextAttempt } from '../../../shared/render/shotContext';
import type { Batch } from '../../../shared/router';
import { runwayMediaUri } from '../../../shared/vendors/runway/media';
import {
	runwayConcurrency,
	runwayEstimate,
	runwayModel,
	runwayRender,
	TEXT_TO_IMAGE,
} from '../../helpers/plan';
import { runwayRatio } from '../../helpers/ratios';
import { customModelProperty, modelProperty } from '../descriptions';

export { validateShotSource as validate } from '../../../shared/render/properties';

const properties: INodeProperties[] = [
	modelProperty('textToImageModels', 'gen4_image'),
	customModelProperty,
	...cancellableRenderProperties.filter((property) => property.name !== 'durationSeconds'),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['image'], operation: ['textToImage'] } },
	properties,
);

export const concurrency = runwayConcurrency;

/** A reference still with the shot's characters as @tag references (Gen-4 Image character consistency). */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
): Promise<INodeExecutionData[]> {
	const context = readShot(this, itemIndex, 'control', false);
	const model = runwayModel(this, itemIndex);
	const references = pickReferences(context.pin, context.shot, 3);
	const referenceImages = await Promise.all(
		references.map(async ({ tag, asset }, index) => ({
			tag,
			uri: await runwayMediaUri(
				this,
				itemIndex,
				asset,
				context.pin,
				`pin.characters.refs (reference ${index + 1})`,
			),
		})),
	);
	const attempt = nextAttempt(context, 'control');
	const seed = seedFor(context.pin, context.shot, attempt, context.retryHint);
	return await runwayRender(this, itemIndex, batch, context, {
		endpoint: 'text_to_image',
		operation: TEXT_TO_IMAGE,
		model,
		body: {
			promptText: composePrompt(context.shot, context.pin, {
				tagMentions: referenceImages.length > 0,
				maxLength: 1000,
			}),
			ratio: runwayRatio(context.shot.aspectRatio, context.shot.resolution, model.spec?.wireRatios),
			...(referenceImages.length ? { referenceImages } : {}),
			...(seed !== undefined ? { seed } : {}),
		},
		estimate: runwayEstimate(model, { resolution: context.shot.resolution, images: 1 }),
		refsSent: references.map((reference) => reference.tag),
		mimeType: 'image/png',
		fileStem: `${context.pipeline.runId}-${context.shot.id}-still-${attempt}`,
	});
}
