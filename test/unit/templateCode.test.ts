// Every Code node's JavaScript in the templates, run as n8n's Code node runs it (test/harness/
// codeNode.ts) on sample items, bad input included. The code under test is the jsCode the
// templates ship, built by scripts/templates.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { DateTime } from 'luxon';
import { anchorSchema } from '../../nodes/shared/qc/anchors';
import { CODE_DIR, loadCode } from '../../scripts/templates/lib/code';
import { TEMPLATES } from '../../scripts/templates/templates';
import { codeError, items, runCode, type Item } from '../harness/codeNode';

/** Each code file, and the template node that ships it. */
const CODE: Record<string, [template: string, node: string]> = {
	'check-brief': ['studio-brief-to-delivery.json', 'Check Brief'],
	'claim-result': ['studio-brief-to-delivery.json', 'Run Claim Result'],
	'reshoot-check': ['reshoot-one-shot.json', 'Reshoot Request'],
	'pick-shot': ['reshoot-one-shot.json', 'Pick Shot'],
	'reshoot-state': ['reshoot-one-shot.json', 'Reshoot State'],
	'merged-run-state': ['reshoot-one-shot.json', 'Merged Run State'],
	'keep-anchor-clips': ['studio-brief-to-delivery.json', 'Keep Anchor Clips'],
	'attach-anchor-clips': ['reshoot-one-shot.json', 'Attach Anchor Clips'],
	'anchor-clip-files': ['reshoot-one-shot.json', 'Anchor Clip Files'],
	'brand-anchors': ['studio-brief-to-delivery.json', 'Brand Anchors'],
	'new-brand-anchors': ['studio-brief-to-delivery.json', 'New Brand Anchors'],
	'campaign-briefs': ['scheduled-ad-batch.json', 'Campaign Briefs'],
	'claimed-briefs': ['scheduled-ad-batch.json', 'Claimed Briefs'],
	'learned-caps': ['scheduled-ad-batch.json', 'Start From Learned Caps'],
	'learned-cap-rows': ['scheduled-ad-batch.json', 'Learned Cap Rows'],
	'brief-request': ['mcp-tools.json', 'Brief Request'],
	'reshoot-request': ['mcp-tools.json', 'Reshoot Request'],
	'new-run-row': ['mcp-tools.json', 'New Run Row'],
	'run-answer': ['mcp-tools.json', 'Run Answer'],
	'pins-answer': ['mcp-tools.json', 'Pins Answer'],
	'pin-answer': ['mcp-tools.json', 'Pin Answer'],
	'job-request': ['mcp-tools.json', 'Job Request'],
	'brief-result': ['mcp-tools.json', 'Brief Result'],
	'reshoot-result': ['mcp-tools.json', 'Reshoot Result'],
	'job-failed': ['mcp-tools.json', 'Job Failed'],
	'assembly-request': ['assemble-cut.json', 'Assembly Request'],
	'cut-script': ['assemble-cut.json', 'Cut Script'],
};

function shipped(file: string): string {
	const [template, name] = CODE[file];
	const node = TEMPLATES[template]().nodes.find((n) => n.name === name);
	if (!node) throw new Error(`${template} has no node "${name}"`);
	return node.parameters.jsCode as string;
}

const ROOT = '/deliveries';
const STUDIO_SETTINGS = {
	deliveryRoot: ROOT,
	maxBudgetUsd: 50,
	maxTargetSeconds: 60,
	sampleReferencesUrl: 'http://127.0.0.1:8787/assets/samples',
};
const json = (out: Item[]) => out.map((item) => item.json);

/** One shot of a delivered run, as the studio's run state holds it. */
const shotItem = (id: string, index: number, over: Record<string, any> = {}) => ({
	pipeline: { runId: 'run-a', project: 'Launch', shotCount: 2, budgetUsd: 10, spentUsd: 2.5 },
	shot: { id, index, layer: 'hero', aspectRatio: '16:9', resolution: '720p', durationSeconds: 8 },
	pin: {
		fingerprint: 'fp-1',
		characters: [{ tag: 'mara' }],
		grade: { look: 'dawn', palette: ['#335577'] },
		audioBed: { mood: 'calm', loudnessLufs: -16 },
		style: 'photoreal',
	},
	takes: [{ layer: 'hero', jobId: `job-${id}`, costUsd: 1 }],
	ledger: [{ layer: 'hero', vendor: 'google', model: 'veo', jobId: `job-${id}`, usd: 1.25 }],
	qc: { status: 'passed', attempts: { narrative: 0, hero: 1, control: 0 } },
	...over,
});
const runState = (shots: any[], runId = 'run-a') => ({ runId, shots });
const stateFiles = (...files: any[]) => files.map((data) => ({ json: { data } }));

describe('template Code nodes', () => {
	it('every code file is shipped by a template node and tested here', () => {
		const files = readdirSync(CODE_DIR)
			.filter((f) => f.endsWith('.js'))
			.map((f) => f.replace(/\.js$/, ''))
			.sort();
		expect(Object.keys(CODE).sort()).toEqual(files);
		for (const file of files) expect(shipped(file).length).toBeGreaterThan(20);
	});

	it('no shipped code keeps an include or @from directive', () => {
		for (const file of Object.keys(CODE)) expect(shipped(file)).not.toMatch(/@include|@from/);
	});

	it("a template cannot give its own value for the contract's rules", () => {
		expect(() => loadCode('brand-anchors', { characterTag: '/^.*$/' })).toThrow(/contract/);
	});
});

