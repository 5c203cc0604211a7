import { shotItemSchema, type ShotItem, type Verdict } from '../../nodes/shared/contract';
import { readBinary, runWorkflow, type WorkflowJson } from '../harness/engine';
import { heroLoop } from '../harness/workflows';
import { asItems, pinWith, referenceImage, shotItems } from '../harness/pipeline';
import {
	credentialsFor,
	sandboxFaults,
	sandboxJobs,
	sandboxLedger,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';

jest.setTimeout(240_000);

/** The hero loop with the judge's Google credential on the QC Router (what every template ships). */
function judgedLoop(qcParameters: Record<string, unknown> = {}): WorkflowJson {
	const workflow = heroLoop(qcParameters);
	const qc = workflow.nodes.find((n) => n.name === 'QC')!;
	qc.credentials = { googleVideoPipelineApi: { id: 'vpSandboxVertex', name: 'Vertex' } };
	return workflow;
}

const visionOf = (item: ShotItem) =>
	(item.qc?.verdicts ?? []).filter((v) => v.check.startsWith('vision'));
const judgeFaults = (sandbox: Sandbox, settings: Record<string, number>) =>
	fetch(`${sandbox.origin}/_sandbox/judge`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(settings),
	});

describe('QC Router visual checks (engine, sandbox judge)', () => {
	let sandbox: Sandbox;
	let refPin: ReturnType<typeof pinWith>;

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { google: 200 } } });
		refPin = pinWith([{ tag: 'mara', url: (await referenceImage(sandbox, 'mara.png', 12)).url }]);
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});

	const doneOf = (result: Awaited<ReturnType<typeof runWorkflow>>) =>
		result.runs('QC').flatMap((outputs) => outputs[5] ?? []);

	it('catches a changed face with no uploaded references, through the anchor, and re-renders only that shot', async () => {
		// Two characters pinned by description alone: identity can only be judged against the first accepted take.
		const pin = pinWith([
			{ tag: 'mara', url: '' },
			{ tag: 'leo', url: '' },
		]);
		const unpinned = { ...pin, characters: pin.characters.map((c) => ({ ...c, refs: [] })) };
		sandbox.setFaults({
			rules: [
				{
					fault: 'drift',
					vendor: 'google',
					times: 1,
					promptIncludes: 'Shot 3:',
					params: { drift: 'character' },
				},
			],
		});
		const result = await runWorkflow(judgedLoop(), {
			credentials: credentialsFor(sandbox, 'vpSandboxVertex'),
			input: asItems(
				shotItems(3, unpinned, { needsAudio: true, resolution: '720p', durationSeconds: 4 }),
			),
			startNode: 'Veo',
		});
		expect(result.error).toBeUndefined();
		const outputs = doneOf(result);
		const done = outputs.map((o) => shotItemSchema.parse(o.json));
		expect(done).toHaveLength(3);

		// Ground truth from the sandbox: which job really ignored the pin.
		const jobs = await sandboxJobs(sandbox);
		const drifted = jobs.filter((j) => j.extra?.drift).map((j) => String(j.extra.operationName));
		expect(drifted).toHaveLength(1);
		const shot3 = done.find((s) => s.shot.index === 2)!;
		expect(shot3.takes.map((t) => t.jobId)).toEqual([drifted[0], expect.any(String)]);
		expect(done.every((s) => !drifted.includes(s.takes.at(-1)!.jobId))).toBe(true);
		expect(done.filter((s) => s.takes.length === 1)).toHaveLength(2);

		// Why the first take went back: identity against the anchor (shot 1's accepted take), per character.
		const [firstRuling, secondRuling] = shot3.qc!.history!;
		expect(firstRuling).toMatchObject({ jobId: drifted[0], route: 'hero' });
		const anchorFails = firstRuling.failed.filter((v) => v.check === 'vision.identity');
		expect(anchorFails.map((v) => v.judge!.against)).toEqual([
			expect.stringMatching(/^anchor of @mara: shot-1, take /),
			expect.stringMatching(/^anchor of @leo: shot-1, take /),
		]);
		expect(anchorFails[0].judge).toMatchObject({
			model: 'gemini-3.1-flash-lite',
			frames: [0.7, 2, 3.3],
		});
		expect(anchorFails[0].judge!.scores).toHaveLength(3);
		expect(secondRuling).toMatchObject({ route: 'passed', failed: [] });

		const report = outputs[0].json.qcReport as never as {
			anchors: Array<{ tag: string; shotId: string; jobId: string }>;
			shots: Array<{ takes: Array<{ ruling?: { route: string } }> }>;
			visualChecks: { on: boolean };
		};
		expect(report.visualChecks.on).toBe(true);
		expect(report.anchors.map((a) => [a.tag, a.shotId])).toEqual([
			['mara', 'shot-1'],
			['leo', 'shot-1'],
		]);
		expect(report.anchors[0].jobId).toBe(done[0].takes[0].jobId);
		expect(report.shots[2].takes.map((t) => t.ruling?.route)).toEqual(['hero', 'passed']);
	});

	it('catches a colour drift against the pinned grade, and books the judge under validation', async () => {
		sandbox.setFaults({
			rules: [
				{
					fault: 'drift',
					vendor: 'google',
					times: 1,
					promptIncludes: 'Shot 2:',
					params: { drift: 'colour' },
				},
			],
		});
		const result = await runWorkflow(judgedLoop(), {
			credentials: credentialsFor(sandbox, 'vpSandboxVertex'),
			input: asItems(shotItems(2, refPin, { needsAudio: true, resolution: '720p' })),
			startNode: 'Veo',
		});
		expect(result.error).toBeUndefined();
		const outputs = doneOf(result);
		const done = outputs.map((o) => shotItemSchema.parse(o.json));
		const shot2 = done.find((s) => s.shot.index === 1)!;
		expect(shot2.takes).toHaveLength(2);
		const failed = shot2.qc!.history![0].failed.map((v) => v.check);
		expect(failed).toContain('vision.colour');
		expect(
			shot2.qc!.history![0].failed.find((v) => v.check === 'vision.colour')!.judge!.against,
		).toBe('pinned grade (#335577)');

		// Every judge call the sandbox billed is in the ledger under the validation layer (qc), at its price.
		const billed = (await sandboxLedger(sandbox)).entries.filter(
			(e: { unit: string }) => e.unit === 'token',
		);
		const booked = new Map(
			done
				.flatMap((s) => s.ledger)
				.filter((e) => e.layer === 'qc')
				.map((e) => [e.jobId, e]),
		);
		expect(billed.length).toBeGreaterThanOrEqual(3);
		expect([...booked.keys()].sort()).toEqual(billed.map((e: { jobId: string }) => e.jobId).sort());
		for (const entry of billed)
			expect(booked.get(entry.jobId)).toMatchObject({
				vendor: 'google',
				model: 'gemini-3.1-flash-lite',
				usd: expect.closeTo(entry.usd, 5),
			});
		const report = outputs[0].json.qcReport as never as {
			cost: { byLayer: Record<string, number> };
		};
		expect(report.cost.byLayer.qc).toBeGreaterThan(0);
	});

	it('asks the judge again after a quota refusal (429), so a busy quota neither leaves a take unchecked nor pays a re-render', async () => {
		sandbox.setFaults({
			rules: [
				{
					fault: 'rate_limit',
					vendor: 'google',
					op: 'submit',
					model: 'gemini-3.1-flash-lite',
					times: 1,
				},
			],
		});
		const result = await runWorkflow(judgedLoop(), {
			credentials: credentialsFor(sandbox, 'vpSandboxVertex'),
			input: asItems(shotItems(2, refPin, { resolution: '720p', durationSeconds: 8 })),
			startNode: 'Veo',
		});
		expect(result.error).toBeUndefined();
		const done = doneOf(result).map((o) => shotItemSchema.parse(o.json));
		expect(done).toHaveLength(2);
		// The refusal happened (the sandbox's fault log), and every take was still judged and passed once.
		expect((await sandboxFaults(sandbox)).filter((f) => f.fault === 'rate_limit')).toHaveLength(1);
		for (const shot of done) {
			expect(shot.qc!.status).toBe('passed');
			expect(shot.takes).toHaveLength(1);
			expect(visionOf(shot).some((v) => String(v.value).startsWith('not checked'))).toBe(false);
		}
		expect(await sandboxJobs(sandbox)).toHaveLength(2);
	});

	it('without a judge credential says visual checks are off, on the verdict, the node and the report', async () => {
		sandbox.setFaults({
			rules: [
				{
					fault: 'drift',
					vendor: 'google',
					times: 1,
					promptIncludes: 'Shot 1:',
					params: { drift: 'character' },
				},
			],
		});
		const result = await runWorkflow(heroLoop(), {
			credentials: credentialsFor(sandbox, 'vpSandboxVertex'),
			input: asItems(shotItems(1, refPin, { needsAudio: true, resolution: '720p' })),
			startNode: 'Veo',
		});
		expect(result.error).toBeUndefined();
		const [done] = doneOf(result);
		const item = shotItemSchema.parse(done.json);
		expect(visionOf(item)).toEqual([
			{
				check: 'vision',
				value: 'off: no Google credential on the QC Router, so identity and colour were not judged',
				threshold: 'identity and colour judged',
				pass: true,
				layer: 'hero',
			},
		]);
		expect(
			(await sandboxLedger(sandbox)).entries.filter((e: { unit: string }) => e.unit === 'token'),
		).toEqual([]);
		const report = done.json.qcReport as {
			visualChecks: unknown;
			shots: Array<{ visuallyChecked: boolean }>;
		};
		expect(report.visualChecks).toEqual({
			on: false,
			note: 'off: no Google credential on the QC Router, so identity and colour were not judged',
			models: [],
		});
		expect(report.shots[0].visuallyChecked).toBe(false);
		const html = (await readBinary(done.binary!.qc_report_html.id!)).toString();
		expect(html).toContain('<strong>Visual checks were off</strong>');
		expect(html).toContain('not visually checked');
		const hints = result.run.data.resultData.runData.QC.flatMap(
			(task) => (task as { hints?: Array<{ message: string }> }).hints ?? [],
		);
		expect(hints.map((h) => h.message)).toContain(
			'Visual checks are off: no Google credential on the QC Router, so identity and colour were not judged. Add a Google credential to the QC Router to turn them on.',
		);
	});

	it('asks a second opinion on a borderline score before paying for a re-render, and records both', async () => {
		// A judge that wrongly flags every clean clip, unsure of itself (a score just under the threshold).
		await judgeFaults(sandbox, { falsePositiveRate: 1, falseNegativeRate: 0, seed: 3 });
		const result = await runWorkflow(judgedLoop({ retries: { hero: 1 } }), {
			credentials: credentialsFor(sandbox, 'vpSandboxVertex'),
			input: asItems(shotItems(2, refPin, { needsAudio: true, resolution: '720p' })),
			startNode: 'Veo',
		});
		expect(result.error).toBeUndefined();
		const judged = result
			.runs('QC')
			.flatMap((outputs) => outputs.flat())
			.map((o) => shotItemSchema.parse(o.json));
		const seconds: Verdict[] = judged
			.flatMap((item) => visionOf(item))
			.filter((v) => v.judge?.secondOpinion);
		expect(seconds.length).toBeGreaterThan(0);
		for (const v of seconds) {
			expect(v.judge!.secondOpinion).toHaveLength(3);
			// Two opinions that agree are averaged frame by frame; a third breaks a tie (median); the worst frame counts.
			const { scores, secondOpinion, thirdOpinion } = v.judge!;
			const combined = scores.map((s, i) =>
				thirdOpinion
					? [s, secondOpinion![i], thirdOpinion[i]].sort((a, b) => a - b)[1]
					: Math.round(((s + secondOpinion![i]) / 2) * 1000) / 1000,
			);
			expect(v.value).toBe(Math.min(...combined));
		}
		const calls = (
			(await (await fetch(`${sandbox.origin}/_sandbox/judge`)).json()) as {
				calls: Array<{ noise: string | null }>;
			}
		).calls;
		expect(calls.every((c) => c.noise === 'false_positive')).toBe(true);
		const booked = new Set(
			judged
				.flatMap((s) => s.ledger)
				.filter((e) => e.layer === 'qc')
				.map((e) => e.jobId),
		);
		expect(booked.size).toBe(calls.length);
	});
});
