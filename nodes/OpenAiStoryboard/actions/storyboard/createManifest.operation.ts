import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import type { AspectRatio, LedgerEntry, Resolution, Shot } from '../../../shared/contract/schemas';
import { parseWith } from '../../../shared/contract/validate';
import { ContractError } from '../../../shared/errors';
import { getModel, resolveModel, tokenCost } from '../../../shared/registry/registry';
import { RESOLUTION_OPTIONS } from '../../../shared/render/properties';
import { settle } from '../../../shared/runtime/concurrency';
import {
	answerProblems,
	assignLayer,
	fitDurations,
	storyboardAnswerSchema,
	storyboardJsonSchema,
	type LayerPolicy,
	type StoryboardAnswer,
} from '../../helpers/manifest';
import { openAiBackend, openAiRequest } from '../../../shared/vendors/openai/transport';
import { stringParameter } from '../../../shared/parameters';

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

interface RunOptions {
	budgetUsd?: number;
	heroAspectRatios?: string;
	heroDurations?: string;
	brollDurations?: string;
	project?: string;
	resolution?: Resolution;
	runId?: string;
	toleranceSeconds?: number;
}

interface ResponsesAnswer {
	id: string;
	output?: Array<{
		type: string;
		content?: Array<{ type: string; text?: string; refusal?: string }>;
	}>;
	usage?: { input_tokens?: number; output_tokens?: number };
}

const INSTRUCTIONS = [
	'You are a storyboard artist for short branded videos.',
	'Split the script into shots. For each shot write a concrete video prompt (what the camera sees), the story beat, a duration, whether it is a hero shot (characters, dialogue, product) or b-roll, the tags of the characters in frame, any spoken line, and the camera move.',
	'List every character once with a locked visual description (face, hair, age, wardrobe) that every shot will reuse.',
].join(' ');

function outputText(answer: ResponsesAnswer): { text?: string; refusal?: string } {
	for (const item of answer.output ?? []) {
		for (const part of item.content ?? []) {
			if (part.type === 'refusal') return { refusal: part.refusal ?? 'refused' };
			if (part.type === 'output_text' && part.text) return { text: part.text };
		}
	}
	return {};
}

