// Video pipeline: scheduled ad batch. Queued campaigns of a Data Table are claimed, storyboarded,
// pinned once per brand, rendered as variants x aspect ratios, checked and delivered per brand.
import {
	AUTO_MAP,
	type Columns,
	createTable,
	fromJsonFields,
	mapped,
	tableGet,
	tableRef,
	where,
} from './lib/dataTables';
import {
	anchorClipNodes,
	brandAnchorLinks,
	brandAnchorNodes,
	keepAnchorClips,
	saveBrandAnchorLinks,
	saveBrandAnchorNodes,
} from './lib/anchors';
import { pyJson } from './lib/json';
import {
	code,
	condition,
	deliver,
	deliveryLinks,
	deliveryNodes,
	deliveryTargets,
	filterNode,
	ifNode,
	IS_TRUE,
	link,
	node,
	setRaw,
	sticky,
	to,
	workflow,
} from './lib/nodes';
import { fileName, fileParam, settingsRoot } from './lib/paths';
import {
	collectAfterSubmits,
	qcRouter,
	runwayBroll,
	soraGateway,
	splitRenders,
	veoHero,
} from './lib/renders';
import {
	CRED,
	DELIVERY_ROOT,
	PIPELINE_SETTINGS,
	PKG,
	RUNWAY_RENDER,
	RUNWAY_RENDER_TO_QC,
} from './lib/settings';
import { VENDORS } from '../../nodes/shared/contract/schemas';

const CAMPAIGN_TABLE = 'video_campaigns';
const RUN_TABLE = 'video_campaign_runs';
const CAMPAIGN_COLUMNS: Columns = [
	['brand', 'string'],
	['product', 'string'],
	['script', 'string'],
	['brief', 'string'],
	['referenceImages', 'string'],
	['look', 'string'],
	['variants', 'number'],
	['aspectRatios', 'string'],
	['targetSeconds', 'number'],
	['budgetUsd', 'number'],
	['status', 'string'],
	['batch', 'string'],
	['runsDelivered', 'number'],
	['shotsPassed', 'number'],
	['shotsNeedReview', 'number'],
	['costUsd', 'number'],
	['deliveredAt', 'string'],
];
const RUN_COLUMNS: Columns = [
	['campaignId', 'number'],
	['batch', 'string'],
	['brand', 'string'],
	['runId', 'string'],
	['variant', 'string'],
	['aspectRatio', 'string'],
	['status', 'string'],
	['shots', 'number'],
	['passed', 'number'],
	['needsReview', 'number'],
	['rerenders', 'number'],
	['costUsd', 'number'],
	['expectedRuns', 'number'],
	['reportFile', 'string'],
	['deliveredAt', 'string'],
];

/**
 * The concurrency each vendor account took, as the render nodes learned it: each night starts
 * from the night before instead of from the nodes' safe default.
 */
const CAPS_TABLE = 'video_account_caps';
const CAPS_COLUMNS: Columns = [
	['vendor', 'string'],
	['cap', 'number'],
	['learnedAt', 'string'],
	['runId', 'string'],
	['batch', 'string'],
];

const ROOT = settingsRoot('Batch Settings');
/** The most one campaign may spend (split over its runs), in USD. */
const BATCH_BUDGET_CAP = 100;

const SAMPLE_CAMPAIGNS = {
	rows: [
		{
			brand: 'Lumen Coffee',
			product: 'Lumen Cold Brew',
			script:
				'Ava opens the fridge and finds a Lumen can. Ava cracks the Lumen open on a sunny balcony. Condensation runs down the cold can. Ava smiles: "Morning, sorted."',
			brief: 'Bright, upbeat, urban mornings. Product label always readable.',
			referenceImages: '',
			look: 'bright morning sun, warm highlights',
			variants: 2,
			aspectRatios: '9:16,1:1',
			targetSeconds: 20,
			budgetUsd: 60,
			status: 'queued',
		},
		{
			brand: 'Northwind Outdoors',
			product: 'Ridge Shell Jacket',
			script:
				'Rain sweeps across a mountain ridge. Jonas zips the Ridge shell and keeps climbing. Sunlight breaks through the clouds.',
			brief: 'Rugged, honest, no studio gloss.',
			referenceImages: '',
			look: 'overcast, desaturated greens, crisp contrast',
			variants: 1,
			aspectRatios: '16:9',
			targetSeconds: 16,
			budgetUsd: 30,
			status: 'queued',
		},
	],
};

