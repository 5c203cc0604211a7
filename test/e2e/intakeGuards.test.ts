import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sandboxCredentials } from '../../sandbox/credentials';
import { BATCH_WORKFLOW, executions } from '../harness/batchRun';
import {
	dataTableName,
	templateInstance,
	templateJson,
	TEMPLATE_DELIVERY,
	TEMPLATE_HOME,
	type N8nInstance,
	type N8nProcess,
} from '../harness/n8nCli';
import { connectMcp } from '../harness/mcpClient';
import { Postgres } from '../harness/postgres';
import { sandboxLedger, withSandbox, type Sandbox, renderDuplicates } from '../harness/sandbox';

const E2E_TIMEOUT = 30 * 60 * 1000;
const STUDIO = 'vpStudioBriefDelivery';
const RESHOOT = 'vpReshootOneShot';
const BRIEF_TOKEN = { 'X-Brief-Token': 'sandbox-brief-token' };
const MCP_TOKEN = { 'X-Mcp-Token': 'sandbox-mcp-token' };
const FORM_LOGIN = `Basic ${Buffer.from('studio:sandbox-form-password').toString('base64')}`;
const FORM_ID = templateJson('studio-brief-to-delivery.json').nodes.find(
	(n: { name: string }) => n.name === 'Brief Form',
).webhookId as string;
/** Names that would leave the delivery folder, glob other runs' files, or hide what they are. */
const HOSTILE_IDS = ['../x', '../../etc/passwd', '*', 'run-*', 'a\u0000b', 'x\u202Egpj.mp4'];
const HOSTILE_BUDGETS: unknown[] = [0, null, -5, 80, 1e6, 'abc', '', '1e6'];
const OUTSIDE = '/tmp/vp-hostile-delivery';

interface LedgerEntry {
	vendor: string;
	unit: string;
	usd: number;
	jobId: string;
}

/** Every file under a folder, relative to it. */
function filesUnder(dir: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir, { recursive: true, withFileTypes: true })
		.filter((e) => e.isFile())
		.map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
		.sort();
}

/** A workflow's executions after the first `after`, once `count` of them have finished (any status). */
async function finished(
	n8n: N8nInstance,
	server: N8nProcess,
	workflowId: string,
	after: number,
	count: number,
	timeoutMs = 15 * 60 * 1000,
) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const started = executions(n8n, workflowId).slice(after);
		const done = started.filter((e) => !['new', 'running', 'waiting'].includes(e.status));
		if (started.length >= count && done.length === started.length) return done;
		if (Date.now() > deadline)
			throw new Error(
				`${workflowId}: ${done.length} of ${count} executions finished:\n${server.output().slice(-4000)}`,
			);
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
}

/** The runs' state as a reader sees it: run-state.json plus every reshoot's own file, takes and charges by job ID. */
function stateJobIds(runId: string): { takes: Set<string>; charges: Set<string> } {
	const takes = new Set<string>();
	const charges = new Set<string>();
	for (const file of readdirSync(TEMPLATE_DELIVERY).filter((f) =>
		f.startsWith(`${runId}-run-state`),
	)) {
		const state = JSON.parse(readFileSync(path.join(TEMPLATE_DELIVERY, file), 'utf8'));
		if (state.runId !== runId) continue;
		for (const item of state.shots ?? [state.item]) {
			for (const take of item.takes) takes.add(take.jobId);
			for (const entry of item.ledger) charges.add(entry.jobId);
		}
	}
	return { takes, charges };
}

/**
 * The paid entry points of the published templates under attack and under concurrency, in the real
 * n8n (`n8n start`), once on SQLite and once on PostgreSQL: unauthenticated calls, hostile budgets
 * and IDs through every webhook, the form and the MCP tools (refused, nothing written outside the
 * delivery folder, nothing billed), two briefs of one run ID at once, two reshoots of one run at
 * once, and two batches claiming the same campaigns at once.
 */
