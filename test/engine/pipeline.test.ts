import { shotItemSchema } from '../../nodes/shared/contract';
import { runWorkflow, type WorkflowJson } from '../harness/engine';
import { referenceImage } from '../harness/pipeline';
import { credentialsFor, sandboxLedger, withSandbox, type Sandbox } from '../harness/sandbox';

jest.setTimeout(180_000);

const FAST = { pollIntervalSeconds: 0.2, timeoutMinutes: 1 };
const SCRIPT = 'Mara unlocks the café at dawn. Steam curls from the espresso machine. Leo walks in from the rain. Mara hands Leo a cup: "First one is on me." The sign flips to open.';

function pipeline(refs: { mara: string; leo: string }): WorkflowJson {
	const node = (name: string, type: string, parameters: Record<string, unknown>, credential?: [string, string]) => ({
		id: name,
		name,
		type: `n8n-nodes-video-pipeline.${type}`,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		...(credential ? { credentials: { [credential[0]]: { id: credential[1], name: credential[1] } } } : {}),
	});
	const to = (target: string) => [{ node: target, type: 'main' as never, index: 0 }];
	return {
		name: 'studio pipeline',
		nodes: [
			node('Storyboard', 'openAiStoryboard', { resource: 'storyboard', operation: 'createManifest', model: 'gpt-5.4-mini', script: SCRIPT, targetSeconds: 28, aspectRatios: ['16:9'], variants: 1, layerPolicy: 'dialogueHero', outputShape: 'shots', run: { runId: 'cafe', budgetUsd: 60, resolution: '720p', heroDurations: '8' } }, ['openAiVideoPipelineApi', 'vpSandboxOpenAi']),
			node('Pin', 'pinState', { resource: 'pin', operation: 'create', characters: { character: [{ tag: 'mara', referenceUrls: refs.mara }, { tag: 'leo', referenceUrls: refs.leo }] }, grade: { palette: '#335577', look: 'cool dusk' }, seedPolicy: 'per_shot', seedBase: 7 }),
			node('QC', 'qcRouter', { visionJudge: true, judgeModel: 'gemini-3.5-flash', barrier: 'run' }, ['googleVideoPipelineApi', 'vpSandboxVertex']),
			node('Veo', 'googleVeo', { resource: 'video', operation: 'generate', model: 'veo-3.1-fast-generate-001', shotSource: 'item', referenceMode: 'pin', generateAudio: true, renderOptions: FAST }, ['googleVideoPipelineApi', 'vpSandboxVertex']),
			node('Runway', 'runway', { resource: 'video', operation: 'textToVideo', model: 'gen4.5', shotSource: 'item', renderOptions: FAST }, ['runwayVideoPipelineApi', 'vpSandboxRunway']),
			node('Sora', 'openAiStoryboard', { resource: 'video', operation: 'render', model: 'sora-2', shotSource: 'item', inputReference: 'none', renderOptions: FAST }, ['openAiVideoPipelineApi', 'vpSandboxOpenAi']),
		] as never,
		connections: {
			Storyboard: { main: [to('Pin')] },
			Pin: { main: [to('QC')] },
			QC: { main: [[], to('Sora'), to('Veo'), to('Runway'), [], []] },
			Veo: { main: [to('QC')] },
			Runway: { main: [to('QC')] },
			Sora: { main: [to('QC')] },
		},
	};
}

