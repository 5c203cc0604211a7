import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { RESOLUTION_OPTIONS } from '../../../shared/render/properties';
import { askForStoryboard } from '../../helpers/askStoryboard';
import { expandStoryboard } from '../../helpers/expandStoryboard';
import { readManifestRequest } from '../../helpers/manifestRequest';

const properties: INodeProperties[] = [
	{
		displayName: 'Model Name or ID',
		name: 'model',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'storyboardModels' },
		default: 'gpt-5.4-mini',
		description:
			'A model with structured output. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Script',
		name: 'script',
		type: 'string',
		typeOptions: { rows: 8 },
		default: '',
		required: true,
		placeholder:
			'Mara opens the café at dawn. Steam rises from the machine. She smiles: "First cup is on me."',
	},
	{
		displayName: 'Shot List',
		name: 'shotList',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description:
			'Optional: one shot per line; the manifest then has exactly these shots in this order',
	},
	{
		displayName: 'Brand Brief',
		name: 'brandBrief',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		description: 'Tone, audience, product facts and things to avoid',
	},
	{
		displayName: 'Target Duration (Seconds)',
		name: 'targetSeconds',
		type: 'number',
		typeOptions: { minValue: 4, maxValue: 600 },
		default: 30,
	},
	{
		displayName: 'Aspect Ratios',
		name: 'aspectRatios',
		type: 'multiOptions',
		default: ['16:9'],
		options: [
			{ name: '1:1 (Feed)', value: '1:1' },
			{ name: '16:9 (Landscape)', value: '16:9' },
			{ name: '9:16 (Vertical)', value: '9:16' },
		],
		description: 'Each aspect ratio becomes its own run of the same manifest',
	},
	{
		displayName: 'Variants',
		name: 'variants',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 20 },
		default: 1,
		description: 'Different takes on the same script (each a separate manifest and run)',
	},
	{
		displayName: 'Hero / B-Roll Policy',
		name: 'layerPolicy',
		type: 'options',
		default: 'dialogueHero',
		options: [
			{ name: 'All Hero', value: 'allHero' },
			{ name: 'All B-Roll', value: 'allBroll' },
			{
				name: 'Characters or Dialogue Are Hero',
				value: 'dialogueHero',
				description: 'Shots with people or lines go to Veo, the rest to Runway',
			},
			{ name: 'Model Decides', value: 'model' },
		],
	},
	{
		displayName: 'Output',
		name: 'outputShape',
		type: 'options',
		default: 'shots',
		options: [
			{ name: 'One Item per Shot', value: 'shots' },
			{ name: 'One Manifest Item', value: 'manifest' },
		],
	},
	{
		displayName: 'Run',
		name: 'run',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'B-Roll Durations',
				name: 'brollDurations',
				type: 'string',
				default: '2-10',
				description:
					'Shortest and longest b-roll shot, seconds, as the control model renders them (Runway Gen-4: 2-10; Kling 3.0: 3-15)',
			},
			{
				displayName: 'Budget (USD)',
				name: 'budgetUsd',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: 0,
				description: 'Spend cap of each run (0 = none); every render node refuses a submit past it',
			},
			{
				displayName: 'Hero Aspect Ratios',
				name: 'heroAspectRatios',
				type: 'string',
				default: '16:9, 9:16',
				description:
					'Aspect ratios the hero model renders (Veo 3.1: 16:9, 9:16). A run in another ratio puts every shot on the control layer (Runway), without native audio.',
			},
			{
				displayName: 'Hero Durations',
				name: 'heroDurations',
				type: 'string',
				default: '4,6,8',
				description: 'Durations the hero model renders (Veo 3.1: 4, 6, 8)',
			},
			{ displayName: 'Project', name: 'project', type: 'string', default: '' },
			{
				displayName: 'Resolution',
				name: 'resolution',
				type: 'options',
				default: '1080p',
				options: RESOLUTION_OPTIONS,
			},
			{
				displayName: 'Run ID',
				name: 'runId',
				type: 'string',
				default: '',
				description: 'Empty = derived from the execution; variants and aspect ratios get suffixes',
			},
			{
				displayName: 'Timing Tolerance (Seconds)',
				name: 'toleranceSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 1,
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['storyboard'], operation: ['createManifest'] } },
	properties,
);

/** Parameters, then per variant one storyboard call (asked again once with feedback), then its runs. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const request = await readManifestRequest(this, itemIndex);
	const output: INodeExecutionData[] = [];
	for (let variant = 1; variant <= request.variants; variant++) {
		const storyboard = await askForStoryboard(this, itemIndex, request, variant);
		output.push(...expandStoryboard(request, itemIndex, variant, storyboard));
	}
	return output;
}
