import { shotItemSchema } from '../../nodes/shared/contract';
import { runWorkflow } from '../harness/engine';
import { pipeline } from '../harness/workflows';
import { referenceImage } from '../harness/pipeline';
import { credentialsFor, sandboxLedger, withSandbox, type Sandbox } from '../harness/sandbox';

jest.setTimeout(180_000);

describe('the whole pipeline in the engine: storyboard, pin, dispatch, render, QC loop, delivery barrier', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await withSandbox({
			config: { renderMs: { openai: 200, google: 200, runway: 200 } },
		});
	});
	afterAll(async () => sandbox.stop());

	it('re-renders only the shot whose character drifted, and reports exactly what the vendors charged', async () => {
		const refs = {
			mara: (await referenceImage(sandbox, 'mara.png', 31)).url,
			leo: (await referenceImage(sandbox, 'leo.png', 32)).url,
		};
		sandbox.setFaults({
			rules: [{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'character' } }],
		});
		const credentials = {
			...credentialsFor(sandbox, 'vpSandboxOpenAi'),
			...credentialsFor(sandbox, 'vpSandboxVertex'),
			...credentialsFor(sandbox, 'vpSandboxRunway'),
		};
		const result = await runWorkflow(pipeline(refs), { credentials, startNode: 'Storyboard' });
		expect(result.error).toBeUndefined();

		const allDone = result.runs('QC').flatMap((outputs) => outputs[5] ?? []);
		const shots = allDone.map((o) => shotItemSchema.parse(o.json));
		expect(shots.map((s) => s.shot.index)).toEqual([0, 1, 2, 3, 4]);
		const notPassed = allDone
			.filter((o) => (o.json.qc as { status: string }).status !== 'passed')
			.map((o) => ({
				shot: (o.json.shot as { id: string }).id,
				reason: o.json.reviewReason,
				reasons: o.json.qcReasons,
			}));
		expect(notPassed).toEqual([]);
		expect(shots.map((s) => s.shot.layer)).toEqual(['hero', 'broll', 'hero', 'hero', 'broll']);
		expect(
			shots
				.filter((s) => s.shot.layer === 'broll')
				.every((s) => s.takes.every((t) => t.vendor === 'runway')),
		).toBe(true);

		const redone = shots.filter((s) => s.takes.length > 1);
		expect(redone).toHaveLength(1);
		expect(redone[0].qc!.attempts.hero).toBe(1);
		expect(redone[0].qc!.verdicts.find((v) => v.check === 'vision.identity')).toMatchObject({
			pass: true,
			value: 1,
		});

		const ledger = await sandboxLedger(sandbox);
		expect(ledger.duplicates).toEqual([]);
		const renders = ledger.entries.filter((e: { unit: string }) => e.unit !== 'token');
		expect(renders).toHaveLength(6);
		const report = allDone[0].json.qcReport as {
			totals: Record<string, number>;
			cost: { totalUsd: number; byLayer: Record<string, number> };
		};
		expect(report.totals).toMatchObject({ shots: 5, passed: 5, renders: 6, rerenders: 1 });
		expect(report.cost.totalUsd).toBeCloseTo(ledger.totalUsd, 4);
		expect(Object.keys(report.cost.byLayer).sort()).toEqual(['control', 'hero', 'narrative', 'qc']);
	});

	it('catches a shot whose grade drifted from the pin and the previous shot, and re-renders only that one', async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
		const refs = {
			mara: (await referenceImage(sandbox, 'mara2.png', 33)).url,
			leo: (await referenceImage(sandbox, 'leo2.png', 34)).url,
		};
		sandbox.setFaults({
			rules: [{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'colour' } }],
		});
		const credentials = {
			...credentialsFor(sandbox, 'vpSandboxOpenAi'),
			...credentialsFor(sandbox, 'vpSandboxVertex'),
			...credentialsFor(sandbox, 'vpSandboxRunway'),
		};
		const result = await runWorkflow(pipeline(refs), { credentials, startNode: 'Storyboard' });
		expect(result.error).toBeUndefined();
		const firstRound = result
			.runs('QC')
			.flatMap((outputs) => outputs[2] ?? [])
			.filter((o) => ((o.json.takes as unknown[]) ?? []).length > 0);
		const reasons = firstRound.flatMap((o) =>
			(o.json.qcReasons as Array<{ check: string }>).map((r) => r.check),
		);
		expect(reasons).toEqual(expect.arrayContaining(['vision.colour']));
		const shots = result
			.runs('QC')
			.flatMap((outputs) => outputs[5] ?? [])
			.map((o) => shotItemSchema.parse(o.json));
		expect(shots).toHaveLength(5);
		expect(shots.filter((s) => s.takes.length > 1)).toHaveLength(1);
		expect(shots.every((s) => s.qc?.status === 'passed')).toBe(true);
		expect(
			shots
				.find((s) => s.shot.index === 3)!
				.qc!.verdicts.find((v) => v.check === 'vision.continuity'),
		).toMatchObject({ pass: true });
	});
});
