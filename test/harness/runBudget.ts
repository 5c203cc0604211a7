import type { ShotItem } from '../../nodes/shared/contract';
import type { WorkflowJson } from './engine';

const FAST = { pollIntervalSeconds: 0.2, timeoutMinutes: 2, concurrency: 16 };

/**
 * QC Router dispatching to all three engines at once: hero shots to Veo, b-roll to Runway, and
 * (with a layer map that sends technical failures to the narrative layer) re-renders to the
 * Videos API. Every render node returns to QC, so one run's spend comes from parallel branches.
 */
export function threeEngineLoop(qcParameters: Record<string, unknown> = {}): WorkflowJson {
	const node = (name: string, type: string, parameters: Record<string, unknown>, credential?: [string, string]) => ({
		id: name,
		name,
		type: `n8n-nodes-video-pipeline.${type}`,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		...(credential ? { credentials: { [credential[0]]: { id: credential[1], name: credential[1] } } } : {}),
	});
	const to = (target: string) => [{ node: target, type: 'main' as never, index: 0 }];
	return {
		name: 'three engines, one budget',
		nodes: [
			node('QC', 'qcRouter', { barrier: 'run', ...qcParameters }),
			node('Veo', 'googleVeo', { resource: 'video', operation: 'generate', model: 'veo-3.1-fast-generate-001', shotSource: 'item', referenceMode: 'none', generateAudio: true, renderOptions: FAST }, ['googleVideoPipelineApi', 'vpSandboxVertex']),
			node('Runway', 'runway', { resource: 'video', operation: 'textToVideo', model: 'gen4.5', shotSource: 'item', renderOptions: FAST }, ['runwayVideoPipelineApi', 'vpSandboxRunway']),
			node('Sora', 'openAiStoryboard', { resource: 'video', operation: 'render', model: 'sora-2', shotSource: 'item', inputReference: 'none', renderOptions: FAST }, ['openAiVideoPipelineApi', 'vpSandboxOpenAi']),
		] as never,
		connections: {
			QC: { main: [[], to('Sora'), to('Veo'), to('Runway'), [], []] },
			Veo: { main: [to('QC')] },
			Runway: { main: [to('QC')] },
			Sora: { main: [to('QC')] },
		},
	};
}

/** A run's shots as Pin State hands them to QC: 8 s hero shots for Veo, 8 s b-roll for Runway. */
export function runShots(runId: string, layers: Array<'hero' | 'broll'>, budgetUsd: number): ShotItem[] {
	return layers.map((layer, index) => ({
		pipeline: { runId, project: 'Budget', shotCount: layers.length, spentUsd: 0, budgetUsd },
		shot: {
			id: `shot-${index + 1}`,
			index,
			beat: { label: `beat ${index + 1}`, startSeconds: index * 8 },
			// A few prompts only: the sandbox caches what it renders by content.
			prompt: `Shot ${index % 3}: the ${layer === 'hero' ? 'hero crosses' : 'camera pans over'} the square`,
			durationSeconds: 8,
			aspectRatio: '16:9',
			resolution: '720p',
			layer,
			characters: [],
			needsAudio: layer === 'hero',
		},
		takes: [],
		ledger: [],
	}));
}

/** Seeded uniform numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
