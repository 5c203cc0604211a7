// Video pipeline over MCP: an MCP Server Trigger offering five tools, each a call of the MCP tools
// workflow with the arguments the assistant fills in ($fromAI).
import { pyJson } from './lib/json';
import { node, sticky, type Connections, workflow } from './lib/nodes';
import { MCP_AUTH, PIPELINE_SETTINGS } from './lib/settings';
import { TOOL_FIELDS, toolInputs } from './lib/subworkflows';
import { MCP_SETTINGS } from './mcpShared';

const CAP = MCP_SETTINGS.maxBudgetUsd;

/** A tool argument: [description, type, default (undefined: the assistant must give it)]. */
type Argument = [description: string, type: 'string' | 'number', fallback?: string | number];

const TOOLS: Record<string, [description: string, args: Record<string, Argument>]> = {
	render_brief: [
		'Storyboards a script into shots, renders them (Veo hero shots with native audio, Runway b-roll), checks every shot and re-renders only the ones that fail, then delivers masters, a QC report and a timeline. ' +
			`COSTS REAL MONEY: about $0.15 per rendered second on Veo and $0.12 on Runway, plus re-renders; it never spends more than budgetUsd (required, at most $${CAP} per call) and refuses a render before submitting it if it would pass that. ` +
			"Reuses the brand's stored pin (see get_pin) so characters, colour grade and audio bed match the brand's earlier videos; the first brief of a brand creates its pin. " +
			"Returns runId and status. A render usually takes several minutes: if it is not done within waitSeconds the answer is status 'rendering' with the runId; call get_run later. " +
			"Calling again with the same brief returns the same run and pays nothing twice. When done: per-shot verdicts, cost per layer and the report's location.",
		{
			brand: ['The brand the video is for; its pin is reused', 'string'],
			script: [
				'The script or scene description, 2-8 sentences; name characters and quote dialogue',
				'string',
			],
			budgetUsd: [
				`Spend cap for this render in USD, at most ${CAP}; 20 covers about 12 seconds with one re-render`,
				'number',
			],
			project: ['Project name for the report (defaults to the brand)', 'string', ''],
			brief: ['Tone, audience, things to avoid', 'string', ''],
			characters: [
				'Optional reference images of the characters, one line each: "tag: image URL, image URL" (the tag as the script names the character, e.g. "mara: https://example.com/mara.png"). Every shot of that character is judged against them',
				'string',
				'',
			],
			targetSeconds: ['Length of the finished video in seconds, 4 to 60', 'number', 20],
			waitSeconds: [
				'How long to wait for the render before answering with the runId, 0 to 50',
				'number',
				45,
			],
			runId: [
				'Optional ID to give the run (letters, digits, . _ : -); by default one is derived from the brief',
				'string',
				'',
			],
		},
	],
	get_run: [
		"Status and result of a run or reshoot by its runId (free). status is 'rendering', 'delivered', 'needs_review' (delivered, some shots flagged) or 'failed' (with the error). " +
			'When finished: totals, per-shot verdicts and cost, cost per layer and vendor, and where the masters and the QC report are.',
		{ runId: ['The runId render_brief or reshoot_shot returned', 'string'] },
	],
	list_pins: [
		'Lists the stored pin of every brand (free): fingerprint, character tags, look, palette, audio bed mood and style. A pin locks the look of a brand across videos.',
		{},
	],
	get_pin: [
		'The full stored pin of one brand (free): character references, colour grade, audio bed, style, negative prompt and seed policy, with its fingerprint. render_brief reuses it automatically.',
		{ brand: ['The brand name as used in render_brief', 'string'] },
	],
	reshoot_shot: [
		'Renders one shot of a delivered run again with a new seed and your note, checks it and delivers it over the old master; other shots are untouched. ' +
			`COSTS REAL MONEY: one shot, usually $0.50 to $1.50; never more than budgetUsd (required, at most $${CAP}) on top of what the run already spent, within the run's own budget. ` +
			'Returns a runId for this reshoot and its status; if not done within waitSeconds, call get_run later. The same request again returns the same reshoot and pays nothing twice.',
		{
			runId: ['The run to fix (from render_brief)', 'string'],
			shotId: ['The shot to render again, like shot-02 (get_run lists them)', 'string'],
			note: ["What to change, e.g. 'slower camera, tighter framing'", 'string', ''],
			budgetUsd: [`Spend cap for this reshoot in USD, at most ${CAP}`, 'number'],
			waitSeconds: ['How long to wait before answering with the runId, 0 to 50', 'number', 45],
		},
	],
};

const MCP_INSTRUCTIONS =
	'Video production tools. render_brief and reshoot_shot spend real money within the budgetUsd you give; the others are free. ' +
	"Check list_pins first to reuse a brand's look. A render takes minutes: when a call answers status 'rendering', wait and call get_run with the runId instead of calling render_brief again.";

const ABOUT_NOTE =
	"## Video pipeline over MCP\nAI assistants (Claude, ChatGPT, Cursor, any MCP client) connect to this workflow's MCP Server Trigger URL (Streamable HTTP or SSE) and get five tools: " +
	'**render_brief**, **get_run**, **list_pins**, **get_pin**, **reshoot_shot**. Each tool calls *Video pipeline: MCP tools*, which runs *Video pipeline: studio brief to delivery* or *reshoot one shot* in the background.\n\n' +
	"1. Import and publish all three workflows (and the error reporter).\n2. **Authentication**: the trigger takes the *MCP server header* credential (its own: the studio webhooks' header does not open it); give your client that header.\n" +
	'3. Spend caps and wait times are in *Server Settings* of the tools workflow.';

/** `$fromAI(key, description, type[, default])`, quoted for an n8n expression (single quotes). */
function fromAi(key: string, [description, type, fallback]: Argument) {
	const text = description.replace(/'/g, "\\'");
	const given = fallback === undefined ? '' : ', ' + pyJson(fallback).replace(/"/g, "'");
	return `={{ $fromAI('${key}', '${text}', '${type}'${given}) }}`;
}

export function mcpServer() {
	const nodes = [
		sticky('About', ABOUT_NOTE, [-700, -420], 640, 300),
		node(
			'Video Pipeline MCP',
			'@n8n/n8n-nodes-langchain.mcpTrigger',
			{ authentication: 'headerAuth', path: 'video-pipeline', instructions: MCP_INSTRUCTIONS },
			[0, 0],
			2.1,
			MCP_AUTH,
			{ webhookId: '8e1f3a5c-7b9d-4c2e-a4f6-1b3d5f7a9c20' },
		),
	];
	const connections: Connections = {};
	Object.entries(TOOLS).forEach(([tool, [description, args]], i) => {
		const values = {
			tool,
			...Object.fromEntries(Object.entries(args).map(([key, arg]) => [key, fromAi(key, arg)])),
		};
		nodes.push(
			node(
				tool,
				'@n8n/n8n-nodes-langchain.toolWorkflow',
				{
					description,
					workflowId: {
						__rl: true,
						mode: 'list',
						value: 'vpMcpTools',
						cachedResultName: 'Video pipeline: MCP tools',
					},
					workflowInputs: toolInputs(values, TOOL_FIELDS, false),
				},
				[-440 + 220 * i, 260],
				2.2,
			),
		);
		connections[tool] = { ai_tool: [[{ node: 'Video Pipeline MCP', type: 'ai_tool', index: 0 }]] };
	});
	return workflow('vpMcpServer', 'Video pipeline over MCP', nodes, connections, {
		...PIPELINE_SETTINGS,
	});
}
