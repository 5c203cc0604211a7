import type { WorkflowJson } from './engine';

const FAST = { pollIntervalSeconds: 0.2, timeoutMinutes: 1 };
const SCRIPT =
	'Mara unlocks the café at dawn. Steam curls from the espresso machine. Leo walks in from the rain. Mara hands Leo a cup: "First one is on me." The sign flips to open.';

/** One of our nodes in a test workflow, with the credential (type, id) it uses. */
export const packageNode = (
	name: string,
	type: string,
	parameters: Record<string, unknown>,
	credential?: [string, string],
) => ({
	id: name,
	name,
	type: `n8n-nodes-video-pipeline.${type}`,
	typeVersion: 1,
	position: [0, 0],
	parameters,
	...(credential
		? { credentials: { [credential[0]]: { id: credential[1], name: credential[1] } } }
		: {}),
});

/** A connection to a node's first input. */
export const to = (target: string) => [{ node: target, type: 'main' as never, index: 0 }];

/** The studio pipeline with our nodes only: storyboard, pin, QC dispatch and loop over three render nodes. */
export function pipeline(refs: { mara: string; leo: string }): WorkflowJson {
	const node = packageNode;
	return {
		name: 'studio pipeline',
		nodes: [
			node(
				'Storyboard',
				'openAiStoryboard',
				{
					resource: 'storyboard',
					operation: 'createManifest',
					model: 'gpt-5.4-mini',
					script: SCRIPT,
					targetSeconds: 28,
					aspectRatios: ['16:9'],
					variants: 1,
					layerPolicy: 'dialogueHero',
					outputShape: 'shots',
					run: { runId: 'cafe', budgetUsd: 60, resolution: '720p', heroDurations: '8' },
				},
				['openAiVideoPipelineApi', 'vpSandboxOpenAi'],
			),
			node('Pin', 'pinState', {
				resource: 'pin',
				operation: 'create',
				characters: {
					character: [
						{ tag: 'mara', referenceUrls: refs.mara },
						{ tag: 'leo', referenceUrls: refs.leo },
					],
				},
				grade: { palette: '#335577', look: 'cool dusk' },
				seedPolicy: 'per_shot',
				seedBase: 7,
			}),
			node(
				'QC',
				'qcRouter',
				{ visionJudge: true, judgeModel: 'gemini-3.5-flash', barrier: 'run' },
				['googleVideoPipelineApi', 'vpSandboxVertex'],
			),
			veoNode(),
			runwayNode(),
			soraNode(),
		] as never,
		connections: {
			Storyboard: { main: [to('Pin')] },
			Pin: { main: [to('QC')] },
			QC: { main: [[], to('Sora'), to('Veo'), to('Runway'), [], []] },
			Veo: { main: [to('QC')] },
			Runway: { main: [to('QC')] },
			Sora: { main: [to('QC')] },
		},
	};
}

/** Our Veo node rendering each incoming shot item, with the pinned references unless told 'none'. */
export function veoNode(
	renderOptions: Record<string, unknown> = FAST,
	referenceMode: 'pin' | 'none' = 'pin',
): WorkflowJson['nodes'][number] {
	return {
		id: 'a1',
		name: 'Veo',
		type: 'n8n-nodes-video-pipeline.googleVeo',
		typeVersion: 1,
		position: [0, 0],
		parameters: {
			resource: 'video',
			operation: 'generate',
			model: 'veo-3.1-fast-generate-001',
			shotSource: 'item',
			referenceMode,
			generateAudio: true,
			renderOptions,
		},
		credentials: { googleVideoPipelineApi: { id: 'vpSandboxVertex', name: 'Vertex' } },
	} as never;
}

/** Our Runway node rendering each incoming shot item (b-roll) with Gen-4.5, text to video. */
export const runwayNode = (renderOptions: Record<string, unknown> = FAST) =>
	packageNode(
		'Runway',
		'runway',
		{
			resource: 'video',
			operation: 'textToVideo',
			model: 'gen4.5',
			shotSource: 'item',
			renderOptions,
		},
		['runwayVideoPipelineApi', 'vpSandboxRunway'],
	);