describe('check-brief (studio intake)', () => {
	const code = shipped('check-brief');
	const webhook = (body: unknown, executionId = '101') =>
		json(
			runCode(code, {
				input: items(STUDIO_SETTINGS),
				nodes: { 'Brief Webhook': items({ body }) },
				executionId,
			}),
		)[0];
	const brief = {
		project: 'Launch',
		script: 'Mara opens the café.',
		budgetUsd: 20,
		runId: 'launch-1',
	};

	it('passes a good webhook brief on with its claim line, and never takes a brand pin from the webhook', () => {
		expect(webhook({ ...brief, brandPin: { fingerprint: 'x' }, targetSeconds: '12' })).toEqual({
			via: 'webhook',
			runId: 'launch-1',
			project: 'Launch',
			brand: 'Launch',
			script: 'Mara opens the café.',
			brief: '',
			targetSeconds: 12,
			budgetUsd: 20,
			callbackUrl: '',
			characters: [],
			claim: '101\n',
		});
	});

	it('passes reference images per character tag on, URLs trimmed', () => {
		const characters = [
			{
				tag: 'mara',
				referenceUrls: [' https://cdn.example.com/mara-1.png', 'http://x.test/m.jpg'],
			},
			{ tag: 'Leo_2', referenceUrls: ['https://cdn.example.com/leo.webp'] },
		];
		expect(webhook({ ...brief, characters }).characters).toEqual([
			{ tag: 'mara', referenceUrls: ['https://cdn.example.com/mara-1.png', 'http://x.test/m.jpg'] },
			{ tag: 'Leo_2', referenceUrls: ['https://cdn.example.com/leo.webp'] },
		]);
	});

	it('characters as text (a form, an assistant): one line per character, refusals name the line', () => {
		const lines =
			'mara: https://cdn.example.com/mara-1.png, https://cdn.example.com/mara-2.png\n\n  leo:https://cdn.example.com/leo.png  \n';
		expect(webhook({ ...brief, characters: lines }).characters).toEqual([
			{
				tag: 'mara',
				referenceUrls: ['https://cdn.example.com/mara-1.png', 'https://cdn.example.com/mara-2.png'],
			},
			{ tag: 'leo', referenceUrls: ['https://cdn.example.com/leo.png'] },
		]);
		expect(webhook({ ...brief, characters: '   ' }).characters).toEqual([]);
		expect(webhook({ ...brief, characters: 'mara https://x.test/m.png' }).refused).toMatchObject({
			status: 422,
			field: 'characters line 1.tag',
		});
		expect(webhook({ ...brief, characters: 'mara, leo' }).refused).toMatchObject({
			field: 'characters line 1',
		});
		expect(
			webhook({ ...brief, characters: 'mara: https://x.test/m.png\nleo: ftp://x.test/l.png' })
				.refused,
		).toMatchObject({ field: 'characters line 2.referenceUrls[0]' });
		expect(webhook({ ...brief, characters: 'mara:' }).refused).toMatchObject({
			field: 'characters line 1.referenceUrls',
		});
		expect(webhook({ ...brief, characters: 42 }).refused).toMatchObject({ field: 'characters' });
	});

	it('a brief names its brand (whose stored anchors judge it); without one, its project is the brand', () => {
		expect(webhook({ ...brief, brand: ' Lumen Coffee ' }).brand).toBe('Lumen Coffee');
		expect(webhook(brief).brand).toBe('Launch');
		expect(webhook({ ...brief, brand: 'Lumen/../x' }).refused).toMatchObject({
			status: 422,
			field: 'brand',
		});
	});

	it('a webhook brief never resolves file names against the sample references', () => {
		const out = webhook({ ...brief, characters: [{ tag: 'mara', referenceUrls: ['mara.png'] }] });
		expect(out.refused).toMatchObject({ status: 422, field: 'characters[0].referenceUrls[0]' });
	});

	it("the sample's references are file names under the sampleReferencesUrl setting", () => {
		const settings = {
			...STUDIO_SETTINGS,
			sampleReferencesUrl: 'http://127.0.0.1:40123/assets/samples/',
		};
		const fromSample = json(
			runCode(code, {
				input: items(settings),
				nodes: {
					'Sample Brief': items({
						...brief,
						characters: [{ tag: 'mara', referenceUrls: ['mara.png'] }],
					}),
				},
			}),
		)[0];
		expect(fromSample.characters).toEqual([
			{ tag: 'mara', referenceUrls: ['http://127.0.0.1:40123/assets/samples/mara.png'] },
		]);
		// A calling workflow without characters gets the sample's; with its own, only full URLs count.
		const filled = json(
			runCode(code, {
				input: items(settings),
				nodes: { 'Brief From Workflow': items({ budgetUsd: 5 }) },
			}),
		)[0];
		expect(filled.characters.map((c: any) => c.referenceUrls[0])).toEqual([
			'http://127.0.0.1:40123/assets/samples/mara.png',
			'http://127.0.0.1:40123/assets/samples/leo.png',
		]);
		const own = json(
			runCode(code, {
				input: items(settings),
				nodes: {
					'Brief From Workflow': items({
						budgetUsd: 5,
						characters: [{ tag: 'mara', referenceUrls: ['mara.png'] }],
					}),
				},
			}),
		)[0];
		expect(own.refused).toMatchObject({ field: 'characters[0].referenceUrls[0]' });
		const ownScript = json(
			runCode(code, {
				input: items(settings),
				nodes: { 'Brief From Workflow': items({ budgetUsd: 5, script: 'Ana walks a dog.' }) },
			}),
		)[0];
		expect(ownScript.characters).toEqual([]);
	});

	it('names a run after the execution when the brief gives no runId; 30 s by default', () => {
		const out = webhook({ ...brief, runId: '' }, '777');
		expect([out.runId, out.targetSeconds]).toEqual(['brief-777', 30]);
	});

	it('a calling workflow fills gaps from the sample and may carry a brand pin', () => {
		const out = json(
			runCode(code, {
				input: items(STUDIO_SETTINGS),
				nodes: {
					'Brief From Workflow': items({ budgetUsd: 5, brandPin: { fingerprint: 'fp-9' } }),
				},
			}),
		)[0];
		expect(out).toMatchObject({
			via: 'workflow',
			project: 'Café launch',
			runId: 'cafe-launch-001',
			budgetUsd: 5,
			targetSeconds: 28,
		});
		expect(out.brandPin).toEqual({ fingerprint: 'fp-9' });
	});

	it('the manual run renders the bundled sample', () => {
		const out = json(
			runCode(code, {
				input: items(STUDIO_SETTINGS),
				nodes: { 'Sample Brief': items({ ...brief, runId: 'cafe-launch-001' }) },
			}),
		)[0];
		expect([out.via, out.runId]).toEqual(['sample', 'cafe-launch-001']);
	});

	it.each<[unknown, string]>([
		[[1, 2], 'body'],
		[{ ...brief, budgetUsd: 51 }, 'budgetUsd'],
		[{ ...brief, budgetUsd: '20 USD' }, 'budgetUsd'],
		[{ ...brief, budgetUsd: undefined }, 'budgetUsd'],
		[{ ...brief, targetSeconds: 61 }, 'targetSeconds'],
		[{ ...brief, targetSeconds: 'soon' }, 'targetSeconds'],
		[{ ...brief, script: '   ' }, 'script'],
		[{ ...brief, project: '<script>' }, 'project'],
		[{ ...brief, callbackUrl: 'file:///etc/passwd' }, 'callbackUrl'],
		[{ ...brief, runId: '../x' }, 'runId'],
		[{ ...brief, characters: { tag: 'mara' } }, 'characters'],
		[
			{
				...brief,
				characters: Array.from({ length: 9 }, (_, i) => ({
					tag: `c${i}xx`,
					referenceUrls: ['https://a.test/x.png'],
				})),
			},
			'characters',
		],
		[
			{ ...brief, characters: [{ tag: 'mara', referenceUrls: ['https://a.test/1.png'] }, 'leo'] },
			'characters[1]',
		],
		[
			{ ...brief, characters: [{ tag: '../x', referenceUrls: ['https://a.test/1.png'] }] },
			'characters[0].tag',
		],
		[
			{
				...brief,
				characters: [
					{ tag: 'mara', referenceUrls: ['https://a.test/1.png'] },
					{ tag: 'mara', referenceUrls: ['https://a.test/2.png'] },
				],
			},
			'characters[1].tag',
		],
		[{ ...brief, characters: [{ tag: 'mara', referenceUrls: [] }] }, 'characters[0].referenceUrls'],
		[
			{ ...brief, characters: [{ tag: 'mara', referenceUrls: 'https://a.test/1.png' }] },
			'characters[0].referenceUrls',
		],
		[
			{
				...brief,
				characters: [{ tag: 'mara', referenceUrls: Array(5).fill('https://a.test/1.png') }],
			},
			'characters[0].referenceUrls',
		],
		[
			{
				...brief,
				characters: [
					{ tag: 'mara', referenceUrls: ['https://a.test/1.png'] },
					{ tag: 'leo', referenceUrls: ['https://a.test/2.png', 'file:///etc/passwd'] },
				],
			},
			'characters[1].referenceUrls[1]',
		],
		[
			{ ...brief, characters: [{ tag: 'mara', referenceUrls: ['javascript:alert(1)'] }] },
			'characters[0].referenceUrls[0]',
		],
		[
			{ ...brief, characters: [{ tag: 'mara', referenceUrls: [42] }] },
			'characters[0].referenceUrls[0]',
		],
	])('refuses %j naming %s, with status 422 and no claim', (body, field) => {
		const out = webhook(body);
		expect(out.refused).toMatchObject({ status: 422, field });
		expect(out.refused.error.startsWith(`${field}: `)).toBe(true);
		expect(out.claim).toBeUndefined();
	});

	it("keeps a refused brief's runId only when it is a safe ID", () => {
		expect(webhook({ ...brief, budgetUsd: 0 }).runId).toBe('launch-1');
		expect(webhook({ ...brief, runId: 'a/b', budgetUsd: 0 }).runId).toBeUndefined();
	});
});

describe('claim-result (one execution per run ID)', () => {
	const code = shipped('claim-result');
	const brief = { via: 'webhook', runId: 'launch-1', budgetUsd: 20 };
	const claim = (data: string | undefined, executionId: string) =>
		json(
			runCode(code, {
				input: items({ data }),
				nodes: { 'Check Brief': items(brief) },
				executionId,
			}),
		)[0];

	it('the first line of the claims file wins the run', () => {
		expect(claim('101\r\n\n102\n', '101')).toEqual(brief);
	});

	it('a later brief with the same run ID is refused with 409, naming who holds it', () => {
		const out = claim('101\n102\n', '102');
		expect(out.refused).toMatchObject({ status: 409, field: 'runId', claimedBy: '101' });
		expect(out.refused.error).toContain('claimed by execution 101');
		expect(out.refused.error).toContain('nothing was billed');
	});

	it('an unreadable (empty) claims file refuses rather than renders', () => {
		expect(claim(undefined, '101').refused.status).toBe(409);
	});
});

