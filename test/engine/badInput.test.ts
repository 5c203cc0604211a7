import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runWorkflow } from '../harness/engine';
import { MALFORMED } from '../fixtures/malformed';
import { validShotItem } from '../fixtures/shotItem';
import { asItems, shotItems, singleNode } from '../harness/pipeline';
import {
	credentialsFor,
	sandboxAsset,
	sandboxJobs,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';
import { FIXTURE_DIR } from '../setup/fixtures';
import makeFixtures from '../setup/fixtures';

jest.setTimeout(120_000);

const VERTEX = { type: 'googleVideoPipelineApi', id: 'vpSandboxVertex', name: 'Vertex' };
const RUNWAY = { type: 'runwayVideoPipelineApi', id: 'vpSandboxRunway', name: 'Runway' };
const OPENAI = { type: 'openAiVideoPipelineApi', id: 'vpSandboxOpenAi', name: 'OpenAI' };
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * At least 100 malformed inputs across the nodes: each ends in a clear error naming the field and
 * the item (or, for a broken clip, in a QC verdict that names it), never a crash, a hang or a
 * request to a vendor.
 */
describe('bad input', () => {
	let sandbox: Sandbox;
	let count = 0;

	beforeAll(async () => {
		await makeFixtures();
		sandbox = await withSandbox();
	});
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});
	afterAll(async () => {
		await sandbox.stop();
		expect(count).toBeGreaterThanOrEqual(100);
	});

	const veo = (parameters: Record<string, unknown> = {}) =>
		singleNode(
			'googleVeo',
			{
				resource: 'video',
				operation: 'generate',
				model: 'veo-3.1-generate-001',
				shotSource: 'item',
				referenceMode: 'none',
				renderOptions: { pollIntervalSeconds: 0.2 },
				...parameters,
			},
			VERTEX,
		);

	it.each(MALFORMED.map(([name, mutate, field]) => ({ name, mutate, field })))(
		'shot item with $name: Google Veo names item 2 and $field',
		async ({ mutate, field }) => {
			const items: unknown[] = [validShotItem(), validShotItem(), validShotItem()];
			mutate(items[2]);
			const result = await runWorkflow(veo(), {
				credentials: credentialsFor(sandbox, 'vpSandboxVertex'),
				input: asItems(items),
			});
			expect(result.run.status).toBe('error');
			expect(result.error!.message).toMatch(new RegExp(`Item 2: `));
			expect(
				`${result.error!.message}\n${(result.error as { description?: string }).description ?? ''}`,
			).toMatch(new RegExp(`(^|\\s|: )${escape(field)}: `));
			count++;
		},
	);

	it.each(MALFORMED.map(([name, mutate, field]) => ({ name, mutate, field })))(
		'shot item with $name: QC Router names item 1 and $field',
		async ({ mutate, field }) => {
			const items: unknown[] = [validShotItem(), validShotItem()];
			mutate(items[1]);
			const workflow = singleNode('qcRouter', { barrier: 'run' }, VERTEX);
			delete (workflow.nodes[0] as { credentials?: unknown }).credentials;
			const result = await runWorkflow(workflow, { input: asItems(items) });
			expect(result.run.status).toBe('error');
			expect(
				`${result.error!.message}\n${(result.error as { description?: string }).description ?? ''}`,
			).toMatch(new RegExp(`^Item 1: [\\s\\S]*(^|\\s|: )${escape(field)}: `));
			count++;
		},
	);

	const LUTS: Array<[string, string, RegExp]> = [
		['no size', '0 0 0\n1 1 1\n', /data begins before LUT_3D_SIZE/],
		['size 1', 'LUT_3D_SIZE 1\n0 0 0\n', /LUT_3D_SIZE must be an integer/],
		['size 300', 'LUT_3D_SIZE 300\n', /must be an integer from 2 to 256/],
		[
			'short by one row',
			`LUT_3D_SIZE 2\n${'0 0 0\n'.repeat(7)}`,
			/has 7 data rows; a 3D LUT of size 2 needs 8/,
		],
		['one row too many', `LUT_3D_SIZE 2\n${'0 0 0\n'.repeat(9)}`, /has 9 data rows/],
		[
			'text in a row',
			`LUT_3D_SIZE 2\n${'0 0 0\n'.repeat(7)}0 x 0\n`,
			/line 9: a data row has a value that is not a number/,
		],
		[
			'two numbers in a row',
			`LUT_3D_SIZE 2\n${'0 0 0\n'.repeat(7)}0 0\n`,
			/line 9: a data row needs three numbers/,
		],
		[
			'inverted domain',
			`DOMAIN_MIN 1 1 1\nDOMAIN_MAX 0 0 0\nLUT_3D_SIZE 2\n${'0 0 0\n'.repeat(8)}`,
			/DOMAIN_MIN must be below DOMAIN_MAX/,
		],
		['bad domain', `DOMAIN_MIN 0 0\nLUT_3D_SIZE 2\n`, /line 1: DOMAIN_MIN needs three numbers/],
		['second size', 'LUT_3D_SIZE 2\nLUT_1D_SIZE 4\n', /line 2: declares a second LUT size/],
		['empty', '', /no LUT_3D_SIZE or LUT_1D_SIZE/],
		['a PNG', '\x89PNG\r\n\x1a\n', /line 1: /],
		[
			'an input range without numbers',
			`LUT_3D_INPUT_RANGE\nLUT_3D_SIZE 2\n${'0 0 0\n'.repeat(8)}`,
			/line 1: LUT_3D_INPUT_RANGE needs two numbers/,
		],
		[
			'an input range that is not numbers',
			`LUT_3D_INPUT_RANGE low high\nLUT_3D_SIZE 2\n${'0 0 0\n'.repeat(8)}`,
			/line 1: LUT_3D_INPUT_RANGE has a value that is not a number/,
		],
	];

	it.each(LUTS.map(([name, text, message]) => ({ name, text, message })))(
		'LUT with $name: Pin State names grade.lutUrl',
		async ({ name, text, message }) => {
			const url = await sandboxAsset(sandbox, `${name.replace(/\W+/g, '-')}.cube`, text);
			const workflow = singleNode(
				'pinState',
				{ resource: 'pin', operation: 'create', grade: { lutUrl: url, look: 'x' } },
				VERTEX,
			);
			delete (workflow.nodes[0] as { credentials?: unknown }).credentials;
			const result = await runWorkflow(workflow, { input: asItems(shotItems(1, undefined)) });
			expect(result.error!.message).toMatch(/^Item 0: grade\.lutUrl: is not a valid \.cube LUT: /);
			expect(result.error!.message).toMatch(message);
			count++;
		},
	);

	const CLIPS = [
		'truncated-in-moov.mp4',
		'truncated-in-mdat.mp4',
		'missing-moov.mp4',
		'not-mp4.png',
		'text.txt',
	];

	it.each(CLIPS)(
		'a broken clip (%s) is a failed container check that QC routes, not a crash',
		async (file) => {
			const bytes = readFileSync(path.join(FIXTURE_DIR, file));
			const item = validShotItem();
			item.pin = undefined as never;
			item.takes[0].asset = { kind: 'binary', ref: 'data', mimeType: 'video/mp4' };
			const workflow = singleNode('qcRouter', { barrier: 'run' }, VERTEX);
			delete (workflow.nodes[0] as { credentials?: unknown }).credentials;
			const { pin: _pin, ...json } = item;
			const result = await runWorkflow(workflow, {
				input: [
					{
						json: json as never,
						binary: {
							data: { data: bytes.toString('base64'), mimeType: 'video/mp4', fileName: file },
						},
					},
				],
			});
			expect(result.error).toBeUndefined();
			const [routed] = result.output('Node', 2);
			expect(routed.json.qcReasons).toEqual([
				expect.objectContaining({
					check: 'container',
					value: expect.stringMatching(/MP4|moov|box|file/),
				}),
			]);
			count++;
		},
	);

	const FIELDS: Array<[string, ReturnType<typeof singleNode>, unknown[], RegExp]> = [
		[
			'manual prompt empty',
			veo({
				shotSource: 'manual',
				prompt: '  ',
				durationSeconds: 8,
				aspectRatio: '16:9',
				resolution: '720p',
			}),
			[{}],
			/^Item 0: prompt: is required/,
		],
		[
			'manual prompt from a field the item lacks',
			veo({
				shotSource: 'manual',
				prompt: '={{ $json.prompt }}',
				durationSeconds: 8,
				aspectRatio: '16:9',
				resolution: '720p',
			}),
			[{}],
			/^Item 0: prompt: is required/,
		],
		[
			'custom model without an ID',
			veo({ model: 'custom', customModelId: '' }),
			shotItems(1, undefined),
			/^Item 0: customModelId: is required/,
		],
		[
			'manual duration Veo lacks',
			veo({
				shotSource: 'manual',
				prompt: 'x',
				durationSeconds: 5,
				aspectRatio: '16:9',
				resolution: '720p',
			}),
			[{}],
			/^Item 0: durationSeconds: durationSeconds 5 is not offered/,
		],
		[
			'manual aspect Veo lacks',
			veo({
				shotSource: 'manual',
				prompt: 'x',
				durationSeconds: 8,
				aspectRatio: '1:1',
				resolution: '720p',
			}),
			[{}],
			/^Item 0: aspectRatio: /,
		],
		[
			'Veo last frame without a first frame',
			veo({ veoOptions: { lastFrameProperty: 'last' } }),
			[
				{
					json: validShotItem(),
					binary: {
						last: {
							data: readFileSync(path.join(FIXTURE_DIR, 'not-mp4.png')).toString('base64'),
							mimeType: 'image/png',
						},
					},
				},
			],
			/^Item 0: veoOptions\.lastFrameProperty: needs a first frame/,
		],
		[
			'Veo operation name that is not one',
			singleNode(
				'googleVeo',
				{ resource: 'video', operation: 'get', operationName: 'abc' },
				VERTEX,
			),
			[{}],
			/^Item 0: operationName: must be a Veo operation name/,
		],
		[
			'Veo download of an item without a take',
			singleNode('googleVeo', { resource: 'video', operation: 'download', source: 'take' }, VERTEX),
			shotItems(1, undefined),
			/^Item 0: takes: has no succeeded Veo take/,
		],
		[
			'Veo download of a URI that is not one',
			singleNode(
				'googleVeo',
				{ resource: 'video', operation: 'download', source: 'uri', uri: 'ftp://x' },
				VERTEX,
			),
			[{}],
			/^Item 0: uri: must be a gs:\/\/ URI or an http\(s\) URL/,
		],
		[
			'Runway duration out of range',
			singleNode(
				'runway',
				{ resource: 'video', operation: 'textToVideo', model: 'gen4.5', shotSource: 'item' },
				RUNWAY,
			),
			shotItems(1, undefined, { durationSeconds: 12 }),
			/^Item 0: shot\.durationSeconds: durationSeconds 12 is outside 2-10/,
		],
		[
			'Runway text to video in a ratio only image to video offers',
			singleNode(
				'runway',
				{ resource: 'video', operation: 'textToVideo', model: 'gen4.5', shotSource: 'item' },
				RUNWAY,
			),
			shotItems(1, undefined, { aspectRatio: '1:1', layer: 'broll' }),
			/^Item 0: shot\.aspectRatio: 1:1 has no ratio on gen4\.5 text to video \(it offers 1280:720, 720:1280; Image to Video offers more\)/,
		],
		[
			'Runway first frame from a pin without references',
			singleNode(
				'runway',
				{
					resource: 'video',
					operation: 'imageToVideo',
					model: 'gen4_turbo',
					shotSource: 'item',
					promptImageSource: 'pin',
				},
				RUNWAY,
			),
			shotItems(1, undefined, { durationSeconds: 5 }),
			/^Item 0: pin\.characters: has no reference image/,
		],
		[
			'Runway video URL that is not https',
			singleNode(
				'runway',
				{
					resource: 'video',
					operation: 'videoToVideo',
					model: 'aleph2',
					videoSource: 'url',
					videoUrl: 'file:///etc/passwd',
					purpose: 'restyle',
				},
				RUNWAY,
			),
			shotItems(1, undefined),
			/^Item 0: videoUrl: must be an https URL/,
		],
		[
			'Runway upload of a missing binary',
			singleNode(
				'runway',
				{ resource: 'asset', operation: 'upload', binaryPropertyName: 'nope' },
				RUNWAY,
			),
			[{}],
			/^Item 0: binaryPropertyName: names binary field "nope"/,
		],
		[
			'Runway task without an ID',
			singleNode(
				'runway',
				{ resource: 'task', operation: 'get', taskId: '={{ $json.jobId }}' },
				RUNWAY,
			),
			[{}],
			/^Item 0: taskId: is required/,
		],
		[
			'Videos API duration Sora lacks',
			singleNode(
				'openAiStoryboard',
				{
					resource: 'video',
					operation: 'render',
					model: 'sora-2',
					shotSource: 'item',
					inputReference: 'none',
				},
				OPENAI,
			),
			shotItems(1, undefined, { durationSeconds: 6 }),
			/^Item 0: shot\.durationSeconds: durationSeconds 6 is not offered by sora-2/,
		],
		[
			'Videos API edit without a take',
			singleNode(
				'openAiStoryboard',
				{ resource: 'video', operation: 'remix', remixKind: 'edit' },
				OPENAI,
			),
			shotItems(1, undefined),
			/^Item 0: takes: has no succeeded Videos API take/,
		],
		[
			'Videos API get without an ID',
			singleNode(
				'openAiStoryboard',
				{ resource: 'video', operation: 'get', videoId: '={{ $json.jobId }}' },
				OPENAI,
			),
			[{}],
			/^Item 0: videoId: is required/,
		],
		[
			'storyboard without a script',
			singleNode(
				'openAiStoryboard',
				{
					resource: 'storyboard',
					operation: 'createManifest',
					model: 'gpt-5.4-mini',
					script: '={{ $json.script }}',
				},
				OPENAI,
			),
			[{ script: '  ' }],
			/^Item 0: script: is required/,
		],
		[
			'storyboard without an aspect ratio',
			singleNode(
				'openAiStoryboard',
				{
					resource: 'storyboard',
					operation: 'createManifest',
					model: 'gpt-5.4-mini',
					script: 'A. B.',
					aspectRatios: [],
				},
				OPENAI,
			),
			[{}],
			/^Item 0: aspectRatios: needs at least one aspect ratio/,
		],
		[
			'storyboard with bad hero durations',
			singleNode(
				'openAiStoryboard',
				{
					resource: 'storyboard',
					operation: 'createManifest',
					model: 'gpt-5.4-mini',
					script: 'A. B.',
					run: { heroDurations: 'x' },
				},
				OPENAI,
			),
			[{}],
			/^Item 0: run\.heroDurations: must list durations/,
		],
		[
			'pin apply without a pin',
			singleNode('pinState', { resource: 'pin', operation: 'apply', pinJson: '' }, VERTEX),
			[{}],
			/^Item 0: pinJson: is empty/,
		],
		[
			'pin apply with an edited pin',
			singleNode(
				'pinState',
				{ resource: 'pin', operation: 'apply', pinJson: '={{ $json.pin }}' },
				VERTEX,
			),
			[{ json: { pin: { ...validShotItem().pin, style: 'changed' } } }],
			/^Item 0: pin\.fingerprint: does not match the pin’s content/,
		],
		[
			'pin apply with broken JSON',
			singleNode(
				'pinState',
				{ resource: 'pin', operation: 'apply', pinJson: '{"fingerprint": ' },
				VERTEX,
			),
			[{}],
			/^Item 0: pinJson: is not valid JSON/,
		],
		[
			'pin with a reference URL that refuses the connection',
			singleNode(
				'pinState',
				{
					resource: 'pin',
					operation: 'create',
					characters: {
						character: [
							{
								tag: 'mara',
								description: 'd',
								referenceUrls: 'http://127.0.0.1:9/mara.png?sig=hidden',
							},
						],
					},
				},
				VERTEX,
			),
			[{}],
			/^Item 0: characters\[0\]\.referenceUrls\[0\]: could not be fetched: the host refused the connection \(127\.0\.0\.1:9\)$/,
		],
		[
			'pin with a reference URL at the metadata IP',
			singleNode(
				'pinState',
				{
					resource: 'pin',
					operation: 'create',
					characters: {
						character: [
							{
								tag: 'mara',
								description: 'd',
								referenceUrls: 'http://169.254.169.254/latest/meta-data/mara.png',
							},
						],
					},
				},
				VERTEX,
			),
			[{}],
			/^Item 0: characters\[0\]\.referenceUrls\[0\]: could not be fetched: the URL points at 169\.254\.169\.254, a link-local or cloud metadata address; refused/,
		],
		[
			'pin with a LUT URL that names a user',
			singleNode(
				'pinState',
				{
					resource: 'pin',
					operation: 'create',
					grade: { lutUrl: 'https://storage.googleapis.com@127.0.0.1:9/look.cube', look: 'x' },
				},
				VERTEX,
			),
			[{}],
			/^Item 0: grade\.lutUrl: could not be fetched: the URL names a user before the host \(127\.0\.0\.1:9\)/,
		],
		[
			'pin with a character tag of one letter',
			singleNode(
				'pinState',
				{ resource: 'pin', operation: 'create', characters: { character: [{ tag: 'x' }] } },
				VERTEX,
			),
			[{}],
			/^Item 0: pin\.characters\[0\]\.tag: /,
		],
		[
			'pin with a reference that is not an image',
			singleNode(
				'pinState',
				{
					resource: 'pin',
					operation: 'create',
					characters: { character: [{ tag: 'mara', description: 'd', referenceBinaries: 'ref' }] },
				},
				VERTEX,
			),
			[
				{
					json: {},
					binary: {
						ref: { data: Buffer.from('not an image').toString('base64'), mimeType: 'image/png' },
					},
				},
			],
			/^Item 0: characters\[0\]\.referenceBinaries\[0\]: is not a PNG, JPEG or WebP image/,
		],
		[
			'QC of an item that is not a shot',
			singleNode('qcRouter', { barrier: 'run' }, VERTEX),
			[{ hello: 'world' }],
			/^Item 0: pipeline: is required/,
		],
	];

	it.each(FIELDS.map(([name, workflow, input, message]) => ({ name, workflow, input, message })))(
		'$name',
		async ({ workflow, input, message }) => {
			if (
				!['googleVeo', 'runway', 'openAiStoryboard'].some((type) =>
					workflow.nodes[0].type.endsWith(type),
				)
			)
				delete (workflow.nodes[0] as { credentials?: unknown }).credentials;
			const credentials = {
				...credentialsFor(sandbox, 'vpSandboxVertex'),
				...credentialsFor(sandbox, 'vpSandboxRunway'),
				...credentialsFor(sandbox, 'vpSandboxOpenAi'),
			};
			const items = (input as Array<Record<string, unknown>>).map((item) =>
				'json' in item ? item : { json: item },
			);
			const result = await runWorkflow(workflow, { credentials, input: items as never });
			expect(result.run.status).toBe('error');
			expect(result.error!.message).toMatch(message);
			expect(await sandboxJobs(sandbox)).toEqual([]);
			count++;
		},
	);
});
