import type { Take } from '../../nodes/shared/contract';
import { runWorkflow } from '../harness/engine';
import { asItems, shotItems, singleNode } from '../harness/pipeline';
import { credentialsFor, withSandbox, type Sandbox } from '../harness/sandbox';

jest.setTimeout(120_000);

/** QC fails closed: a take that could not be checked is never Passed. */
describe('QC Router never passes a take it could not check (engine, sandbox)', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await withSandbox();
	});
	afterAll(async () => sandbox.stop());

	const take = (vendor: Take['vendor'], asset: Take['asset']): Take => ({
		layer: vendor === 'google' ? 'hero' : 'control',
		vendor,
		model: vendor === 'google' ? 'veo-3.1-fast-generate-001' : 'gen4.5',
		jobId: `job-${vendor}-1`,
		status: 'succeeded',
		asset,
		pinFingerprint: null,
		attempt: 1,
		startedAt: '2026-12-01T00:00:00Z',
		costUsd: 0.6,
	});

	async function qc(item: unknown, credential?: { id: string; type: string }) {
		const node = singleNode(
			'qcRouter',
			{ barrier: 'item' },
			undefined,
			credential
				? { credentials: { [credential.type]: { id: credential.id, name: credential.id } } }
				: {},
		);
		const result = await runWorkflow(node, {
			credentials: credential ? credentialsFor(sandbox, credential.id) : {},
			input: asItems([item]),
		});
		expect(result.error).toBeUndefined();
		const outputs = result.runs('Node')[0];
		const passed = outputs[0] ?? [];
		const routed = outputs.flatMap((items, index) =>
			items.map((o) => ({ index, json: o.json as Record<string, any> })),
		);
		return { passed, routed: routed.filter((r) => r.index !== 5) };
	}

	const shot = (t: Take) => ({
		...shotItems(1, undefined, {
			layer: t.vendor === 'google' ? 'hero' : 'broll',
			durationSeconds: 4,
		})[0],
		takes: [t],
	});

	it.each([
		[
			'a clip URL that answers 404',
			() =>
				take('runway', {
					kind: 'url',
					ref: `${sandbox.origin}/runway/outputs/missing.mp4`,
					mimeType: 'video/mp4',
				}),
			/probe|container/,
		],
		[
			'a take that is an HTML page, not a video',
			() =>
				take('runway', {
					kind: 'url',
					ref: `${sandbox.origin}/runway/outputs/page.html`,
					mimeType: 'text/html',
				}),
			/container/,
		],
		[
			'a binary take whose field is not on the item',
			() => take('runway', { kind: 'binary', ref: 'data', mimeType: 'video/mp4' }),
			/probe/,
		],
	] as const)(
		'%s goes back to its layer, counted against the retry budget',
		async (_name, make, check) => {
			const t = make();
			const { passed, routed } = await qc(shot(t));
			expect(passed).toHaveLength(0);
			expect(routed).toHaveLength(1);
			// Output 3 is Re-render Control: the shot goes back and the retry is counted.
			expect(routed[0].index).toBe(3);
			expect(routed[0].json.qc).toMatchObject({ status: 'retry', attempts: { control: 1 } });
			expect(
				routed[0].json.qc.verdicts
					.filter((v: { pass: boolean; check: string }) => !v.pass)
					.map((v: { check: string }) => v.check)
					.join(' '),
			).toMatch(check);
		},
	);

	it('a gs:// output read with a Gemini API key is not Passed', async () => {
		const t = take('google', {
			kind: 'gcs',
			ref: 'gs://renders/qc/clip.mp4',
			mimeType: 'video/mp4',
		});
		const { passed, routed } = await qc(shot(t), {
			id: 'vpSandboxGemini',
			type: 'googleVideoPipelineApi',
		});
		expect(passed).toHaveLength(0);
		expect(routed).toHaveLength(1);
		expect(routed[0].json.qc.status).not.toBe('passed');
		expect(
			routed[0].json.qc.verdicts.some(
				(v: { check: string; pass: boolean }) => v.check.startsWith('probe') && !v.pass,
			),
		).toBe(true);
	});

	it('without any credential for a clip kept by reference, the shot goes to Needs Review with the reason', async () => {
		const t = take('google', {
			kind: 'gcs',
			ref: 'gs://renders/qc/clip.mp4',
			mimeType: 'video/mp4',
		});
		const { routed } = await qc(shot(t));
		expect(routed[0].index).toBe(4);
		expect(routed[0].json.reviewReason).toMatch(
			/unrecoverable: probe.credential: the Google clip is kept by reference/,
		);
	});
});
