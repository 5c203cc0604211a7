// Video pipeline: MCP tools. One branch per tool the MCP server offers, and the background job
// that runs a brief or a reshoot and records its outcome in a Data Table.
import {
	AUTO_MAP,
	createTable,
	fromJsonFields,
	mapped,
	tableGet,
	tableRef,
	where,
} from './lib/dataTables';
import { pyJson } from './lib/json';
import {
	code,
	condition,
	IS_TRUE,
	filterNode,
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
import { fileFunction, fileParam, settingsRoot } from './lib/paths';
import { PIPELINE_SETTINGS } from './lib/settings';
import { executeWorkflow, TOOL_FIELDS } from './lib/subworkflows';
import {
	MCP_RUN_COLUMNS,
	MCP_RUNS_TABLE,
	MCP_SETTINGS,
	PIN_COLUMNS,
	PINS_TABLE,
} from './mcpShared';

const ROOT = settingsRoot('Server Settings');
const TOOLS = ['render_brief', 'reshoot_shot', 'get_run', 'list_pins', 'get_pin', 'run_job'];
const JOB = "$('Job').first().json";
const JOB_ROW = "$('Job Row').first().json";
const JOB_REQUEST = "$('Job Request').first().json";

const ABOUT_NOTE =
	'## Video pipeline: MCP tools\nThe tools *Video pipeline: MCP server* offers, one branch each, and the background job that runs a brief or a reshoot. ' +
	'Jobs are rows of the **video_mcp_runs** Data Table (status `rendering`, `delivered`, `needs_review` or `failed`, with the delivery summary); pins are kept per brand in **video_pins**.\n\n' +
	"*Server Settings* holds the spend cap per call (`maxBudgetUsd`), how long a call waits for a render before it answers with the run ID (`defaultWaitSeconds`, at most `maxWaitSeconds`: keep it under your MCP client's request timeout) and the delivery folder.";

/** The delivery folder and file names the result Code nodes report. */
const RESULT_VALUES = { mcpRoot: ROOT, fileName: fileFunction('root') };

const isId = (n: number) => `6b1d2e3f-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;

/** An If node testing one expression, true or not (these run once per execution where marked). */
const ifTrue = (name: string, id: number, js: string, position: [number, number], extra = {}) =>
	ifNode(name, condition(isId(id), `={{ ${js} }}`, IS_TRUE), position, extra);

const ifEquals = (
	name: string,
	id: number,
	left: string,
	right: string,
	position: [number, number],
) =>
	ifNode(name, condition(isId(id), left, { type: 'string', operation: 'equals' }, right), position);

export function mcpTools() {
	const switchRules = {
		values: TOOLS.map((tool, i) => ({
			conditions: condition(
				isId(i),
				"={{ $('Tool Call').first().json.tool }}",
				{ type: 'string', operation: 'equals' },
				tool,
			),
			renameOutput: true,
			outputKey: tool,
		})),
	};
	const nodes = [
		sticky('About', ABOUT_NOTE, [-1100, -520], 700, 260),
		node(
			'Tool Call',
			'n8n-nodes-base.executeWorkflowTrigger',
			{
				inputSource: 'workflowInputs',
				workflowInputs: { values: TOOL_FIELDS.map(([name, type]) => ({ name, type })) },
			},
			[-1100, 100],
			1.1,
		),
		setRaw('Server Settings', pyJson(MCP_SETTINGS, 2), [-880, 100]),
		createTable('Runs Table', MCP_RUNS_TABLE, MCP_RUN_COLUMNS, [-660, 100]),
		createTable('Pins Table', PINS_TABLE, PIN_COLUMNS, [-440, 100]),
		node(
			'Which Tool',
			'n8n-nodes-base.switch',
			{ rules: switchRules, options: { fallbackOutput: 'extra', renameFallbackOutput: 'unknown' } },
			[-220, 100],
			3.2,
		),
		stopAndError(
			'Unknown Tool',
			'=Unknown tool "{{ $(\'Tool Call\').first().json.tool }}"',
			[0, 760],
		),
		// render_brief and reshoot_shot: one job each, recorded before it starts.
		code('Brief Request', 'brief-request', [0, -200]),
		code('Reshoot Request', 'reshoot-request', [0, 0]),
		setRaw('Job', '={{ JSON.stringify($json) }}', [220, -100]),
		tableGet('Known Run', MCP_RUNS_TABLE, where('runId', '={{ $json.runId }}'), [440, -100]),
		ifTrue('Already Requested?', 10, '$json.runId !== undefined', [660, -100]),
		tableGet('Brand Pin', PINS_TABLE, where('brand', `={{ ${JOB}.brand || '-' }}`), [880, 0]),
		code('New Run Row', 'new-run-row', [1100, 0]),
		node(
			'Record Run',
			'n8n-nodes-base.dataTable',
			{
				resource: 'row',
				operation: 'insert',
				dataTableId: tableRef(MCP_RUNS_TABLE),
				columns: AUTO_MAP,
				options: {},
			},
			[1320, 0],
			1.1,
		),
		// Two identical calls at the same moment both record a row; only the first row's call starts
		// the job, the other drops its row and waits on the same run (Data Tables have no unique keys).
		tableGet('Same Run Rows', MCP_RUNS_TABLE, where('runId', `={{ ${JOB}.runId }}`), [1540, 0]),
		ifTrue(
			'First Request?',
			16,
			"Math.min(...$input.all().map((item) => item.json.id)) === $('Record Run').first().json.id",
			[1760, 0],
			{ executeOnce: true },
		),
		executeWorkflow('Start Job', 'vpMcpTools', [1980, -100], {
			inputs: { tool: 'run_job', runId: `={{ ${JOB}.runId }}` },
			wait: false,
		}),
		node(
			'Drop Duplicate',
			'n8n-nodes-base.dataTable',
			{
				resource: 'row',
				operation: 'deleteRows',
				dataTableId: tableRef(MCP_RUNS_TABLE),
				matchType: 'allConditions',
				filters: where('id', "={{ $('Record Run').first().json.id }}"),
				options: {},
			},
			[1980, 100],
			1.1,
			undefined,
			{ alwaysOutputData: true },
		),
		tableGet('Run Status', MCP_RUNS_TABLE, where('runId', `={{ ${JOB}.runId }}`), [2200, 0]),
		ifTrue(
			'Done or Waited?',
			11,
			`$json.status !== 'rendering' || Date.now() - ${JOB}.startedAt >= 1000 * ${JOB}.waitSeconds`,
			[2420, 0],
			{ executeOnce: true },
		),
		node(
			'Pause',
			'n8n-nodes-base.wait',
			{ amount: "={{ $('Server Settings').first().json.pollSeconds }}" },
			[2420, 200],
			1.1,
			undefined,
			{ webhookId: '2c4e6a8b-0d1f-4e3a-9b5c-7d9f1b3e5a70' },
		),
		code('Run Answer', 'run-answer', [2640, -200]),
		// get_run, list_pins, get_pin
		tableGet(
			'Run Row',
			MCP_RUNS_TABLE,
			where('runId', "={{ $('Tool Call').first().json.runId || '-' }}"),
			[0, 200],
		),
		tableGet('All Pins', PINS_TABLE, undefined, [0, 380]),
		code('Pins Answer', 'pins-answer', [220, 380]),
		tableGet(
			'Brand Pins',
			PINS_TABLE,
			where('brand', "={{ $('Tool Call').first().json.brand || '-' }}"),
			[0, 560],
		),
		code('Pin Answer', 'pin-answer', [220, 560]),
		// run_job: the background execution that renders and records the outcome.
		tableGet(
			'Job Row',
			MCP_RUNS_TABLE,
			where('runId', "={{ $('Tool Call').first().json.runId }}"),
			[0, 1000],
		),
		code('Job Request', 'job-request', [220, 1000]),
		ifEquals('Brief Job?', 12, `={{ ${JOB_ROW}.kind }}`, 'brief', [440, 1000]),
		// The pipeline's last step may output nothing (no callback URL), and a failure comes out as an
		// item with its error: either way one item goes on, to read what was delivered or record the error.
		executeWorkflow('Render Brief', 'vpStudioBriefDelivery', [660, 900], {
			extra: { onError: 'continueRegularOutput', alwaysOutputData: true },
		}),
		ifTrue('Brief Delivered?', 14, '$json.error === undefined', [770, 1000], { executeOnce: true }),
		...readJson(
			'QC Report',
			fileParam(ROOT, `${JOB_ROW}.runId`, "'qc-report.json'"),
			[880, 860],
			false,
			{
				executeOnce: true,
			},
		),
		...readJson('Run State', fileParam(ROOT, `${JOB_ROW}.runId`, "'run-state.json'"), [1320, 860]),
		code('Brief Result', 'brief-result', [1760, 860], RESULT_VALUES),
		filterNode('New Brand Pin?', condition(isId(13), '={{ $json.newPin }}', IS_TRUE), [1980, 760]),
		node(
			'Save Brand Pin',
			'n8n-nodes-base.dataTable',
			{
				resource: 'row',
				operation: 'insert',
				dataTableId: tableRef(PINS_TABLE),
				columns: mapped(
					{
						brand: '={{ $json.brand }}',
						fingerprint: '={{ $json.fingerprint }}',
						runId: '={{ $json.runId }}',
						pin: '={{ $json.pin }}',
						pinnedAt: '={{ $now.toISO() }}',
					},
					PIN_COLUMNS,
				),
				options: {},
			},
			[2200, 760],
			1.1,
		),
		executeWorkflow('Reshoot Shot', 'vpReshootOneShot', [660, 1140], {
			extra: { onError: 'continueRegularOutput', alwaysOutputData: true },
		}),
		ifTrue('Reshoot Delivered?', 15, '$json.error === undefined', [770, 1240], {
			executeOnce: true,
		}),
		...readJson(
			'Reshoot QC',
			fileParam(ROOT, `${JOB_REQUEST}.runId`, `${JOB_REQUEST}.shotId + '-reshoot-qc.json'`),
			[880, 1100],
			false,
			{ executeOnce: true },
		),
		code('Reshoot Result', 'reshoot-result', [1320, 1100], RESULT_VALUES),
		code('Job Failed', 'job-failed', [1100, 1300], {}, { executeOnce: true }),
		node(
			'Finish Job',
			'n8n-nodes-base.dataTable',
			{
				resource: 'row',
				operation: 'update',
				dataTableId: tableRef(MCP_RUNS_TABLE),
				matchType: 'allConditions',
				filters: where('runId', '={{ $json.runId }}'),
				columns: mapped(
					fromJsonFields(['status', 'summary', 'error', 'finishedAt']),
					MCP_RUN_COLUMNS,
				),
				options: {},
			},
			[1980, 1100],
			1.1,
		),
	];
	const connections = {
		'Tool Call': { main: link('Server Settings') },
		'Server Settings': { main: link('Runs Table') },
		'Runs Table': { main: link('Pins Table') },
		'Pins Table': { main: link('Which Tool') },
		'Which Tool': {
			main: [
				to('Brief Request'),
				to('Reshoot Request'),
				to('Run Row'),
				to('All Pins'),
				to('Brand Pins'),
				to('Job Row'),
				to('Unknown Tool'),
			],
		},
		'Brief Request': { main: link('Job') },
		'Reshoot Request': { main: link('Job') },
		Job: { main: link('Known Run') },
		'Known Run': { main: link('Already Requested?') },
		'Already Requested?': { main: [to('Run Answer'), to('Brand Pin')] },
		'Brand Pin': { main: link('New Run Row') },
		'New Run Row': { main: link('Record Run') },
		'Record Run': { main: link('Same Run Rows') },
		'Same Run Rows': { main: link('First Request?') },
		'First Request?': { main: [to('Start Job'), to('Drop Duplicate')] },
		'Start Job': { main: link('Run Status') },
		'Drop Duplicate': { main: link('Run Status') },
		'Run Status': { main: link('Done or Waited?') },
		'Done or Waited?': { main: [to('Run Answer'), to('Pause')] },
		Pause: { main: link('Run Status') },
		'Run Row': { main: link('Run Answer') },
		'All Pins': { main: link('Pins Answer') },
		'Brand Pins': { main: link('Pin Answer') },
		'Job Row': { main: link('Job Request') },
		'Job Request': { main: link('Brief Job?') },
		'Brief Job?': { main: [to('Render Brief'), to('Reshoot Shot')] },
		'Render Brief': { main: link('Brief Delivered?') },
		'Brief Delivered?': { main: [to('Read QC Report'), to('Job Failed')] },
		'Read QC Report': { main: link('Parse QC Report') },
		'Parse QC Report': { main: link('Read Run State') },
		'Read Run State': { main: link('Parse Run State') },
		'Parse Run State': { main: link('Brief Result') },
		'Brief Result': { main: link('Finish Job', 'New Brand Pin?') },
		'New Brand Pin?': { main: link('Save Brand Pin') },
		'Reshoot Shot': { main: link('Reshoot Delivered?') },
		'Reshoot Delivered?': { main: [to('Read Reshoot QC'), to('Job Failed')] },
		'Read Reshoot QC': { main: link('Parse Reshoot QC') },
		'Parse Reshoot QC': { main: link('Reshoot Result') },
		'Reshoot Result': { main: link('Finish Job') },
		'Job Failed': { main: link('Finish Job') },
	};
	return workflow('vpMcpTools', 'Video pipeline: MCP tools', nodes, connections, {
		...PIPELINE_SETTINGS,
	});
}