describe('reshoot-check (reshoot intake)', () => {
	const code = shipped('reshoot-check');
	const settings = { deliveryRoot: ROOT, maxBudgetUsd: 50 };
	const request = (body: unknown) =>
		json(
			runCode(code, { input: items(settings), nodes: { 'Reshoot Webhook': items({ body }) } }),
		)[0];

	it('passes a good request on, the note trimmed and at most 1000 characters, a numeric-string budget as a number', () => {
		const out = request({
			runId: 'run-a',
			shotId: 'shot-02',
			note: `  ${'n'.repeat(1200)} `,
			budgetUsd: '5',
		});
		expect(out).toMatchObject({ via: 'webhook', runId: 'run-a', shotId: 'shot-02', budgetUsd: 5 });
		expect(out.note).toBe('n'.repeat(1000));
	});

	it.each<[unknown, string]>([
		[{ runId: 'run-a', shotId: 's'.repeat(65), budgetUsd: 5 }, 'shotId'],
		[{ runId: 'run-a', shotId: 'shot-02', budgetUsd: 500 }, 'budgetUsd'],
		[{ runId: 'run-a', shotId: 'shot-02', budgetUsd: -1 }, 'budgetUsd'],
		[{ shotId: 'shot-02', budgetUsd: 5 }, 'runId'],
		['run-a', 'body'],
	])('refuses %j naming %s', (body, field) => {
		expect(request(body).refused).toMatchObject({ status: 422, field });
	});

	it('a calling workflow reshoots the sample unless it names its own shot', () => {
		const out = json(
			runCode(code, {
				input: items(settings),
				nodes: { 'Reshoot From Workflow': items({ shotId: 'shot-03' }) },
			}),
		)[0];
		expect(out).toMatchObject({
			via: 'workflow',
			runId: 'cafe-launch-001',
			shotId: 'shot-03',
			budgetUsd: 5,
		});
	});
});

describe('pick-shot (the shot to reshoot, and what it may spend)', () => {
	const code = shipped('pick-shot');
	const request = {
		via: 'webhook',
		runId: 'run-a',
		shotId: 'shot-02',
		note: 'tighter',
		budgetUsd: 5,
	};
	const pick = (files: any[], over: Record<string, unknown> = {}) =>
		json(
			runCode(code, {
				input: stateFiles(...files),
				nodes: { 'Reshoot Request': items({ ...request, ...over }) },
			}),
		)[0];
	const base = runState([shotItem('shot-01', 0), shotItem('shot-02', 1)]);

	it('a run without state is refused with 404 on runId; so is another run whose files the glob matched', () => {
		expect(pick([]).refused).toMatchObject({ status: 404, field: 'runId' });
		expect(pick([runState([shotItem('shot-02', 1)], 'run-a-run-state.x')]).refused.field).toBe(
			'runId',
		);
	});

	it("an unknown shot is refused with 404, listing the run's shots", () => {
		const out = pick([base], { shotId: 'shot-09' });
		expect(out.refused).toMatchObject({ status: 404, field: 'shotId' });
		expect(out.refused.error).toContain('shot-01, shot-02');
	});

	it('retries the layer that rendered last, new seed and note, one attempt more', () => {
		const out = pick([base]);
		expect(out.shot.id).toBe('shot-02');
		expect(out.retryHint).toEqual({ layer: 'hero', newSeed: true, note: 'tighter' });
		expect(out.qc).toEqual({
			attempts: { narrative: 0, hero: 2, control: 0 },
			verdicts: [],
			status: 'retry',
		});
	});

	it('a shot without takes goes back to the layer its plan names (b-roll: control)', () => {
		const broll = shotItem('shot-02', 1, {
			takes: [],
			qc: undefined,
			shot: { ...shotItem('shot-02', 1).shot, layer: 'broll' },
		});
		const out = pick([runState([shotItem('shot-01', 0), broll])], { note: '' });
		expect(out.retryHint).toEqual({ layer: 'control', newSeed: true });
		expect(out.qc.attempts).toEqual({ narrative: 0, hero: 0, control: 1 });
	});

	it("allows budgetUsd on top of every charge the run made, each counted once, within the run's own budget", () => {
		// The earlier reshoot's file repeats shot-02's first charge and adds one.
		const earlier = {
			runId: 'run-a',
			reshoot: 'shot-02',
			writtenAt: '2026-12-01T10:00:00.000Z',
			item: shotItem('shot-02', 1, {
				ledger: [
					{ layer: 'hero', vendor: 'google', model: 'veo', jobId: 'job-shot-02', usd: 1.25 },
					{ layer: 'hero', vendor: 'google', model: 'veo', jobId: 'job-r1', usd: 0.5 },
				],
			}),
		};
		const out = pick([base, earlier]);
		// Spent 1.25 + 1.25 + 0.5 = 3; cap 3 + 5 = 8 is under the run's 10.
		expect(out.pipeline).toMatchObject({ spentUsd: 3, budgetUsd: 8 });
		expect(out.allowance).toEqual({ usd: 5, grantedBy: 'reshoot' });
		const tight = pick([
			runState([
				shotItem('shot-01', 0),
				shotItem('shot-02', 1, { pipeline: { ...shotItem('x', 0).pipeline, budgetUsd: 4 } }),
			]),
		]);
		expect(tight.pipeline.budgetUsd).toBe(4);
		expect(tight.allowance.usd).toBe(1.5);
	});
});

describe('reshoot-state and merged-run-state (reshoot records)', () => {
	it('records the shot as QC left it, with this execution and when', () => {
		const qcItem = shotItem('shot-02', 1);
		const [out] = json(
			runCode(shipped('reshoot-state'), {
				input: items(qcItem),
				nodes: { 'Reshoot Request': items({ runId: 'run-a', shotId: 'shot-02' }) },
				executionId: '42',
			}),
		);
		expect(out).toMatchObject({
			runId: 'run-a',
			reshoot: 'shot-02',
			execution: '42',
			item: qcItem,
		});
		expect(new Date(out.writtenAt).toISOString()).toBe(out.writtenAt);
	});

	it('rewrites the run state from every record: the latest QC state of a shot wins, every take kept', () => {
		const base = runState([shotItem('shot-01', 0), shotItem('shot-02', 1)]);
		const record = (writtenAt: string, status: string, jobId: string) => ({
			runId: 'run-a',
			reshoot: 'shot-02',
			writtenAt,
			item: shotItem('shot-02', 1, {
				takes: [{ layer: 'hero', jobId, costUsd: 1 }],
				ledger: [{ layer: 'hero', vendor: 'google', model: 'veo', jobId, usd: 1 }],
				qc: { status, attempts: {} },
			}),
		});
		const [merged] = json(
			runCode(shipped('merged-run-state'), {
				input: stateFiles(
					base,
					record('2026-12-01T10:00:02Z', 'passed', 'r2'),
					record('2026-12-01T10:00:01Z', 'needs_review', 'r1'),
				),
				nodes: { 'Reshoot Request': items({ runId: 'run-a', shotId: 'shot-02' }) },
			}),
		);
		const shot2 = merged.shots[1];
		expect(shot2.qc.status).toBe('passed');
		expect(shot2.takes.map((t: any) => t.jobId)).toEqual(['job-shot-02', 'r1', 'r2']);
		expect(shot2.ledger.map((e: any) => e.jobId)).toEqual(['job-shot-02', 'r1', 'r2']);
		expect(merged.shots[0]).toEqual(shotItem('shot-01', 0));
	});
});

