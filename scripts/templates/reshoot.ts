// Video pipeline: reshoot one shot. A delivered run's shot is rendered again (new seed, a note),
// checked by QC and delivered over its old master; its record goes to a file of its own.
import { anchorClipLinks, anchorClipNodes, keepAnchorClips } from './lib/anchors';
import { refusalNodes, refusedIf } from './lib/intake';
import { pyJson } from './lib/json';
import {
	code,
	condition,
	deliver,
	HAS_CLIP,
	IS_TRUE,
	ifNode,
	link,
	node,
	readJson,
	respond,
	runStateFile,
	setRaw,
	sticky,
	stopAndError,
	to,
	workflow,
} from './lib/nodes';
import { fileParam, runStateFiles, settingsRoot } from './lib/paths';
import { qcRouter, runwayBroll, splitRenders, veoHero } from './lib/renders';
import { BUDGET_CAP, DELIVERY_ROOT, INTAKE_AUTH, PIPELINE_SETTINGS } from './lib/settings';

const SETTINGS = 'Reshoot Settings';
const ROOT = settingsRoot(SETTINGS);
const REQUEST = "$('Reshoot Request').first().json";

export const RESHOOT_SAMPLE = {
	runId: 'cafe-launch-001',
	shotId: 'shot-02',
	note: 'Slower steam, tighter framing.',
	budgetUsd: 5,
};

const ABOUT_NOTE =
	"## Reshoot one shot\nPOST `{ runId, shotId, note, budgetUsd }` to the webhook (*Brief webhook header*), call it from another workflow, or run the sample. The run's saved state (`<runId>-run-state.json`, written by the studio template, plus one file per earlier reshoot) gives the shot, its pin and its takes; only that shot is rendered again (new seed, your note added), checked by QC and delivered over its old master. " +
	"`budgetUsd` is required: at most that much on top of what the run has spent, and never more than *Reshoot Settings* `maxBudgetUsd`; the run's own budget always holds. The delivery folder is `deliveryRoot` in *Reshoot Settings*. A refused request (bad `runId`/`shotId`, budget, unknown run or shot) answers 422 or 404 naming the field; nothing is billed.";

const ACCEPTED = `={{ JSON.stringify({ accepted: true, runId: ${REQUEST}.runId, shotId: ${REQUEST}.shotId, budgetUsd: ${REQUEST}.budgetUsd }) }}`;

const shotFile = (suffix: string) => fileParam(ROOT, '$json.pipeline.runId', suffix);

