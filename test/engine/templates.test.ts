import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { INodeProperties } from 'n8n-workflow';
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
			'studio-brief-aggregator-broll.json',
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
});