describe('anchors that outlive the execution: clip files and brand anchors', () => {
	const clip = (fileName: string) => ({
		mimeType: 'video/mp4',
		fileName,
		id: `filesystem-v2:${fileName}`,
	});
	/** An anchor as QC Router writes it into the run state. */
	const anchor = (tag: string, runId: string, over: Record<string, unknown> = {}) => ({
		tag,
		runId,
		shotId: 'shot-01',
		jobId: `job-${runId}-${tag}`,
		pinFingerprint: null,
		asset: { kind: 'binary', ref: 'data', mimeType: 'video/mp4' },
		frames: [0.5, 2, 3.5],
		characters: [tag],
		clipFile: `${runId}-anchor-${tag}.mp4`,
		...over,
	});
	const sha = (c: string) => c.repeat(64);
	/** A pinned shot item whose characters have these reference images (sha256 per image). */
	const pinned = (refs: Record<string, string[]>, over: Record<string, unknown> = {}) => ({
		json: {
			pipeline: { runId: 'run-b' },
			shot: { id: 'shot-01' },
			pin: {
				fingerprint: sha('f'),
				characters: Object.entries(refs).map(([tag, hashes]) => ({
					tag,
					description: tag,
					refs: hashes.map((h) => ({
						kind: 'url',
						ref: `https://x.test/${h}.png`,
						mimeType: 'image/png',
						sha256: sha(h),
					})),
				})),
			},
			...over,
		},
	});
	const row = (id: number, brand: string, a: ReturnType<typeof anchor>, references: string) => ({
		at: id,
		brand,
		tag: a.tag,
		runId: a.runId,
		references,
		anchor: JSON.stringify(a),
		anchoredAt: '2026-12-01T00:00:00.000Z',
	});

	it('keep-anchor-clips: one file item per anchor clip QC handed out, only the run’s own', () => {
		const out = runCode(shipped('keep-anchor-clips'), {
			input: [
				{
					json: { pipeline: { runId: 'run-a' }, shot: { id: 'shot-01' } },
					binary: {
						data: clip('shot-01.mp4'),
						qc_report_html: clip('qc.html'),
						anchor_mara: clip('run-a-anchor-mara.mp4'),
						anchor_leo: clip('run-a-anchor-leo.mp4'),
						// Anchored by an earlier run of the brand: that run's file, not written again.
						anchor_ava: clip('run-0-anchor-ava.mp4'),
					},
				},
				{ json: { pipeline: { runId: 'run-a' }, shot: { id: 'shot-02' } } },
			],
		});
		expect(out).toEqual([
			{
				json: { fileName: 'run-a-anchor-mara.mp4' },
				binary: { data: clip('run-a-anchor-mara.mp4') },
			},
			{
				json: { fileName: 'run-a-anchor-leo.mp4' },
				binary: { data: clip('run-a-anchor-leo.mp4') },
			},
		]);
	});

	it('keep-anchor-clips: a clip whose name could leave the delivery folder is not written', () => {
		const out = runCode(shipped('keep-anchor-clips'), {
			input: [
				{
					json: { pipeline: { runId: 'run-a' } },
					binary: {
						anchor_a: clip('../../etc/run-a-anchor-mara.mp4'),
						anchor_b: clip('run-a/../x-anchor-mara.mp4'),
						anchor_c: clip('run-a-anchor-mara.mov'),
						anchor_d: { mimeType: 'video/mp4' },
					},
				},
			],
		});
		expect(out).toEqual([]);
	});

	it('anchor-clip-files: each clip file the shots’ anchors name, once; unsafe names are never read', () => {
		const out = runCode(shipped('anchor-clip-files'), {
			input: [
				{ json: { qcAnchors: [anchor('mara', 'run-a'), anchor('leo', 'run-0')] } },
				{ json: { qcAnchors: [anchor('mara', 'run-a')] } },
				{ json: { qcAnchors: [anchor('eve', 'x', { clipFile: '../../etc/x-anchor-eve.mp4' })] } },
				{
					json: {
						qcAnchors: [anchor('url', 'x', { asset: { kind: 'url' }, clipFile: undefined })],
					},
				},
				{ json: { qcAnchors: 'not a list' } },
				{ json: {} },
			],
		});
		expect(json(out)).toEqual([
			{ clipFile: 'run-a-anchor-mara.mp4' },
			{ clipFile: 'run-0-anchor-leo.mp4' },
		]);
	});

	it('attach-anchor-clips: each read clip rides on the shot as anchor_<tag> of the anchor naming its file', () => {
		const shot = {
			json: {
				pipeline: { runId: 'run-a' },
				shot: { id: 'shot-02', characters: ['mara', 'leo'] },
				qcAnchors: [anchor('mara', 'run-a'), anchor('leo', 'run-0')],
			},
			binary: { data: clip('old.mp4') },
		};
		const attach = (input: Item[], shots = [shot]) =>
			runCode(shipped('attach-anchor-clips'), { input, nodes: { 'Accept Reshoot': shots } });
		const [out] = attach([
			{ json: {}, binary: { data: clip('run-a-anchor-mara.mp4') } },
			{ json: {}, binary: { data: clip('run-0-anchor-leo.mp4') } },
			// Not the file any anchor names (another run's clip of the same tag), or an unsafe name.
			{ json: {}, binary: { data: clip('run-x-anchor-leo.mp4') } },
			{ json: {}, binary: { data: clip('evil/../run-0-anchor-leo.mp4') } },
		]);
		expect(out.json).toEqual(shot.json);
		expect(out.binary).toEqual({
			data: clip('old.mp4'),
			anchor_mara: clip('run-a-anchor-mara.mp4'),
			anchor_leo: clip('run-0-anchor-leo.mp4'),
		});

		// A shot without leo carries only mara's clip.
		const [solo] = attach(
			[
				{ json: {}, binary: { data: clip('run-a-anchor-mara.mp4') } },
				{ json: {}, binary: { data: clip('run-0-anchor-leo.mp4') } },
			],
			[{ ...shot, json: { ...shot.json, shot: { id: 'shot-03', characters: ['mara'] } } }],
		);
		expect(Object.keys(solo.binary!).sort()).toEqual(['anchor_mara', 'data']);

		// No file came back (Read Anchor Clips' error item): the run's own anchor stays (QC says its
		// clip is missing); the earlier run's anchor of leo is let go, so this run anchors leo anew.
		const [bare] = attach([
			{ json: { error: 'The file "/x/run-a-anchor-mara.mp4" could not be accessed.' } },
		]);
		expect(bare.binary).toEqual({ data: clip('old.mp4') });
		expect(bare.json.qcAnchors).toEqual([anchor('mara', 'run-a')]);
	});

	describe('brand-anchors (a later run of the brand is judged against its stored anchors)', () => {
		/** brand-anchors.jsonl as Parse Brand Anchors reads it: rows in file order (`at` says which was written first). */
		const file = (rows: Array<Record<string, unknown>>) => ({
			data: [...rows]
				.sort((a, b) => Number(a.at) - Number(b.at))
				.map((r) => JSON.stringify(r))
				.join('\n'),
		});
		const brandAnchors = (
			rows: Array<Record<string, unknown>>,
			shots: ReturnType<typeof pinned>[],
			brand = 'Lumen',
		) =>
			json(
				runCode(shipped('brand-anchors'), {
					input: items(file(rows)),
					nodes: { 'Pin State': shots, 'Check Brief': items({ brand }) },
				}),
			);

		it('per character, the first stored anchor made with the same reference images', () => {
			const shots = [pinned({ mara: ['a'], leo: ['c'] }), pinned({ mara: ['a'], leo: ['c'] })];
			const out = brandAnchors(
				[
					row(7, 'Lumen', anchor('mara', 'run-2'), sha('a')),
					row(3, 'Lumen', anchor('mara', 'run-1'), sha('a')),
					// Recast: other references, so not this run's anchor of mara.
					row(1, 'Lumen', anchor('mara', 'run-0'), sha('b')),
					row(4, 'Lumen', anchor('leo', 'run-1'), sha('c')),
					// Another brand's anchor of the same tag.
					row(2, 'Other', anchor('leo', 'run-9'), sha('c')),
					// Not in this run's pin.
					row(5, 'Lumen', anchor('ava', 'run-1'), sha('d')),
				],
				shots,
			);
			expect(out).toHaveLength(2);
			for (const item of out)
				expect(item.qcAnchors.map((a: any) => `${a.tag}@${a.runId}`)).toEqual([
					'mara@run-1',
					'leo@run-1',
				]);
		});

		it('a recast character (new reference images) is anchored anew: no stored anchor rides along', () => {
			const [out] = brandAnchors(
				[row(1, 'Lumen', anchor('mara', 'run-0'), sha('b'))],
				[pinned({ mara: ['a'] })],
			);
			expect(out.qcAnchors).toBeUndefined();
		});

		it('a character this run pins no images of is not judged against an earlier run’s anchor', () => {
			// A text-only render draws a face of its own: re-renders could never match another run's.
			const [out] = brandAnchors(
				[
					row(1, 'Lumen', anchor('mara', 'run-0'), sha('b')),
					row(2, 'Lumen', anchor('mara', 'run-1'), ''),
				],
				[pinned({ mara: [] })],
			);
			expect(out.qcAnchors).toBeUndefined();
		});

		it('the first run of a brand (no file yet) passes the shots on as they are, binaries kept', () => {
			const shot = { ...pinned({ mara: ['a'] }), binary: { keyframe: clip('k.png') } };
			// Read Brand Anchors found no file: its error item goes on (continue on fail).
			for (const input of [{ error: 'No file(s) found' }, { data: '' }]) {
				const out = runCode(shipped('brand-anchors'), {
					input: items(input),
					nodes: { 'Pin State': [shot], 'Check Brief': items({ brand: 'Lumen' }) },
				});
				expect(out).toEqual([{ json: shot.json, binary: shot.binary }]);
			}
		});

		it('rows that are not readable anchors are passed over, never failing the run', () => {
			const good = anchor('mara', 'run-3');
			const [out] = brandAnchors(
				[
					{ ...row(1, 'Lumen', good, sha('a')), anchor: '{not json' },
					{ ...row(2, 'Lumen', good, sha('a')), anchor: JSON.stringify({ ...good, tag: 'leo' }) },
					row(
						3,
						'Lumen',
						anchor('mara', 'run-x', { clipFile: '../../x-anchor-mara.mp4' }),
						sha('a'),
					),
					{ ...row(4, 'Lumen', good, sha('a')), anchor: 42 },
					row(5, 'Lumen', good, sha('a')),
				],
				[pinned({ mara: ['a'] })],
			);
			expect(out.qcAnchors).toEqual([good]);
		});

		it('takes a stored line exactly when QC Router’s anchor schema does: its fields, types and bounds', () => {
			const good = anchor('mara', 'run-3');
			const without = <T extends object>(value: T, key: keyof T) =>
				Object.fromEntries(Object.entries(value).filter(([k]) => k !== key));
			const lines: Array<Record<string, unknown>> = [
				good,
				{
					...good,
					pinFingerprint: sha('e'),
					asset: { ...good.asset, bytes: 1024, sha256: sha('d') },
				},
				{ ...good, asset: { kind: 'url', ref: 'https://x.test/a.mp4', mimeType: 'video/mp4' } },
				{ ...good, note: 'a hand edit' },
				without(good, 'jobId'),
				without(good, 'pinFingerprint'),
				without(good, 'frames'),
				{ ...good, asset: { ...good.asset, size: 1024 } },
				{ ...good, asset: without(good.asset, 'mimeType') },
				{ ...good, asset: { ...good.asset, kind: 'file' } },
				{ ...good, frames: [] },
				{ ...good, frames: Array(17).fill(1) },
				{ ...good, frames: [-1] },
				{ ...good, characters: ['mara', 'x'] },
			];
			for (const line of lines) {
				const [out] = brandAnchors(
					[{ ...row(1, 'Lumen', good, sha('a')), anchor: JSON.stringify(line) }],
					[pinned({ mara: ['a'] })],
				);
				expect({ line, taken: out.qcAnchors !== undefined }).toEqual({
					line,
					taken: anchorSchema.safeParse(line).success,
				});
			}
		});

		it('an anchor the shot already carries (a run state) is not replaced', () => {
			const own = anchor('mara', 'run-b');
			const [out] = brandAnchors(
				[row(1, 'Lumen', anchor('mara', 'run-0'), sha('a'))],
				[pinned({ mara: ['a'] }, { qcAnchors: [own] })],
			);
			expect(out.qcAnchors).toEqual([own]);
		});

		it('the batch: each shot gets its own brand’s anchors', () => {
			const code = TEMPLATES['scheduled-ad-batch.json']().nodes.find(
				(n) => n.name === 'Brand Anchors',
			)!.parameters.jsCode as string;
			const out = json(
				runCode(code, {
					input: items(
						file([
							row(1, 'Lumen / Cold Brew', anchor('lumen', 'lumen-run'), sha('a')),
							row(2, 'North / Jacket', anchor('north', 'north-run'), sha('c')),
						]),
					),
					nodes: {
						'Pin Per Brand': [
							pinned({ lumen: ['a'] }, { campaign: { brand: 'Lumen', product: 'Cold Brew' } }),
							pinned({ north: ['c'] }, { campaign: { brand: 'North', product: 'Jacket' } }),
							pinned({ north: ['c'] }, { campaign: { brand: 'Lumen', product: 'Cold Brew' } }),
							// Another product of the brand (its tag may be the same): not that product's anchor.
							pinned({ lumen: ['a'] }, { campaign: { brand: 'Lumen', product: 'Hot Brew' } }),
						],
					},
				}),
			);
			expect(out.map((item) => (item.qcAnchors ?? []).map((a: any) => a.runId))).toEqual([
				['lumen-run'],
				['north-run'],
				[],
				[],
			]);
		});
	});

	it('new-brand-anchors: one line per anchor the run set, with the references it was made with', () => {
		const now = DateTime.fromISO('2026-12-02T01:00:00Z', { zone: 'utc' });
		const report = {
			...pinned(
				{ mara: ['a'], leo: ['c'], eve: ['e'], ivy: [] },
				{
					qcAnchors: [
						anchor('mara', 'run-b'),
						anchor('leo', 'run-0'),
						anchor('leo', 'run-b'),
						// Kept by a vendor URL (it expires), and one whose clip QC did not hand out.
						anchor('ava', 'run-b', {
							asset: { kind: 'url', ref: 'https://x.test/a.mp4', mimeType: 'video/mp4' },
							clipFile: undefined,
						}),
						anchor('eve', 'run-b'),
						// Pinned without reference images: no later run could draw that face again.
						anchor('ivy', 'run-b'),
					],
				},
			),
			binary: {
				anchor_mara: clip('run-b-anchor-mara.mp4'),
				anchor_leo: clip('run-b-anchor-leo.mp4'),
				anchor_ivy: clip('run-b-anchor-ivy.mp4'),
			},
		};
		const [out] = json(
			runCode(shipped('new-brand-anchors'), {
				input: [report, report],
				nodes: { 'Check Brief': items({ brand: 'Lumen' }) },
				now,
			}),
		);
		expect(out.lines.split('\n')).toEqual([
			'',
			JSON.stringify({
				brand: 'Lumen',
				tag: 'mara',
				runId: 'run-b',
				references: sha('a'),
				anchor: JSON.stringify(anchor('mara', 'run-b')),
				anchoredAt: '2026-12-02T01:00:00.000Z',
			}),
			JSON.stringify({
				brand: 'Lumen',
				tag: 'leo',
				runId: 'run-b',
				references: sha('c'),
				anchor: JSON.stringify(anchor('leo', 'run-b')),
				anchoredAt: '2026-12-02T01:00:00.000Z',
			}),
			'',
		]);
		// A run that set no anchor (all came from the brand) appends nothing.
		const given = pinned({ mara: ['a'] }, { qcAnchors: [anchor('mara', 'run-0')] });
		expect(
			runCode(shipped('new-brand-anchors'), {
				input: [given],
				nodes: { 'Check Brief': items({ brand: 'Lumen' }) },
			}),
		).toEqual([]);
	});
});

