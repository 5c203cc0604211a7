import type { INodeProperties } from 'n8n-workflow';

const layerOptions = [
	{ name: 'Control (Runway)', value: 'control' },
	{ name: 'Hero (Veo)', value: 'hero' },
	{ name: 'Layer That Rendered the Take', value: 'take' },
	{ name: 'Narrative (OpenAI)', value: 'narrative' },
];

export const properties: INodeProperties[] = [
	{
		displayName:
			'Google runs the visual checks (identity and colour) and reads Veo clips kept by reference, OpenAI to read Videos API clips kept by reference (render Output: Reference Only). Runway clips are read by their signed URL.',
		name: 'credentialsNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Retry Budget',
		name: 'retries',
		type: 'collection',
		placeholder: 'Add Budget',
		default: {},
		description: 'Re-renders allowed per shot and layer before the shot goes to Needs Review',
		options: [
			{
				displayName: 'Control',
				name: 'control',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 10 },
				default: 2,
			},
			{
				displayName: 'Hero',
				name: 'hero',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 10 },
				default: 2,
			},
			{
				displayName: 'Narrative',
				name: 'narrative',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 10 },
				default: 1,
			},
		],
	},
	{
		displayName: 'Thresholds',
		name: 'thresholds',
		type: 'collection',
		placeholder: 'Add Threshold',
		default: {},
		options: [
			{
				displayName: 'Aspect Ratio Tolerance',
				name: 'aspectTolerance',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 3 },
				default: 0.02,
			},
			{
				displayName: 'Duration Tolerance (Seconds)',
				name: 'durationToleranceSeconds',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: 0.5,
			},
			{
				displayName: 'Max A/V Skew (Seconds)',
				name: 'maxAvSkewSeconds',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: 0.25,
			},
			{
				displayName: 'Max Artifacts (Vision)',
				name: 'artifactsMax',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				default: 0.3,
			},
			{
				displayName: 'Min Colour Continuity (Vision)',
				name: 'colourMin',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				default: 0.7,
			},
			{
				displayName: 'Min FPS',
				name: 'minFps',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 23,
			},
			{
				displayName: 'Min Identity (Vision)',
				name: 'identityMin',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				default: 0.8,
			},
			{
				displayName: 'Min Prompt Adherence (Vision)',
				name: 'adherenceMin',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				default: 0.6,
			},
		],
	},
	{
		displayName: 'Routing',
		name: 'routing',
		type: 'options',
		default: 'layer',
		noDataExpression: true,
		options: [
			{
				name: 'Per Engine',
				value: 'engine',
				description:
					'One Re-render output per engine route below: a failed shot goes back to the engine that rendered it (by vendor and model), also with two engines on one layer',
			},
			{
				name: 'Per Layer',
				value: 'layer',
				description: 'One Re-render output per layer: Narrative, Hero and Control',
			},
		],
	},
	{
		displayName:
			'Outputs: Passed, Re-render Narrative, Needs Review, All Done, then one Re-render output per engine, in this order. A shot goes back to the engine that rendered its last take on the failing layer; a shot that layer has not rendered yet goes to its first engine; a take no route matches goes to Needs Review.',
		name: 'enginesNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { routing: ['engine'] } },
	},
	{
		displayName: 'Engines',
		name: 'engines',
		type: 'fixedCollection',
		placeholder: 'Add Engine',
		default: { engine: [] },
		typeOptions: { multipleValues: true, sortable: true },
		displayOptions: { show: { routing: ['engine'] } },
		options: [
			{
				displayName: 'Engine',
				name: 'engine',
				values: [
					{
						displayName: 'Output Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'e.g. Kling via fal',
						description: 'Shown on the output as Re-render followed by this name',
					},
					{
						displayName: 'Layer',
						name: 'layer',
						type: 'options',
						default: 'control',
						options: [
							{ name: 'Control (B-Roll)', value: 'control' },
							{ name: 'Hero', value: 'hero' },
						],
					},
					{
						displayName: 'Vendor',
						name: 'vendor',
						type: 'options',
						default: 'runway',
						description: 'Who rendered the take (the take\'s "vendor")',
						options: [
							{ name: 'Fal (Video Aggregator)', value: 'fal' },
							{ name: 'Google (Veo)', value: 'google' },
							{ name: 'OpenAI-Compatible Gateway (Videos API)', value: 'openai' },
							{ name: 'Replicate (Video Aggregator)', value: 'replicate' },
							{ name: 'Runway', value: 'runway' },
						],
					},
					{
						displayName: 'Model',
						name: 'model',
						type: 'string',
						default: '',
						placeholder: 'e.g. fal-ai/kling-video/*',
						description:
							'Only takes of this model (the take\'s "model"); end with * for every model starting so. Empty: every model of the vendor.',
					},
				],
			},
		],
	},
	{
		displayName: 'Layer Map',
		name: 'layerMap',
		type: 'collection',
		placeholder: 'Add Mapping',
		default: {},
		description: 'Which layer each kind of failure is sent back to',
		options: [
			{
				displayName: 'Artifacts',
				name: 'artifacts',
				type: 'options',
				options: layerOptions,
				default: 'take',
			},
			{
				displayName: 'Colour Continuity',
				name: 'colour',
				type: 'options',
				options: layerOptions,
				default: 'take',
				description: 'Choose Control when a Runway restyle branch (Video to Video) fixes the grade',
			},
			{
				displayName: 'Contract and Pin',
				name: 'contract',
				type: 'options',
				options: layerOptions,
				default: 'take',
			},
			{
				displayName: 'Identity',
				name: 'identity',
				type: 'options',
				options: layerOptions,
				default: 'take',
			},
			{
				displayName: 'Prompt Adherence',
				name: 'adherence',
				type: 'options',
				options: layerOptions,
				default: 'take',
			},
			{
				displayName: 'Technical (Duration, Format, Audio)',
				name: 'technical',
				type: 'options',
				options: layerOptions,
				default: 'take',
			},
		],
	},
	{
		displayName: 'Visual Checks (Vision Judge)',
		name: 'visionJudge',
		type: 'boolean',
		default: true,
		description:
			'Whether Gemini judges identity (every character against its anchor, the first accepted take it appeared in, and against its reference images) and colour (against the pinned grade and the previous accepted shot) on several frames of every take. Needs a Google credential on this node; without one, every verdict and the report say visual checks are off.',
	},
	{
		displayName:
			'Visual checks need a Google credential on this node. Without one they are off, and the verdicts and the QC report say so.',
		name: 'judgeCredentialNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { visionJudge: [true] } },
	},
	{
		displayName: 'Judge Model',
		name: 'judgeModel',
		type: 'string',
		default: 'gemini-3.1-flash-lite',
		description:
			'A Gemini model with video understanding; the default is a cheap one, its cost booked under validation in the ledger',
		displayOptions: { show: { visionJudge: [true] } },
	},
	{
		displayName: 'Judge Options',
		name: 'judgeOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { visionJudge: [true] } },
		options: [
			{
				displayName: 'Frames per Clip',
				name: 'frames',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 16 },
				default: 3,
				description: 'Frames the judge scores, spread over the clip; the worst one counts',
			},
			{
				displayName: 'Second Opinion Margin',
				name: 'borderlineMargin',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 0.5, numberPrecision: 2 },
				default: 0.15,
				description:
					'A score up to this much above its threshold, or twice this much below it, gets a second opinion (averaged with the first) before the take passes or a re-render is paid for; 0 = never',
			},
		],
	},
	{
		displayName: 'Anchors From an Earlier Run',
		name: 'anchors',
		type: 'json',
		default: '',
		description:
			'The anchors of an earlier run of the same brand (the "anchors" of its run state), so this run keeps the same faces. Shots carrying "qcAnchors" (a reshoot from a run state) bring their own.',
		displayOptions: { show: { visionJudge: [true] } },
	},
	{
		displayName: 'Completion Barrier',
		name: 'barrier',
		type: 'options',
		default: 'run',
		options: [
			{
				name: 'Per Run',
				value: 'run',
				description: 'All Done fires once per run, when every shot has passed or needs review',
			},
			{
				name: 'Per Item',
				value: 'item',
				description: 'Each final item fires All Done on its own (reshooting one shot)',
			},
		],
	},
];
