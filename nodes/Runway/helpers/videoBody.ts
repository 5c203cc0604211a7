// The Runway Options collection and the body fields it feeds, shared by Image to Video and Text to Video.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { ContractError } from '../../shared/errors';
import { composePrompt, seedFor } from '../../shared/render/prompt';
import { assertRenderable } from '../../shared/render/requestChecks';
import { nextAttempt, type ShotContext } from '../../shared/render/shotContext';
import type { runwayModel } from './plan';
import { runwayRatio } from './ratios';

export const runwayOptionsProperty: INodeProperties = {
	displayName: 'Runway Options',
	name: 'runwayOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Public Figure Threshold',
			name: 'publicFigureThreshold',
			type: 'options',
			default: 'auto',
			options: [
				{ name: 'Auto', value: 'auto' },
				{ name: 'Low', value: 'low' },
			],
			description: 'How strictly Runway moderates recognisable public figures',
		},
		{
			displayName: 'Seed',
			name: 'seed',
			type: 'number',
			default: 0,
			description: '0 = take it from the pin’s seed policy',
		},
		{
			displayName: 'With Audio',
			name: 'audio',
			type: 'boolean',
			default: false,
			description:
				'Whether Veo models through Runway render audio (costs more); a shot that says needsAudio overrides this',
		},
	],
};

interface RunwayOptions {
	publicFigureThreshold?: string;
	seed?: number;
	audio?: boolean;
}

/** Body fields every Runway video render shares: prompt, ratio, duration, seed, audio, moderation. */
export function videoBody(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: ShotContext,
	model: ReturnType<typeof runwayModel>,
	withAudio: boolean,
	textOnly = false,
): { body: IDataObject; audio: boolean; duration: number } {
	const options = (ctx.getNodeParameter('runwayOptions', itemIndex, {}) ?? {}) as RunwayOptions;
	const hint = context.retryHint?.layer === 'control' ? context.retryHint : undefined;
	const duration = Math.round(hint?.durationSeconds ?? context.shot.durationSeconds);
	assertRenderable(model.spec, context, itemIndex, {
		durationSeconds: duration,
		aspectRatio: context.shot.aspectRatio,
	});
	const offered = (textOnly ? model.spec?.textToVideoRatios : undefined) ?? model.spec?.wireRatios;
	const ratio = runwayRatio(context.shot.aspectRatio, context.shot.resolution, offered);
	if (!ratio) {
		const how =
			textOnly && model.spec?.textToVideoRatios
				? ` text to video (it offers ${offered!.join(', ')}; Image to Video offers more)`
				: '';
		throw new ContractError(itemIndex, [
			{
				path: context.fromContract ? 'shot.aspectRatio' : 'aspectRatio',
				message: `${context.shot.aspectRatio} has no ratio on ${model.id}${how}`,
			},
		]);
	}
	const audio =
		withAudio && model.spec?.audio !== 'none'
			? (context.shot.needsAudio ?? options.audio ?? false)
			: false;
	const seed =
		options.seed || seedFor(context.pin, context.shot, nextAttempt(context, 'control'), hint);
	const body: IDataObject = {
		promptText: composePrompt(context.shot, context.pin, { hint, maxLength: 1000 }),
		ratio,
		duration,
		...(seed !== undefined ? { seed } : {}),
		...(model.spec?.audio === 'optional' ? { audio } : {}),
		...(options.publicFigureThreshold
			? { contentModeration: { publicFigureThreshold: options.publicFigureThreshold } }
			: {}),
	};
	return { body, audio, duration };
}