function userMessage(
	script: string,
	shotList: string[],
	brief: string,
	targetSeconds: number,
	variant: number,
	variants: number,
	feedback?: string[],
): string {
	return [
		`Script:\n${script.trim()}`,
		shotList.length ? `Shot list:\n${shotList.join('\n')}` : '',
		brief.trim() ? `Brand brief:\n${brief.trim()}` : '',
		`Target duration: ${targetSeconds} seconds in total.`,
		variants > 1
			? `Variant ${variant} of ${variants}: vary the hook, the shot order where the story allows, and the b-roll.`
			: '',
		feedback?.length
			? `Your previous answer could not be used:\n- ${feedback.join('\n- ')}\nAnswer again, fixing these.`
			: '',
	]
		.filter(Boolean)
		.join('\n\n');
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const script = stringParameter(this, 'script', itemIndex);
	if (!script.trim())
		throw new ContractError(itemIndex, [{ path: 'script', message: 'is required' }]);
	const shotList = stringParameter(this, 'shotList', itemIndex)
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean);
	const brief = stringParameter(this, 'brandBrief', itemIndex);
	const targetSeconds = Number(this.getNodeParameter('targetSeconds', itemIndex, 30));
	const ratios = (
		this.getNodeParameter('aspectRatios', itemIndex, ['16:9']) as AspectRatio[]
	).filter(Boolean);
	if (!ratios.length)
		throw new ContractError(itemIndex, [
			{ path: 'aspectRatios', message: 'needs at least one aspect ratio' },
		]);
	const variants = Math.max(1, Math.floor(Number(this.getNodeParameter('variants', itemIndex, 1))));
	const policy = this.getNodeParameter('layerPolicy', itemIndex, 'dialogueHero') as LayerPolicy;
	const run = (this.getNodeParameter('run', itemIndex, {}) ?? {}) as RunOptions;
	const heroDurations = String(run.heroDurations ?? '4,6,8')
		.split(',')
		.map(Number)
		.filter((n) => Number.isFinite(n) && n > 0)
		.sort((a, b) => a - b);
	if (!heroDurations.length)
		throw new ContractError(itemIndex, [
			{ path: 'run.heroDurations', message: 'must list durations such as 4,6,8' },
		]);
	const heroRatios = String(run.heroAspectRatios ?? '16:9, 9:16')
		.split(',')
		.map((ratio) => ratio.trim())
		.filter(Boolean);
	const broll = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(
		String(run.brollDurations ?? '2-10'),
	);
	const [brollMin, brollMax] = broll ? [Number(broll[1]), Number(broll[2])] : [NaN, NaN];
	if (!(brollMin > 0 && brollMax >= brollMin))
		throw new ContractError(itemIndex, [
			{ path: 'run.brollDurations', message: 'must be a range of seconds such as 2-10' },
		]);
	const rules = {
		targetSeconds,
		toleranceSeconds: run.toleranceSeconds ?? 1,
		heroDurations,
		brollMin,
		brollMax,
	};
	const model = resolveModel(
		'openai',
		stringParameter(this, 'model', itemIndex),
		await openAiBackend(this),
	);
	const spec = model.spec ?? getModel('gpt-5.4-mini')!;
	const baseRunId = (run.runId || `run-${this.getExecutionId() ?? 'manual'}-${itemIndex}`).replace(
		/[^A-Za-z0-9._:-]/g,
		'-',
	);
	const project = run.project || this.getWorkflow().name || 'Video pipeline';
	const output: INodeExecutionData[] = [];
	// Fields of the brief (delivery folder, callback URL, ...) travel with every shot to delivery.
	const carried: IDataObject = { ...this.getInputData()[itemIndex].json };
	for (const key of [
		'pipeline',
		'shot',
		'shots',
		'pin',
		'takes',
		'qc',
		'ledger',
		'manifest',
		'retryHint',
		'jobId',
		'status',
	])
		delete carried[key];

	for (let variant = 1; variant <= variants; variant++) {
		let feedback: string[] | undefined;
		let answer: StoryboardAnswer | undefined;
		let durations: number[] | undefined;
		let layers: Array<Shot['layer']> = [];
		const ledger: LedgerEntry[] = [];
		for (let attempt = 1; attempt <= 2 && !durations; attempt++) {
			const body: IDataObject = {
				model: model.id,
				input: [
					{ role: 'system', content: INSTRUCTIONS },
					{
						role: 'user',
						content: userMessage(
							script,
							shotList,
							brief,
							targetSeconds,
							variant,
							variants,
							feedback,
						),
					},
				],
				text: {
					format: {
						type: 'json_schema',
						name: 'shot_manifest',
						strict: true,
						schema: storyboardJsonSchema,
					},
				},
			};
			const { body: response } = await openAiRequest<ResponsesAnswer>(this, {
				method: 'POST',
				path: '/responses',
				operation: 'Create shot manifest',
				itemIndex,
				body,
			});
			const cost = tokenCost(
				spec,
				response.usage?.input_tokens ?? 0,
				response.usage?.output_tokens ?? 0,
			);
			ledger.push({
				layer: 'narrative',
				vendor: 'openai',
				model: model.id,
				unit: 'token',
				units: cost.units,
				unitPriceUsd: cost.unitPriceUsd,
				usd: Math.round(cost.units * cost.unitPriceUsd * 1e6) / 1e6,
				jobId: response.id,
				estimated: false,
			});
			const { text, refusal } = outputText(response);
			if (refusal)
				throw new ContractError(itemIndex, [
					{ path: 'script', message: `the model refused to storyboard it: ${refusal}` },
				]);
			const parsed = await settle(async () =>
				parseWith(storyboardAnswerSchema, JSON.parse(text ?? ''), itemIndex, ['answer']),
			);
			if (!parsed.ok) {
				feedback = [(parsed.error as Error).message.replace(/^Item \d+: /, '')];
				continue;
			}
			answer = parsed.value;
			feedback = answerProblems(answer, shotList);
			if (feedback.length) continue;
			layers = answer.shots.map((shot) => assignLayer(shot, policy));
			durations = fitDurations(
				layers,
				answer.shots.map((shot) => shot.durationSeconds),
				rules,
			);
			if (!durations)
				feedback = [
					`${answer.shots.length} shots cannot add up to ${targetSeconds} s with hero shots of ${heroDurations.join('/')} s and b-roll of ${brollMin}-${brollMax} s; change the number of shots`,
				];
		}
		if (!answer || !durations || feedback?.length) {
			throw new ContractError(itemIndex, [
				{
					path: 'answer',
					message: `the model's manifest was unusable twice (variant ${variant}): ${(feedback ?? ['no answer']).join('; ')}`,
				},
			]);
		}
		for (const [ratioIndex, aspectRatio] of ratios.entries()) {
			// One storyboard call serves every aspect ratio of the variant; its cost is booked once, on
			// the first ratio's run, so the runs' reports add up to what was paid.
			const booked = ratioIndex === 0 ? ledger : [];
			const layersHere = heroRatios.includes(aspectRatio)
				? layers
				: layers.map(() => 'broll' as const);
			const runId =
				variants === 1 && ratios.length === 1
					? baseRunId
					: `${baseRunId}-v${variant}-${aspectRatio.replace(':', 'x')}`;
			let start = 0;
			const shots: Shot[] = answer.shots.map((shot, index) => {
				const result: Shot = {
					id: `shot-${String(index + 1).padStart(2, '0')}`,
					index,
					beat: { label: shot.beat, startSeconds: start },
					prompt: shot.prompt,
					durationSeconds: durations![index],
					aspectRatio,
					resolution: run.resolution ?? '1080p',
					layer: layersHere[index],
					characters: shot.characters,
					needsAudio: layersHere[index] === 'hero',
					...(shot.dialogue ? { dialogue: shot.dialogue } : {}),
					...(shot.camera ? { camera: shot.camera } : {}),
				};
				start += durations![index];
				return result;
			});
			const spent = Math.round(booked.reduce((sum, entry) => sum + entry.usd, 0) * 1e6) / 1e6;
			const pipeline = {
				runId,
				project,
				variant: `v${variant}-${aspectRatio}`,
				shotCount: shots.length,
				spentUsd: spent,
				...(run.budgetUsd ? { budgetUsd: run.budgetUsd } : {}),
			};
			const manifest = { title: answer.title, characters: answer.characters, totalSeconds: start };
			if (this.getNodeParameter('outputShape', itemIndex, 'shots') === 'manifest') {
				output.push({
					json: { ...carried, pipeline, manifest, shots, ledger: booked },
					pairedItem: { item: itemIndex },
				});
			} else {
				for (const shot of shots)
					output.push({
						json: { ...carried, pipeline, shot, manifest, takes: [], ledger: booked },
						pairedItem: { item: itemIndex },
					});
			}
		}
	}
	return output;
}
