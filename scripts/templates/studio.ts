// Video pipeline: studio brief to delivery. A brief (webhook, form, a calling workflow or the
// bundled sample) is checked, claimed, storyboarded, pinned, rendered, checked by QC and delivered.
import {
	anchorClipNodes,
	brandAnchorLinks,
	brandAnchorNodes,
	keepAnchorClips,
	saveBrandAnchorLinks,
	saveBrandAnchorNodes,
} from './lib/anchors';
import { claimNodes, refusalNodes, refusedIf } from './lib/intake';
import { pyJson } from './lib/json';
import {
	code,
	condition,
	conditionId,
	deliver,
	deliveryLinks,
	deliveryNodes,
	deliveryTargets,
	expr,
	filterNode,
	ifNode,
	IS_TRUE,
	link,
	node,
	respond,
	setRaw,
	sticky,
	to,
	workflow,
} from './lib/nodes';
import { fileName, fileParam, settingsRoot } from './lib/paths';
import { qcRouter, runwayBroll, soraGateway, splitRenders, veoHero } from './lib/renders';
import {
	BUDGET_CAP,
	CRED,
	DELIVERY_ROOT,
	FORM_AUTH,
	INTAKE_AUTH,
	PIPELINE_SETTINGS,
	PKG,
	SAMPLE_REFERENCES_URL,
} from './lib/settings';
import { executeWorkflow } from './lib/subworkflows';

const SETTINGS = 'Studio Settings';
const ROOT = settingsRoot(SETTINGS);

export const STUDIO_SAMPLE = {
	project: 'Café launch',
	runId: 'cafe-launch-001',
	script:
		'Mara unlocks the café at dawn. Steam curls from the espresso machine. Leo walks in from the rain. Mara hands Leo a cup: "First one is on me." The sign flips to open.',
	brief: 'Warm, local, early-morning calm. Audience: commuters. Avoid logos other than ours.',
	targetSeconds: 28,
	budgetUsd: 40,
	callbackUrl: '',
	// File names under the Studio Settings' sampleReferencesUrl (the sandbox serves one per tag).
	characters: [
		{ tag: 'mara', referenceUrls: ['mara.png'] },
		{ tag: 'leo', referenceUrls: ['leo.png'] },
	],
};

// Only a form brief's own fields (and a run ID of the form's execution) go on; a sample field never fills a gap.
const FORM_BRIEF = expr(
	"JSON.stringify({ runId: 'form-' + $execution.id, project: $json.project ?? '', brand: $json.brand ?? '', script: $json.script ?? '', brief: $json.brief ?? '', characters: $json.characters ?? '', targetSeconds: $json.targetSeconds ?? '', budgetUsd: $json.budgetUsd ?? '', callbackUrl: '' })",
);

const SETUP_NOTE =
	'## Studio brief to delivery\n\n' +
	"1. **Credentials**: select your OpenAI, Google (Vertex AI service account recommended) and Runway credentials on the render nodes, or import the sandbox's (`npm run sandbox` writes `sandbox-credentials.json`) to run without keys.\n" +
	'2. **Intake**: the Webhook (*Brief webhook header* credential) and the Form (*Brief form login*, basic auth) both feed the storyboard; *Run Sample Brief* runs a bundled brief. *Check Brief* refuses a brief with a missing, zero, non-numeric or over-cap `budgetUsd`, or a `runId` outside letters, digits and `. _ : -` (the webhook answers 422 naming the field); a `runId` already rendering or delivered is refused with 409.\n' +
	"3. **Settings** (*Studio Settings*): `deliveryRoot` (masters, QC report, timeline and run state go there as `<runId>-<file>`; the folder must exist inside n8n's allowed file area, `N8N_RESTRICT_FILE_ACCESS_TO`), `maxBudgetUsd` (the most one brief may spend; keep it equal to the MCP tools' cap) and `maxTargetSeconds`. A request never chooses a path.\n" +
	"4. **Budgets**: `budgetUsd` is required on every brief and caps its run; QC Router's retry budget caps re-renders per shot.";