/**
 * The campaign's shots carry product images when its brand's pin does, and that pin is made from the
 * brand's first campaign of the batch (Pin Per Brand groups by brand): that campaign's images decide.
 */
const PINS_IMAGES =
	"!!String((($('Start From Learned Caps').all().find(i => i.json.campaign.brand === $json.campaign.brand) || $input.item).json.campaign.referenceImages) || '').trim()";
/** Veo renders this campaign's images: they are pinned and it has a 16:9 run (Veo's only ratio for them). */
const VEO_REFERENCES = `${PINS_IMAGES} && [].concat($json.aspectRatios || []).includes('16:9')`;
/**
 * A Runway shot starts from a Gen-4 Image keyframe when it is square (Gen-4.5's text to video is
 * 16:9 / 9:16 only) or shows a pinned character with reference images (text to video takes none).
 */
const KEYFRAME_SHOT =
	"$json.shot.aspectRatio === '1:1' || (($json.pin || {}).characters || []).some(c => (c.refs || []).length > 0 && ($json.shot.characters || []).includes(c.tag))";

const run = '$json.pipeline.runId';

/** One run's row of video_campaign_runs. */
const RUN_STATUS =
	'={{ JSON.stringify({ campaignId: $json.campaign.id, batch: $json.batch, brand: $json.campaign.brand, runId: $json.pipeline.runId, variant: $json.pipeline.variant, ' +
	"aspectRatio: $json.shot.aspectRatio, status: $json.qcReport.totals.needsReview > 0 ? 'needs_review' : 'delivered', shots: $json.qcReport.totals.shots, " +
	'passed: $json.qcReport.totals.passed, needsReview: $json.qcReport.totals.needsReview, rerenders: $json.qcReport.totals.rerenders, costUsd: $json.qcReport.cost.totalUsd, ' +
	`expectedRuns: $json.expectedRuns, reportFile: ${fileName(ROOT, run, "'qc-report.html'")}, deliveredAt: $now.toISO() }) }}`;

/** The campaign's row once its runs are counted: delivered when every run is in. */
const CAMPAIGN_STATUS =
	'={{ JSON.stringify({ id: $json.campaignId, runsDelivered: $json.count_runId, costUsd: Math.round($json.sum_costUsd * 1e4) / 1e4, shotsPassed: $json.sum_passed, ' +
	"shotsNeedReview: $json.sum_needsReview, status: $json.count_runId < $json.expectedRuns ? 'rendering' : ($json.sum_needsReview > 0 ? 'needs_review' : 'delivered'), " +
	"deliveredAt: $json.count_runId < $json.expectedRuns ? '' : $now.toISO() }) }}";

const SETUP_NOTE =
	"## Scheduled ad batch\nEvery night (or when *Run Batch Now* / the webhook fires) the queued rows of the **video_campaigns** Data Table are claimed, storyboarded, pinned **once per brand**, rendered as N variants x aspect ratios in one batch, checked by QC and delivered per brand. Each run's result lands in **video_campaign_runs**; the campaign row gets its status, cost and shot counts.\n\n" +
	"1. **Credentials**: OpenAI, Google (Vertex AI) and Runway on the render nodes, or the sandbox's to run without keys.\n" +
	'2. **Tables** are created on the first run; with `seedSampleCampaigns` the empty table gets two sample campaigns. Turn that off in *Batch Settings* once you add your own.\n' +
	'3. **Queue a campaign**: add a row with status `queued` and a `budgetUsd` (required, at most `maxBudgetUsd` in *Batch Settings*).\n' +
	'4. **Claims**: a campaign is claimed only while its row is still `queued` (the update filters on id and status), so a schedule firing beside the webhook never renders it twice.\n' +
	'5. **Account caps**: the render nodes learn how many renders each vendor account takes at once; **video_account_caps** keeps it (one row per vendor), so each night starts from the cap learned the night before. *Concurrent Renders* on each render node is only the upper limit. Delete the rows to start again from the safe default (after a plan change, say).';

