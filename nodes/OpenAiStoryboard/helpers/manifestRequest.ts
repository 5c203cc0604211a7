// What Create Shot Manifest reads from its parameters, checked field by field before any call.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { AspectRatio, Resolution } from '../../shared/contract/schemas';
import type { ModelSpec } from '../../shared/registry/schema';
import { ContractError } from '../../shared/errors';
import { stringParameter } from '../../shared/parameters';
import { getModel, resolveModel } from '../../shared/registry/registry';
import { openAiBackend } from '../../shared/vendors/openai/transport';
import type { LayerPolicy, TimingRules } from './manifest';

export interface RunOptions {
	budgetUsd?: number;
	heroAspectRatios?: string;
	heroDurations?: string;
	brollDurations?: string;
	project?: string;
	resolution?: Resolution;
	runId?: string;
	toleranceSeconds?: number;
}

export interface ManifestRequest {
	script: string;
	shotList: string[];
	brief: string;
	targetSeconds: number;
	ratios: AspectRatio[];
	variants: number;
	policy: LayerPolicy;
	run: RunOptions;
	heroDurations: number[];
	heroRatios: string[];
	brollMin: number;
	brollMax: number;
	rules: TimingRules;
	modelId: string;
	spec: ModelSpec;
	baseRunId: string;
	project: string;
	outputShape: string;
	/** Fields of the brief (delivery folder, callback URL, ...) that travel with every shot to delivery. */
	carried: IDataObject;
}

export async function readManifestRequest(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<ManifestRequest> {
	const script = stringParameter(ctx, 'script', itemIndex);
	if (!script.trim())
		throw new ContractError(itemIndex, [{ path: 'script', message: 'is required' }]);
	const shotList = stringParameter(ctx, 'shotList', itemIndex)
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean);
	const brief = stringParameter(ctx, 'brandBrief', itemIndex);
	const targetSeconds = Number(ctx.getNodeParameter('targetSeconds', itemIndex, 30));
	const ratios = (
		ctx.getNodeParameter('aspectRatios', itemIndex, ['16:9']) as AspectRatio[]
	).filter(Boolean);
	if (!ratios.length)
		throw new ContractError(itemIndex, [
			{ path: 'aspectRatios', message: 'needs at least one aspect ratio' },
		]);
	const variants = Math.max(1, Math.floor(Number(ctx.getNodeParameter('variants', itemIndex, 1))));
	const policy = ctx.getNodeParameter('layerPolicy', itemIndex, 'dialogueHero') as LayerPolicy;
	const run = (ctx.getNodeParameter('run', itemIndex, {}) ?? {}) as RunOptions;
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
		stringParameter(ctx, 'model', itemIndex),
		await openAiBackend(ctx),
	);
	const spec = model.spec ?? getModel('gpt-5.4-mini')!;
	const baseRunId = (run.runId || `run-${ctx.getExecutionId() ?? 'manual'}-${itemIndex}`).replace(
		/[^A-Za-z0-9._:-]/g,
		'-',
	);
	const project = run.project || ctx.getWorkflow().name || 'Video pipeline';
	const carried: IDataObject = { ...ctx.getInputData()[itemIndex].json };
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

	return {
		script,
		shotList,
		brief,
		targetSeconds,
		ratios,
		variants,
		policy,
		run,
		heroDurations,
		heroRatios,
		brollMin,
		brollMax,
		rules,
		modelId: model.id,
		spec,
		baseRunId,
		project,
		outputShape: ctx.getNodeParameter('outputShape', itemIndex, 'shots') as string,
		carried,
	};
}