describe('campaign-briefs and claimed-briefs (scheduled batch)', () => {
	const code = shipped('campaign-briefs');
	const settings = { deliveryRoot: ROOT, maxCampaignsPerBatch: 20, maxBudgetUsd: 100 };
	const row = {
		id: 1,
		brand: 'Lumen Coffee',
		product: 'Lumen Cold Brew',
		script: 'Ava opens a can.',
		variants: 2,
		aspectRatios: '9:16, 1:1',
		budgetUsd: 60,
		status: 'queued',
	};
	const now = DateTime.fromISO('2026-12-02T01:00:00Z', { zone: 'utc' });
	const briefs = (...rows: any[]) =>
		runCode(code, {
			input: rows.map((json, i) => ({ json, pairedItem: { item: i } })),
			nodes: { 'Batch Settings': items(settings) },
			now,
			executionId: '900',
		});

	it('one storyboard request per campaign: variants x formats, the cap split evenly, a dated run ID', () => {
		const [out] = briefs(row);
		expect(out.pairedItem).toEqual({ item: 0 });
		expect(out.json).toEqual({
			campaign: {
				id: 1,
				brand: 'Lumen Coffee',
				product: 'Lumen Cold Brew',
				referenceImages: '',
				look: '',
			},
			productTag: 'lumen',
			script: 'Ava opens a can.',
			brief: '',
			targetSeconds: 20,
			aspectRatios: ['9:16', '1:1'],
			variants: 2,
			expectedRuns: 4,
			budgetPerRunUsd: 15,
			batch: '900',
			runIdBase: 'lumen-coffee-c1-20261202',
		});
	});

	it("rounds a run's share down to the cent, so the runs never pass the campaign's cap", () => {
		const [out] = briefs({ ...row, budgetUsd: 10, variants: 3, aspectRatios: '16:9' });
		expect(out.json.budgetPerRunUsd).toBe(3.33);
	});

	it.each<[Record<string, unknown>, RegExp]>([
		[{ aspectRatios: '4:3' }, /^Campaign 1 \(Lumen Coffee\): aspectRatios: 4:3 is not/],
		[{ budgetUsd: 150 }, /^Campaign 1 \("Lumen Coffee"\): budgetUsd: \$150 is above/],
		[{ budgetUsd: '' }, /^Campaign 1 .*budgetUsd: is required/],
		[{ script: ' ' }, /^Campaign 1 .*script: is required/],
		[{ brand: 'Lumen<>' }, /^Campaign 1 .*brand: /],
	])('a bad row (%j) stops the batch, naming the campaign and the field', (over, message) => {
		expect(
			codeError(code, {
				input: items({ ...row, ...over }),
				nodes: { 'Batch Settings': items(settings) },
				now,
			}),
		).toMatch(message);
	});

	it("claimed-briefs: only the campaigns this batch's claim updated go on", () => {
		const campaignBriefs = [1, 2, 3].map((id) => ({ json: { campaign: { id }, batch: '900' } }));
		const out = runCode(shipped('claimed-briefs'), {
			// Campaign 2 was claimed by another batch; campaign 3's update matched no row.
			input: items({ id: 1, batch: '900' }, { id: 2, batch: '899' }, {}),
			nodes: { 'Campaign Briefs': campaignBriefs },
			executionId: '900',
		});
		expect(json(out).map((b) => b.campaign.id)).toEqual([1]);
	});
});

