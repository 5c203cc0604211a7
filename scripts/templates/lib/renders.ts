// The render and QC nodes the pipeline templates share, and the crash-safe split of each render
// node into a Submit Only step and a waiting step.
import { link, node, sticky, type Position, type Workflow } from './nodes';
import { CRED, JUDGE, PKG, RENDER } from './settings';

/** Veo on Vertex AI for hero shots: the pin's references, native audio. */
export const veoHero = (position: Position) =>
	node(
		'Veo Hero',
		`${PKG}.googleVeo`,
		{
			resource: 'video',
			operation: 'generate',
			model: 'veo-3.1-fast-generate-001',
			shotSource: 'item',
			referenceMode: 'pin',
			generateAudio: true,
			renderOptions: RENDER,
		},
		position,
		1,
		CRED.vertex,
	);

/** Runway Gen-4.5 text to video for b-roll (the control layer). */
export const runwayBroll = (position: Position) =>
	node(
		'Runway B-Roll',
		`${PKG}.runway`,
		{
			resource: 'video',
			operation: 'textToVideo',
			model: 'gen4.5',
			shotSource: 'item',
			renderOptions: RENDER,
		},
		position,
		1,
		CRED.runway,
	);

/** Sora 2 through an OpenAI-compatible gateway, for the narrative layer's shots. */
export const soraGateway = (position: Position) =>
	node(
		'Sora (Gateway)',
		`${PKG}.openAiStoryboard`,
		{
			resource: 'video',
			operation: 'render',
			model: 'sora-2',
			shotSource: 'item',
			inputReference: 'none',
			renderOptions: RENDER,
		},
		position,
		1,
		CRED.openai,
	);

/** QC Router with the cheap vision judge on; `barrier` is run (a whole run) or item (a reshoot). */
export const qcRouter = (
	retries: { narrative: number; hero: number; control: number },
	barrier: 'run' | 'item',
	position: Position,
) => node('QC Router', `${PKG}.qcRouter`, { retries, barrier, ...JUDGE }, position, 1, CRED.vertex);

const SUBMIT_NOTE =
	'### Renders survive a crash\nEvery render is two steps: **(Submit)** sends the job and puts its ID on the item; the step after it waits and collects. ' +
	"The workflow saves its progress after every step (*Settings > Save execution progress*), so the job IDs are in n8n's database before any wait. " +
	'If n8n or a queue worker dies mid-render, open the execution and **Retry** it (original workflow): it resumes at the waiting step and collects the renders already paid for.\n\n' +
	'A worker can also die inside a **(Submit)** step, after the vendor took some jobs. Give every render node a **Render Journal** credential (an n8n API key, *Settings > n8n API*): each submit is recorded in the `video_render_journal` data table as it is sent, and the retried step takes over those jobs instead of paying again.';

/**
 * Turns each named render node into a Submit Only node followed by the same node waiting.
 *
 * n8n saves an execution's data between nodes, not inside one: splitting submit from wait puts the
 * paid job IDs into the saved execution (with saveExecutionProgress) before anything waits, so a
 * retry after a crash collects them instead of paying again.
 */
export function splitRenders(workflow: Workflow, names: string[], noteAt: [number, number]) {
	const { nodes, connections } = workflow;
	const renders = nodes.filter((n) => names.includes(n.name));
	// Make room in the render rows: every column holding a render gets a second column for its waiting step.
	const top = Math.min(...renders.map((n) => n.position[1])) - 100;
	const bottom = Math.max(...renders.map((n) => n.position[1])) + 100;
	const columns = [...new Set(renders.map((n) => n.position[0]))].sort((a, b) => b - a);
	for (const column of columns) {
		for (const other of nodes) {
			const [x, y] = other.position;
			if (x > column && top <= y && y <= bottom && other.type !== 'n8n-nodes-base.stickyNote') {
				other.position = [x + 220, y];
			}
		}
	}
	for (const render of renders) {
		const name = render.name;
		const submit = {
			...render,
			id: `${render.id}-submit`,
			name: `${name} (Submit)`,
			parameters: { ...render.parameters, mode: 'submit' },
		};
		render.position = [render.position[0] + 220, render.position[1]];
		nodes.splice(nodes.indexOf(render), 0, submit);
		for (const source of Object.values(connections)) {
			for (const outputs of source.main) {
				for (const target of outputs) if (target.node === name) target.node = submit.name;
			}
		}
		connections[submit.name] = { main: link(name) };
	}
	nodes.push(sticky('Crash Safe Renders', SUBMIT_NOTE, noteAt, 460, 340));
	workflow.settings.saveExecutionProgress = true;
	return workflow;
}
