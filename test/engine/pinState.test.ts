import { createHash } from 'node:crypto';
import { shotItemSchema } from '../../nodes/shared/contract';
import { samplePng } from '../../sandbox/media/samples';
import { runWorkflow } from '../harness/engine';
import { asItems, referenceImage, shotItems, singleNode } from '../harness/pipeline';
import { credentialsFor, sandboxAsset, withSandbox, type Sandbox } from '../harness/sandbox';

jest.setTimeout(60_000);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const NO_CREDENTIAL = { type: 'none', id: 'none', name: 'none' };

describe('Pin State (engine)', () => {
	let sandbox: Sandbox;
	let mara: { url: string; sha256: string };
	let lutUrl: string;

	beforeAll(async () => {
		sandbox = await withSandbox();
		mara = await referenceImage(sandbox, 'mara.png', 8);
		const lut = `LUT_3D_SIZE 2\n${Array.from({ length: 8 }, (_, i) => `${i & 1} ${(i >> 1) & 1} ${(i >> 2) & 1}`).join('\n')}\n`;
		lutUrl = await sandboxAsset(sandbox, 'look.cube', lut);
	});
	afterAll(async () => sandbox.stop());

	const create = (parameters: Record<string, unknown> = {}) => {
		const workflow = singleNode(
			'pinState',
			{
				resource: 'pin',
				operation: 'create',
				characters: { character: [{ tag: 'mara', description: '', referenceUrls: mara.url }] },
				grade: { lutUrl, palette: '#335577, #F4E3C1', look: 'cool dusk' },
				...parameters,
			},
			NO_CREDENTIAL,
		);
		delete (workflow.nodes[0] as { credentials?: unknown }).credentials;
		return workflow;
	};
	const items = () =>
		shotItems(3, undefined, { characters: ['mara'] }).map((item) => ({
			...item,
			manifest: {
				title: 'x',
				characters: [
					{ tag: 'mara', description: 'Mara, 30s, short black hair' },
					{ tag: 'leo', description: 'Leo, tall' },
				],
			},
		}));

	it('pins hashed references, the validated LUT and the manifest’s descriptions onto every shot', async () => {
		const result = await runWorkflow(create(), { input: asItems(items()) });
		expect(result.error).toBeUndefined();
		const out = result.output('Node').map((o) => o.json);
		const pins = out.map((json) => shotItemSchema.parse(json).pin!);
		expect(new Set(pins.map((p) => p.fingerprint)).size).toBe(1);
		expect(pins[0].characters).toEqual([
			{
				tag: 'mara',
				description: 'Mara, 30s, short black hair',
				refs: [
					{
						kind: 'url',
						ref: mara.url,
						mimeType: 'image/png',
						bytes: expect.any(Number),
						sha256: mara.sha256,
					},
				],
			},
			{ tag: 'leo', description: 'Leo, tall', refs: [] },
		]);
		expect(pins[0].grade).toMatchObject({
			palette: ['#335577', '#f4e3c1'],
			lut: { kind: 'url', ref: lutUrl, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
		});
		expect(out[0].pinnedRefs).toEqual({
			veo: [{ tag: 'mara', ref: mara.url }],
			runwayTags: ['@mara'],
			missing: [],
		});

		const again = await runWorkflow(create(), { input: asItems(items()) });
		expect((again.output('Node')[0].json.pin as { fingerprint: string }).fingerprint).toBe(
			pins[0].fingerprint,
		);
		const otherLook = await runWorkflow(
			create({ grade: { lutUrl, palette: '#335577', look: 'warm' } }),
			{ input: asItems(items()) },
		);
		expect((otherLook.output('Node')[0].json.pin as { fingerprint: string }).fingerprint).not.toBe(
			pins[0].fingerprint,
		);
	});

	it('builds one pin per group key, reading each group’s parameters from its own items', async () => {
		const brands = items().flatMap((item, n) =>
			['lumen', 'northwind'].map((brand) => ({
				...item,
				brand,
				shot: { ...item.shot, id: `${brand}-${n}` },
			})),
		);
		const perBrand = create({
			pinPer: 'groupKey',
			groupKey: '={{ $json.brand }}',
			style: '={{ $json.brand }} house style',
			characters: {
				character: [
					{
						tag: 'mara',
						description: '',
						referenceUrls: `={{ $json.brand === 'lumen' ? '${mara.url}' : '' }}`,
					},
				],
			},
		});
		const result = await runWorkflow(perBrand, { input: asItems(brands) });
		expect(result.error).toBeUndefined();
		const out = result.output('Node').map((o) => o.json as any);
		expect(out.map((json) => json.shot.id)).toEqual(brands.map((item) => item.shot.id));
		const byBrand = (brand: string) =>
			out.filter((json) => json.brand === brand).map((json) => json.pin);
		for (const brand of ['lumen', 'northwind']) {
			expect(new Set(byBrand(brand).map((pin) => pin.fingerprint)).size).toBe(1);
			expect(byBrand(brand)[0].style).toBe(`${brand} house style`);
		}
		expect(byBrand('lumen')[0].fingerprint).not.toBe(byBrand('northwind')[0].fingerprint);
		expect(byBrand('lumen')[0].characters[0].refs).toHaveLength(1);
		expect(byBrand('northwind')[0].characters[0].refs).toEqual([]);

		const missingKey = await runWorkflow(perBrand, {
			input: asItems(brands.map((item, n) => (n === 3 ? { ...item, brand: '' } : item))),
		});
		expect(missingKey.error!.message).toMatch(/Item 3: groupKey: is empty/);
	});

	it('names a LUT that is not a .cube file and a bad character tag', async () => {
		const badLut = await runWorkflow(create({ grade: { lutUrl: mara.url } }), {
			input: asItems(items()),
		});
		expect(badLut.error!.message).toMatch(
			/Item 0: grade\.lutUrl: is not a valid \.cube LUT: line 1: /,
		);
		const badTag = await runWorkflow(
			create({ characters: { character: [{ tag: 'm', referenceUrls: '' }] } }),
			{ input: asItems(items()) },
		);
		expect(badTag.error!.message).toMatch(
			/Item 0: pin\.characters\[0\]\.tag: must be 3-16 letters/,
		);
	});

	it("pins a brief's references per tag onto the storyboard's characters, from an expression", async () => {
		const sampleUrl = (tag: string) => `${sandbox.origin}/assets/samples/${tag}.png`;
		const before = sandbox.context.traffic.get('assets:samples/leo.png') ?? 0;
		const result = await runWorkflow(create({ characterReferences: '={{ $json.characters }}' }), {
			input: asItems(
				items().map((item) => ({
					...item,
					characters: [
						{ tag: 'leo', referenceUrls: [sampleUrl('leo')] },
						{ tag: 'mara', referenceUrls: [sampleUrl('mara')] },
					],
				})),
			),
		});
		expect(result.error).toBeUndefined();
		const pins = result.output('Node').map((item) => item.json.pin as any);
		expect(new Set(pins.map((p) => p.fingerprint)).size).toBe(1);
		const refs = Object.fromEntries(
			pins[0].characters.map((c: any) => [c.tag, c.refs.map((r: any) => [r.ref, r.sha256])]),
		);
		expect(refs).toEqual({
			// Set on the node first, then the brief's.
			mara: [
				[mara.url, mara.sha256],
				[sampleUrl('mara'), sha256(samplePng('mara'))],
			],
			leo: [[sampleUrl('leo'), sha256(samplePng('leo'))]],
		});
		expect(pins[0].characters.find((c: any) => c.tag === 'leo').description).toBe('Leo, tall');
		// Read once per pin, not once per shot.
		expect(sandbox.context.traffic.get('assets:samples/leo.png')).toBe(before + 1);
	});

	it.each<[unknown, RegExp]>([
		['[{ "tag": ', /Item 0: characterReferences: is not valid JSON/],
		[{ tag: 'mara' }, /Item 0: characterReferences: /],
		[
			[{ tag: 'nobody', referenceUrls: ['https://a.test/x.png'] }],
			/Item 0: characterReferences\[0\]\.tag: names nobody, who is neither set above nor in the storyboard \(mara, leo\)/,
		],
		[
			[{ tag: 'leo', referenceUrls: ['file:///etc/passwd'] }],
			/Item 0: characterReferences\[0\]\.referenceUrls\[0\]: must be an http\(s\) URL/,
		],
		[
			[
				{ tag: 'leo', referenceUrls: ['https://a.test/1.png'] },
				{ tag: 'leo', referenceUrls: ['https://a.test/2.png'] },
			],
			/Item 0: characterReferences\[1\]\.tag: repeats the tag leo/,
		],
		[
			[{ tag: 'leo', referenceUrls: Array(5).fill('https://a.test/1.png') }],
			/Item 0: characterReferences\[0\]\.referenceUrls: /,
		],
	])('refuses character references %j, naming the field and the item', async (value, message) => {
		const result = await runWorkflow(
			create({ characterReferences: typeof value === 'string' ? value : JSON.stringify(value) }),
			{ input: asItems(items()) },
		);
		expect(result.error!.message).toMatch(message);
	});

	it('names the reference of a brief that is not an image, with its field', async () => {
		const result = await runWorkflow(
			create({
				characterReferences: JSON.stringify([{ tag: 'leo', referenceUrls: [lutUrl] }]),
			}),
			{ input: asItems(items()) },
		);
		expect(result.error!.message).toMatch(
			/Item 0: characterReferences\[0\]\.referenceUrls\[0\]: is not a PNG, JPEG or WebP image/,
		);
	});

	it('verifies that every item and take carries the same pin, listing what drifted', async () => {
		const pinned = (await runWorkflow(create(), { input: asItems(items()) }))
			.output('Node')
			.map((o) => o.json as any);
		pinned[1].pin = { ...pinned[1].pin, style: 'anime' };
		pinned[2].takes = [
			{
				layer: 'hero',
				vendor: 'google',
				model: 'veo-3.1-generate-001',
				jobId: 'op-9',
				status: 'submitted',
				pinFingerprint: 'e'.repeat(64),
				attempt: 1,
				startedAt: '2026-11-24T00:00:00Z',
				costUsd: 1,
			},
		];
		const verify = singleNode(
			'pinState',
			{ resource: 'pin', operation: 'verify', failOnDrift: false },
			NO_CREDENTIAL,
		);
		delete (verify.nodes[0] as { credentials?: unknown }).credentials;
		const result = await runWorkflow(verify, { input: asItems(pinned) });
		const checks = result
			.output('Node')
			.map((o) => o.json.pinCheck as { ok: boolean; reasons: string[] });
		expect(checks[0].ok).toBe(true);
		expect(checks[1].reasons).toEqual(['the pin was edited after it was fingerprinted']);
		expect(checks[2].reasons).toEqual(['takes[0] (op-9) was rendered with another pin']);
	});

	it('uploads each reference to Runway once, and Runway renders use the upload', async () => {
		const workflow = create({ uploadReferencesTo: 'runway' });
		(workflow.nodes[0] as { credentials?: unknown }).credentials = {
			runwayVideoPipelineApi: { id: 'vpSandboxRunway', name: 'Runway' },
		};
		const pinned = await runWorkflow(workflow, {
			credentials: credentialsFor(sandbox, 'vpSandboxRunway'),
			input: asItems(items()),
		});
		expect(pinned.error).toBeUndefined();
		const pin = pinned.output('Node')[0].json.pin as {
			uploads: { runway: Record<string, string> };
			fingerprint: string;
		};
		expect(pin.uploads.runway[mara.url]).toMatch(/^runway:\/\/uploads\//);
		expect(sandbox.context.runway.uploads.size).toBe(1);
		const withoutUpload = await runWorkflow(create(), { input: asItems(items()) });
		expect((withoutUpload.output('Node')[0].json.pin as { fingerprint: string }).fingerprint).toBe(
			pin.fingerprint,
		);

		const render = singleNode(
			'runway',
			{
				resource: 'video',
				operation: 'imageToVideo',
				model: 'gen4_turbo',
				shotSource: 'item',
				promptImageSource: 'pin',
				renderOptions: { pollIntervalSeconds: 0.2, timeoutMinutes: 1 },
			},
			{ type: 'runwayVideoPipelineApi', id: 'vpSandboxRunway', name: 'Runway' },
		);
		const rendered = await runWorkflow(render, {
			credentials: credentialsFor(sandbox, 'vpSandboxRunway'),
			input: [
				{
					json: {
						...pinned.output('Node')[0].json,
						shot: {
							...(pinned.output('Node')[0].json.shot as object),
							durationSeconds: 5,
							layer: 'broll',
						},
					},
				},
			],
		});
		expect(rendered.error).toBeUndefined();
		const jobs = (await (await fetch(`${sandbox.origin}/_sandbox/jobs`)).json()) as {
			jobs: Array<{ request: { promptImage: string } }>;
		};
		expect(jobs.jobs.at(-1)!.request.promptImage).toBe(pin.uploads.runway[mara.url]);
	});
});