describe('learned-caps and learned-cap-rows (each night starts from the last)', () => {
	const briefs = items(
		{ campaign: { id: 1, brand: 'Lumen' }, batch: '7' },
		{ campaign: { id: 2, brand: 'Northwind' }, batch: '7' },
	);
	const start = (rows: Item[]) =>
		json(runCode(shipped('learned-caps'), { input: rows, nodes: { 'Claimed Briefs': briefs } }));

	it('puts the latest cap per vendor on every item, ignoring malformed rows', () => {
		const out = start(
			items(
				{ id: 1, vendor: 'google', cap: 3, learnedAt: '2026-12-01T01:30:00.000+00:00' },
				// Two batches wrote at once: the later row holds, whatever its id.
				{ id: 4, vendor: 'google', cap: 2, learnedAt: '2026-12-02T01:10:00.000+00:00' },
				{ id: 3, vendor: 'google', cap: 6, learnedAt: '2026-12-02T01:20:00.000+00:00' },
				{ id: 5, vendor: 'runway', cap: 4, learnedAt: '', updatedAt: '2026-12-02T02:00:00.000Z' },
				{ id: 6, vendor: 'runway', cap: 0, learnedAt: '2026-12-03T00:00:00.000Z' },
				{ id: 7, vendor: 'runway', cap: 2.5, learnedAt: '2026-12-03T00:00:00.000Z' },
				{ id: 8, vendor: 'openai', cap: 'eight', learnedAt: '2026-12-03T00:00:00.000Z' },
				{ id: 9, vendor: 'acme', cap: 9, learnedAt: '2026-12-03T00:00:00.000Z' },
				{ id: 10, vendor: 'fal', cap: 5, learnedAt: 'yesterday' },
				{ id: 11, cap: 5, learnedAt: '2026-12-03T00:00:00.000Z' },
			),
		);
		expect(out).toHaveLength(2);
		expect(out.map((item) => item.campaign.id)).toEqual([1, 2]);
		for (const item of out) expect(item.learnedConcurrency).toEqual({ google: 6, runway: 4 });
	});

	it('an empty table (one empty item) or only bad rows adds nothing: the nodes start from their default', () => {
		for (const rows of [items({}), items({ vendor: 'google', cap: -1 }), []]) {
			const out = start(rows);
			expect(out).toHaveLength(2);
			for (const item of out) expect(item).not.toHaveProperty('learnedConcurrency');
		}
	});

	const rows = (input: Item[]) =>
		json(
			runCode(shipped('learned-cap-rows'), {
				input,
				executionId: '42',
				now: DateTime.fromISO('2026-12-03T01:45:00.000Z', { zone: 'utc' }),
			}),
		);

	it('one row per vendor from the All Done items; runs that disagree keep the lower cap', () => {
		const out = rows(
			items(
				{ pipeline: { runId: 'lumen-c1-v1-9x16' }, learnedConcurrency: { google: 5, runway: 3 } },
				{ pipeline: { runId: 'lumen-c1-v1-1x1' }, learnedConcurrency: { google: 4, runway: 3 } },
				{ pipeline: { runId: 'north-c2-v1-16x9' }, learnedConcurrency: { runway: 'x', acme: 2 } },
				{ pipeline: { runId: 'north-c2-v2-16x9' }, learnedConcurrency: 'none' },
			),
		);
		expect(out).toEqual([
			{
				vendor: 'google',
				cap: 4,
				learnedAt: '2026-12-03T01:45:00.000Z',
				runId: 'lumen-c1-v1-1x1',
				batch: '42',
			},
			{
				vendor: 'runway',
				cap: 3,
				learnedAt: '2026-12-03T01:45:00.000Z',
				runId: 'lumen-c1-v1-9x16',
				batch: '42',
			},
		]);
	});

	it('no learned cap (no render node ran) writes no row', () => {
		expect(
			rows(items({ pipeline: { runId: 'r' } }, { learnedConcurrency: { google: 0 } })),
		).toEqual([]);
	});
});

