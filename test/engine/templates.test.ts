import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { INodeProperties } from 'n8n-workflow';
import { SAFE_ID_PATTERN } from '../../nodes/shared/contract/schemas';
import { packageLoader, PACKAGE_NAME } from '../harness/engine';

const DIR = path.join(__dirname, '../../workflows');
const templates = readdirSync(DIR)
	.filter((file) => file.endsWith('.json'))
	.map((file) => ({ file, workflow: JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) }));

/** Parameter names a node accepts, with the options of collections and fixed collections. */
function knownNames(properties: INodeProperties[]): Set<string> {
	const names = new Set<string>();
	for (const property of properties) names.add(property.name);
	return names;
}

describe('templates match the nodes they use', () => {
	it('ships templates', () => {
		expect(templates.map((t) => t.file).sort()).toEqual([
			'assemble-cut.json',
			'error-reporter.json',
			'mcp-server.json',
			'mcp-tools.json',
			'reshoot-one-shot.json',
			'scheduled-ad-batch.json',
			'studio-brief-aggregator-broll.json',
			'studio-brief-by-reference.json',
			'studio-brief-to-delivery.json',
		]);
	});

	it.each(templates)(
		'$file: every node of ours exists and every parameter is one the node declares',
		async ({ workflow }) => {
			const loader = await packageLoader();
			for (const node of workflow.nodes) {
				if (!node.type.startsWith(`${PACKAGE_NAME}.`)) continue;
				const type = loader.getNode(node.type.split('.')[1]).type as {
					description: { properties: INodeProperties[]; credentials?: Array<{ name: string }> };
				};
				const names = knownNames(type.description.properties);
				for (const parameter of Object.keys(node.parameters))
					expect(`${node.name}.${parameter}: ${names.has(parameter)}`).toBe(
						`${node.name}.${parameter}: true`,
					);
				for (const credential of Object.keys(node.credentials ?? {}))
					expect(type.description.credentials?.map((c) => c.name)).toContain(credential);
			}
		},
	);

	it.each(templates)('$file: connections name existing nodes', ({ workflow }) => {
		const names = new Set(workflow.nodes.map((n: { name: string }) => n.name));
		for (const [source, outputs] of Object.entries(workflow.connections) as Array<
			[string, Record<string, Array<Array<{ node: string }>>>]
		>) {
			expect(names.has(source)).toBe(true);
			for (const target of Object.values(outputs).flat(2))
				expect(names.has(target.node)).toBe(true);
		}
	});

	it.each(templates.filter((t) => JSON.stringify(t.workflow).includes('const SAFE_ID = ')))(
		"$file: every request check uses the contract's safe ID pattern",
		({ workflow }) => {
			const checks = workflow.nodes.filter((n: { parameters: { jsCode?: string } }) =>
				n.parameters.jsCode?.includes('const SAFE_ID = '),
			);
			expect(checks.length).toBeGreaterThan(0);
			for (const check of checks)
				expect(/const SAFE_ID = \/(.*)\/;/.exec(check.parameters.jsCode)![1]).toBe(
					SAFE_ID_PATTERN.source,
				);
		},
	);

	it.each(templates)(
		"$file: no file name is built from a request's deliveryRoot",
		({ workflow }) => {
			const text = JSON.stringify(workflow.nodes.map((n: { parameters: unknown }) => n.parameters));
			expect(text).not.toMatch(
				/\$json\.deliveryRoot|request\.deliveryRoot \|\||body\.deliveryRoot/,
			);
		},
	);

	it("reshoot-one-shot.json: two reshoots of one run merge into one state, every take and charge kept, another run's files ignored", () => {
		const reshoot = templates.find((t) => t.file === 'reshoot-one-shot.json')!.workflow;
		const code = reshoot.nodes.find((n: { name: string }) => n.name === 'Merged Run State')
			.parameters.jsCode as string;
		const take = (jobId: string) => ({ jobId, layer: 'control' });
		const charge = (jobId: string, usd: number) => ({
			layer: 'control',
			vendor: 'runway',
			model: 'gen4.5',
			jobId,
			usd,
		});
		const shot = (id: string, jobs: string[], status = 'passed') => ({
			shot: { id },
			takes: jobs.map(take),
			ledger: jobs.map((j) => charge(j, 1)),
			qc: { status },
		});
		const base = { runId: 'run-a', shots: [shot('shot-01', ['j1']), shot('shot-02', ['j2'])] };
		// Both reshoots started from the same state; each file holds only its own new take.
		const files = [
			base,
			{
				runId: 'run-a',
				reshoot: 'shot-01',
				execution: '7',
				writtenAt: '2026-12-01T10:00:01.000Z',
				item: shot('shot-01', ['j1', 'j3']),
			},
			{
				runId: 'run-a',
				reshoot: 'shot-02',
				execution: '8',
				writtenAt: '2026-12-01T10:00:00.000Z',
				item: shot('shot-02', ['j2', 'j4'], 'needs_review'),
			},
			{
				runId: 'run-a',
				reshoot: 'shot-01',
				execution: '9',
				writtenAt: '2026-12-01T10:00:02.000Z',
				item: shot('shot-01', ['j1', 'j5']),
			},
			// run-a-run-state.json's glob also matches files of a run named run-a-run-state.x: never merged.
			{ runId: 'run-a-run-state.x', shots: [shot('shot-01', ['foreign'])] },
		];
		const $ = () => ({ first: () => ({ json: { runId: 'run-a', shotId: 'shot-01' } }) });
		const $input = { all: () => files.map((data) => ({ json: { data } })) };
		const [{ json: merged }] = new Function('$', '$input', code)($, $input);
		expect(
			merged.shots.map((s: { takes: Array<{ jobId: string }> }) => s.takes.map((t) => t.jobId)),
		).toEqual([
			['j1', 'j3', 'j5'],
			['j2', 'j4'],
		]);
		expect(
			merged.shots.map((s: { ledger: Array<{ jobId: string }> }) => s.ledger.map((e) => e.jobId)),
		).toEqual([
			['j1', 'j3', 'j5'],
			['j2', 'j4'],
		]);
		expect(merged.shots[1].qc.status).toBe('needs_review');
	});

	describe('request checks refuse hostile budgets and IDs, naming the field', () => {
		const HOSTILE_IDS = [
			'../x',
			'../../etc/passwd',
			'*',
			'run-*',
			'a\u0000b',
			'x\u202Egpj.mp4',
			'a/b',
			'..',
		];
		const HOSTILE_BUDGETS: unknown[] = [
			0,
			null,
			undefined,
			-5,
			51,
			1e6,
			'abc',
			'',
			'1e6',
			true,
			{},
		];
		const codeOf = (file: string, name: string) =>
			templates
				.find((t) => t.file === file)!
				.workflow.nodes.find((n: { name: string }) => n.name === name).parameters.jsCode as string;
		/** Runs a check with the trigger `executed` having fired with `body`; returns its item, or the error it threw. */
		function check(
			file: string,
			name: string,
			settings: Record<string, unknown>,
			executed: string,
			body: Record<string, unknown>,
		): { json?: any; error?: string } {
			const $ = (node: string) => ({
				isExecuted: node === executed,
				first: () => ({
					json:
						node === executed
							? executed.endsWith('Webhook')
								? { body }
								: body
							: node === 'Tool Call'
								? body
								: settings,
				}),
			});
			try {
				const [item] = new Function('$', '$input', '$execution', codeOf(file, name))(
					$,
					{ first: () => ({ json: settings }) },
					{ id: 41 },
				);
				return { json: item.json };
			} catch (error) {
				return { error: (error as Error).message };
			}
		}
		const studio = (body: Record<string, unknown>) =>
			check(
				'studio-brief-to-delivery.json',
				'Check Brief',
				{ deliveryRoot: '/d', maxBudgetUsd: 50, maxTargetSeconds: 60 },
				'Brief Webhook',
				body,
			);
		const reshoot = (body: Record<string, unknown>) =>
			check(
				'reshoot-one-shot.json',
				'Reshoot Request',
				{ deliveryRoot: '/d', maxBudgetUsd: 50 },
				'Reshoot Webhook',
				body,
			);
		const mcp = (name: string, body: Record<string, unknown>) =>
			check(
				'mcp-tools.json',
				name,
				{
					maxBudgetUsd: 50,
					maxTargetSeconds: 60,
					defaultWaitSeconds: 45,
					maxWaitSeconds: 50,
					deliveryRoot: '/d',
				},
				'-',
				body,
			);
		const brief = { project: 'Spot', script: 'A kettle boils.', budgetUsd: 10 };

		it('accepts a good brief and reshoot, with the folder from the settings whatever the body says', () => {
			expect(studio({ ...brief, runId: 'spot-1', deliveryRoot: '/etc' }).json).toMatchObject({
				runId: 'spot-1',
				budgetUsd: 10,
			});
			expect(JSON.stringify(studio({ ...brief, deliveryRoot: '/etc' }).json)).not.toContain('/etc');
			expect(
				reshoot({ runId: 'spot-1', shotId: 'shot-02', budgetUsd: 5, deliveryRoot: '/etc' }).json,
			).toEqual({ via: 'webhook', runId: 'spot-1', shotId: 'shot-02', note: '', budgetUsd: 5 });
		});

		it.each(HOSTILE_BUDGETS.map((budgetUsd) => ({ budgetUsd })))(
			'budgetUsd $budgetUsd: studio, reshoot and both MCP tools refuse it',
			({ budgetUsd }) => {
				expect(studio({ ...brief, budgetUsd }).json!.refused).toMatchObject({
					status: 422,
					field: 'budgetUsd',
					error: expect.stringMatching(/^budgetUsd: /),
				});
				expect(reshoot({ runId: 'r', shotId: 'shot-01', budgetUsd }).json!.refused).toMatchObject({
					status: 422,
					field: 'budgetUsd',
				});
				expect(
					mcp('Brief Request', { tool: 'render_brief', brand: 'B', script: 's', budgetUsd }).error,
				).toMatch(/^render_brief: budgetUsd: /);
				expect(
					mcp('Reshoot Request', { tool: 'reshoot_shot', runId: 'r', shotId: 'shot-01', budgetUsd })
						.error,
				).toMatch(/^reshoot_shot: budgetUsd: /);
			},
		);

		it.each(HOSTILE_IDS.map((id) => ({ id, shown: JSON.stringify(id) })))(
			'ID $shown: refused as runId and shotId everywhere',
			({ id }) => {
				expect(studio({ ...brief, runId: id }).json!.refused).toMatchObject({
					status: 422,
					field: 'runId',
				});
				expect(reshoot({ runId: id, shotId: 'shot-01', budgetUsd: 5 }).json!.refused).toMatchObject(
					{ field: 'runId' },
				);
				expect(reshoot({ runId: 'r', shotId: id, budgetUsd: 5 }).json!.refused).toMatchObject({
					field: 'shotId',
				});
				expect(
					mcp('Brief Request', {
						tool: 'render_brief',
						brand: 'B',
						script: 's',
						budgetUsd: 5,
						runId: id,
					}).error,
				).toMatch(/^render_brief: runId: /);
				expect(
					mcp('Reshoot Request', {
						tool: 'reshoot_shot',
						runId: id,
						shotId: 'shot-01',
						budgetUsd: 5,
					}).error,
				).toMatch(/^reshoot_shot: runId: /);
				expect(
					mcp('Reshoot Request', { tool: 'reshoot_shot', runId: 'r', shotId: id, budgetUsd: 5 })
						.error,
				).toMatch(/^reshoot_shot: shotId: /);
				// What the refusal prints shows an invisible or right-to-left character escaped.
				expect(studio({ ...brief, runId: id }).json!.refused.error).not.toMatch(/[\u0000\u202E]/);
			},
		);
	});
});
