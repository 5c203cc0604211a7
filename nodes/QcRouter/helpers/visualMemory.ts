import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import type { AssetRef, Shot, Take } from '../../shared/contract/schemas';
import { storedBinaryBytes } from '../../shared/binary';
import {
	anchorClipProperty,
	anchorsFromAccepted,
	mergeAnchors,
	type Anchor,
} from '../../shared/qc/anchors';
import type { JudgeMedia } from './judgeFrames';

/** A take QC accepted, kept so later shots are judged against it (colour continuity, anchors). */
interface Accepted {
	shotId: string;
	shotIndex: number;
	jobId: string;
	asset: AssetRef;
	/** The stored binary behind a binary asset, readable for the rest of the execution. */
	binary?: IBinaryData;
	frames: number[];
}

/** What QC remembers of a run while the execution lasts: its anchors and accepted takes. */
export interface RunMemory {
	anchors: Anchor[];
	accepted: Accepted[];
	/** Anchor clips of earlier executions, by the anchor's job ID, as they came back on items. */
	anchorClips: Record<string, IBinaryData>;
}

export function memoryFor(store: { visual?: Record<string, RunMemory> }, runId: string): RunMemory {
	store.visual ??= {};
	return (store.visual[runId] ??= { anchors: [], accepted: [], anchorClips: {} });
}

/**
 * Anchors from an earlier execution (a run state, a brand's earlier run) join the run's; the first
 * per character stays. A binary anchor's clip comes back on the item as `anchor_<tag>`.
 */
export function learnAnchors(
	memory: RunMemory,
	anchors: Anchor[],
	binaries?: Record<string, IBinaryData>,
): void {
	memory.anchors = mergeAnchors(memory.anchors, anchors);
	for (const anchor of anchors) {
		const clip = binaries?.[anchorClipProperty(anchor.tag)];
		// Only the file the run state names for this anchor: a clip of another run's anchor of the
		// same tag is not this character's anchor.
		if (
			anchor.asset.kind === 'binary' &&
			clip &&
			clip.mimeType.startsWith('video/') &&
			anchor.clipFile !== undefined &&
			clip.fileName === anchor.clipFile
		)
			memory.anchorClips[anchor.jobId] ??= clip;
	}
}

/** A job's clip, when this execution holds it: an accepted take of its own, or a clip carried back. */
const clipOfJob = (memory: RunMemory, jobId: string): IBinaryData | undefined =>
	memory.accepted.find((a) => a.jobId === jobId)?.binary ?? memory.anchorClips[jobId];

/** The clip behind a binary anchor, when this execution holds it (its own take, or one carried back). */
export function anchorClip(memory: RunMemory, anchor: Anchor): IBinaryData | undefined {
	return clipOfJob(memory, anchor.jobId);
}

/** An accepted take becomes the continuity reference for the next shots and the anchor of characters that had none. */
export function rememberAccepted(
	memory: RunMemory,
	runId: string,
	shot: Shot,
	take: Take,
	binary: IBinaryData | undefined,
	frames: number[],
): void {
	if (!take.asset?.mimeType.startsWith('video/') || !frames.length) return;
	memory.accepted = memory.accepted.filter((a) => a.shotId !== shot.id);
	memory.accepted.push({
		shotId: shot.id,
		shotIndex: shot.index,
		jobId: take.jobId,
		asset: take.asset,
		binary,
		frames,
	});
	memory.anchors = mergeAnchors(
		memory.anchors,
		anchorsFromAccepted(memory.anchors, runId, shot, take, frames),
	);
}

/** The accepted shot closest before this one in the cut. */
export function previousAccepted(memory: RunMemory, shot: Shot): Accepted | undefined {
	return memory.accepted
		.filter((a) => a.shotIndex < shot.index)
		.sort((a, b) => b.shotIndex - a.shotIndex)[0];
}

/** A clip to send the judge: bytes for a binary still stored in this execution, the reference otherwise. */
export async function mediaOf(
	ctx: IExecuteFunctions,
	memory: RunMemory,
	asset: AssetRef,
	jobId: string,
	label: string,
	/** How to bring the clip back, said when it is out of reach. */
	hint?: string,
): Promise<{ media?: JudgeMedia; unreachable?: string }> {
	if (asset.kind !== 'binary') return { media: { asset, label } };
	const binary = clipOfJob(memory, jobId);
	if (!binary)
		return {
			unreachable: `the clip of ${label} was an n8n binary of another execution${hint ? `; ${hint}` : ''}`,
		};
	return { media: { asset, bytes: await storedBinaryBytes(ctx, binary), label } };
}