describe('MCP tool requests', () => {
	const settings = {
		maxBudgetUsd: 50,
		maxTargetSeconds: 60,
		defaultWaitSeconds: 45,
		maxWaitSeconds: 50,
		deliveryRoot: ROOT,
	};
	const call = (file: string, args: Record<string, unknown>) =>
		runCode(shipped(file), {
			nodes: { 'Tool Call': items(args), 'Server Settings': items(settings) },
		});
	const brief = {
		tool: 'render_brief',
		brand: 'Lumen Coffee',
		script: 'Ava opens a can.',
		budgetUsd: 20,
	};

	it('brief-request: the same brief is the same run; another script is another run', () => {
		const [a] = json(call('brief-request', brief));
		const [b] = json(call('brief-request', { ...brief }));
		const [c] = json(call('brief-request', { ...brief, script: 'Ava closes a can.' }));
		expect(a.runId).toMatch(/^lumen-coffee-[0-9a-f]{8}$/);
		expect(b.runId).toBe(a.runId);
		expect(c.runId).not.toBe(a.runId);
		expect(a).toMatchObject({
			kind: 'brief',
			brand: 'Lumen Coffee',
			project: 'Lumen Coffee',
			budgetUsd: 20,
			waitSeconds: 45,
		});
		expect(a.request).toEqual({
			project: 'Lumen Coffee',
			brand: 'Lumen Coffee',
			runId: a.runId,
			script: 'Ava opens a can.',
			brief: '',
			characters: [],
			targetSeconds: 20,
			budgetUsd: 20,
			callbackUrl: '',
		});
	});

	it('brief-request: reference images per character ride on the request; a bad one is refused at once', () => {
		const [a] = json(
			call('brief-request', { ...brief, characters: 'ava: https://cdn.example.com/ava.png' }),
		);
		expect(a.request.characters).toEqual([
			{ tag: 'ava', referenceUrls: ['https://cdn.example.com/ava.png'] },
		]);
		// Other references are another brief, so another run.
		const [b] = json(call('brief-request', brief));
		expect(a.runId).not.toBe(b.runId);
		expect(() =>
			call('brief-request', { ...brief, characters: 'ava: file:///etc/passwd' }),
		).toThrow(
			'render_brief: characters line 1.referenceUrls[0]: "file:///etc/passwd" must be an http(s) URL',
		);
	});

	it("brief-request: waits at most the server's maxWaitSeconds, never less than 0", () => {
		expect(json(call('brief-request', { ...brief, waitSeconds: 600 }))[0].waitSeconds).toBe(50);
		expect(json(call('brief-request', { ...brief, waitSeconds: -5 }))[0].waitSeconds).toBe(0);
	});

	it.each<[Record<string, unknown>, string]>([
		[{ ...brief, brand: '' }, 'render_brief: brand: is required'],
		[{ ...brief, budgetUsd: undefined }, 'render_brief: budgetUsd: is required'],
		[{ ...brief, budgetUsd: 51 }, 'render_brief: budgetUsd: $51 is above'],
		[{ ...brief, targetSeconds: 90 }, 'render_brief: targetSeconds: must be 4 to 60'],
		[{ ...brief, runId: 'x/../y' }, 'render_brief: runId: '],
	])('brief-request refuses %j', (args, message) => {
		expect(
			codeError(shipped('brief-request'), {
				nodes: { 'Tool Call': items(args), 'Server Settings': items(settings) },
			}),
		).toContain(message);
	});

	it('reshoot-request: one job per run, shot, note and budget', () => {
		const args = {
			tool: 'reshoot_shot',
			runId: 'run-a',
			shotId: 'shot-02',
			note: 'tighter',
			budgetUsd: 3,
		};
		const [a] = json(call('reshoot-request', args));
		expect(a.runId).toMatch(/^run-a~shot-02~[0-9a-f]{8}$/);
		expect(a).toMatchObject({
			kind: 'reshoot',
			project: 'run-a',
			request: { runId: 'run-a', shotId: 'shot-02', note: 'tighter', budgetUsd: 3 },
		});
		expect(json(call('reshoot-request', args))[0].runId).toBe(a.runId);
		expect(json(call('reshoot-request', { ...args, note: 'wider' }))[0].runId).not.toBe(a.runId);
		expect(
			codeError(shipped('reshoot-request'), {
				nodes: { 'Tool Call': items({ ...args, shotId: '' }), 'Server Settings': items(settings) },
			}),
		).toContain('reshoot_shot: shotId: is required');
	});
});

describe('MCP job rows and answers', () => {
	const job = {
		runId: 'lumen-1',
		kind: 'brief',
		brand: 'Lumen',
		project: 'Lumen',
		budgetUsd: 20,
		startedAt: Date.UTC(2026, 11, 2),
		request: { runId: 'lumen-1', script: 's' },
	};
	const pinRow = (brand: string, fingerprint: string) => ({
		brand,
		fingerprint,
		runId: `run-${fingerprint}`,
		pinnedAt: '2026-12-01T00:00:00.000Z',
		pin: JSON.stringify({
			fingerprint,
			characters: [{ tag: 'ava' }],
			grade: { look: 'sun', palette: ['#fff'] },
			audioBed: { mood: 'upbeat' },
			style: 'photo',
		}),
	});

	it("new-run-row: a brief carries the brand's latest stored pin; a reshoot carries none", () => {
		const row = (kind: string, pins: any[]) =>
			json(
				runCode(shipped('new-run-row'), {
					input: items(...pins),
					nodes: { Job: items({ ...job, kind }) },
				}),
			)[0];
		const brief = row('brief', [pinRow('Lumen', 'fp-1'), pinRow('Lumen', 'fp-2'), {}]);
		expect(brief).toMatchObject({
			runId: 'lumen-1',
			status: 'rendering',
			requestedAt: '2026-12-02T00:00:00.000Z',
			summary: '',
			error: '',
		});
		expect(JSON.parse(brief.request).brandPin.fingerprint).toBe('fp-2');
		expect(JSON.parse(row('brief', [{}]).request).brandPin).toBeUndefined();
		expect(JSON.parse(row('reshoot', [pinRow('Lumen', 'fp-1')]).request).brandPin).toBeUndefined();
		// A brief with its own reference images is pinned from them, not from the stored pin.
		const own = json(
			runCode(shipped('new-run-row'), {
				input: items(pinRow('Lumen', 'fp-1')),
				nodes: {
					Job: items({
						...job,
						kind: 'brief',
						request: {
							...job.request,
							characters: [{ tag: 'ava', referenceUrls: ['https://x.test/a.png'] }],
						},
					}),
				},
			}),
		)[0];
		expect(JSON.parse(own.request).brandPin).toBeUndefined();
		expect(JSON.parse(own.request).characters).toHaveLength(1);
	});

	it('run-answer: unknown, rendering, failed and delivered runs', () => {
		const answer = (row: any) => json(runCode(shipped('run-answer'), { input: items(row) }))[0];
		expect(answer({})).toMatchObject({ found: false });
		const rendering = answer({ runId: 'lumen-1', kind: 'brief', status: 'rendering' });
		expect(rendering.message).toContain('Call get_run with runId "lumen-1"');
		expect(rendering.message).toContain('render_brief again');
		const failed = answer({
			runId: 'r~s~1',
			kind: 'reshoot',
			status: 'failed',
			error: 'budgetUsd: over cap',
		});
		expect(failed).toMatchObject({ found: true, error: 'budgetUsd: over cap' });
		expect(failed.message).toMatch(/^This reshoot failed/);
		const delivered = answer({
			runId: 'lumen-1',
			kind: 'brief',
			status: 'delivered',
			summary: JSON.stringify({ totals: { shots: 2 } }),
			finishedAt: 'then',
		});
		expect(delivered).toMatchObject({
			status: 'delivered',
			totals: { shots: 2 },
			finishedAt: 'then',
		});
		expect(delivered.message).toBeUndefined();
	});

	it('pins-answer: the latest pin of every brand, in short', () => {
		const [out] = json(
			runCode(shipped('pins-answer'), {
				input: items(pinRow('Lumen', 'fp-1'), pinRow('North', 'fp-3'), pinRow('Lumen', 'fp-2'), {}),
			}),
		);
		expect(out.count).toBe(2);
		expect(out.pins).toEqual([
			{
				brand: 'Lumen',
				fingerprint: 'fp-2',
				fromRun: 'run-fp-2',
				pinnedAt: '2026-12-01T00:00:00.000Z',
				characters: ['ava'],
				look: 'sun',
				palette: ['#fff'],
				audioBed: 'upbeat',
				style: 'photo',
			},
			expect.objectContaining({ brand: 'North', fingerprint: 'fp-3' }),
		]);
	});

	it("pin-answer: the brand's latest pin in full, or a message when it has none", () => {
		const pin = (brand: string) =>
			json(
				runCode(shipped('pin-answer'), {
					input: items(pinRow('Lumen', 'fp-1'), pinRow('Lumen', 'fp-2')),
					nodes: { 'Tool Call': items({ brand }) },
				}),
			)[0];
		expect(pin('  Lumen ')).toMatchObject({
			found: true,
			brand: 'Lumen',
			fingerprint: 'fp-2',
			pin: { fingerprint: 'fp-2' },
		});
		expect(pin('North')).toMatchObject({ found: false, brand: 'North' });
	});

	it('job-request: the recorded request, parsed', () => {
		expect(
			json(
				runCode(shipped('job-request'), {
					input: items({ request: '{"runId":"lumen-1","budgetUsd":20}' }),
				}),
			),
		).toEqual([{ runId: 'lumen-1', budgetUsd: 20 }]);
		expect(() =>
			runCode(shipped('job-request'), { input: items({ request: 'not json' }) }),
		).toThrow();
	});

	it("job-failed: the pipeline's message kept on the row, at most 2000 characters", () => {
		const failed = (error: unknown) =>
			json(
				runCode(shipped('job-failed'), {
					input: items({ error }),
					nodes: { 'Job Row': items(job) },
				}),
			)[0];
		expect(failed('budgetUsd: $60 is above the cap')).toMatchObject({
			runId: 'lumen-1',
			status: 'failed',
			summary: '',
			error: 'budgetUsd: $60 is above the cap',
		});
		expect(failed('x'.repeat(3000)).error).toHaveLength(2000);
		expect(failed(undefined).error).toBe('the pipeline failed');
	});
});

