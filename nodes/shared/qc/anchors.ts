import { z } from 'zod/v4';
import {
	assetRefSchema,
	characterTagSchema,
	SAFE_ID_PATTERN,
	type Shot,
	type Take,
} from '../contract/schemas';
import { ContractError } from '../errors';

/**
 * A character's anchor: the first accepted take it appears in. Every later shot with that
 * character is judged against these frames of this take, with or without uploaded references, so
 * a face can't drift from shot to shot even when the brief pinned no image of it.
 */
export const anchorSchema = z
	.object({
		tag: characterTagSchema,
		runId: z.string().min(1),
		shotId: z.string().min(1),
		jobId: z.string().min(1),
		/** The pin the anchor take was rendered with. */
		pinFingerprint: z
			.string()
			.regex(/^[a-f0-9]{64}$/)
			.nullable(),
		asset: assetRefSchema,
		/** Seconds into the anchor clip of the frames to compare with. */
		frames: z.array(z.number().nonnegative()).min(1).max(16),
		/** The characters of the anchor shot, left to right as the prompt named them. */
		characters: z.array(characterTagSchema).min(1),
		/**
		 * For a clip kept as an n8n binary: the file the templates keep it in beside the run state
		 * (`<runId>-anchor-<tag>.mp4`), handed back to QC as binary property `anchor_<tag>`.
		 */
		clipFile: z.string().regex(SAFE_ID_PATTERN).max(200).optional(),
	})
	.strict();
export type Anchor = z.infer<typeof anchorSchema>;

export const anchorListSchema = z.array(anchorSchema).max(64);

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return NOT_JSON;
	}
}

/** Anchors carried on an item (`qcAnchors`, from a run state) or given to the node; bad ones fail naming the field. */
export function readAnchors(value: unknown, itemIndex: number, field: string): Anchor[] {
	if (value === undefined || value === null || value === '') return [];
	const parsed = typeof value === 'string' ? parseJson(value) : value;
	if (parsed === NOT_JSON)
		throw new ContractError(itemIndex, [
			{ path: field, message: 'must be JSON: a list of anchors (the anchors of a run state)' },
		]);
	const result = anchorListSchema.safeParse(parsed);
	if (!result.success) {
		throw new ContractError(
			itemIndex,
			result.error.issues.map((issue) => ({
				path: [field, ...issue.path].join('.'),
				message: issue.message,
			})),
		);
	}
	return result.data;
}

/** One anchor per character: the first one known wins, so a later take never replaces it. */
export function mergeAnchors(known: Anchor[], incoming: Anchor[]): Anchor[] {
	const byTag = new Map(known.map((anchor) => [anchor.tag, anchor]));
	for (const anchor of incoming) if (!byTag.has(anchor.tag)) byTag.set(anchor.tag, anchor);
	return [...byTag.values()];
}

/** The anchors a take is judged against: its shot's characters', except the ones this very take set. */
export function anchorsFor(anchors: Anchor[], shot: Shot, take: Take): Anchor[] {
	return shot.characters.flatMap((tag) =>
		anchors.filter((anchor) => anchor.tag === tag && anchor.jobId !== take.jobId),
	);
}

/** The anchors an accepted take sets: one for each of its characters that has none yet. */
export function anchorsFromAccepted(
	anchors: Anchor[],
	runId: string,
	shot: Shot,
	take: Take,
	frames: number[],
): Anchor[] {
	if (!take.asset || !take.asset.mimeType.startsWith('video/') || !frames.length) return [];
	const known = new Set(anchors.map((anchor) => anchor.tag));
	return shot.characters
		.filter((tag) => !known.has(tag))
		.map((tag) => ({
			tag,
			runId,
			shotId: shot.id,
			jobId: take.jobId,
			pinFingerprint: take.pinFingerprint,
			asset: take.asset!,
			frames,
			characters: shot.characters,
		}));
}

/** The binary property an anchor clip of another execution travels in on a shot item. */
export const anchorClipProperty = (tag: string): string => `anchor_${tag}`;

/** The file name a binary anchor clip is kept under beside the run state. */
export const anchorClipFile = (anchor: Pick<Anchor, 'runId' | 'tag'>): string =>
	`${anchor.runId}-anchor-${anchor.tag}.mp4`;

/**
 * The anchors as another execution gets them (run state, later runs). A clip kept by reference
 * (URL, gs://) is read again from there; one kept as an n8n binary lives only as long as its
 * execution, so it names the file its clip is kept in (written by the template beside the run
 * state) and is judged against only when that clip comes back on the item.
 */
export function lastingAnchors(anchors: Anchor[]): Anchor[] {
	return anchors.map((anchor) =>
		anchor.asset.kind === 'binary' && !anchor.clipFile
			? { ...anchor, clipFile: anchorClipFile(anchor) }
			: anchor,
	);
}
