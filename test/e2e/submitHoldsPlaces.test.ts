import { sandboxCredentials } from '../../sandbox/credentials';
import { ensureN8nRuntime, freePort, N8nInstance, type N8nProcess } from '../harness/n8nCli';
import { shotItems } from '../harness/pipeline';
import { RENDER_JOURNAL_CREDENTIALS, renderJournalCredential } from '../harness/renderJournal';
import { sandboxJobs, sandboxLedger, withSandbox, type Sandbox } from '../harness/sandbox';
import { deliveryEndpoint } from '../harness/submitWorkflow';
import { veoNode } from '../harness/workflows';

const E2E_TIMEOUT = 10 * 60 * 1000;
const WORKFLOW = 'vpSubmitHoldsPlaces';
const CAP = 3;
const SHOTS = 12;

interface Sent {
	shot: string;
	jobId: string | null;
	learned: Record<string, number> | null;
	renderError: { code: string } | null;
}

/**
 * In the real n8n, with the render journal: a Veo Submit Only step against a Vertex account that
 * takes 3 renders at once and refuses a fourth with 429 (the node is not told). The step keeps
 * each job's place while it renders, so it sends what the account takes, learns that cap, and
 * leaves every shot with its job, meeting only the refusals of its probes above the cap.
 */
describe('a journaled Submit Only step holds its places in the account while its jobs render', () => {
	let sandbox: Sandbox;
	let server: N8nProcess | undefined;
	let sent: Awaited<ReturnType<typeof deliveryEndpoint<Sent>>>;

	beforeAll(async () => {
		sandbox = await withSandbox({
			config: {
				renderMs: { google: 400 },
				concurrency: { openai: 8, google: CAP, runway: 3 },
				refuseOverConcurrency: { google: true },
			},
		});
		sent = await deliveryEndpoint<Sent>();
		const n8n = new N8nInstance(ensureN8nRuntime());
		const port = await freePort();
		server = await n8n.start({ N8N_PORT: String(port) });
		const journalCredential = await renderJournalCredential(server);
		await server.stop();
		await n8n.importCredentials([...sandboxCredentials(sandbox), journalCredential]);
		const veo = veoNode({ pollIntervalSeconds: 0.2, timeoutMinutes: 2, concurrency: 10 }, 'none');
		const shots = shotItems(SHOTS, undefined, { resolution: '720p' }, { runId: 'holds-places' });
		const workflow = {
			id: WORKFLOW,
			name: 'Submit holds places',
			active: false,
			settings: { executionOrder: 'v1' },
			nodes: [
				{
					id: 'w',
					name: 'Start',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2.1,
					position: [0, 0],
					webhookId: '6b1f0c3e-2d4a-4c8e-9f7a-3e5d1b2c4a60',
					parameters: {
						httpMethod: 'POST',
						path: 'submit-holds-places',
						responseMode: 'lastNode',
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
				{
					...veo,
					position: [400, 0],
					parameters: { ...veo.parameters, mode: 'submit' },
					credentials: { ...veo.credentials, ...RENDER_JOURNAL_CREDENTIALS },
				},
				{
					id: 'n',
					name: 'Notify',
					type: 'n8n-nodes-base.httpRequest',
					typeVersion: 4.2,
					position: [600, 0],
					parameters: {
						method: 'POST',
						url: sent.url,
						sendBody: true,
						specifyBody: 'json',
						jsonBody:
							'={{ JSON.stringify({ shot: $json.shot.id, jobId: $json.jobId ?? null, learned: $json.learnedConcurrency ?? null, renderError: $json.renderError ?? null }) }}',
						options: {},
					},
				},
			],
			connections: {
				Start: { main: [[{ node: 'Shots', type: 'main', index: 0 }]] },
				Shots: { main: [[{ node: 'Veo', type: 'main', index: 0 }]] },
				Veo: { main: [[{ node: 'Notify', type: 'main', index: 0 }]] },
			},
		};
		await n8n.importWorkflow(workflow);
		await n8n.publish(WORKFLOW);
		server = await n8n.start({ N8N_PORT: String(port) });
	}, E2E_TIMEOUT);

	afterAll(async () => {
		await server?.stop();
		await sandbox?.stop();
		sent?.close();
	}, E2E_TIMEOUT);

	it(
		'sends what the account takes, learns the cap, and leaves every shot with its job',
		async () => {
			expect((await server!.webhook('submit-holds-places', {})).status).toBe(200);
			expect(sent.received).toHaveLength(SHOTS);

			// Evidence outside the node: the sandbox's jobs and bill, and what left the step.
			const jobs = await sandboxJobs(sandbox);
			expect(jobs).toHaveLength(SHOTS);
			const names = new Set(
				jobs.map((job: { extra: { operationName?: string } }) => job.extra.operationName),
			);
			for (const item of sent.received) {
				expect(item.renderError).toBeNull();
				expect(names.has(item.jobId!)).toBe(true);
				// Counted while they rendered: the account's cap, not the one job between accept and release.
				// A busy machine can answer an accepted submit after the vendor already refused the next
				// one, so the count at that refusal may be one short of the cap; never above it.
				expect(Object.keys(item.learned ?? {})).toEqual(['google']);
				expect(item.learned!.google).toBeGreaterThanOrEqual(CAP - 1);
				expect(item.learned!.google).toBeLessThanOrEqual(CAP);
			}
			expect((await sandboxLedger(sandbox)).duplicates).toEqual([]);
			// Each refusal is answered by waiting for one of ours to finish: a handful (the probes above
			// the cap), never one per submit past it.
			const traffic = (await (await fetch(`${sandbox.origin}/_sandbox/traffic`)).json()) as Record<
				string,
				number
			>;
			expect(traffic['google:refused']).toBeGreaterThan(0);
			expect(traffic['google:refused']).toBeLessThanOrEqual(4);
		},
		E2E_TIMEOUT,
	);
});
