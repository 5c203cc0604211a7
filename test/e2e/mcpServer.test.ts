import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { sandboxCredentials } from '../../sandbox/credentials';
import {
	templateInstance,
	TEMPLATE_DELIVERY,
	TEMPLATE_HOME,
	type N8nInstance,
	type N8nProcess,
} from '../harness/n8nCli';
import { connectMcp as connect } from '../harness/mcpClient';
import { sandboxLedger, withSandbox, type Sandbox, renderDuplicates } from '../harness/sandbox';

const E2E_TIMEOUT = 30 * 60 * 1000;
const TOKEN = { 'X-Mcp-Token': 'sandbox-mcp-token' };
const WORKFLOWS = [
	'error-reporter.json',
	'studio-brief-to-delivery.json',
	'reshoot-one-shot.json',
	'mcp-tools.json',
	'mcp-server.json',
];

interface LedgerEntry {
	vendor: string;
	unit: string;
	usd: number;
	jobId: string;
}

/**
 * The pipeline as MCP tools, in the real n8n (2.41, `n8n start`) serving the MCP template, its
 * tools workflow and the studio and reshoot templates, against the sandbox.
 */
describe('the pipeline over MCP', () => {
	let sandbox: Sandbox;
	let n8n: N8nInstance;
	let server: N8nProcess;
	let client: Client;

	beforeAll(async () => {
		sandbox = await withSandbox({
			config: { renderMs: { openai: 300, google: 300, runway: 300 } },
		});
		n8n = await templateInstance(sandboxCredentials(sandbox), WORKFLOWS, [
			'vpStudioBriefDelivery',
			'vpReshootOneShot',
			'vpMcpTools',
			'vpMcpServer',
		]);
		rmSync(TEMPLATE_DELIVERY, { recursive: true, force: true });
		mkdirSync(TEMPLATE_DELIVERY, { recursive: true });
		server = await n8n.start({ HOME: TEMPLATE_HOME });
		client = await connect(server, TOKEN);
	}, E2E_TIMEOUT);
	afterAll(async () => {
		await client?.close();
		await server?.stop();
		await sandbox?.stop();
	}, E2E_TIMEOUT);

	/**
	 * Calls a tool and parses its answer: n8n's workflow tool answers with the items of the tools
	 * workflow's last node as JSON (one item each here); a tool error comes back as its text.
	 */
	async function call(name: string, args: Record<string, unknown> = {}): Promise<any> {
		const result = (await client.callTool({ name, arguments: args }, undefined, {
			timeout: 120_000,
		})) as { content: Array<{ type: string; text: string }> };
		const text = result.content.map((c) => c.text).join('');
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			return text;
		}
		expect(parsed).toHaveLength(1);
		return (parsed as unknown[])[0];
	}

	async function until(runId: string, timeoutMs = 5 * 60 * 1000): Promise<any> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const run = await call('get_run', { runId });
			if (run.status !== 'rendering') return run;
			if (Date.now() > deadline)
				throw new Error(`run ${runId} still rendering:\n${server.output().slice(-3000)}`);
			await new Promise((resolve) => setTimeout(resolve, 2000));
		}
	}

	const ledger = async (): Promise<LedgerEntry[]> => (await sandboxLedger(sandbox)).entries;
	const brief = {
		brand: 'Harbor Bakery',
		project: 'Morning loaf',
		script:
			'Ada pulls a loaf from the oven at dawn. She smiles at the first customer: "Still warm!" Steam rises from the bread.',
		targetSeconds: 12,
		budgetUsd: 20,
	};

	it(
		'refuses a client without the header, and lists the five tools with schemas written for an agent',
		async () => {
			await expect(connect(server, { 'X-Mcp-Token': 'wrong' }, 0)).rejects.toThrow(
				/Authorization data is wrong/,
			);
			// The studio webhooks' header does not open the MCP server.
			await expect(connect(server, { 'X-Brief-Token': 'sandbox-brief-token' }, 0)).rejects.toThrow(
				/Authorization data is wrong/,
			);
			const { tools } = await client.listTools();
			expect(tools.map((t) => t.name).sort()).toEqual([
				'get_pin',
				'get_run',
				'list_pins',
				'render_brief',
				'reshoot_shot',
			]);
			const tool = (name: string) => tools.find((t) => t.name === name)!;
			const render = tool('render_brief');
			expect(render.description).toMatch(/COSTS REAL MONEY/);
			expect(render.description).toMatch(/at most \$50 per call/);
			expect(render.inputSchema.properties).toMatchObject({
				brand: { type: 'string' },
				script: { type: 'string' },
				budgetUsd: { type: 'number', description: expect.stringMatching(/at most 50/) },
				targetSeconds: { type: 'number', default: 20 },
				waitSeconds: { type: 'number', default: 45 },
			});
			expect([...(render.inputSchema.required ?? [])].sort()).toEqual([
				'brand',
				'budgetUsd',
				'script',
			]);
			expect([...(tool('reshoot_shot').inputSchema.required ?? [])].sort()).toEqual([
				'budgetUsd',
				'runId',
				'shotId',
			]);
			expect(tool('reshoot_shot').description).toMatch(/COSTS REAL MONEY/);
			expect(tool('get_run').inputSchema.required).toEqual(['runId']);
			for (const free of ['get_run', 'list_pins', 'get_pin'])
				expect(tool(free).description).toMatch(/\(free\)/);
			expect(await call('list_pins')).toEqual({ count: 0, pins: [] });
		},
		E2E_TIMEOUT,
	);

	it(
		'refuses a budget above the server cap before anything is paid',
		async () => {
			const answer = await call('render_brief', { ...brief, budgetUsd: 80 });
			expect(answer).toMatch(
				/render_brief: budgetUsd: \$80 is above this server's cap of \$50 per call/,
			);
			expect(await ledger()).toEqual([]);
		},
		E2E_TIMEOUT,
	);

	let runId: string;

	it(
		'answers a long render with its run ID at once, never pays twice for a repeated call, and get_run returns the delivery summary',
		async () => {
			const started = await call('render_brief', { ...brief, waitSeconds: 0 });
			expect(started).toMatchObject({
				found: true,
				kind: 'brief',
				status: 'rendering',
				brand: 'Harbor Bakery',
				budgetUsd: 20,
			});
			expect(started.message).toMatch(/get_run/);
			runId = started.runId;
			expect(runId).toMatch(/^harbor-bakery-[0-9a-f]{8}$/);
			// The agent asks again while it renders: the same run comes back, nothing new starts.
			expect(await call('render_brief', { ...brief, waitSeconds: 0 })).toMatchObject({
				runId,
				status: 'rendering',
			});

			const run = await until(runId);
			expect(run).toMatchObject({ runId, status: 'delivered', totals: { needsReview: 0 } });
			expect(run.totals.passed).toBe(run.totals.shots);
			expect(run.shots).toHaveLength(run.totals.shots);
			for (const shot of run.shots) {
				expect(shot).toMatchObject({ outcome: 'passed', id: expect.stringMatching(/^shot-\d\d$/) });
				expect(shot.verdicts.some((v: string) => v.startsWith('pass duration'))).toBe(true);
			}
			expect(Object.keys(run.cost.perLayerUsd).sort()).toEqual(
				expect.arrayContaining(['narrative']),
			);
			expect(existsSync(run.delivery.report)).toBe(true);
			for (const master of run.delivery.masters)
				expect(statSync(master).size).toBeGreaterThan(1000);

			// What the run reports is what the vendors billed; one storyboard call, each render once.
			const billed = await ledger();
			expect(run.cost.totalUsd).toBeCloseTo(
				billed.reduce((sum, e) => sum + e.usd, 0),
				4,
			);
			expect(billed.filter((e) => e.unit === 'token' && e.vendor === 'openai')).toHaveLength(1);
			expect(renderDuplicates(await sandboxLedger(sandbox))).toEqual([]);
			expect(run.cost.totalUsd).toBeLessThanOrEqual(20);

			// Asked once more after delivery: the summary again, nothing billed.
			expect(await call('render_brief', brief)).toMatchObject({ runId, status: 'delivered' });
			expect(await ledger()).toHaveLength(billed.length);
		},
		E2E_TIMEOUT,
	);

	it(
		'stores the brand pin, lists it, returns it in full, and reuses it for the brand’s next brief',
		async () => {
			const report = JSON.parse(
				readFileSync(path.join(TEMPLATE_DELIVERY, `${runId}-qc-report.json`), 'utf8'),
			);
			const listed = await call('list_pins');
			expect(listed).toMatchObject({
				count: 1,
				pins: [{ brand: 'Harbor Bakery', fingerprint: report.pinFingerprint, fromRun: runId }],
			});
			const pin = await call('get_pin', { brand: 'Harbor Bakery' });
			expect(pin).toMatchObject({
				found: true,
				fingerprint: report.pinFingerprint,
				pin: {
					fingerprint: report.pinFingerprint,
					grade: { look: expect.any(String) },
					audioBed: { mood: expect.any(String) },
				},
			});
			expect(await call('get_pin', { brand: 'Nobody' })).toMatchObject({ found: false });

			// A second brief of the brand finishes within its wait and renders under the same pin.
			const second = await call('render_brief', {
				...brief,
				project: 'Evening loaf',
				script: 'Ada dusts flour over a fresh batch. The shop lights glow at dusk.',
				targetSeconds: 8,
				waitSeconds: 50,
			});
			expect(second).toMatchObject({ status: 'delivered', pinFingerprint: report.pinFingerprint });
			expect(second.runId).not.toBe(runId);
			expect((await call('list_pins')).count).toBe(1);
		},
		E2E_TIMEOUT,
	);

	it(
		'reshoots one shot within the cap and reports it; a cap too small for a render is refused by the pipeline, unpaid',
		async () => {
			const before = await ledger();
			const reshoot = await call('reshoot_shot', {
				runId,
				shotId: 'shot-02',
				note: 'Tighter framing on the loaf.',
				budgetUsd: 5,
				waitSeconds: 50,
			});
			expect(reshoot).toMatchObject({
				kind: 'reshoot',
				status: 'delivered',
				shots: [{ id: 'shot-02', outcome: 'passed' }],
			});
			// One render (the vision judge's token charges aside).
			const added = (await ledger()).slice(before.length);
			expect(added.filter((e) => e.unit !== 'token')).toHaveLength(1);
			expect(reshoot.cost.totalUsd).toBeGreaterThan(0);
			expect(await call('get_run', { runId: reshoot.runId })).toMatchObject({
				status: 'delivered',
				runId: reshoot.runId,
			});
			// The run state now carries the new take, so a later reshoot counts what this one spent.
			const state = JSON.parse(
				readFileSync(path.join(TEMPLATE_DELIVERY, `${runId}-run-state.json`), 'utf8'),
			);
			expect(
				state.shots
					.find((s: { shot: { id: string } }) => s.shot.id === 'shot-02')
					.ledger.map((e: LedgerEntry) => e.jobId),
			).toContain(added.find((e) => e.unit !== 'token')!.jobId);

			const refused = await call('reshoot_shot', {
				runId,
				shotId: 'shot-01',
				note: 'Warmer light.',
				budgetUsd: 0.05,
				waitSeconds: 50,
			});
			expect(refused).toMatchObject({
				status: 'failed',
				error: expect.stringMatching(/refused before submitting/),
				message: expect.stringMatching(/change the request/),
			});
			expect((await ledger()).filter((e) => e.unit !== 'token')).toHaveLength(
				before.filter((e) => e.unit !== 'token').length + 1,
			);
		},
		E2E_TIMEOUT,
	);

	it(
		'starts one run for two identical calls at the same moment',
		async () => {
			const before = await ledger();
			const twin = {
				...brief,
				project: 'Twin call',
				script: 'Ada slices a loaf on the counter. Crumbs fall onto the board.',
				targetSeconds: 8,
				waitSeconds: 0,
			};
			const [first, second] = await Promise.all([
				call('render_brief', twin),
				call('render_brief', twin),
			]);
			expect(first.runId).toBe(second.runId);
			const run = await until(first.runId);
			expect(run.status).toBe('delivered');
			// One storyboard call and one render per shot: the second call started nothing.
			const added = (await ledger()).slice(before.length);
			expect(added.filter((e) => e.unit === 'token' && e.vendor === 'openai')).toHaveLength(1);
			expect(added.filter((e) => e.unit !== 'token')).toHaveLength(run.totals.renders);
			expect(run.cost.totalUsd).toBeCloseTo(
				added.reduce((sum, e) => sum + e.usd, 0),
				4,
			);
		},
		E2E_TIMEOUT,
	);
});