describe('MCP job results', () => {
	const report = (needsReview: number) => ({
		totals: { shots: 2, passed: 2 - needsReview, needsReview },
		cost: { totalUsd: 2.5, byLayer: { hero: 2.5 }, byVendor: { google: 2.5 }, budgetUsd: 20 },
		pinFingerprint: 'fp-1',
		shots: [
			{
				id: 'shot-01',
				layer: 'hero',
				outcome: 'passed',
				takes: [{ costUsd: 1.23456 }, { costUsd: 0.1 }],
				attempts: { hero: 2 },
				verdicts: [{ pass: true, check: 'duration', value: 8, threshold: 8 }],
			},
			{
				id: 'shot-02',
				layer: 'hero',
				outcome: 'needs_review',
				reviewReason: 'identity drift',
				takes: [{}],
				attempts: { hero: 3 },
				verdicts: [{ pass: false, check: 'identity', value: { score: 0.4 }, threshold: null }],
			},
		],
	});
	const nodes = (request: any, qc: any) => ({
		'Job Row': items({ runId: 'lumen-1', brand: 'Lumen' }),
		'Job Request': items(request),
		'Server Settings': items({ deliveryRoot: ROOT }),
		'Parse QC Report': items({ data: qc }),
	});

	it('brief-result: the delivery summary, per-shot verdicts, and a new brand pin to store', () => {
		const state = runState([shotItem('shot-01', 0), shotItem('shot-02', 1)]);
		const [out] = json(
			runCode(shipped('brief-result'), {
				input: items({ data: state }),
				nodes: nodes({ runId: 'lumen-1' }, report(1)),
			}),
		);
		expect(out).toMatchObject({
			runId: 'lumen-1',
			status: 'needs_review',
			error: '',
			brand: 'Lumen',
			fingerprint: 'fp-1',
			newPin: true,
		});
		expect(JSON.parse(out.pin).fingerprint).toBe('fp-1');
		const summary = JSON.parse(out.summary);
		expect(summary.delivery).toEqual({
			folder: ROOT,
			report: `${ROOT}/lumen-1-qc-report.html`,
			reportJson: `${ROOT}/lumen-1-qc-report.json`,
			masters: [`${ROOT}/lumen-1-shot-01.mp4`, `${ROOT}/lumen-1-shot-02.mp4`],
			timeline: `${ROOT}/lumen-1-timeline.otio`,
		});
		expect(summary.cost).toEqual({
			totalUsd: 2.5,
			perLayerUsd: { hero: 2.5 },
			perVendorUsd: { google: 2.5 },
			budgetUsd: 20,
		});
		expect(summary.shots[0]).toEqual({
			id: 'shot-01',
			layer: 'hero',
			outcome: 'passed',
			renders: 2,
			attempts: { hero: 2 },
			verdicts: ['pass duration: 8 (wanted 8)'],
			costUsd: 1.3346,
		});
		expect(summary.shots[1]).toMatchObject({
			reviewReason: 'identity drift',
			verdicts: ['FAIL identity: {"score":0.4}'],
			costUsd: 0,
		});
	});

	it('brief-result: a run that used a stored brand pin stores no new one; all passed is delivered', () => {
		const state = runState([shotItem('shot-01', 0)]);
		const [out] = json(
			runCode(shipped('brief-result'), {
				input: items({ data: state }),
				nodes: nodes({ runId: 'lumen-1', brandPin: { fingerprint: 'fp-1' } }, report(0)),
			}),
		);
		expect([out.status, out.newPin]).toEqual(['delivered', false]);
	});

	it('reshoot-result: the reshot master and its QC report', () => {
		const [out] = json(
			runCode(shipped('reshoot-result'), {
				input: items({ data: report(0) }),
				nodes: nodes({ runId: 'run-a', shotId: 'shot-02' }, report(0)),
			}),
		);
		expect(out).toMatchObject({ runId: 'lumen-1', status: 'delivered', error: '' });
		expect(JSON.parse(out.summary).delivery).toEqual({
			folder: ROOT,
			master: `${ROOT}/run-a-shot-02.mp4`,
			reportJson: `${ROOT}/run-a-shot-02-reshoot-qc.json`,
		});
	});
});

describe('assembly-request and cut-script (assemble the cut)', () => {
	const settings = { deliveryRoot: "/srv/it's deliveries", sampleRunId: 'cafe-launch-001' };
	const assembly = (runId?: unknown) =>
		runCode(shipped('assembly-request'), {
			nodes: {
				'Cut Settings': items(settings),
				...(runId === undefined ? {} : { 'Assemble Run': items({ runId }) }),
			},
		});

	it("assembly-request: the caller's run or the sample, the folder from the settings", () => {
		expect(json(assembly())).toEqual([
			{ runId: 'cafe-launch-001', deliveryRoot: settings.deliveryRoot },
		]);
		expect(json(assembly('run-a'))[0].runId).toBe('run-a');
		expect(json(assembly(''))[0].runId).toBe('cafe-launch-001');
		expect(() => assembly('a; rm -rf /')).toThrow(/^runId: /);
	});

	const cut = (files: any[]) =>
		runCode(shipped('cut-script'), {
			input: stateFiles(...files),
			nodes: { 'Assembly Request': items({ runId: 'run-a', deliveryRoot: settings.deliveryRoot }) },
		});
	const grade = (lut: unknown, music?: unknown) => ({
		...shotItem('x', 0).pin,
		grade: { look: 'dawn', lut },
		audioBed: { loudnessLufs: -16, ...(music ? { music } : {}) },
	});

	it("cuts the passed shots in story order, graded with the LUT, the bed under their sound, to the pin's loudness", () => {
		const pin = grade(
			{ kind: 'url', ref: 'https://cdn.example/grade.cube' },
			{ kind: 'url', ref: 'https://cdn.example/bed.mp3' },
		);
		const shots = [
			shotItem('shot-03', 2, { pin }),
			shotItem('shot-01', 0, { pin }),
			shotItem('shot-02', 1, { pin, qc: { status: 'needs_review' } }),
		];
		const [{ json: out }] = cut([runState(shots)]);
		expect(out).toMatchObject({
			runId: 'run-a',
			file: `${settings.deliveryRoot}/run-a-cut.mp4`,
			shots: ['shot-01', 'shot-03'],
			seconds: 16,
			graded: true,
			musicBed: true,
		});
		const command: string = out.command;
		expect(command.indexOf('run-a-shot-01.mp4')).toBeLessThan(command.indexOf('run-a-shot-03.mp4'));
		expect(command).not.toContain('shot-02');
		expect(command).toContain("'/srv/it'\\''s deliveries/run-a-cut.mp4'");
		expect(command).toContain('scale=1280:720:');
		expect(command).toContain('loudnorm=I=-16:');
		expect(command).toContain("-stream_loop -1 -i 'https://cdn.example/bed.mp3'");
		expect(command).toContain('lut3d=file=');
		// The script is valid shell, quotes and all.
		expect(() => execFileSync('bash', ['-n', '-c', command])).not.toThrow();
	});

	it('a square run is cut square, without grade or bed when the pin has none', () => {
		const square = shotItem('shot-01', 0, {
			shot: { ...shotItem('x', 0).shot, aspectRatio: '1:1', resolution: '1080p' },
		});
		const [{ json: out }] = cut([runState([square])]);
		expect([out.graded, out.musicBed]).toEqual([false, false]);
		expect(out.command).toContain('scale=1080:1080:');
		expect(out.command).toContain('[0:v]null[picture]');
	});

	it('refuses a run with no state, no passed shot, or a LUT that is not a URL', () => {
		expect(() => cut([])).toThrow(/^runId: no run state for "run-a"/);
		expect(() =>
			cut([runState([shotItem('shot-01', 0, { qc: { status: 'needs_review' } })])]),
		).toThrow('no passed shots');
		expect(() =>
			cut([runState([shotItem('shot-01', 0, { pin: grade({ kind: 'binary', ref: 'data' }) })])]),
		).toThrow('pin.grade.lut: the cut needs the LUT as a URL (it is a binary)');
	});
});
