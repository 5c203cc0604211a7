import { spawnSync } from 'child_process';
import * as path from 'path';

// ESLint loads its flat config with import(), which jest's VM cannot run; a child process runs the
// project's real config (the same one `npm run lint` uses) over sample sources and the tree.
const root = path.resolve(__dirname, '../..');

interface Sample {
	name: string;
	filePath: string;
	code: string;
}

interface LintOutcome {
	name: string;
	messages: { ruleId: string | null; message: string }[];
}

function lint(samples: Sample[]): { samples: LintOutcome[]; tree: LintOutcome[] } {
	const script = `
		const { ESLint } = require('eslint');
		(async () => {
			const samples = JSON.parse(process.env.SAMPLES);
			const eslint = new ESLint({ cwd: process.cwd() });
			const out = { samples: [], tree: [] };
			for (const sample of samples) {
				const [result] = await eslint.lintText(sample.code, { filePath: sample.filePath });
				out.samples.push({ name: sample.name, messages: result.messages });
			}
			for (const result of await eslint.lintFiles(['nodes'])) {
				out.tree.push({ name: result.filePath, messages: result.messages });
			}
			process.stdout.write(JSON.stringify(out));
		})().catch((error) => { console.error(error); process.exit(2); });
	`;
	const run = spawnSync(process.execPath, ['-e', script], {
		cwd: root,
		env: { ...process.env, SAMPLES: JSON.stringify(samples) },
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
	});
	if (run.status !== 0) throw new Error(`eslint run failed: ${run.stderr}`);
	return JSON.parse(run.stdout);
}

const boundaryMessages = (outcome: LintOutcome) =>
	outcome.messages.filter((m) => m.ruleId === 'local/node-boundaries').map((m) => m.message);

const samples: Sample[] = [
	{
		name: 'helper reaching into another node',
		filePath: 'nodes/QcRouter/helpers/sample.ts',
		code: "export { googleEndpoint } from '../../GoogleVeo/transport';\n",
	},
	{
		name: 'operation reaching into another node',
		filePath: 'nodes/PinState/actions/pin/sample.operation.ts',
		code: "import { uploadToRunway } from '../../../Runway/helpers/media';\nexport const upload = uploadToRunway;\n",
	},
	{
		name: 'dynamic import of another node',
		filePath: 'nodes/Aggregator/helpers/sample.ts',
		code: "export const load = async () => await import('../../Runway/helpers/plan');\n",
	},
	{
		name: 'shared code reaching into a node',
		filePath: 'nodes/shared/render/sample.ts',
		code: "export { runwayRatio } from '../../Runway/helpers/ratios';\n",
	},
	{
		name: 'operation importing a sibling operation',
		filePath: 'nodes/Runway/actions/video/sample.operation.ts',
		code: "import { execute } from './imageToVideo.operation';\nexport const run = execute;\n",
	},
	{
		name: "operation importing another resource's operation",
		filePath: 'nodes/Runway/actions/task/sample.operation.ts',
		code: "export { execute } from '../video/upscale.operation';\n",
	},
	{
		name: 'import-equals require of another node',
		filePath: 'nodes/QcRouter/helpers/sample.ts',
		code: "import transport = require('../../GoogleVeo/transport');\nexport const t = transport;\n",
	},
	{
		name: 'plain require of another node',
		filePath: 'nodes/PinState/helpers/sample.ts',
		code: "export const media = require('../../Runway/helpers/media');\n",
	},
	{
		name: "helper passing an operation's export on",
		filePath: 'nodes/Runway/helpers/sample.ts',
		code: "export { description } from '../actions/video/imageToVideo.operation';\n",
	},
	{
		name: 'allowed: own helpers, descriptions and nodes/shared',
		filePath: 'nodes/Runway/actions/video/sample.operation.ts',
		code: [
			"import { videoBody } from '../../helpers/videoBody';",
			"import { modelProperty } from '../descriptions';",
			"import { runwayMediaUri } from '../../../shared/vendors/runway/media';",
			'export const used = [videoBody, modelProperty, runwayMediaUri];',
			'',
		].join('\n'),
	},
	{
		name: 'allowed: a resource index gathering its operations',
		filePath: 'nodes/Runway/actions/task/index.ts',
		code: "import * as get from './get.operation';\nexport { get };\n",
	},
];

describe('lint rule: node folders stay private to their node', () => {
	const result = lint(samples);
	const outcome = (name: string) => result.samples.find((s) => s.name === name)!;

	it('fires on an import from another node, naming both nodes and where the code belongs', () => {
		expect(boundaryMessages(outcome('helper reaching into another node'))).toEqual([
			"'../../GoogleVeo/transport' reaches into the GoogleVeo node from QcRouter: move what both use to nodes/shared/",
		]);
		expect(boundaryMessages(outcome('operation reaching into another node'))).toEqual([
			"'../../../Runway/helpers/media' reaches into the Runway node from PinState: move what both use to nodes/shared/",
		]);
		expect(boundaryMessages(outcome('dynamic import of another node'))).toHaveLength(1);
	});

	it('fires when nodes/shared depends on a node', () => {
		expect(boundaryMessages(outcome('shared code reaching into a node'))).toEqual([
			"'../../Runway/helpers/ratios' reaches into the Runway node from nodes/shared/: shared code must not depend on a node",
		]);
	});

	it("fires on an operation importing another operation's file", () => {
		const expected = (source: string) => [
			`'${source}' is an operation's file: move what both use to the node's helpers/ or actions/descriptions.ts`,
		];
		expect(boundaryMessages(outcome('operation importing a sibling operation'))).toEqual(
			expected('./imageToVideo.operation'),
		);
		expect(boundaryMessages(outcome("operation importing another resource's operation"))).toEqual(
			expected('../video/upscale.operation'),
		);
	});

	it('fires on require() in either form, and on a helper importing an operation', () => {
		expect(boundaryMessages(outcome('import-equals require of another node'))).toEqual([
			"'../../GoogleVeo/transport' reaches into the GoogleVeo node from QcRouter: move what both use to nodes/shared/",
		]);
		expect(boundaryMessages(outcome('plain require of another node'))).toEqual([
			"'../../Runway/helpers/media' reaches into the Runway node from PinState: move what both use to nodes/shared/",
		]);
		expect(boundaryMessages(outcome("helper passing an operation's export on"))).toEqual([
			"'../actions/video/imageToVideo.operation' is an operation's file: move what both use to the node's helpers/ or actions/descriptions.ts",
		]);
	});

	it('lets a node use its own helpers, its descriptions, nodes/shared and its operation index', () => {
		expect(
			boundaryMessages(outcome('allowed: own helpers, descriptions and nodes/shared')),
		).toEqual([]);
		expect(boundaryMessages(outcome('allowed: a resource index gathering its operations'))).toEqual(
			[],
		);
	});

	it('finds nothing in the shipped nodes', () => {
		expect(result.tree.length).toBeGreaterThan(50);
		expect(result.tree.flatMap((file) => boundaryMessages(file))).toEqual([]);
	});
});