/** Our storyboard node rendering each incoming shot item on the Videos API, without a reference. */
export const soraNode = (renderOptions: Record<string, unknown> = FAST) =>
	packageNode(
		'Sora',
		'openAiStoryboard',
		{
			resource: 'video',
			operation: 'render',
			model: 'sora-2',
			shotSource: 'item',
			inputReference: 'none',
			renderOptions,
		},
		['openAiVideoPipelineApi', 'vpSandboxOpenAi'],
	);

/** QC Router's outputs a failing shot leaves by, per layer it is sent back to. */
const QC_OUTPUT = { narrative: 1, hero: 2, control: 3 } as const;

type WorkflowNode = WorkflowJson['nodes'][number];

/** Render nodes in a row: items enter at `entry` and leave from `exit`. */
export type RenderChain = WorkflowJson & { entry: string; exit: string };

/** Runway draws a keyframe still into `keyframe` (Gen-4 Image), then animates it (Gen-4.5 image to video). */
export const keyframeThenClip = (renderOptions: Record<string, unknown> = FAST): RenderChain => ({
	name: 'keyframe then clip',
	nodes: [
		packageNode(
			'Still',
			'runway',
			{
				resource: 'image',
				operation: 'textToImage',
				model: 'gen4_image',
				shotSource: 'item',
				renderOptions: { ...renderOptions, binaryPropertyName: 'keyframe' },
			},
			['runwayVideoPipelineApi', 'vpSandboxRunway'],
		),
		packageNode(
			'Clip',
			'runway',
			{
				resource: 'video',
				operation: 'imageToVideo',
				model: 'gen4.5',
				shotSource: 'item',
				promptImageSource: 'binary',
				promptImageProperty: 'keyframe',
				renderOptions,
			},
			['runwayVideoPipelineApi', 'vpSandboxRunway'],
		),
	] as never,
	connections: { Still: { main: [to('Clip')] } },
	entry: 'Still',
	exit: 'Clip',
});

/** QC Router as a test workflow runs it: one completion barrier per run. */
export const qcNode = (parameters: Record<string, unknown> = {}): WorkflowNode =>
	({
		id: 'a2',
		name: 'QC',
		type: 'n8n-nodes-video-pipeline.qcRouter',
		typeVersion: 1,
		position: [300, 0],
		parameters: { barrier: 'run', ...parameters },
	}) as never;

/**
 * A render node (or chain) and QC Router, which sends the shots failing in `layer` back to it
 * until they pass or run out of retries.
 */
export function qcLoop(
	render: WorkflowNode | RenderChain,
	layer: keyof typeof QC_OUTPUT,
	qcParameters: Record<string, unknown> = {},
): WorkflowJson {
	const chain: RenderChain =
		'nodes' in render
			? render
			: { nodes: [render], connections: {}, entry: render.name, exit: render.name };
	const outputs: Array<ReturnType<typeof to> | []> = [[], [], [], [], [], []];
	outputs[QC_OUTPUT[layer]] = to(chain.entry);
	return {
		name: `${layer} QC loop`,
		nodes: [...chain.nodes, qcNode(qcParameters)],
		connections: {
			...chain.connections,
			[chain.exit]: { main: [to('QC')] },
			QC: { main: outputs },
		},
	};
}

/** Veo renders the hero shots; QC sends failing shots back to Veo until they pass or run out of retries. */
export const heroLoop = (
	qcParameters: Record<string, unknown> = {},
	renderOptions: Record<string, unknown> = FAST,
): WorkflowJson => qcLoop(veoNode(renderOptions), 'hero', qcParameters);

/** Runway renders the b-roll; QC sends failing shots back to Runway. */
export const controlLoop = (renderOptions: Record<string, unknown> = FAST): WorkflowJson =>
	qcLoop(runwayNode(renderOptions) as never, 'control');
