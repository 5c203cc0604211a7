// The render and QC nodes the pipeline templates share, and the crash-safe split of each render
// node into a Submit Only step and a waiting step.
import { condition, link, node, sticky, type Position, type Workflow } from './nodes';
import { CRED, JUDGE, PKG, RENDER_TO_QC, RUNWAY_RENDER_TO_QC } from './settings';

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
			renderOptions: RENDER_TO_QC,
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
			renderOptions: RUNWAY_RENDER_TO_QC,
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
			renderOptions: RENDER_TO_QC,
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

/** A waiting step and the engine whose jobs it collects (what its Submit step puts on the item). */
export interface Collector {
	wait: string;
	vendor: string;
	operation: string;
	position: Position;
}

/** vendor:operation of what the Submit step did with the item: its render error, else its newest take. */
const SUBMITTED_BY =
	"={{ (($json.renderError || ($json.takes || []).slice(-1)[0]) || {}).vendor + ':' + (($json.renderError || ($json.takes || []).slice(-1)[0]) || {}).operation }}";

const PARALLEL_NOTE =
	'### Every vendor renders at once\nn8n runs one step at a time, so a waiting step holds the workflow while its vendor renders. ' +
	'Here every **(Submit)** step of a round runs first: Runway takes all of its jobs at once and queues them for the account (*THROTTLED*), ' +
	"then Veo's Submit step fills the Vertex quota, and only then do the waiting steps collect, Veo's first. " +
	'**All Renders Sent** gathers what the Submit steps sent, and **Collect Renders** hands each item to the step that waits for its engine; an item it cannot place goes straight to QC.\n\n' +
	'A render still running four times its expected time (*Hand On Slow Renders After*) leaves its waiting step with its job ID, so one stuck job does not hold the round: QC Router sends it back and the next round collects it, within the one render timeout.';

/**
 * Runs the named waiting steps only after every Submit step of the round, so the vendors render
 * at the same time: each Submit step feeds a Merge, and a Switch sends each item to the waiting
 * step of the engine that took it (the first collector is run first). An item no collector
 * claims goes to `fallback` (QC Router, which routes what it carries).
 */
export function collectAfterSubmits(
	workflow: Workflow,
	collectors: Collector[],
	fallback: string,
	at: { merge: Position; route: Position; note: Position },
) {
	const { nodes, connections } = workflow;
	const MERGE = 'All Renders Sent';
	const ROUTE = 'Collect Renders';
	collectors.forEach((collector, index) => {
		connections[`${collector.wait} (Submit)`] = {
			main: [[{ node: MERGE, type: 'main', index }]],
		};
		nodes.find((n) => n.name === collector.wait)!.position = collector.position;
	});
	nodes.push(
		node(
			MERGE,
			'n8n-nodes-base.merge',
			{ mode: 'append', numberInputs: collectors.length },
			at.merge,
			3.2,
		),
		node(
			ROUTE,
			'n8n-nodes-base.switch',
			{
				rules: {
					values: collectors.map((collector) => ({
						conditions: condition(
							`5a0e4b9c-1d2f-4e3a-8b7c-0000000001${String(collectors.indexOf(collector)).padStart(2, '0')}`,
							SUBMITTED_BY,
							{ type: 'string', operation: 'equals' },
							`${collector.vendor}:${collector.operation}`,
						),
						renameOutput: true,
						outputKey: collector.wait,
					})),
				},
				options: { fallbackOutput: 'extra', renameFallbackOutput: 'Unplaced' },
			},
			at.route,
			3.2,
		),
		sticky('Vendors In Parallel', PARALLEL_NOTE, at.note, 460, 330),
	);
	connections[MERGE] = { main: link(ROUTE) };
	connections[ROUTE] = {
		main: [...collectors.map((c) => [{ node: c.wait, type: 'main', index: 0 }]), link(fallback)[0]],
	};
	return workflow;
}
