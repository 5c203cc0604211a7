// Video pipeline: assemble the cut (ffmpeg). A delivered run's passed shots cut into one graded
// master with the music bed, by a shell script a Code node writes and Execute Command runs.
import { pyJson } from './lib/json';
import {
	code,
	condition,
	ifNode,
	link,
	node,
	readJson,
	setRaw,
	sticky,
	stopAndError,
	to,
	workflow,
} from './lib/nodes';
import { fileFunction, runStateFiles, settingsRoot } from './lib/paths';
import { DELIVERY_ROOT, PIPELINE_SETTINGS } from './lib/settings';

const ABOUT_NOTE =
	"## Assemble the cut (optional, needs ffmpeg)\nCuts a delivered run's **passed** shots, in order, into `<runId>-cut.mp4`: every shot normalised to one size and frame rate, the pinned **LUT** applied (lut3d), the pinned **music bed** mixed under the shots' own sound, loudness to the pin's target. Masters, timeline and report are delivered without it.\n\n" +
	'1. ffmpeg and ffprobe on the n8n host (`apt-get install ffmpeg`).\n' +
	'2. n8n 2.x disables **Execute Command** by default: start n8n with `NODES_EXCLUDE="[]"` to allow it.\n' +
	"3. Run it after a delivery (sample: the studio template's run), or call it from another workflow with *Execute Workflow* and `{ runId }`; the folder is `deliveryRoot` in *Cut Settings*.";

export function assembleCut() {
	const cutSettings = { deliveryRoot: DELIVERY_ROOT, sampleRunId: 'cafe-launch-001' };
	const nodes = [
		sticky('About', ABOUT_NOTE, [-700, -380], 620, 300),
		node(
			'Assemble Run',
			'n8n-nodes-base.executeWorkflowTrigger',
			{ inputSource: 'passthrough' },
			[-700, 100],
			1.1,
		),
		node('Assemble Sample', 'n8n-nodes-base.manualTrigger', {}, [-700, 280]),
		setRaw('Cut Settings', pyJson(cutSettings, 2), [-480, 180]),
		code('Assembly Request', 'assembly-request', [-260, 180]),
		...readJson(
			'Run State',
			runStateFiles(settingsRoot('Cut Settings'), '$json.runId'),
			[-40, 180],
		),
		code('Cut Script', 'cut-script', [400, 180], { fileName: fileFunction('root') }),
		node(
			'Cut With ffmpeg',
			'n8n-nodes-base.executeCommand',
			{ command: '={{ $json.command }}', executeOnce: false },
			[620, 180],
			1,
		),
		ifNode(
			'Cut OK?',
			condition(
				'7d1e2f3a-4b5c-4d6e-8f70-000000000001',
				'={{ $json.exitCode }}',
				{ type: 'number', operation: 'equals' },
				0,
			),
			[840, 180],
		),
		setRaw(
			'Cut Summary',
			"={{ JSON.stringify((({ command, ...cut }) => cut)($('Cut Script').first().json)) }}",
			[1060, 80],
		),
		stopAndError(
			'Cut Failed',
			"=ffmpeg could not cut run {{ $('Cut Script').first().json.runId }} (exit {{ $json.exitCode }}): {{ $json.stderr.slice(-1500) }}",
			[1060, 280],
		),
	];
	const connections = {
		'Assemble Run': { main: link('Cut Settings') },
		'Assemble Sample': { main: link('Cut Settings') },
		'Cut Settings': { main: link('Assembly Request') },
		'Assembly Request': { main: link('Read Run State') },
		'Read Run State': { main: link('Parse Run State') },
		'Parse Run State': { main: link('Cut Script') },
		'Cut Script': { main: link('Cut With ffmpeg') },
		'Cut With ffmpeg': { main: link('Cut OK?') },
		'Cut OK?': { main: [to('Cut Summary'), to('Cut Failed')] },
	};
	return workflow(
		'vpAssembleCut',
		'Video pipeline: assemble the cut (ffmpeg)',
		nodes,
		connections,
		{ ...PIPELINE_SETTINGS },
	);
}