const MODELS_NOTE =
	'### Models and layers\nStoryboard sends shots with characters or dialogue to **Veo** (hero) and the rest to **Runway** (b-roll). Change models on each render node; retired models fail with their replacement named.';

const DELIVERY_NOTE =
	'### Delivery\n**All Done** fires once per run, after every shot passed or needs review. Shots that need review are delivered too and listed in the report. ' +
	"When the brief has a `callbackUrl`, the run's summary (totals, cost per layer, report path) is POSTed to it. " +
	'For one graded master with the music bed, run *Video pipeline: assemble the cut* (needs ffmpeg and Execute Command).';

const run = '$json.pipeline.runId';

/** The brand whose anchors a run is judged against and adds to: the brief's (its project's when none is named). */
const BRAND_OF = "() => String($('Check Brief').first().json.brand)";

/** The brief's summary POSTed to its callbackUrl. */
const CALLBACK = expr(
	`JSON.stringify({ runId: ${run}, project: $json.pipeline.project, totals: $json.qcReport.totals, cost: $json.qcReport.cost, deliveryRoot: ${ROOT}, report: ${fileName(ROOT, run, "'qc-report.html'")} })`,
);

const ACCEPTED = expr(
	"JSON.stringify({ accepted: true, runId: $json.runId, budgetUsd: $json.budgetUsd, message: 'Rendering; the masters and the QC report are delivered as ' + $json.runId + '-<file>.' })",
);

/** A delivery writer: one binary field of the run's items to <runId>-<suffix>. */
const write = (name: string, suffix: string, property: string, x: number) =>
	deliver(name, fileParam(ROOT, run, suffix), property, [x, 560]);

