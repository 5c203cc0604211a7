// The rules of the package's contract that the templates' Code nodes check too, as `@from` values
// every code file can take (see code.ts). A Code node that checks a tag or an ID before a node sees
// it then checks it as the node will, and a change to the contract reaches the templates when they
// are built, never through a hand copy.
import { CHARACTER_TAG_PATTERN, SAFE_ID_PATTERN } from '../../../nodes/shared/contract/schemas';

/** A pattern's text without its `^` and `$`, to be part of a longer pattern. */
const inner = (pattern: RegExp) => pattern.source.replace(/^\^/, '').replace(/\$$/, '');

/** The names anchorClipFile (nodes/shared/qc/anchors.ts) gives: `<runId>-anchor-<tag>.mp4`. */
const ANCHOR_CLIP_FILE_PATTERN = new RegExp(
	`^${inner(SAFE_ID_PATTERN)}-anchor-${inner(CHARACTER_TAG_PATTERN)}\\.mp4$`,
);

/** `@from` values from the contract, the same for every code file. */
export const CONTRACT_VALUES: Record<string, string> = {
	characterTag: String(CHARACTER_TAG_PATTERN),
	safeId: String(SAFE_ID_PATTERN),
	anchorClipFile: String(ANCHOR_CLIP_FILE_PATTERN),
};