describe('the whole pipeline in the engine: storyboard, pin, dispatch, render, QC loop, delivery barrier', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { openai: 200, google: 200, runway: 200 } } });
	});
	afterAll(async () => sandbox.stop());

	it('re-renders only the shot whose character drifted, and reports exactly what the vendors charged', async () => {
		const refs = { mara: (await referenceImage(sandbox, 'mara.png', 31)).url, leo: (await referenceImage(sandbox, 'leo.png', 32)).url };
		sandbox.setFaults({ rules: [{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'character' } }] });
		const credentials = { ...credentialsFor(sandbox, 'vpSandboxOpenAi'), ...credentialsFor(sandbox, 'vpSandboxVertex'), ...credentialsFor(sandbox, 'vpSandboxRunway') };
		const result = await runWorkflow(pipeline(refs), { credentials, startNode: 'Storyboard' });
		expect(result.error).toBeUndefined();

		const allDone = result.runs('QC').flatMap((outputs) => outputs[5] ?? []);
		const shots = allDone.map((o) => shotItemSchema.parse(o.json));
		expect(shots.map((s) => s.shot.index)).toEqual([0, 1, 2, 3, 4]);
		const notPassed = allDone.filter((o) => (o.json.qc as { status: string }).status !== 'passed').map((o) => ({ shot: (o.json.shot as { id: string }).id, reason: o.json.reviewReason, reasons: o.json.qcReasons }));
		expect(notPassed).toEqual([]);
		expect(shots.map((s) => s.shot.layer)).toEqual(['hero', 'broll', 'hero', 'hero', 'broll']);
		expect(shots.filter((s) => s.shot.layer === 'broll').every((s) => s.takes.every((t) => t.vendor === 'runway'))).toBe(true);

		const redone = shots.filter((s) => s.takes.length > 1);
		expect(redone).toHaveLength(1);
		expect(redone[0].qc!.attempts.hero).toBe(1);
		expect(redone[0].qc!.verdicts.find((v) => v.check === 'vision.identity')).toMatchObject({ pass: true, value: 1 });

		const ledger = await sandboxLedger(sandbox);
		expect(ledger.duplicates).toEqual([]);
		const renders = ledger.entries.filter((e: { unit: string }) => e.unit !== 'token');
		expect(renders).toHaveLength(6);
		const report = allDone[0].json.qcReport as { totals: Record<string, number>; cost: { totalUsd: number; byLayer: Record<string, number> } };
		expect(report.totals).toMatchObject({ shots: 5, passed: 5, renders: 6, rerenders: 1 });
		expect(report.cost.totalUsd).toBeCloseTo(ledger.totalUsd, 4);
		expect(Object.keys(report.cost.byLayer).sort()).toEqual(['control', 'hero', 'narrative', 'qc']);
	});

	it('catches a shot whose grade drifted from the pin and the previous shot, and re-renders only that one', async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
		const refs = { mara: (await referenceImage(sandbox, 'mara2.png', 33)).url, leo: (await referenceImage(sandbox, 'leo2.png', 34)).url };
		sandbox.setFaults({ rules: [{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'colour' } }] });
		const credentials = { ...credentialsFor(sandbox, 'vpSandboxOpenAi'), ...credentialsFor(sandbox, 'vpSandboxVertex'), ...credentialsFor(sandbox, 'vpSandboxRunway') };
		const result = await runWorkflow(pipeline(refs), { credentials, startNode: 'Storyboard' });
		expect(result.error).toBeUndefined();
		const firstRound = result.runs('QC').flatMap((outputs) => outputs[2] ?? []).filter((o) => ((o.json.takes as unknown[]) ?? []).length > 0);
		const reasons = firstRound.flatMap((o) => (o.json.qcReasons as Array<{ check: string }>).map((r) => r.check));
		expect(reasons).toEqual(expect.arrayContaining(['vision.colour']));
		const shots = result.runs('QC').flatMap((outputs) => outputs[5] ?? []).map((o) => shotItemSchema.parse(o.json));
		expect(shots).toHaveLength(5);
		expect(shots.filter((s) => s.takes.length > 1)).toHaveLength(1);
		expect(shots.every((s) => s.qc?.status === 'passed')).toBe(true);
		expect(shots.find((s) => s.shot.index === 3)!.qc!.verdicts.find((v) => v.check === 'vision.continuity')).toMatchObject({ pass: true });
	});
});