export function studio() {
	const studioSettings = {
		deliveryRoot: DELIVERY_ROOT,
		maxBudgetUsd: BUDGET_CAP,
		maxTargetSeconds: 60,
		sampleReferencesUrl: SAMPLE_REFERENCES_URL,
	};
	const nodes = [
		sticky('Setup', SETUP_NOTE, [-3080, -560], 700, 420),
		sticky('Models', MODELS_NOTE, [300, -460], 420, 200),
		node('Run Sample Brief', 'n8n-nodes-base.manualTrigger', {}, [-3080, 0]),
		setRaw('Sample Brief', pyJson(STUDIO_SAMPLE, 2), [-2860, 0]),
		node(
			'Brief Webhook',
			'n8n-nodes-base.webhook',
			{
				httpMethod: 'POST',
				path: 'video-brief',
				authentication: 'headerAuth',
				responseMode: 'responseNode',
				options: {},
			},
			[-3080, 200],
			2.1,
			INTAKE_AUTH,
			{ webhookId: '5f0d1b1e-3c57-4b0e-9a55-6d1d3f4c2a10' },
		),
		node(
			'Brief Form',
			'n8n-nodes-base.formTrigger',
			{
				authentication: 'basicAuth',
				formTitle: 'Video brief',
				formDescription: `Describe the spot; the pipeline storyboards, renders, checks and delivers it. Budget: at most $${BUDGET_CAP}.`,
				formFields: {
					values: [
						{ fieldLabel: 'project', requiredField: true },
						{ fieldLabel: 'script', fieldType: 'textarea', requiredField: true },
						{ fieldLabel: 'brief', fieldType: 'textarea' },
						{ fieldLabel: 'targetSeconds', fieldType: 'number' },
						{ fieldLabel: 'budgetUsd', fieldType: 'number', requiredField: true },
						// New fields go last, so a form post by field index keeps its meaning.
						{ fieldLabel: 'brand', placeholder: 'Defaults to the project' },
						{
							fieldLabel: 'characters',
							fieldType: 'textarea',
							placeholder:
								'One line per character: mara: https://example.com/mara-front.png, https://example.com/mara-side.png',
						},
					],
				},
				options: {},
			},
			[-3080, 400],
			2.2,
			FORM_AUTH,
			{ webhookId: '7c1b8e2a-6d0f-4a7b-8c2e-1f3a5d9b7e40' },
		),
		// n8n refuses Respond to Webhook nodes downstream of a Form Trigger: the form hands its brief to
		// this workflow's own workflow trigger, so it is checked (and refused) like any other.
		setRaw('Form Brief', FORM_BRIEF, [-2860, 400]),
		executeWorkflow('Start Form Brief', 'vpStudioBriefDelivery', [-2640, 400], { wait: false }),
		node(
			'Brief From Workflow',
			'n8n-nodes-base.executeWorkflowTrigger',
			{ inputSource: 'passthrough' },
			[-3080, 600],
			1.1,
		),
		setRaw(SETTINGS, pyJson(studioSettings, 2), [-2640, 300]),
		code('Check Brief', 'check-brief', [-2420, 300], { sample: pyJson(STUDIO_SAMPLE) }),
		refusedIf('Brief Valid?', [-2200, 300]),
		...claimNodes('Run', ROOT, 'Check Brief', [-1980, 200]),
		refusedIf('Run Claimed?', [-880, 200]),
		respond('Accept Brief', [-660, 100], ACCEPTED, 200),
		...refusalNodes('Brief', [-660, 500]),
		node(
			'Storyboard',
			`${PKG}.openAiStoryboard`,
			{
				resource: 'storyboard',
				operation: 'createManifest',
				model: 'gpt-5.4-mini',
				script: '={{ $json.script }}',
				brandBrief: '={{ $json.brief }}',
				targetSeconds: '={{ $json.targetSeconds }}',
				aspectRatios: ['16:9'],
				variants: 1,
				layerPolicy: 'dialogueHero',
				outputShape: 'shots',
				run: {
					runId: '={{ $json.runId }}',
					project: '={{ $json.project }}',
					budgetUsd: '={{ $json.budgetUsd }}',
					resolution: '720p',
					heroDurations: '8',
				},
			},
			[-440, 200],
			1,
			CRED.openai,
		),
		ifNode(
			'Brand Pin Given?',
			condition('9c2d4e6f-1a3b-4c5d-8e7f-000000000002', '={{ !!$json.brandPin }}', IS_TRUE),
			[-300, 200],
		),
		node(
			'Apply Brand Pin',
			`${PKG}.pinState`,
			{ resource: 'pin', operation: 'apply', pinJson: '={{ $json.brandPin }}' },
			[-120, 320],
		),
		node(
			'Pin State',
			`${PKG}.pinState`,
			{
				resource: 'pin',
				operation: 'create',
				useManifestCharacters: true,
				characterReferences: "={{ $('Check Brief').first().json.characters }}",
				grade: { palette: '#335577, #F4E3C1', look: 'cool dawn light, soft contrast' },
				audioBed: {
					mood: 'calm, hopeful',
					tempoBpm: 84,
					dialogueLanguage: 'en',
					loudnessLufs: -14,
				},
				style: 'photoreal, 35mm, natural light',
				negativePrompt: 'text, watermark, extra fingers',
				seedPolicy: 'per_shot',
				seedBase: 1000,
			},
			[-120, 100],
		),
		...brandAnchorNodes(ROOT, ['Apply Brand Pin', 'Pin State'], BRAND_OF, [80, -200]),
		...anchorClipNodes('Brand Anchors', ROOT, [-40, -40]),
		qcRouter({ narrative: 1, hero: 2, control: 2 }, 'run', [80, 200]),
		soraGateway([360, -40]),
		veoHero([360, 160]),
		runwayBroll([360, 360]),
		...deliveryNodes(
			'Report Only',
			fileParam(ROOT, run, "$json.shot.id + '.mp4'"),
			[700, 440],
			[900, 560],
		),
		write('Write QC Report', "'qc-report.html'", 'qc_report_html', 1100),
		write('Write QC JSON', "'qc-report.json'", 'qc_report_json', 1300),
		write('Write Timeline', "'timeline.otio'", 'timeline_otio', 1500),
		write('Write EDL', "'timeline.edl'", 'timeline_edl', 1700),
		write('Write Run State', "'run-state.json'", 'run_state_json', 1900),
		...keepAnchorClips(ROOT, [1100, 360]),
		...saveBrandAnchorNodes(ROOT, BRAND_OF, [1100, 460]),
		filterNode(
			'Client Callback?',
			condition(
				'9c2d4e6f-1a3b-4c5d-8e7f-000000000001',
				'={{ $json.callbackUrl }}',
				{ type: 'string', operation: 'notEmpty', singleValue: true },
				'',
				'loose',
			),
			[2100, 560],
		),
		node(
			'Client Callback',
			'n8n-nodes-base.httpRequest',
			{
				method: 'POST',
				url: '={{ $json.callbackUrl }}',
				sendBody: true,
				specifyBody: 'json',
				jsonBody: CALLBACK,
				options: { timeout: 30000 },
			},
			[2300, 560],
			4.2,
		),
		sticky('Delivery', DELIVERY_NOTE, [700, 760], 520, 160),
	];
	const connections = {
		'Run Sample Brief': { main: link('Sample Brief') },
		'Sample Brief': { main: link(SETTINGS) },
		'Brief Webhook': { main: link(SETTINGS) },
		'Brief Form': { main: link('Form Brief') },
		'Form Brief': { main: link('Start Form Brief') },
		'Brief From Workflow': { main: link(SETTINGS) },
		[SETTINGS]: { main: link('Check Brief') },
		'Check Brief': { main: link('Brief Valid?') },
		'Brief Valid?': { main: [to('Run Claim Line'), to('Refuse Brief')] },
		'Run Claim Line': { main: link('Write Run Claim') },
		'Write Run Claim': { main: link('Read Run Claims') },
		'Read Run Claims': { main: link('Parse Run Claims') },
		'Parse Run Claims': { main: link('Run Claim Result') },
		'Run Claim Result': { main: link('Run Claimed?') },
		'Run Claimed?': { main: [to('Accept Brief'), to('Refuse Brief')] },
		'Accept Brief': { main: link('Storyboard') },
		'Refuse Brief': { main: link('Brief Not From Webhook') },
		'Brief Not From Webhook': { main: link('Brief Refused') },
		Storyboard: { main: link('Brand Pin Given?') },
		// A brief may carry a stored brand pin (the MCP tools do): then that look is applied, not a new one made.
		'Brand Pin Given?': { main: [to('Apply Brand Pin'), to('Pin State')] },
		// The brand's stored anchors (and their clips) join the shots before QC judges the first takes.
		'Apply Brand Pin': { main: link('Read Brand Anchors') },
		'Pin State': { main: link('Read Brand Anchors') },
		...brandAnchorLinks('QC Router'),
		'QC Router': {
			main: [
				[],
				to('Sora (Gateway)'),
				to('Veo Hero'),
				to('Runway B-Roll'),
				[],
				deliveryTargets('Report Only'),
			],
		},
		'Sora (Gateway)': { main: link('QC Router') },
		'Veo Hero': { main: link('QC Router') },
		'Runway B-Roll': { main: link('QC Router') },
		...deliveryLinks(),
		// Branches run top to bottom (execution order v1): the anchor clips are written, then the anchors
		// naming them stored, before the report chain (whose client callback may fail) runs.
		'Report Only': { main: link('Keep Anchor Clips', 'New Brand Anchors', 'Write QC Report') },
		...saveBrandAnchorLinks(),
		'Write QC Report': { main: link('Write QC JSON') },
		'Write QC JSON': { main: link('Write Timeline') },
		'Write Timeline': { main: link('Write EDL') },
		'Write EDL': { main: link('Write Run State') },
		'Write Run State': { main: link('Client Callback?') },
		'Client Callback?': { main: link('Client Callback') },
	};
	return splitRenders(
		workflow(
			'vpStudioBriefDelivery',
			'Video pipeline: studio brief to delivery',
			nodes,
			connections,
			{
				...PIPELINE_SETTINGS,
			},
		),
		['Sora (Gateway)', 'Veo Hero', 'Runway B-Roll'],
		[760, -460],
	);
}
