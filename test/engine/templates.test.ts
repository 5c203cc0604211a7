import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { INodeProperties } from 'n8n-workflow';
import { SAFE_ID_PATTERN } from '../../nodes/shared/contract/schemas';
import { packageLoader, PACKAGE_NAME } from '../harness/engine';

const DIR = path.join(__dirname, '../../workflows');
const templates = readdirSync(DIR).filter((file) => file.endsWith('.json')).map((file) => ({ file, workflow: JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) }));

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
			'studio-brief-by-reference.json',
			'studio-brief-to-delivery.json',
		]);
	});

	it.each(templates)('$file: every node of ours exists and every parameter is one the node declares', async ({ workflow }) => {
		const loader = await packageLoader();
		for (const node of workflow.nodes) {
			if (!node.type.startsWith(`${PACKAGE_NAME}.`)) continue;
			const type = loader.getNode(node.type.split('.')[1]).type as { description: { properties: INodeProperties[]; credentials?: Array<{ name: string }> } };
			const names = knownNames(type.description.properties);
			for (const parameter of Object.keys(node.parameters)) expect(`${node.name}.${parameter}: ${names.has(parameter)}`).toBe(`${node.name}.${parameter}: true`);
			for (const credential of Object.keys(node.credentials ?? {})) expect(type.description.credentials?.map((c) => c.name)).toContain(credential);
		}
	});

	it.each(templates)('$file: connections name existing nodes', ({ workflow }) => {
		const names = new Set(workflow.nodes.map((n: { name: string }) => n.name));
		for (const [source, outputs] of Object.entries(workflow.connections) as Array<[string, Record<string, Array<Array<{ node: string }>>>]>) {
			expect(names.has(source)).toBe(true);
			for (const target of Object.values(outputs).flat(2)) expect(names.has(target.node)).toBe(true);
		}
	});

	it.each(templates.filter((t) => JSON.stringify(t.workflow).includes('const SAFE_ID = ')))('$file: every request check uses the contract\'s safe ID pattern', ({ workflow }) => {
		const checks = workflow.nodes.filter((n: { parameters: { jsCode?: string } }) => n.parameters.jsCode?.includes('const SAFE_ID = '));
		expect(checks.length).toBeGreaterThan(0);
		for (const check of checks) expect(/const SAFE_ID = \/(.*)\/;/.exec(check.parameters.jsCode)![1]).toBe(SAFE_ID_PATTERN.source);
	});

	it.each(templates)('$file: no file name is built from a request\'s deliveryRoot', ({ workflow }) => {
		const text = JSON.stringify(workflow.nodes.map((n: { parameters: unknown }) => n.parameters));
		expect(text).not.toMatch(/\$json\.deliveryRoot|request\.deliveryRoot \|\||body\.deliveryRoot/);
	});

	it('reshoot-one-shot.json: two reshoots of one run merge into one state, every take and charge kept, another run\'s files ignored', () => {
		const reshoot = templates.find((t) => t.file === 'reshoot-one-shot.json')!.workflow;
		const code = reshoot.nodes.find((n: { name: string }) => n.name === 'Merged Run State').parameters.jsCode as string;
		const take = (jobId: string) => ({ jobId, layer: 'control' });
		const charge = (jobId: string, usd: number) => ({ layer: 'control', vendor: 'runway', model: 'gen4.5', jobId, usd });
		const shot = (id: string, jobs: string[], status = 'passed') => ({ shot: { id }, takes: jobs.map(take), ledger: jobs.map((j) => charge(j, 1)), qc: { status } });
		const base = { runId: 'run-a', shots: [shot('shot-01', ['j1']), shot('shot-02', ['j2'])] };
		// Both reshoots started from the same state; each file holds only its own new take.
		const files = [
			base,
			{ runId: 'run-a', reshoot: 'shot-01', execution: '7', writtenAt: '2026-12-01T10:00:01.000Z', item: shot('shot-01', ['j1', 'j3']) },
			{ runId: 'run-a', reshoot: 'shot-02', execution: '8', writtenAt: '2026-12-01T10:00:00.000Z', item: shot('shot-02', ['j2', 'j4'], 'needs_review') },
			{ runId: 'run-a', reshoot: 'shot-01', execution: '9', writtenAt: '2026-12-01T10:00:02.000Z', item: shot('shot-01', ['j1', 'j5']) },
			// run-a-run-state.json's glob also matches files of a run named run-a-run-state.x: never merged.
			{ runId: 'run-a-run-state.x', shots: [shot('shot-01', ['foreign'])] },
		];
		const $ = () => ({ first: () => ({ json: { runId: 'run-a', shotId: 'shot-01' } }) });
		const $input = { all: () => files.map((data) => ({ json: { data } })) };
		const [{ json: merged }] = new Function('$', '$input', code)($, $input);
		expect(merged.shots.map((s: { takes: Array<{ jobId: string }> }) => s.takes.map((t) => t.jobId))).toEqual([['j1', 'j3', 'j5'], ['j2', 'j4']]);
		expect(merged.shots.map((s: { ledger: Array<{ jobId: string }> }) => s.ledger.map((e) => e.jobId))).toEqual([['j1', 'j3', 'j5'], ['j2', 'j4']]);
		expect(merged.shots[1].qc.status).toBe('needs_review');
	});
});