const COLUMNS_NOTE =
	"### video_campaigns\n`brand`, `product`, `script` (mention the product by name so its reference images ride along), `brief`, `referenceImages` (image URLs, comma-separated), `look`, `variants`, `aspectRatios` (`9:16,1:1,16:9`), `targetSeconds`, `budgetUsd` (the campaign's cap, split evenly over its runs), `status` (`queued` to render).\n" +
	'Written back: `status` (rendering, delivered, needs_review), `runsDelivered`, `shotsPassed`, `shotsNeedReview`, `costUsd`, `deliveredAt`.';

const FORMATS_NOTE =
	'### Formats\nVeo and Sora render 16:9 and 9:16 only. The storyboard puts every shot of a **1:1** feed run on Runway (*Hero Aspect Ratios*): Gen-4 Image draws a square keyframe with the pinned references, Gen-4.5 animates it (its text to video is 16:9 / 9:16 only). Silent shots for muted autoplay, with the pinned audio bed as the sound.\n\n**Product images** (`referenceImages`): the brand’s pin takes them from its first campaign of the night. Veo takes reference images only for 8 s 16:9 shots, so a campaign whose pin carries them gets 8 s heroes where it has a 16:9 run, and its 9:16 runs render on Runway. Every Runway shot that shows the product starts from a Gen-4 Image keyframe drawn with its references (*Keyframe Shot?*).';

const DELIVERY_NOTE =
	"### Delivery per brand\n**All Done** fires once per run (brand x variant x format). Files are written as `<brand>-c<campaign>-<date>-v<variant>-<ratio>-<file>` in `deliveryRoot`; the run's row goes to **video_campaign_runs**, and when every run of a campaign is in, its row in **video_campaigns** says `delivered` (or `needs_review`) with the cost. The caps the render nodes learned go to **video_account_caps** (one row per vendor, the next night starts there).";

const write = (name: string, suffix: string, property: string, x: number) =>
	deliver(name, fileParam(ROOT, run, suffix), property, [x, 700]);

const dataTable = (
	name: string,
	parameters: Record<string, unknown>,
	position: [number, number],
	extra = {},
) => node(name, 'n8n-nodes-base.dataTable', parameters, position, 1.1, undefined, extra);

/**
 * Whose anchors a run is judged against and adds to: its campaign's brand and product (two products
 * of one brand can share a product tag, and must not share an anchor).
 */
const BRAND_OF = '(item) => `${item.json.campaign.brand} / ${item.json.campaign.product}`';

