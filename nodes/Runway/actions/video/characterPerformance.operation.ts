import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { ContractError } from '../../../shared/errors';
import { pickReferences } from '../../../shared/render/prompt';
import { cancellableRenderProperties } from '../../../shared/render/properties';
import { nextAttempt, readShotContext } from '../../../shared/render/shotContext';
import type { Batch } from '../../../shared/router';
import { runwayMediaUri } from '../../../shared/vendors/runway/media';
import { runwayConcurrency, runwayEstimate, runwayRender } from '../../helpers/plan';
import { runwayRatio } from '../../helpers/ratios';
import { resolveModel } from '../../../shared/registry/registry';
import { stringParameter } from '../../../shared/parameters';

export { validateShotItem as validate } from '../../../shared/render/properties';

const properties: INodeProperties[] = [
	{
		displayName: 'Performance Video URL',
		name: 'performanceUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://cdn.example.com/actor-take-3.mp4',
		description:
			'A 3 to 30 s video of the performance (face in frame) to transfer onto the pinned character',
	},
	{
		displayName: 'Body Control',
		name: 'bodyControl',
		type: 'boolean',
		default: true,
		description: 'Whether body movement is transferred too, not only the face',
	},
	{
		displayName: 'Expression Intensity',
		name: 'expressionIntensity',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 5 },
		default: 3,
	},
	...cancellableRenderProperties.filter((property) =>
		['mode', 'renderOptions'].includes(property.name),
	),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['characterPerformance'] } },
	properties,
);

export const concurrency = runwayConcurrency;

/** Act-Two: a performance video drives the shot's first pinned character. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	batch: Batch,
): Promise<INodeExecutionData[]> {
	const context = readShotContext(this.getInputData()[itemIndex].json, itemIndex);
	const model = resolveModel('runway', 'act_two', 'runway');
	const [character] = pickReferences(context.pin, context.shot, 1);
	if (!character)
		throw new ContractError(itemIndex, [
			{ path: 'pin.characters', message: 'has no reference image for the shot’s characters' },
		]);
	const performance = stringParameter(this, 'performanceUrl', itemIndex);
	if (!/^(https?|runway):\/\//.test(performance))
		throw new ContractError(itemIndex, [
			{ path: 'performanceUrl', message: 'must be an https URL or a runway:// URI' },
		]);
	return await runwayRender(this, itemIndex, batch, context, {
		endpoint: 'character_performance',
		operation: 'characterPerformance',
		model,
		body: {
			character: {
				type: 'image',
				uri: await runwayMediaUri(
					this,
					itemIndex,
					character.asset,
					context.pin,
					'pin.characters.refs[0]',
				),
			},
			reference: { type: 'video', uri: performance },
			ratio: runwayRatio(context.shot.aspectRatio, '720p', model.spec?.wireRatios),
			bodyControl: this.getNodeParameter('bodyControl', itemIndex, true) as boolean,
			expressionIntensity: this.getNodeParameter('expressionIntensity', itemIndex, 3) as number,
		},
		estimate: runwayEstimate(model, { durationSeconds: context.shot.durationSeconds }),
		refsSent: [character.tag],
		mimeType: 'video/mp4',
		fileStem: `${context.pipeline.runId}-${context.shot.id}-performance-${nextAttempt(context, 'control')}`,
	});
}
