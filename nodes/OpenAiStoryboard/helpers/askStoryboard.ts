// One storyboard call per variant, asked again once with the model's own mistakes as feedback.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { LedgerEntry, Shot } from '../../shared/contract/schemas';
import { parseWith } from '../../shared/contract/validate';
import { ContractError } from '../../shared/errors';
import { tokenCost } from '../../shared/registry/registry';
import { settle } from '../../shared/runtime/concurrency';
import { openAiRequest } from '../../shared/vendors/openai/transport';
import {
	answerProblems,
	assignLayer,
	fitDurations,
	storyboardAnswerSchema,
	storyboardJsonSchema,
	type StoryboardAnswer,
} from './manifest';
import type { ManifestRequest } from './manifestRequest';

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

/** The Responses API request: the script and brief, the variant, and feedback on the last answer. */
function requestBody(request: ManifestRequest, variant: number, feedback?: string[]): IDataObject {
	const { script, shotList, brief, targetSeconds, variants } = request;
	return {
		model: request.modelId,
		input: [
			{ role: 'system', content: INSTRUCTIONS },
			{
				role: 'user',
				content: userMessage(script, shotList, brief, targetSeconds, variant, variants, feedback),
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
}

/** What one call cost, from the token counts OpenAI reports. */
function tokenEntry(request: ManifestRequest, response: ResponsesAnswer): LedgerEntry {
	const cost = tokenCost(
		request.spec,
		response.usage?.input_tokens ?? 0,
		response.usage?.output_tokens ?? 0,
	);
	return {
		layer: 'narrative',
		vendor: 'openai',
		model: request.modelId,
		unit: 'token',
		units: cost.units,
		unitPriceUsd: cost.unitPriceUsd,
		usd: Math.round(cost.units * cost.unitPriceUsd * 1e6) / 1e6,
		jobId: response.id,
		estimated: false,
	};
}

/** A usable answer: its shots, the durations fitted to the target, each shot's layer, what it cost. */
export interface Storyboard {
	answer: StoryboardAnswer;
	durations: number[];
	layers: Array<Shot['layer']>;
	ledger: LedgerEntry[];
}

export async function askForStoryboard(
	ctx: IExecuteFunctions,
	itemIndex: number,
	request: ManifestRequest,
	variant: number,
): Promise<Storyboard> {
	const { shotList, targetSeconds, policy, rules, heroDurations, brollMin, brollMax } = request;
	let feedback: string[] | undefined;
	let answer: StoryboardAnswer | undefined;
	let durations: number[] | undefined;
	let layers: Array<Shot['layer']> = [];
	const ledger: LedgerEntry[] = [];
	for (let attempt = 1; attempt <= 2 && !durations; attempt++) {
		const body = requestBody(request, variant, feedback);
		const { body: response } = await openAiRequest<ResponsesAnswer>(ctx, {
			method: 'POST',
			path: '/responses',
			operation: 'Create shot manifest',
			itemIndex,
			body,
		});
		ledger.push(tokenEntry(request, response));
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
	return { answer, durations, layers, ledger };
}