export function batch() {
	const settings = {
		deliveryRoot: DELIVERY_ROOT,
		maxCampaignsPerBatch: 20,
		maxBudgetUsd: BATCH_BUDGET_CAP,
		seedSampleCampaigns: true,
	};
	const campaignFields = [
		'status',
		'runsDelivered',
		'shotsPassed',
		'shotsNeedReview',
		'costUsd',
		'deliveredAt',
	];
	const runFields = RUN_COLUMNS.map(([name]) => name);
	const nodes = [
		sticky('Setup', SETUP_NOTE, [-1500, -520], 640, 360),
		sticky('Columns', COLUMNS_NOTE, [-820, -520], 560, 280),
		sticky('Formats', FORMATS_NOTE, [300, -520], 460, 200),
		node(
			'Nightly Schedule',
			'n8n-nodes-base.scheduleTrigger',
			{ rule: { interval: [{ field: 'days', triggerAtHour: 1 }] } },
			[-1500, 0],
			1.2,
		),
		node('Run Batch Now', 'n8n-nodes-base.manualTrigger', {}, [-1500, 180]),
		node(
			'Run Batch Webhook',
			'n8n-nodes-base.webhook',
			{
				httpMethod: 'POST',
				path: 'video-batch',
				authentication: 'headerAuth',
				responseMode: 'onReceived',
				options: {},
			},
			[-1500, 360],
			2.1,
			{ httpHeaderAuth: { id: 'vpBriefWebhookAuth', name: 'Brief webhook header' } },
			{ webhookId: '3e8a6c2d-4b1f-4d7e-9a0c-2f6b8d4e1a70' },
		),
		setRaw('Batch Settings', pyJson(settings, 2), [-1280, 180]),
		createTable('Campaign Table', CAMPAIGN_TABLE, CAMPAIGN_COLUMNS, [-1060, 180]),
		createTable('Run Table', RUN_TABLE, RUN_COLUMNS, [-840, 180]),
		createTable('Caps Table', CAPS_TABLE, CAPS_COLUMNS, [-840, 360]),
		dataTable(
			'Any Campaign',
			{
				resource: 'row',
				operation: 'get',
				dataTableId: tableRef(CAMPAIGN_TABLE),
				returnAll: false,
				limit: 1,
			},
			[-620, 0],
			{ alwaysOutputData: true },
		),
		filterNode(
			'Seed Samples?',
			condition(
				'5a0e4b9c-1d2f-4e3a-8b7c-000000000001',
				"={{ $('Batch Settings').first().json.seedSampleCampaigns && $json.id === undefined }}",
				IS_TRUE,
			),
			[-400, 0],
		),
		setRaw('Sample Campaigns', pyJson(SAMPLE_CAMPAIGNS, 2), [-180, 0]),
		node(
			'Split Samples',
			'n8n-nodes-base.splitOut',
			{ fieldToSplitOut: 'rows', options: {} },
			[40, 0],
			1,
		),
		dataTable(
			'Insert Samples',
			{
				resource: 'row',
				operation: 'insert',
				dataTableId: tableRef(CAMPAIGN_TABLE),
				columns: AUTO_MAP,
				options: {},
			},
			[260, 0],
		),
		dataTable(
			'Queued Campaigns',
			{
				resource: 'row',
				operation: 'get',
				dataTableId: tableRef(CAMPAIGN_TABLE),
				matchType: 'allConditions',
				filters: where('status', 'queued'),
				returnAll: false,
				limit: "={{ $('Batch Settings').first().json.maxCampaignsPerBatch }}",
				orderBy: true,
				orderByColumn: 'id',
				orderByDirection: 'ASC',
			},
			[-620, 300],
		),
		code('Campaign Briefs', 'campaign-briefs', [-400, 300]),
		dataTable(
			'Claim Campaign',
			{
				resource: 'row',
				operation: 'update',
				dataTableId: tableRef(CAMPAIGN_TABLE),
				matchType: 'allConditions',
				filters: {
					conditions: [
						{ keyName: 'id', condition: 'eq', keyValue: '={{ $json.campaign.id }}' },
						{ keyName: 'status', condition: 'eq', keyValue: 'queued' },
					],
				},
				columns: mapped(
					{
						status: 'rendering',
						batch: '={{ String($execution.id) }}',
						runsDelivered: 0,
						shotsPassed: 0,
						shotsNeedReview: 0,
						costUsd: 0,
						deliveredAt: '',
					},
					CAMPAIGN_COLUMNS,
				),
				options: {},
			},
			[-180, 300],
			{ alwaysOutputData: true },
		),
		code('Claimed Briefs', 'claimed-briefs', [-180, 480]),
		tableGet('Account Caps', CAPS_TABLE, undefined, [40, 480], { executeOnce: true }),
		code('Start From Learned Caps', 'learned-caps', [260, 480], {
			vendors: JSON.stringify(VENDORS),
		}),
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
				aspectRatios: '={{ $json.aspectRatios }}',
				variants: '={{ $json.variants }}',
				layerPolicy: 'dialogueHero',
				outputShape: 'shots',
				run: {
					runId: '={{ $json.runIdBase }}',
					project: '={{ $json.campaign.brand }} / {{ $json.campaign.product }}',
					budgetUsd: '={{ $json.budgetPerRunUsd }}',
					resolution: '720p',
					// Veo takes reference images only for 8 s 16:9 shots: a campaign that pins product
					// images keeps its heroes there, and its vertical runs go to Runway's keyframe path.
					heroDurations: `={{ ${VEO_REFERENCES} ? '8' : '4,6,8' }}`,
					heroAspectRatios: `={{ ${PINS_IMAGES} ? '16:9' : '16:9, 9:16' }}`,
				},
			},
			[40, 300],
			1,
			CRED.openai,
		),
		node(
			'Pin Per Brand',
			`${PKG}.pinState`,
			{
				resource: 'pin',
				operation: 'create',
				pinPer: 'groupKey',
				groupKey: '={{ $json.campaign.brand }}',
				characters: {
					character: [
						{
							tag: '={{ $json.productTag }}',
							description:
								'={{ $json.campaign.product }}: exact packaging, label and colours as in the reference images',
							referenceUrls: '={{ $json.campaign.referenceImages }}',
							referenceBinaries: '',
						},
					],
				},
				useManifestCharacters: true,
				grade: {
					look: "={{ $json.campaign.look || 'clean commercial look, true-to-life product colours' }}",
				},
				audioBed: {
					mood: 'upbeat, modern',
					tempoBpm: 112,
					dialogueLanguage: 'en',
					loudnessLufs: -14,
				},
				style: 'photoreal commercial, shallow depth of field',
				negativePrompt: 'text, watermark, competitor logos, extra fingers',
				seedPolicy: 'per_shot',
				seedBase: 2000,
			},
			[260, 300],
		),
		...brandAnchorNodes(ROOT, ['Pin Per Brand'], BRAND_OF, [260, -120]),
		...anchorClipNodes('Brand Anchors', ROOT, [260, 80]),
		qcRouter({ narrative: 1, hero: 2, control: 2 }, 'run', [480, 300]),
		soraGateway([760, 60]),
		veoHero([760, 260]),
		ifNode(
			'Keyframe Shot?',
			condition('5a0e4b9c-1d2f-4e3a-8b7c-000000000003', `={{ ${KEYFRAME_SHOT} }}`, IS_TRUE),
			[760, 460],
		),
		node(
			'Keyframe Still',
			`${PKG}.runway`,
			{
				resource: 'image',
				operation: 'textToImage',
				model: 'gen4_image',
				shotSource: 'item',
				renderOptions: { ...RUNWAY_RENDER, binaryPropertyName: 'keyframe' },
			},
			[980, 380],
			1,
			CRED.runway,
		),
		node(
			'Runway From Keyframe',
			`${PKG}.runway`,
			{
				resource: 'video',
				operation: 'imageToVideo',
				model: 'gen4.5',
				shotSource: 'item',
				promptImageSource: 'binary',
				promptImageProperty: 'keyframe',
				renderOptions: RUNWAY_RENDER_TO_QC,
			},
			[1200, 380],
			1,
			CRED.runway,
		),
		runwayBroll([980, 560]),
		...deliveryNodes(
			'Report Items',
			fileParam(ROOT, run, "$json.shot.id + '.mp4'"),
			[760, 700],
			[980, 820],
		),
		write('Write QC Report', "'qc-report.html'", 'qc_report_html', 1200),
		write('Write QC JSON', "'qc-report.json'", 'qc_report_json', 1420),
		write('Write Timeline', "'timeline.otio'", 'timeline_otio', 1640),
		write('Write Run State', "'run-state.json'", 'run_state_json', 1860),
		...keepAnchorClips(ROOT, [1420, 500]),
		...saveBrandAnchorNodes(ROOT, BRAND_OF, [1420, 600]),
		code('Learned Cap Rows', 'learned-cap-rows', [2080, 1120], {
			vendors: JSON.stringify(VENDORS),
		}),
		dataTable(
			'Save Account Caps',
			{
				resource: 'row',
				operation: 'upsert',
				dataTableId: tableRef(CAPS_TABLE),
				matchType: 'allConditions',
				filters: where('vendor', '={{ $json.vendor }}'),
				columns: mapped(fromJsonFields(CAPS_COLUMNS.map(([name]) => name)), CAPS_COLUMNS),
				options: {},
			},
			[2300, 1120],
		),
		setRaw('Run Status', RUN_STATUS, [760, 920]),
		dataTable(
			'Save Run Status',
			{
				resource: 'row',
				operation: 'upsert',
				dataTableId: tableRef(RUN_TABLE),
				matchType: 'allConditions',
				filters: where('runId', '={{ $json.runId }}'),
				columns: mapped(fromJsonFields(runFields), RUN_COLUMNS),
				options: {},
			},
			[980, 920],
		),
		node(
			'One Per Campaign',
			'n8n-nodes-base.removeDuplicates',
			{
				operation: 'removeDuplicateInputItems',
				compare: 'selectedFields',
				fieldsToCompare: 'campaignId',
				options: {},
			},
			[1200, 920],
			2,
		),
		dataTable(
			'Campaign Runs',
			{
				resource: 'row',
				operation: 'get',
				dataTableId: tableRef(RUN_TABLE),
				matchType: 'allConditions',
				filters: {
					conditions: [
						{ keyName: 'campaignId', condition: 'eq', keyValue: '={{ $json.campaignId }}' },
						{ keyName: 'batch', condition: 'eq', keyValue: '={{ $json.batch }}' },
					],
				},
				returnAll: true,
			},
			[1420, 920],
		),
		node(
			'Campaign Totals',
			'n8n-nodes-base.summarize',
			{
				fieldsToSummarize: {
					values: [
						{ aggregation: 'count', field: 'runId' },
						{ aggregation: 'sum', field: 'costUsd' },
						{ aggregation: 'sum', field: 'passed' },
						{ aggregation: 'sum', field: 'needsReview' },
					],
				},
				fieldsToSplitBy: 'campaignId, expectedRuns',
				options: {},
			},
			[1640, 920],
			1.1,
		),
		setRaw('Campaign Status', CAMPAIGN_STATUS, [1860, 920]),
		dataTable(
			'Update Campaign',
			{
				resource: 'row',
				operation: 'update',
				dataTableId: tableRef(CAMPAIGN_TABLE),
				matchType: 'allConditions',
				filters: where('id', '={{ $json.id }}'),
				columns: mapped(fromJsonFields(campaignFields), CAMPAIGN_COLUMNS),
				options: {},
			},
			[2080, 920],
		),
		sticky('Delivery', DELIVERY_NOTE, [760, 1120], 620, 180),
	];
	const connections = {
		'Nightly Schedule': { main: link('Batch Settings') },
		'Run Batch Now': { main: link('Batch Settings') },
		'Run Batch Webhook': { main: link('Batch Settings') },
		'Batch Settings': { main: link('Campaign Table') },
		'Campaign Table': { main: link('Run Table') },
		'Run Table': { main: link('Caps Table') },
		// The seed branch sits above the batch branch: with execution order v1 it runs first.
		'Caps Table': { main: link('Any Campaign', 'Queued Campaigns') },
		'Any Campaign': { main: link('Seed Samples?') },
		'Seed Samples?': { main: link('Sample Campaigns') },
		'Sample Campaigns': { main: link('Split Samples') },
		'Split Samples': { main: link('Insert Samples') },
		'Queued Campaigns': { main: link('Campaign Briefs') },
		'Campaign Briefs': { main: link('Claim Campaign') },
		'Claim Campaign': { main: link('Claimed Briefs') },
		'Claimed Briefs': { main: link('Account Caps') },
		'Account Caps': { main: link('Start From Learned Caps') },
		'Start From Learned Caps': { main: link('Storyboard') },
		Storyboard: { main: link('Pin Per Brand') },
		// The brand's stored anchors (and their clips) join the shots before QC judges the first takes.
		'Pin Per Brand': { main: link('Read Brand Anchors') },
		...brandAnchorLinks('QC Router'),
		'QC Router': {
			main: [
				[],
				to('Sora (Gateway)'),
				to('Veo Hero'),
				to('Keyframe Shot?'),
				[],
				deliveryTargets('Report Items'),
			],
		},
		'Sora (Gateway)': { main: link('QC Router') },
		'Veo Hero': { main: link('QC Router') },
		'Keyframe Shot?': { main: [to('Keyframe Still'), to('Runway B-Roll')] },
		'Keyframe Still': { main: link('Runway From Keyframe') },
		'Runway From Keyframe': { main: link('QC Router') },
		'Runway B-Roll': { main: link('QC Router') },
		...deliveryLinks(),
		// Branches run top to bottom (execution order v1): the anchor clips are written, then the anchors
		// naming them stored, before the report and the Data Table writes.
		'Report Items': { main: link('Keep Anchor Clips', 'New Brand Anchors', 'Write QC Report') },
		...saveBrandAnchorLinks(),
		'Write QC Report': { main: link('Write QC JSON') },
		'Write QC JSON': { main: link('Write Timeline') },
		'Write Timeline': { main: link('Write Run State') },
		'Write Run State': { main: link('Run Status', 'Learned Cap Rows') },
		'Learned Cap Rows': { main: link('Save Account Caps') },
		'Run Status': { main: link('Save Run Status') },
		'Save Run Status': { main: link('One Per Campaign') },
		'One Per Campaign': { main: link('Campaign Runs') },
		'Campaign Runs': { main: link('Campaign Totals') },
		'Campaign Totals': { main: link('Campaign Status') },
		'Campaign Status': { main: link('Update Campaign') },
	};
	const split = splitRenders(
		workflow('vpScheduledAdBatch', 'Video pipeline: scheduled ad batch', nodes, connections, {
			...PIPELINE_SETTINGS,
		}),
		['Sora (Gateway)', 'Veo Hero', 'Keyframe Still', 'Runway From Keyframe', 'Runway B-Roll'],
		[800, -520],
	);
	// Branches run top to bottom (execution order v1): Runway's keyframes and Submit steps above
	// Veo's, so Runway has every job of the round queued before Veo's Submit step fills its quota.
	for (const [name, position] of Object.entries(SUBMIT_ROWS))
		split.nodes.find((n) => n.name === name)!.position = position;
	return collectAfterSubmits(
		split,
		[
			// Veo's waiting step first: Runway renders its queue meanwhile.
			{ wait: 'Veo Hero', vendor: 'google', operation: 'generate', position: [2080, 40] },
			{
				wait: 'Runway From Keyframe',
				vendor: 'runway',
				operation: 'imageToVideo',
				position: [2080, 160],
			},
			{ wait: 'Runway B-Roll', vendor: 'runway', operation: 'textToVideo', position: [2080, 280] },
		],
		'QC Router',
		{ merge: [1640, 300], route: [1860, 300], note: [1640, -320] },
	);
}

/** Where the render steps sit once split: their height decides the order they run in. */
const SUBMIT_ROWS: Record<string, [number, number]> = {
	'Keyframe Shot?': [760, 220],
	'Keyframe Still (Submit)': [980, 160],
	'Keyframe Still': [1200, 160],
	'Runway From Keyframe (Submit)': [1420, 160],
	'Runway B-Roll (Submit)': [980, 320],
	'Veo Hero (Submit)': [760, 440],
};
