import { createHash } from 'node:crypto';
import type { Pin, ShotItem } from '../../nodes/shared/contract';
import type { WorkflowJson } from './engine';
import { sandboxAsset, type Sandbox } from './sandbox';
import { pngImage } from './media';

/** Uploads a reference image to the sandbox's asset host; returns its URL and content hash. */
export async function referenceImage(
	sandbox: Sandbox,
	name: string,
	seed: number,
): Promise<{ url: string; sha256: string; bytes: Buffer }> {
	const bytes = pngImage(256, 256, seed);
	return {
		url: await sandboxAsset(sandbox, name, bytes),
		sha256: createHash('sha256').update(bytes).digest('hex'),
		bytes,
	};
}

export function pinWith(
	characters: Array<{ tag: string; url: string }>,
	overrides: Partial<Pin> = {},
): Pin {
	return {
		fingerprint: createHash('sha256').update(JSON.stringify(characters)).digest('hex'),
		characters: characters.map(({ tag, url }) => ({
			tag,
			description: `${tag}, as in the reference`,
			refs: [{ kind: 'url', ref: url, mimeType: 'image/png' }],
		})),
		grade: { palette: ['#335577'], look: 'cool dusk' },
		audioBed: { mood: 'calm', music: null, loudnessLufs: -14 },
		style: 'photoreal',
		negativePrompt: 'text, watermark',
		seed: { policy: 'per_shot', base: 100 },
		...overrides,
	};
}

export function shotItems(
	count: number,
	pin: Pin | undefined,
	overrides: Partial<ShotItem['shot']> = {},
	pipeline: Partial<ShotItem['pipeline']> = {},
): ShotItem[] {
	return Array.from({ length: count }, (_, index) => ({
		pipeline: { runId: 'run-test', project: 'Test', shotCount: count, spentUsd: 0, ...pipeline },
		shot: {
			id: `shot-${index + 1}`,
			index,
			beat: { label: `beat ${index + 1}`, startSeconds: index * 8 },
			prompt: `Shot ${index + 1}: the hero crosses the square`,
			durationSeconds: 8,
			aspectRatio: '16:9',
			resolution: '1080p',
			layer: 'hero',
			characters: pin ? pin.characters.map((c) => c.tag) : [],
			...overrides,
		},
		...(pin ? { pin } : {}),
		takes: [],
		ledger: [],
	}));
}

/** A one-node workflow running our node with the given parameters and, where it needs one, credential. */
export function singleNode(
	type: string,
	parameters: Record<string, unknown>,
	credential?: { type: string; id: string; name: string },
	settings: Record<string, unknown> = {},
): WorkflowJson {
	return {
		name: `${type} test`,
		nodes: [
			{
				id: '11111111-2222-4333-8444-555555555555',
				name: 'Node',
				type: `n8n-nodes-video-pipeline.${type}`,
				typeVersion: 1,
				position: [0, 0],
				parameters,
				...(credential
					? { credentials: { [credential.type]: { id: credential.id, name: credential.name } } }
					: {}),
				...settings,
			} as never,
		],
		connections: {},
	};
}

export const asItems = (items: unknown[]) => items.map((json) => ({ json: json as never }));