describe.each(['sqlite', 'postgres'] as const)(
	'intake guards and concurrent executions (%s)',
	(database) => {
		let sandbox: Sandbox;
		let postgres: Postgres | undefined;
		let n8n: N8nInstance;
		let server: N8nProcess;
		let client: Client;

		beforeAll(async () => {
			sandbox = await withSandbox({
				config: { renderMs: { openai: 300, google: 300, runway: 300 } },
			});
			postgres = database === 'postgres' ? await Postgres.start() : undefined;
			n8n = await templateInstance(
				sandboxCredentials(sandbox),
				[
					'error-reporter.json',
					'studio-brief-to-delivery.json',
					'reshoot-one-shot.json',
					'mcp-tools.json',
					'mcp-server.json',
				],
				[STUDIO, RESHOOT, 'vpMcpTools', 'vpMcpServer'],
				postgres,
			);
			// The batch without its sample campaigns: the test queues its own.
			const batch = templateJson('scheduled-ad-batch.json');
			const settings = batch.nodes.find((n: { name: string }) => n.name === 'Batch Settings');
			settings.parameters.jsonOutput = JSON.stringify({
				...JSON.parse(settings.parameters.jsonOutput),
				seedSampleCampaigns: false,
			});
			await n8n.importWorkflow(batch);
			await n8n.publish(BATCH_WORKFLOW);
			rmSync(TEMPLATE_DELIVERY, { recursive: true, force: true });
			mkdirSync(TEMPLATE_DELIVERY, { recursive: true });
			rmSync(OUTSIDE, { recursive: true, force: true });
			server = await n8n.start({ HOME: TEMPLATE_HOME });
			client = await connectMcp(server, MCP_TOKEN);
		}, E2E_TIMEOUT);
		afterAll(async () => {
			await client?.close();
			await server?.stop();
			await postgres?.stop();
			await sandbox?.stop();
		}, E2E_TIMEOUT);

		const ledger = async (): Promise<LedgerEntry[]> => (await sandboxLedger(sandbox)).entries;
		const brief = (extra: Record<string, unknown> = {}) => ({
			project: 'Guarded spot',
			script: 'Ada opens the shop at dawn. She smiles: "Morning!" Rain runs down the window.',
			targetSeconds: 12,
			budgetUsd: 10,
			...extra,
		});
		const post = (pathname: string, body: unknown, headers: Record<string, string> = BRIEF_TOKEN) =>
			server.webhook(pathname, body, headers);

		async function tool(name: string, args: Record<string, unknown>): Promise<string> {
			const result = (await client.callTool({ name, arguments: args }, undefined, {
				timeout: 120_000,
			})) as { content: Array<{ text: string }> };
			return result.content.map((c) => c.text).join('');
		}

		/** The request is refused with the field named, and nothing was written or billed. */
		async function expectRefused(response: Response, field: string, status = 422) {
			const body = (await response.json()) as { refused: boolean; field: string; error: string };
			expect({ status: response.status, refused: body.refused, field: body.field }).toEqual({
				status,
				refused: true,
				field,
			});
			expect(body.error).toMatch(new RegExp(`^${field}: `));
		}

		it(
			'refuses every unauthenticated call: brief and reshoot webhooks, the form, the batch and the MCP server',
			async () => {
				for (const pathname of ['video-brief', 'video-reshoot', 'video-batch']) {
					expect((await post(pathname, brief(), {})).status).toBe(403);
					expect((await post(pathname, brief(), { 'X-Brief-Token': 'wrong' })).status).toBe(403);
				}
				// The MCP server has its own credential: the studio webhooks' header does not open it.
				expect((await post('video-brief', brief(), MCP_TOKEN)).status).toBe(403);
				await expect(connectMcp(server, BRIEF_TOKEN, 0)).rejects.toThrow(
					/Authorization data is wrong/,
				);
				const form = new FormData();
				for (const [key, value] of Object.entries({
					project: 'Form spot',
					script: 'A kettle boils.',
					budgetUsd: '10',
				}))
					form.append(key, value);
				expect(
					(await fetch(`${server.url}/form/${FORM_ID}`, { method: 'POST', body: form })).status,
				).toBe(401);
				expect(
					(
						await fetch(`${server.url}/form/${FORM_ID}`, {
							method: 'POST',
							body: form,
							headers: { authorization: `Basic ${Buffer.from('studio:wrong').toString('base64')}` },
						})
					).status,
				).toBe(401);
				expect(await ledger()).toEqual([]);
				expect(filesUnder(TEMPLATE_DELIVERY)).toEqual([]);
			},
			E2E_TIMEOUT,
		);

		it(
			'refuses zero, null, negative, over-cap and non-numeric budgets on the webhook, the form and MCP, naming budgetUsd',
			async () => {
				const before = executions(n8n, STUDIO).length;
				for (const budgetUsd of HOSTILE_BUDGETS)
					await expectRefused(await post('video-brief', brief({ budgetUsd })), 'budgetUsd');
				const { budgetUsd: _, ...unbudgeted } = brief();
				await expectRefused(await post('video-brief', unbudgeted), 'budgetUsd');
				await expectRefused(
					await post('video-reshoot', { runId: 'any-run', shotId: 'shot-01', budgetUsd: 0 }),
					'budgetUsd',
				);
				await expectRefused(
					await post('video-reshoot', { runId: 'any-run', shotId: 'shot-01' }),
					'budgetUsd',
				);
				await expectRefused(
					await post('video-reshoot', { runId: 'any-run', shotId: 'shot-01', budgetUsd: 51 }),
					'budgetUsd',
				);
				for (const budgetUsd of [0, 80, 1e6])
					expect(
						await tool('render_brief', { brand: 'Guarded', script: 'A kettle boils.', budgetUsd }),
					).toMatch(/render_brief: budgetUsd: /);
				expect(
					await tool('reshoot_shot', { runId: 'any-run', shotId: 'shot-01', budgetUsd: 80 }),
				).toMatch(/reshoot_shot: budgetUsd: /);

				// A logged-in form user gets the same check: the execution stops on budgetUsd before anything is claimed.
				const form = new FormData();
				for (const [key, value] of Object.entries({
					'field-0': 'Form spot',
					'field-1': 'A kettle boils on the stove.',
					'field-4': '80',
				}))
					form.append(key, value);
				expect(
					(
						await fetch(`${server.url}/form/${FORM_ID}`, {
							method: 'POST',
							body: form,
							headers: { authorization: FORM_LOGIN },
						})
					).status,
				).toBe(200);
				// A webhook's refusal ends where it answered; the form hands its brief to the same check, whose
				// execution fails with the field named.
				const refused = await finished(n8n, server, STUDIO, before, HOSTILE_BUDGETS.length + 3);
				expect(refused.filter((e) => e.status === 'error')).toHaveLength(1);

				expect(await ledger()).toEqual([]);
				expect(filesUnder(TEMPLATE_DELIVERY)).toEqual([]);
			},
			E2E_TIMEOUT,
		);

		it(
			'refuses path-traversal, glob, NUL and right-to-left IDs through every webhook and MCP tool, naming the field',
			async () => {
				for (const id of HOSTILE_IDS) {
					await expectRefused(await post('video-brief', brief({ runId: id })), 'runId');
					await expectRefused(
						await post('video-reshoot', { runId: id, shotId: 'shot-01', budgetUsd: 5 }),
						'runId',
					);
					await expectRefused(
						await post('video-reshoot', { runId: 'any-run', shotId: id, budgetUsd: 5 }),
						'shotId',
					);
					expect(
						await tool('render_brief', {
							brand: 'Guarded',
							script: 'A kettle boils.',
							budgetUsd: 5,
							runId: id,
						}),
					).toMatch(/render_brief: runId: /);
					expect(
						await tool('reshoot_shot', { runId: id, shotId: 'shot-01', budgetUsd: 5 }),
					).toMatch(/reshoot_shot: runId: /);
					expect(
						await tool('reshoot_shot', { runId: 'any-run', shotId: id, budgetUsd: 5 }),
					).toMatch(/reshoot_shot: shotId: /);
				}
				expect(
					await tool('render_brief', {
						brand: '../../etc',
						script: 'A kettle boils.',
						budgetUsd: 5,
					}),
				).toMatch(/render_brief: brand: /);
				// Reference images that are not http(s) are refused before a job starts.
				expect(
					await tool('render_brief', {
						brand: 'Guarded',
						script: 'Mara boils a kettle.',
						budgetUsd: 5,
						characters: 'mara: file:///etc/passwd',
					}),
				).toMatch(/render_brief: characters line 1\.referenceUrls\[0\]: /);
				// A reshoot of a run that was never delivered: 404 on runId, nothing read elsewhere or billed.
				await expectRefused(
					await post('video-reshoot', {
						runId: 'never-delivered',
						shotId: 'shot-01',
						budgetUsd: 5,
					}),
					'runId',
					404,
				);
				expect(await ledger()).toEqual([]);
				expect(filesUnder(TEMPLATE_DELIVERY)).toEqual([]);
				expect(existsSync(path.resolve(TEMPLATE_DELIVERY, '../x-claims.txt'))).toBe(false);
			},
			E2E_TIMEOUT,
		);

		const runId = `guarded-${database}-001`;

		it(
			'renders one run for two briefs with the same runId at once, refusing the second with 409, and delivers only to the configured folder',
			async () => {
				const before = executions(n8n, STUDIO).length;
				// Each tries to pick its own delivery folder; neither may.
				const responses = await Promise.all([
					post('video-brief', brief({ runId, deliveryRoot: OUTSIDE })),
					post('video-brief', brief({ runId, deliveryRoot: OUTSIDE })),
				]);
				const answers = await Promise.all(
					responses.map(async (r) => ({
						status: r.status,
						body: (await r.json()) as Record<string, unknown>,
					})),
				);
				expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
				const loser = answers.find((a) => a.status === 409)!.body;
				expect(loser).toMatchObject({
					refused: true,
					field: 'runId',
					error: expect.stringMatching(
						/already rendering or delivered \(claimed by execution \d+\)/,
					),
				});
				expect(answers.find((a) => a.status === 200)!.body).toMatchObject({
					accepted: true,
					runId,
				});

				// The refused brief's execution ends where it answered; the other delivers.
				const done = await finished(n8n, server, STUDIO, before, 2);
				expect(done.map((e) => e.status)).toEqual(['success', 'success']);
				const billed = await ledger();
				// One storyboard call (the vision judge's calls are Google's, per checked take).
				expect(billed.filter((e) => e.unit === 'token' && e.vendor === 'openai')).toHaveLength(1);
				expect(renderDuplicates(await sandboxLedger(sandbox))).toEqual([]);
				const report = JSON.parse(
					readFileSync(path.join(TEMPLATE_DELIVERY, `${runId}-qc-report.json`), 'utf8'),
				);
				expect(report.totals.passed).toBe(report.totals.shots);
				expect(report.cost.totalUsd).toBeCloseTo(
					billed.reduce((sum, e) => sum + e.usd, 0),
					4,
				);
				expect(existsSync(OUTSIDE)).toBe(false);
				expect(filesUnder(TEMPLATE_DELIVERY).every((f) => f.startsWith(`${runId}-`))).toBe(true);

				// Later, the same runId again: refused, nothing billed.
				await expectRefused(await post('video-brief', brief({ runId })), 'runId', 409);
				expect(await ledger()).toHaveLength(billed.length);
			},
			E2E_TIMEOUT,
		);

		it(
			'keeps every take and charge of two reshoots of one run at once, and a later reshoot sees both',
			async () => {
				const before = executions(n8n, RESHOOT).length;
				const paid = (await ledger()).length;
				const responses = await Promise.all(
					['shot-01', 'shot-02'].map((shotId) =>
						post('video-reshoot', {
							runId,
							shotId,
							note: 'Closer framing.',
							budgetUsd: 5,
							deliveryRoot: OUTSIDE,
						}),
					),
				);
				expect(responses.map((r) => r.status)).toEqual([200, 200]);
				const done = await finished(n8n, server, RESHOOT, before, 2);
				expect(done.map((e) => e.status)).toEqual(['success', 'success']);
				// The renders of the two reshoots (the vision judge's token charges aside).
				const reshootJobs = (await ledger())
					.slice(paid)
					.filter((e) => e.unit !== 'token')
					.map((e) => e.jobId);
				expect(reshootJobs).toHaveLength(2);
				for (const jobId of reshootJobs) {
					expect(stateJobIds(runId).takes.has(jobId)).toBe(true);
					expect(stateJobIds(runId).charges.has(jobId)).toBe(true);
				}

				// The next reshoot starts from the merged state: it rewrites run-state.json with every take so far.
				const third = executions(n8n, RESHOOT).length;
				expect(
					(
						await post('video-reshoot', {
							runId,
							shotId: 'shot-01',
							note: 'Warmer light.',
							budgetUsd: 5,
						})
					).status,
				).toBe(200);
				expect((await finished(n8n, server, RESHOOT, third, 1)).map((e) => e.status)).toEqual([
					'success',
				]);
				const all = (await ledger()).filter((e) => e.unit !== 'token').map((e) => e.jobId);
				const state = JSON.parse(
					readFileSync(path.join(TEMPLATE_DELIVERY, `${runId}-run-state.json`), 'utf8'),
				) as {
					shots: Array<{ takes: Array<{ jobId: string }>; ledger: Array<{ jobId: string }> }>;
				};
				expect(state.shots.flatMap((s) => s.takes.map((t) => t.jobId)).sort()).toEqual(
					[...all].sort(),
				);
				for (const jobId of all)
					expect(state.shots.some((s) => s.ledger.some((e) => e.jobId === jobId))).toBe(true);
				expect(existsSync(OUTSIDE)).toBe(false);
			},
			E2E_TIMEOUT,
		);

		it(
			'claims each queued campaign for one batch only when two batches fire at once',
			async () => {
				// The first batch creates the tables (nothing is queued yet, so nothing renders).
				const first = executions(n8n, BATCH_WORKFLOW).length;
				expect((await post('video-batch', {})).status).toBe(200);
				expect(
					(await finished(n8n, server, BATCH_WORKFLOW, first, 1)).map((e) => e.status),
				).toEqual(['success']);
				const [table] = n8n.query<{ id: string }>(
					"SELECT id FROM data_table WHERE name = 'video_campaigns'",
				);
				const row = (brand: string, script: string) =>
					`('${brand}', 'Kettle', '${script}', '', '', '', 1, '16:9', 8, 10, 'queued')`;
				n8n.exec(
					`INSERT INTO ${dataTableName(table.id)} (brand, product, script, brief, "referenceImages", look, variants, "aspectRatios", "targetSeconds", "budgetUsd", status) VALUES ${row('Cas Tea', 'Mia pours tea from the Kettle. Steam rises.')}, ${row('Cas Coffee', 'Leo fills the Kettle at dawn. Coffee drips into a cup.')}`,
				);

				const paid = await ledger();
				const before = executions(n8n, BATCH_WORKFLOW).length;
				const responses = await Promise.all([post('video-batch', {}), post('video-batch', {})]);
				expect(responses.map((r) => r.status)).toEqual([200, 200]);
				const done = await finished(n8n, server, BATCH_WORKFLOW, before, 2);
				expect(done.map((e) => e.status)).toEqual(['success', 'success']);

				const campaigns = n8n.dataTable<{ brand: string; status: string; batch: string }>(
					'video_campaigns',
				);
				expect(campaigns.map((c) => [c.brand, c.status])).toEqual([
					['Cas Tea', 'delivered'],
					['Cas Coffee', 'delivered'],
				]);
				expect(campaigns.every((c) => done.some((e) => String(e.id) === String(c.batch)))).toBe(
					true,
				);
				// One storyboard call per campaign, one render per shot: no campaign was rendered twice.
				const added = (await ledger()).slice(paid.length);
				expect(added.filter((e) => e.unit === 'token' && e.vendor === 'openai')).toHaveLength(2);
				expect(renderDuplicates(await sandboxLedger(sandbox))).toEqual([]);
				const runs = n8n.dataTable<{ runId: string; costUsd: number }>('video_campaign_runs');
				expect(runs).toHaveLength(2);
				expect(runs.reduce((sum, r) => sum + r.costUsd, 0)).toBeCloseTo(
					added.reduce((sum, e) => sum + e.usd, 0),
					4,
				);
			},
			E2E_TIMEOUT,
		);
	},
);
