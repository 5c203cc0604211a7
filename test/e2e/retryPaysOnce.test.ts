import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sandboxCredentials } from '../../sandbox/credentials';
import { executions } from '../harness/batchRun';
import { ensureN8nRuntime, N8nInstance, type N8nProcess } from '../harness/n8nCli';
import { shotItems } from '../harness/pipeline';
import { sandboxJobs, sandboxLedger, withSandbox, type Sandbox } from '../harness/sandbox';

const E2E_TIMEOUT = 15 * 60 * 1000;
const WORKFLOW = 'vpRetryPaysOnce';

/**
 * In the real n8n: a render node whose items partly fail (one refused by the budget, one render
 * stuck past its wait) keeps every paid job ID on its output, so when a later step fails and the
 * operator retries the execution (`POST /rest/executions/<id>/retry`), nothing is paid again.
 */
describe('execution retry in the real n8n never pays twice', () => {
	let sandbox: Sandbox;
	let n8n: N8nInstance;
	let server: N8nProcess;
	let notify: Server;
	const received: unknown[] = [];

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { runway: 300 } } });
		// The client's endpoint is down the first time, as a flaky downstream step would be.
		notify = createServer((request, response) => {
			let body = '';
			request.on('data', (chunk) => (body += chunk));
			request.on('end', () => {
				received.push(JSON.parse(body || 'null'));
				response
					.writeHead(received.length === 1 ? 503 : 200, { 'content-type': 'application/json' })
					.end('{}');
			});
		});
		await new Promise<void>((resolve) => notify.listen(0, '127.0.0.1', resolve));
		n8n = new N8nInstance(ensureN8nRuntime());
		await n8n.importCredentials(sandboxCredentials(sandbox));
		const render = (name: string, mode: string, position: number) => ({
			id: name,
			name,
			type: 'n8n-nodes-video-pipeline.runway',
			typeVersion: 1,
			position: [position, 0],
			parameters: {
				resource: 'video',
				operation: 'textToVideo',
				model: 'gen4.5',
				shotSource: 'item',
				mode,
				renderOptions: { pollIntervalSeconds: 0.2, timeoutMinutes: 0.1, concurrency: 1 },
			},
			credentials: { runwayVideoPipelineApi: { id: 'vpSandboxRunway', name: 'Sandbox Runway' } },
		});
		// Three 8 s Gen-4.5 shots ($0.96 each) against a $2 budget: the third is refused.
		const shots = shotItems(
			3,
			undefined,
			{ layer: 'broll', durationSeconds: 8, resolution: '720p' },
			{ runId: 'retry-run', budgetUsd: 2 },
		);
		const to = (node: string) => [[{ node, type: 'main', index: 0 }]];
		const workflow = {
			id: WORKFLOW,
			name: 'Retry pays once',
			active: false,
			settings: { executionOrder: 'v1', saveExecutionProgress: true },
			nodes: [
				{
					id: 'w',
					name: 'Start',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2.1,
					position: [0, 0],
					webhookId: 'c4e1f0d2-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
					parameters: {
						httpMethod: 'POST',
						path: 'retry-pays-once',
						responseMode: 'onReceived',
						options: {},
					},
				},
				{
					id: 's',
					name: 'Shots',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: [200, 0],
					parameters: { jsCode: `return ${JSON.stringify(shots)}.map((json) => ({ json }));` },
				},
				render('Runway (Submit)', 'submit', 400),
				render('Runway', 'wait', 600),
				{
					id: 'n',
					name: 'Notify',
					type: 'n8n-nodes-base.httpRequest',
					typeVersion: 4.2,
					position: [800, 0],
					parameters: {
						method: 'POST',
						url: `http://127.0.0.1:${(notify.address() as AddressInfo).port}/delivered`,
						sendBody: true,
						specifyBody: 'json',
						jsonBody:
							'={{ JSON.stringify({ shot: $json.shot.id, jobId: $json.jobId, status: $json.status, renderError: $json.renderError ?? null }) }}',
						options: {},
					},
				},
			],
			connections: {
				Start: { main: to('Shots') },
				Shots: { main: to('Runway (Submit)') },
				'Runway (Submit)': { main: to('Runway') },
				Runway: { main: to('Notify') },
			},
		};
		await n8n.importWorkflow(workflow);
		await n8n.publish(WORKFLOW);
		server = await n8n.start();
	}, E2E_TIMEOUT);
	afterAll(async () => {
		await server?.stop();
		await sandbox?.stop();
		notify?.close();
	}, E2E_TIMEOUT);

	const finished = async (count: number) => {
		const deadline = Date.now() + 5 * 60 * 1000;
		for (;;) {
			const done = executions(n8n, WORKFLOW).filter(
				(e) => !['new', 'running', 'waiting'].includes(e.status),
			);
			if (done.length >= count) return done;
			if (Date.now() > deadline)
				throw new Error(`no execution finished:\n${server.output().slice(-4000)}`);
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	};

	it(
		'keeps the paid job IDs of a failing render step, and a retried execution bills nothing again',
		async () => {
			// One of the two accepted renders sticks past the wait: its job goes on at the vendor.
			sandbox.setFaults({ rules: [{ fault: 'stuck', vendor: 'runway', times: 1 }] });
			expect((await server.webhook('retry-pays-once', {})).status).toBe(200);
			const [first] = await finished(1);
			expect(first.status).toBe('error');
			const jobs = (await sandboxJobs(sandbox)) as Array<{ id: string }>;
			expect(jobs).toHaveLength(2);

			sandbox.setFaults({ rules: [] });
			const retried = await server.rest<{ status: string; retryOf: string }>(
				'POST',
				`executions/${first.id}/retry`,
				{ loadWorkflow: false },
			);
			expect(retried).toMatchObject({ status: 'success', retryOf: String(first.id) });

			// The retry resumed at the failed step: both paid jobs reached the client, the refused shot said why.
			const delivered = received.slice(-3) as Array<{
				shot: string;
				jobId: string | null;
				status: string;
				renderError: { code: string } | null;
			}>;
			expect(
				delivered
					.map((d) => d.jobId)
					.filter(Boolean)
					.sort(),
			).toEqual(jobs.map((job) => job.id).sort());
			expect(delivered.find((d) => d.shot === 'shot-3')).toMatchObject({
				jobId: null,
				renderError: { code: 'budget' },
			});
			expect(delivered.some((d) => d.renderError?.code === 'timeout')).toBe(true);
			// Nothing was submitted or billed a second time.
			expect(await sandboxJobs(sandbox)).toHaveLength(2);
			const ledger = await sandboxLedger(sandbox);
			expect(ledger.duplicates).toEqual([]);
			expect(ledger.entries.length).toBeLessThanOrEqual(2);
		},
		E2E_TIMEOUT,
	);
});
