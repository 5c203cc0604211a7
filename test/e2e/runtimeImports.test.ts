import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sandboxCredentials } from '../../sandbox/credentials';
import { validShotItem } from '../fixtures/shotItem';
import { ensureN8nRuntime, N8nInstance } from '../harness/n8nCli';
import { waitForSandboxJob, withSandbox, type Sandbox } from '../harness/sandbox';

/**
 * The package installed into a real n8n 2.41.1 exactly as a community package: only dist/, no
 * dependencies. Proves the nodes' imports (n8n-workflow, zod/v4) resolve from n8n's own install,
 * and that a template using `n8n-nodes-video-pipeline.<node>` types runs under `n8n execute`.
 */
const E2E_TIMEOUT = 30 * 60 * 1000;

describe('real n8n CLI', () => {
	let sandbox: Sandbox;
	let n8n: N8nInstance;

	beforeAll(async () => {
		sandbox = await withSandbox();
		n8n = new N8nInstance(ensureN8nRuntime());
		await n8n.importCredentials(sandboxCredentials(sandbox));
	}, E2E_TIMEOUT);
	afterAll(async () => {
		await sandbox?.stop();
	});

	it(
		'loads our nodes and runs a workflow whose nodes validate the contract with zod',
		async () => {
			const response = await fetch(`${sandbox.baseUrls.openai}/videos`, {
				method: 'POST',
				headers: {
					authorization: `Bearer ${sandbox.context.config.keys.openai}`,
					'content-type': 'application/json',
				},
				body: JSON.stringify({
					model: 'sora-2',
					prompt: 'A paper boat on a river. Rain starts.',
					seconds: '4',
					size: '720x1280',
				}),
			});
			const { id: jobId } = (await response.json()) as { id: string };
			await waitForSandboxJob(sandbox, jobId);

			const shot = validShotItem();
			shot.takes = [
				{
					...shot.takes[0],
					vendor: 'openai',
					model: 'sora-2',
					layer: 'narrative',
					jobId,
					status: 'running',
					asset: undefined,
					finishedAt: undefined,
				},
			];
			const template = JSON.parse(
				readFileSync(path.join(__dirname, '../workflows/openai-get-download.json'), 'utf8'),
			);
			const workflow = {
				id: 'vpE2eImports01',
				name: 'Runtime imports',
				active: false,
				settings: { executionOrder: 'v1' },
				nodes: [
					{
						id: 'a0000000-0000-4000-8000-000000000001',
						name: 'Start',
						type: 'n8n-nodes-base.manualTrigger',
						typeVersion: 1,
						position: [-440, 0],
						parameters: {},
					},
					{
						id: 'a0000000-0000-4000-8000-000000000002',
						name: 'Shot',
						type: 'n8n-nodes-base.set',
						typeVersion: 3.4,
						position: [-220, 0],
						parameters: { mode: 'raw', jsonOutput: JSON.stringify({ ...shot, jobId }) },
					},
					...template.nodes.map((node: any) => ({
						...node,
						credentials: {
							openAiVideoPipelineApi: { id: 'vpSandboxOpenAi', name: 'Sandbox OpenAI' },
						},
					})),
				],
				connections: {
					Start: { main: [[{ node: 'Shot', type: 'main', index: 0 }]] },
					Shot: { main: [[{ node: 'Get Render', type: 'main', index: 0 }]] },
					...template.connections,
				},
			};
			await n8n.importWorkflow(workflow);
			const result = await n8n.execute(workflow.id);

			const runData = result.run.data.resultData.runData;
			const got = runData['Get Render'][0].data.main[0][0].json;
			expect(got.takes[0]).toMatchObject({
				jobId,
				status: 'succeeded',
				asset: { kind: 'url', mimeType: 'video/mp4' },
			});
			const downloaded = runData['Download Render'][0].data.main[0][0].binary.master;
			expect(downloaded).toMatchObject({ mimeType: 'video/mp4', fileName: `${jobId}.mp4` });
			expect(downloaded.id).toMatch(/^filesystem-v2:/);
			expect(result.stdout + result.stderr).not.toContain(sandbox.context.config.keys.openai);
		},
		E2E_TIMEOUT,
	);
});
