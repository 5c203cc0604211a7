import type { Pin, RenderLayer, Shot, Take, Verdict } from '../contract/schemas';
import type { ProbeResult } from '../mp4/probe';
import { pickReferences } from '../render/prompt';

export interface QcThresholds {
	durationToleranceSeconds: number;
	minFps: number;
	maxAvSkewSeconds: number;
	aspectTolerance: number;
	identityMin: number;
	colourMin: number;
	adherenceMin: number;
	artifactsMax: number;
}

export const DEFAULT_THRESHOLDS: QcThresholds = {
	durationToleranceSeconds: 0.5,
	minFps: 23,
	maxAvSkewSeconds: 0.25,
	aspectTolerance: 0.02,
	identityMin: 0.8,
	colourMin: 0.7,
	adherenceMin: 0.6,
	artifactsMax: 0.3,
};

/** Which layer a failed check sends the shot back to; 'take' = the layer that rendered the take. */
export type LayerChoice = RenderLayer | 'take';
export interface LayerMap {
	contract: LayerChoice;
	technical: LayerChoice;
	identity: LayerChoice;
	colour: LayerChoice;
	adherence: LayerChoice;
	artifacts: LayerChoice;
}

export const DEFAULT_LAYER_MAP: LayerMap = {
	contract: 'take',
	technical: 'take',
	identity: 'take',
	colour: 'take',
	adherence: 'take',
	artifacts: 'take',
};

export function layerFor(
	map: LayerMap,
	category: keyof LayerMap,
	take: Take | undefined,
	shot: Shot,
): RenderLayer {
	const choice = map[category];
	if (choice !== 'take') return choice;
	return take?.layer ?? (shot.layer === 'hero' ? 'hero' : 'control');
}

const verdict = (
	check: string,
	value: Verdict['value'],
	threshold: Verdict['threshold'],
	pass: boolean,
	layer: RenderLayer,
): Verdict => ({ check, value, threshold, pass, layer });

/** Contract and pin conformance: rendered with this pin, and with the references the pin promises. */
export function contractVerdicts(
	take: Take,
	pin: Pin | undefined,
	shot: Shot,
	layer: RenderLayer,
): Verdict[] {
	const out: Verdict[] = [];
	if (pin) {
		out.push(
			verdict(
				'pin.fingerprint',
				take.pinFingerprint,
				pin.fingerprint,
				take.pinFingerprint === pin.fingerprint,
				layer,
			),
		);
		const expected = [...new Set(pickReferences(pin, shot, 3).map((r) => r.tag))];
		if (expected.length) {
			const sent = new Set(take.refsSent ?? []);
			const present = expected.filter((tag) => sent.has(tag));
			// Veo takes every pinned reference; a control render needs at least one (its first frame).
			const pass = take.layer === 'hero' ? present.length === expected.length : present.length > 0;
			out.push(
				verdict('pin.references', present.join(',') || null, expected.join(','), pass, layer),
			);
		}
	}
	return out;
}

const SHORT_SIDE: Record<Shot['resolution'], number> = { '720p': 720, '1080p': 1080, '4k': 2160 };

/** Technical checks from the container probe: duration, aspect and resolution, fps, audio, A/V skew. */
export function technicalVerdicts(
	probe: ProbeResult,
	shot: Shot,
	take: Take,
	thresholds: QcThresholds,
	layer: RenderLayer,
): Verdict[] {
	const out: Verdict[] = [];
	const round = (n: number) => Math.round(n * 1000) / 1000;
	if (take.operation !== 'extend') {
		const delta = round(Math.abs(probe.durationSeconds - shot.durationSeconds));
		out.push(
			verdict(
				'duration',
				round(probe.durationSeconds),
				`${shot.durationSeconds}±${thresholds.durationToleranceSeconds}`,
				delta <= thresholds.durationToleranceSeconds,
				layer,
			),
		);
	}
	const video = probe.video;
	if (!video?.width || !video.height) {
		out.push(verdict('video.track', null, 'a video track', false, layer));
		return out;
	}
	const [w, h] = shot.aspectRatio.split(':').map(Number);
	const aspect = video.width / video.height;
	out.push(
		verdict(
			'aspectRatio',
			`${video.width}x${video.height}`,
			shot.aspectRatio,
			Math.abs(aspect - w / h) / (w / h) <= thresholds.aspectTolerance,
			layer,
		),
	);
	if (take.layer === 'hero') {
		const short = Math.min(video.width, video.height);
		out.push(
			verdict(
				'resolution',
				short,
				SHORT_SIDE[shot.resolution],
				short >= SHORT_SIDE[shot.resolution],
				layer,
			),
		);
	}
	if (video.fps !== undefined)
		out.push(
			verdict(
				'fps',
				round(video.fps),
				thresholds.minFps,
				video.fps >= thresholds.minFps - 0.01,
				layer,
			),
		);
	if (shot.needsAudio) out.push(verdict('audio', probe.hasAudio, true, probe.hasAudio, layer));
	if (probe.hasAudio)
		out.push(
			verdict(
				'avSkew',
				round(probe.avSkewSeconds),
				thresholds.maxAvSkewSeconds,
				Math.abs(probe.avSkewSeconds) <= thresholds.maxAvSkewSeconds,
				layer,
			),
		);
	return out;
}
