// The studio template with b-roll rendered by the Video Aggregator (Kling 3.0 via fal) instead of
// Runway, derived from the studio template so that one stays the single source.
import { sticky, type Workflow } from './lib/nodes';
import { CRED, PKG, RENDER_TO_QC } from './lib/settings';
import { studio } from './studio';

const AGGREGATOR_BROLL_NOTE =
	"### B-roll on an aggregator\n**Kling B-Roll** renders the control layer with Kling 3.0 on fal's queue API; its request is built from the model's published input schema, " +
	"and its cost is fal's own unit price. Pick another model from the fal catalogue (or switch the node to Replicate) without rewiring: QC Router sends a failed b-roll shot back here, a failed hero shot to Veo.";

const RENAMES: Record<string, string> = {
	'Runway B-Roll': 'Kling B-Roll',
	'Runway B-Roll (Submit)': 'Kling B-Roll (Submit)',
};
const renamed = (name: string) => RENAMES[name] ?? name;

export function studioAggregatorBroll() {
	const workflow = JSON.parse(JSON.stringify(studio())) as Workflow;
	for (const n of workflow.nodes) {
		if (n.name in RENAMES) {
			const mode = n.parameters.mode;
			n.name = renamed(n.name);
			n.id = n.name.toLowerCase().replace(/ /g, '-').replace(/\(/g, '').replace(/\)/g, '');
			n.type = `${PKG}.videoAggregator`;
			n.parameters = {
				backend: 'fal',
				resource: 'video',
				operation: 'render',
				model: { __rl: true, mode: 'id', value: 'fal-ai/kling-video/v3/pro/text-to-video' },
				layer: 'control',
				shotSource: 'item',
				firstFrameSource: 'none',
				extraInput: '{}',
				renderOptions: RENDER_TO_QC,
				...(mode ? { mode } : {}),
			};
			n.credentials = CRED.fal;
		}
		if (n.name === 'Storyboard') {
			// Kling 3.0 renders 3 to 15 s: the storyboard plans b-roll the engine can render.
			n.parameters.run = { ...n.parameters.run, brollDurations: '3-10' };
		}
		if (n.name === 'Sample Brief') {
			// Three 8 s hero shots and two b-roll shots of at least 3 s need 30 s.
			n.parameters.jsonOutput = n.parameters.jsonOutput.replace(
				'"targetSeconds": 28',
				'"targetSeconds": 30',
			);
		}
		if (n.name === 'Setup') {
			n.parameters.content = n.parameters.content.replace(
				'OpenAI, Google (Vertex AI service account recommended) and Runway credentials',
				'OpenAI, Google (Vertex AI service account recommended) and fal credentials',
			);
		}
		if (n.name === 'Models') {
			n.parameters.content =
				'### Models and layers\nStoryboard sends shots with characters or dialogue to **Veo** (hero) and the rest to **Kling 3.0 on fal** (b-roll). Change models on each render node; retired models fail with their replacement named.';
		}
	}
	workflow.connections = Object.fromEntries(
		Object.entries(workflow.connections).map(([source, value]) => [
			renamed(source),
			{ main: value.main.map((outputs) => outputs.map((t) => ({ ...t, node: renamed(t.node) }))) },
		]),
	);
	workflow.nodes.push(sticky('Aggregator B-Roll', AGGREGATOR_BROLL_NOTE, [1240, -460], 460, 220));
	const byName = Object.fromEntries(workflow.nodes.map((n) => [n.name, n]));
	// Its own webhook path and IDs, so it can be published beside the studio template.
	byName['Brief Webhook'].parameters.path = 'video-brief-aggregator';
	byName['Brief Webhook'].webhookId = '6b3d5f7a-9c1e-4a2b-8d4f-0e2a4c6e8a30';
	byName['Brief Form'].webhookId = '1e3a5c7e-9b2d-4f6a-8c0e-2a4c6e8b0d40';
	byName['Start Form Brief'].parameters.workflowId.value = 'vpStudioAggregatorBroll';
	workflow.id = 'vpStudioAggregatorBroll';
	workflow.name = 'Video pipeline: studio brief with b-roll on an aggregator (Kling via fal)';
	return workflow;
}
