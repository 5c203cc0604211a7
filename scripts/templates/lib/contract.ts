// The rules of the package's contract that the templates' Code nodes check too, as `@from` values
// every code file can take (see code.ts). A Code node that checks a tag, an ID or a stored anchor
// before a node sees it then checks it as the node will, and a change to the contract reaches the
// templates when they are built, never through a hand copy.
import { z } from 'zod/v4';
import { CHARACTER_TAG_PATTERN, SAFE_ID_PATTERN } from '../../../nodes/shared/contract/schemas';
import { anchorSchema } from '../../../nodes/shared/qc/anchors';

/** A pattern's text without its `^` and `$`, to be part of a longer pattern. */
const inner = (pattern: RegExp) => pattern.source.replace(/^\^/, '').replace(/\$$/, '');

/** The names anchorClipFile (nodes/shared/qc/anchors.ts) gives: `<runId>-anchor-<tag>.mp4`. */
const ANCHOR_CLIP_FILE_PATTERN = new RegExp(
	`^${inner(SAFE_ID_PATTERN)}-anchor-${inner(CHARACTER_TAG_PATTERN)}\\.mp4$`,
);

interface ObjectJsonSchema {
	properties: Record<string, { enum?: string[] } & Partial<ObjectJsonSchema>>;
	required?: string[];
}

/** The fields an object schema takes, and those it needs. */
const fieldsOf = (schema: ObjectJsonSchema) => ({
	keys: Object.keys(schema.properties),
	required: schema.required ?? [],
});

/**
 * The anchor schema's fields and its asset's, and the asset kinds it takes. Only the shape: the
 * JSON Schema zod gives drops what a Code node would also need to check values the same way (the
 * MIME type pattern's `i` flag, the asset ref's rule per kind), so value checks stay in the code.
 */
function anchorFields() {
	const anchor = z.toJSONSchema(anchorSchema) as unknown as ObjectJsonSchema;
	const asset = anchor.properties.asset as ObjectJsonSchema;
	const kinds = asset.properties.kind.enum;
	if (!kinds) throw new Error('anchorSchema: asset.kind is no longer an enum');
	return { ...fieldsOf(anchor), asset: { ...fieldsOf(asset), kinds } };
}

/** `@from` values from the contract, the same for every code file. */
export const CONTRACT_VALUES: Record<string, string> = {
	characterTag: String(CHARACTER_TAG_PATTERN),
	safeId: String(SAFE_ID_PATTERN),
	anchorClipFile: String(ANCHOR_CLIP_FILE_PATTERN),
	anchorFields: JSON.stringify(anchorFields()),
};