export function reshoot() {
	const reshootSettings = { deliveryRoot: DELIVERY_ROOT, maxBudgetUsd: BUDGET_CAP };
	const nodes = [
		sticky('About', ABOUT_NOTE, [-1340, -340], 620, 280),
		node('Reshoot Sample', 'n8n-nodes-base.manualTrigger', {}, [-1340, 0]),
		setRaw('Sample Request', pyJson(RESHOOT_SAMPLE, 2), [-1120, 0]),
		node(
			'Reshoot Webhook',
			'n8n-nodes-base.webhook',
			{
				httpMethod: 'POST',
				path: 'video-reshoot',
				authentication: 'headerAuth',
				responseMode: 'responseNode',
				options: {},
			},
			[-1340, 200],
			2.1,
			INTAKE_AUTH,
			{ webhookId: '9b2c4d6e-8f10-4a2b-9c3d-5e7f9a1b3c50' },
		),
		// Called without a request (n8n execute), it reshoots the sample; a caller's fields replace the sample's.
		node(
			'Reshoot From Workflow',
			'n8n-nodes-base.executeWorkflowTrigger',
			{ inputSource: 'passthrough' },
			[-1340, 400],
			1.1,
		),
		setRaw(SETTINGS, pyJson(reshootSettings, 2), [-900, 200]),
		code('Reshoot Request', 'reshoot-check', [-680, 200], { sample: pyJson(RESHOOT_SAMPLE) }),
		refusedIf('Request Valid?', [-460, 200]),
		...readJson('Run State', runStateFiles(ROOT, '$json.runId'), [-240, 100], true),
		code('Pick Shot', 'pick-shot', [200, 100]),
		refusedIf('Shot Found?', [420, 100]),
		respond('Accept Reshoot', [640, 0], ACCEPTED, 200),
		...anchorClipNodes('Accept Reshoot', ROOT, [640, -200]),
		...refusalNodes('Reshoot', [640, 400]),
		ifNode(
			'Hero Shot?',
			condition(
				'c0a1b2c3-0000-4000-8000-000000000001',
				'={{ $json.retryHint.layer }}',
				{ type: 'string', operation: 'equals' },
				'hero',
			),
			[860, 0],
		),
		veoHero([1120, -100]),
		runwayBroll([1120, 120]),
		qcRouter({ narrative: 1, hero: 3, control: 3 }, 'item', [1380, 0]),
		// A shot QC sent to review without a new clip (a refused or failed render) has no master to write:
		// the reshoot fails with QC's reason, and the old master stays.
		ifNode(
			'Reshoot Rendered?',
			condition('c0a1b2c3-0000-4000-8000-000000000002', HAS_CLIP, IS_TRUE),
			[1500, 420],
		),
		stopAndError(
			'Nothing Rendered',
			"={{ 'Shot ' + $json.shot.id + ' was not reshot: ' + ($json.reviewReason || 'no clip came back') }}",
			[1720, 520],
		),
		deliver('Write Master', shotFile("$json.shot.id + '.mp4'"), 'data', [1640, 260]),
		...keepAnchorClips(ROOT, [1860, 60]),
		deliver(
			'Write Reshoot QC',
			shotFile("$json.shot.id + '-reshoot-qc.json'"),
			'qc_report_json',
			[1860, 260],
		),
		code('Reshoot State', 'reshoot-state', [2080, 260]),
		runStateFile('Reshoot State File', [2300, 260]),
		deliver(
			'Write Reshoot State',
			fileParam(
				ROOT,
				`${REQUEST}.runId`,
				`'run-state.' + ${REQUEST}.shotId + '.' + $execution.id + '.json'`,
			),
			'data',
			[2520, 260],
		),
		...readJson('Run States', runStateFiles(ROOT, `${REQUEST}.runId`), [2740, 260], false, {
			executeOnce: true,
		}),
		code('Merged Run State', 'merged-run-state', [3180, 260]),
		runStateFile('Run State File', [3400, 260]),
		deliver(
			'Write Run State',
			fileParam(ROOT, `${REQUEST}.runId`, "'run-state.json'"),
			'data',
			[3620, 260],
		),
	];
	const connections = {
		'Reshoot Sample': { main: link('Sample Request') },
		'Sample Request': { main: link(SETTINGS) },
		'Reshoot Webhook': { main: link(SETTINGS) },
		'Reshoot From Workflow': { main: link(SETTINGS) },
		[SETTINGS]: { main: link('Reshoot Request') },
		'Reshoot Request': { main: link('Request Valid?') },
		'Request Valid?': { main: [to('Read Run State'), to('Refuse Reshoot')] },
		'Read Run State': { main: link('Parse Run State') },
		'Parse Run State': { main: link('Pick Shot') },
		'Pick Shot': { main: link('Shot Found?') },
		'Shot Found?': { main: [to('Accept Reshoot'), to('Refuse Reshoot')] },
		'Accept Reshoot': { main: link('Anchor Clip Files') },
		...anchorClipLinks('Hero Shot?'),
		'Refuse Reshoot': { main: link('Reshoot Not From Webhook') },
		'Reshoot Not From Webhook': { main: link('Reshoot Refused') },
		'Hero Shot?': { main: [to('Veo Hero'), to('Runway B-Roll')] },
		'Veo Hero': { main: link('QC Router') },
		'Runway B-Roll': { main: link('QC Router') },
		'QC Router': {
			main: [[], [], to('Veo Hero'), to('Runway B-Roll'), [], to('Reshoot Rendered?')],
		},
		'Reshoot Rendered?': { main: [to('Write Master'), to('Nothing Rendered')] },
		'Write Master': { main: link('Write Reshoot QC', 'Keep Anchor Clips') },
		'Keep Anchor Clips': { main: link('Write Anchor Clips') },
		'Write Reshoot QC': { main: link('Reshoot State') },
		'Reshoot State': { main: link('Reshoot State File') },
		'Reshoot State File': { main: link('Write Reshoot State') },
		'Write Reshoot State': { main: link('Read Run States') },
		'Read Run States': { main: link('Parse Run States') },
		'Parse Run States': { main: link('Merged Run State') },
		'Merged Run State': { main: link('Run State File') },
		'Run State File': { main: link('Write Run State') },
	};
	return splitRenders(
		workflow('vpReshootOneShot', 'Video pipeline: reshoot one shot', nodes, connections, {
			...PIPELINE_SETTINGS,
		}),
		['Veo Hero', 'Runway B-Roll'],
		[-300, -340],
	);
}
