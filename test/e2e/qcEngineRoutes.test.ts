import { sandboxCredentials } from '../../sandbox/credentials';
import { ensureN8nRuntime, N8nInstance } from '../harness/n8nCli';
import { shotItems } from '../harness/pipeline';
import { renderDuplicates, sandboxLedger, withSandbox, type Sandbox } from '../harness/sandbox';

const E2E_TIMEOUT = 15 * 60 * 1000;
const WORKFLOW = 'vpQcEngineRoutes';
const KLING = 'fal-ai/kling-video/v3/pro/text-to-video';
const FAST = { pollIntervalSeconds: 0.2, timeoutMinutes: 2 };

interface RunData {
	data: {
		resultData: {
			error?: unknown;
			runData: Record<
				string,
				Array<{
					data: {
						main: Array<Array<{ json: Record<string, any> }> | null>;
					};
				}>
			>;
		};
	};
}

/**
 * Two engines on one layer in the real n8n CLI: b-roll shots 1-2 on Runway, 3-4 on Kling via fal
 * (an If node splits them), one QC Router routing Per Engine. The drifted Kling take goes back to
 * Kling alone and is paid for once; Runway renders its shots once and never sees a retake.
 */
describe('QC Router routes a failed shot back to the engine that rendered it (real n8n CLI)', () => {
	let sandbox: Sandbox;
	let n8n: N8nInstance;

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { runway: 300, fal: 300 } } });
		n8n = new N8nInstance(ensureN8nRuntime());
		await n8n.importCredentials(sandboxCredentials(sandbox));
		const shots = shotItems(4, undefined, {
			layer: 'broll',
			durationSeconds: 5,
			resolution: '720p',
		});
		const connect = (...targets: string[][]) => ({
			main: targets.map((names) => names.map((node) => ({ node, type: 'main', index: 0 }))),
		});
		const workflow = {
			id: WORKFLOW,
			name: 'Two b-roll engines, one QC Router',
			active: false,
			settings: { executionOrder: 'v1' },
			nodes: [
				{
					id: 't',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: 's',
					name: 'Shots',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: [200, 0],
					parameters: { jsCode: `return ${JSON.stringify(shots)}.map((json) => ({ json }));` },
				},
				{
					id: 'i',
					name: 'First Two on Runway',
					type: 'n8n-nodes-base.if',
					typeVersion: 1,
					position: [400, 0],
					parameters: {
						conditions: {
							number: [{ value1: '={{ $json.shot.index }}', operation: 'smaller', value2: 2 }],
						},
					},
				},
				{
					id: 'r',
					name: 'Runway B-Roll',
					type: 'n8n-nodes-video-pipeline.runway',
					typeVersion: 1,
					position: [600, -100],
					parameters: {
						resource: 'video',
						operation: 'textToVideo',
						model: 'gen4.5',
						shotSource: 'item',
						renderOptions: FAST,
					},
					credentials: {
						runwayVideoPipelineApi: { id: 'vpSandboxRunway', name: 'Sandbox Runway' },
					},
				},
				{
					id: 'k',
					name: 'Kling B-Roll',
					type: 'n8n-nodes-video-pipeline.videoAggregator',
					typeVersion: 1,
					position: [600, 100],
					parameters: {
						backend: 'fal',
						resource: 'video',
						operation: 'render',
						model: { __rl: true, mode: 'id', value: KLING },
						shotSource: 'item',
						renderOptions: FAST,
					},
					credentials: { falVideoPipelineApi: { id: 'vpSandboxFal', name: 'Sandbox fal' } },
				},
				{
					id: 'q',
					name: 'QC Router',
					type: 'n8n-nodes-video-pipeline.qcRouter',
					typeVersion: 1,
					position: [800, 0],
					parameters: {
						routing: 'engine',
						engines: {
							engine: [
								{ name: 'Runway', layer: 'control', vendor: 'runway' },
								{
									name: 'Kling via fal',
									layer: 'control',
									vendor: 'fal',
									model: 'fal-ai/kling-video/*',
								},
							],
						},
						visionJudge: false,
					},
				},
			],
			connections: {
				Start: connect(['Shots']),
				Shots: connect(['First Two on Runway']),
				'First Two on Runway': connect(['Runway B-Roll'], ['Kling B-Roll']),
				'Runway B-Roll': connect(['QC Router']),
				'Kling B-Roll': connect(['QC Router']),
				// Passed, Re-render Narrative, Re-render Runway, Re-render Kling via fal, Needs Review, All Done.
				'QC Router': connect([], [], ['Runway B-Roll'], ['Kling B-Roll'], [], []),
			},
		};
		await n8n.importWorkflow(workflow);
	}, E2E_TIMEOUT);
	afterAll(async () => {
		await sandbox?.stop();
	});

	it(
		'sends the drifted Kling take back to Kling only, pays for its re-render once, and leaves the Runway shots alone',
		async () => {
			sandbox.setFaults({
				rules: [
					{
						fault: 'drift',
						vendor: 'fal',
						times: 1,
						promptIncludes: 'Shot 3:',
						params: { drift: 'duration' },
					},
				],
			});
			const { run } = (await n8n.execute(WORKFLOW)) as unknown as { run: RunData };
			const { runData, error } = run.data.resultData;
			expect(error).toBeUndefined();
			const ids = (node: string) =>
				runData[node].map((r) => (r.data.main[0] ?? []).map((o) => o.json.shot.id as string));

			// Runway rendered its two shots once; Kling rendered its two, then shot 3 again, alone.
			expect(ids('Runway B-Roll')).toEqual([['shot-1', 'shot-2']]);
			expect(ids('Kling B-Roll')).toEqual([['shot-3', 'shot-4'], ['shot-3']]);

			const qcRuns = runData['QC Router'].map((r) => r.data.main);
			expect(qcRuns.every((outputs) => outputs.length === 6)).toBe(true);
			const sent = (output: number) =>
				qcRuns.flatMap((outputs) => (outputs[output] ?? []).map((o) => o.json.shot.id));
			expect(sent(2)).toEqual([]);
			expect(sent(3)).toEqual(['shot-3']);
			expect(sent(4)).toEqual([]);
			const allDone = qcRuns.flatMap((outputs) => outputs[5] ?? []).map((o) => o.json);
			expect(allDone.map((shot) => [shot.shot.id, shot.qc.status])).toEqual([
				['shot-1', 'passed'],
				['shot-2', 'passed'],
				['shot-3', 'passed'],
				['shot-4', 'passed'],
			]);
			const takes = (shot: Record<string, any>) =>
				(shot.takes as Array<{ vendor: string; model: string; jobId: string }>).map((t) => [
					t.vendor,
					t.model,
				]);
			expect(allDone.map(takes)).toEqual([
				[['runway', 'gen4.5']],
				[['runway', 'gen4.5']],
				[
					['fal', KLING],
					['fal', KLING],
				],
				[['fal', KLING]],
			]);
			expect(allDone[2].qc.attempts).toEqual({ narrative: 0, hero: 0, control: 1 });

			// The vendors' own books: two Runway jobs, three fal jobs, each charged once, each on a shot's take.
			const ledger = await sandboxLedger(sandbox);
			const charged = (vendor: string) =>
				ledger.entries
					.filter((e: { vendor: string }) => e.vendor === vendor)
					.map((e: { jobId: string }) => e.jobId)
					.sort();
			const jobsOf = (vendor: string) =>
				allDone
					.flatMap((shot) => shot.takes as Array<{ vendor: string; jobId: string }>)
					.filter((t) => t.vendor === vendor)
					.map((t) => t.jobId)
					.sort();
			expect(charged('runway')).toEqual(jobsOf('runway'));
			expect(charged('runway')).toHaveLength(2);
			expect(charged('fal')).toEqual(jobsOf('fal'));
			expect(charged('fal')).toHaveLength(3);
			expect(new Set(ledger.entries.map((e: { jobId: string }) => e.jobId)).size).toBe(
				ledger.entries.length,
			);
			// Kling takes no seed, so the retake repeats its request: the only repeat is shot 3's two jobs.
			for (const duplicate of renderDuplicates(ledger)) {
				const jobs = ledger.entries
					.filter(
						(e: { requestFingerprint: string }) => e.requestFingerprint === duplicate.fingerprint,
					)
					.map((e: { jobId: string }) => e.jobId)
					.sort();
				expect(jobs).toEqual(
					(allDone[2].takes as Array<{ jobId: string }>).map((t) => t.jobId).sort(),
				);
			}
		},
		E2E_TIMEOUT,
	);
});
