// Anchors that outlive their execution: the clips kept as files beside the run state, read back
// for a reshoot or a later run, and a brand's anchors kept in a file for its later runs.
import { code, deliver, expr, link, node, type Position } from './nodes';

/** A brand's anchors, one JSON line each, in the delivery folder: kept by every template (and `n8n execute`, which has no Data Tables). */
export const BRAND_ANCHORS_FILE = 'brand-anchors.jsonl';

const right = (position: Position, steps: number): Position => [
	position[0] + 220 * steps,
	position[1],
];

/**
 * Keep Anchor Clips and Write Anchor Clips: anchor clips kept as n8n binaries outlive their
 * execution as files beside the run state. QC Router hands each out as `anchor_<tag>` (named as
 * the anchor's clipFile in the run state); a reshoot or a later run brings them back on the shot
 * under the same property, so it is judged against the very take that set each character's anchor.
 */
export const keepAnchorClips = (root: string, position: Position) => [
	code('Keep Anchor Clips', 'keep-anchor-clips', position),
	deliver('Write Anchor Clips', expr(`${root} + '/' + $json.fileName`), 'data', right(position, 1)),
];

/**
 * Anchor Clip Files, Read Anchor Clips and Attach Anchor Clips: the clip files the anchors on the
 * items of `shots` name are read from `root` and put on every shot as `anchor_<tag>`. A missing
 * file stops nothing: QC Router then sends the shots of that character to review, naming the file.
 */
export const anchorClipNodes = (shots: string, root: string, position: Position) => [
	code('Anchor Clip Files', 'anchor-clip-files', position, {}, { alwaysOutputData: true }),
	node(
		'Read Anchor Clips',
		'n8n-nodes-base.readWriteFile',
		{
			operation: 'read',
			fileSelector: expr(`${root} + '/' + ($json.clipFile || 'no-anchor-clip.mp4')`),
			options: {},
		},
		right(position, 1),
		1.1,
		undefined,
		{ onError: 'continueRegularOutput', alwaysOutputData: true },
	),
	code('Attach Anchor Clips', 'attach-anchor-clips', right(position, 2), {
		shots: JSON.stringify(shots),
	}),
];

/**
 * Read Brand Anchors, Parse Brand Anchors and Brand Anchors: the anchors the brand's earlier runs
 * stored join the shots (qcAnchors) of whichever node of `shots` ran, `brandOf` naming each item's
 * brand (a JS function). No file yet (a first run) passes the shots on as they are.
 */
export const brandAnchorNodes = (
	root: string,
	shots: string[],
	brandOf: string,
	position: Position,
) => [
	node(
		'Read Brand Anchors',
		'n8n-nodes-base.readWriteFile',
		{ operation: 'read', fileSelector: expr(`${root} + '/${BRAND_ANCHORS_FILE}'`), options: {} },
		position,
		1.1,
		undefined,
		{ executeOnce: true, alwaysOutputData: true, onError: 'continueRegularOutput' },
	),
	node(
		'Parse Brand Anchors',
		'n8n-nodes-base.extractFromFile',
		{ operation: 'text', binaryPropertyName: 'data', options: { encoding: 'utf8' } },
		right(position, 1),
		1.1,
		undefined,
		{ alwaysOutputData: true, onError: 'continueRegularOutput' },
	),
	code('Brand Anchors', 'brand-anchors', right(position, 2), {
		shots: JSON.stringify(shots),
		brandOf,
	}),
];

/**
 * New Brand Anchors, Brand Anchor Lines and Save Brand Anchors: the anchors a run set, one line
 * each, appended in one write (appends never overwrite another run's lines).
 */
export const saveBrandAnchorNodes = (root: string, brandOf: string, position: Position) => [
	code('New Brand Anchors', 'new-brand-anchors', position, { brandOf }),
	node(
		'Brand Anchor Lines',
		'n8n-nodes-base.convertToFile',
		{
			operation: 'toText',
			sourceProperty: 'lines',
			binaryPropertyName: 'data',
			options: { fileName: BRAND_ANCHORS_FILE },
		},
		right(position, 1),
		1.1,
	),
	node(
		'Save Brand Anchors',
		'n8n-nodes-base.readWriteFile',
		{
			operation: 'write',
			fileName: expr(`${root} + '/${BRAND_ANCHORS_FILE}'`),
			dataPropertyName: 'data',
			options: { append: true },
		},
		right(position, 2),
		1.1,
	),
];

/** The links inside the clip chain, its last node feeding `next`. */
export const anchorClipLinks = (next: string) => ({
	'Anchor Clip Files': { main: link('Read Anchor Clips') },
	'Read Anchor Clips': { main: link('Attach Anchor Clips') },
	'Attach Anchor Clips': { main: link(next) },
});

/** The links from the brand's stored anchors through the clip chain to `next` (QC Router). */
export const brandAnchorLinks = (next: string) => ({
	'Read Brand Anchors': { main: link('Parse Brand Anchors') },
	'Parse Brand Anchors': { main: link('Brand Anchors') },
	'Brand Anchors': { main: link('Anchor Clip Files') },
	...anchorClipLinks(next),
});

/** The links inside the chain that stores a run's anchors (and keeps their clips). */
export const saveBrandAnchorLinks = () => ({
	'Keep Anchor Clips': { main: link('Write Anchor Clips') },
	'New Brand Anchors': { main: link('Brand Anchor Lines') },
	'Brand Anchor Lines': { main: link('Save Brand Anchors') },
});
