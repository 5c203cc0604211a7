import { NodeHelpers, Workflow, type INode, type INodeTypes } from 'n8n-workflow';
import { QcRouter } from '../../nodes/QcRouter/QcRouter.node';
import { engineFor, unroutable, type EngineRoute } from '../../nodes/QcRouter/helpers/engineRoutes';
import { qcOutputs } from '../../nodes/QcRouter/helpers/outputs';
import { decide } from '../../nodes/shared/qc/decide';
import type { Take } from '../../nodes/shared/contract';
import { validShotItem } from '../fixtures/shotItem';

/** The outputs n8n itself draws for a QC Router with these parameters (its expression engine evaluates the description). */
function drawnOutputs(parameters: Record<string, unknown>): string[] {
	const type = new QcRouter();
	const node: INode = {
		id: 'q',
		name: 'QC Router',
		type: 'n8n-nodes-video-pipeline.qcRouter',
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as never,
	};
	const nodeTypes = {
		getByName: () => type,
		getByNameAndVersion: () => type,
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return NodeHelpers.getNodeOutputs(workflow, node, type.description).map((output) =>
		typeof output === 'string' ? output : String(output.displayName),
	);
}

describe('QC Router outputs (one list, drawn by n8n)', () => {
	it('keeps the six per-layer outputs every template is wired to, by default', () => {
		const expected = [
			'Passed',
			'Re-render Narrative',
			'Re-render Hero',
			'Re-render Control',
			'Needs Review',
			'All Done',
		];
		expect(drawnOutputs({})).toEqual(expected);
		expect(drawnOutputs({ routing: 'layer' })).toEqual(expected);
		expect(qcOutputs({}).map((o) => o.displayName)).toEqual(expected);
	});

	it('draws one Re-render output per engine route; Needs Review and All Done stay at 4 and 5', () => {
		const parameters = {
			routing: 'engine',
			engines: {
				engine: [
					{ name: 'Runway', layer: 'control', vendor: 'runway' },
					{ name: '', layer: 'control', vendor: 'fal' },
					{ name: 'Veo', layer: 'hero', vendor: 'google' },
				],
			},
		};
		expect(drawnOutputs(parameters)).toEqual([
			'Passed',
			'Re-render Narrative',
			'Re-render Runway',
			'Re-render Engine 2',
			'Needs Review',
			'All Done',
			'Re-render Veo',
		]);
		expect(qcOutputs(parameters).map((o) => o.key)).toEqual([
			'passed',
			'narrative',
			'engine:0',
			'engine:1',
			'needs_review',
			'done',
			'engine:2',
		]);
		// Fewer than two engines: the free places are drawn, and Needs Review and All Done do not move.
		expect(drawnOutputs({ routing: 'engine' })).toEqual([
			'Passed',
			'Re-render Narrative',
			'Re-render Engine 1 (not set)',
			'Re-render Engine 2 (not set)',
			'Needs Review',
			'All Done',
		]);
	});

	it('switching a wired QC Router from Per Layer to Per Engine moves no wire off Needs Review or All Done', () => {
		const layer = qcOutputs({}).map((o) => o.key);
		for (const count of [0, 1, 2, 3, 5]) {
			const engine = qcOutputs({
				routing: 'engine',
				engines: {
					engine: Array.from({ length: count }, (_, i) => ({
						name: `E${i}`,
						layer: 'control',
						vendor: 'fal',
					})),
				},
			}).map((o) => o.key);
			for (const key of ['passed', 'narrative', 'needs_review', 'done'] as const)
				expect(engine.indexOf(key)).toBe(layer.indexOf(key));
		}
	});
});

describe('engine routes', () => {
	const item = validShotItem();
	const base = item.takes[0] as Take;
	const take = (over: Partial<Take>): Take => ({ ...base, ...over }) as Take;
	const engines: EngineRoute[] = [
		{ name: 'Runway', layer: 'control', vendor: 'runway' },
		{ name: 'Kling 3', layer: 'control', vendor: 'fal', model: 'fal-ai/kling-video/v3/*' },
		{ name: 'Seedance', layer: 'control', vendor: 'fal', model: 'fal-ai/bytedance/seedance' },
		{ name: 'Veo', layer: 'hero', vendor: 'google' },
		{ name: 'Veo on fal', layer: 'hero', vendor: 'fal' },
	];

	it("sends a shot an engine refused for money back to that engine, not the layer's first", () => {
		const refused = {
			layer: 'control' as const,
			code: 'budget' as const,
			message: 'allowance: refused before submitting',
			neededUsd: 1.2,
			vendor: 'fal' as const,
			model: 'fal-ai/bytedance/seedance',
		};
		// A first render (no take yet) refused on Seedance goes back to Seedance.
		expect(engineFor(engines, 'control', [], refused)).toEqual({ index: 2 });
		// The refusal is newer than the take before it.
		const runway = take({ layer: 'control', vendor: 'runway', model: 'gen4.5' });
		expect(engineFor(engines, 'control', [runway], refused)).toEqual({ index: 2 });
		// A render error of another layer does not decide this one.
		expect(engineFor(engines, 'hero', [], refused)).toEqual({ index: 3 });
	});

	it('sends a shot back to the engine that last rendered it on that layer, by vendor and model', () => {
		const kling = take({ layer: 'control', vendor: 'fal', model: 'fal-ai/kling-video/v3/pro/t2v' });
		const seedance = take({ layer: 'control', vendor: 'fal', model: 'fal-ai/bytedance/seedance' });
		const runway = take({ layer: 'control', vendor: 'runway', model: 'gen4.5' });
		expect(engineFor(engines, 'control', [kling])).toEqual({ index: 1 });
		expect(engineFor(engines, 'control', [seedance])).toEqual({ index: 2 });
		expect(engineFor(engines, 'control', [runway])).toEqual({ index: 0 });
		// The latest take of the layer decides, whatever came before it.
		expect(engineFor(engines, 'control', [runway, kling])).toEqual({ index: 1 });
		const veoOnFal = take({ layer: 'hero', vendor: 'fal', model: 'fal-ai/veo3.1' });
		expect(engineFor(engines, 'hero', [runway, veoOnFal])).toEqual({ index: 4 });
		expect(engineFor(engines, 'hero', [take({ layer: 'hero', vendor: 'google' })])).toEqual({
			index: 3,
		});
	});

	it('sends a shot the layer has not rendered yet to its first engine', () => {
		expect(engineFor(engines, 'control', [])).toEqual({ index: 0 });
		const veo = take({ layer: 'hero', vendor: 'google' });
		// The layer map moved a hero failure to control: control's first engine restyles it.
		expect(engineFor(engines, 'control', [veo])).toEqual({ index: 0 });
		expect(engineFor(engines, 'hero', [])).toEqual({ index: 3 });
	});

	it('names what is missing when no route matches, and sends it to review without spending a retry', () => {
		const wan = take({ layer: 'control', vendor: 'replicate', model: 'wan-video/wan-2.7' });
		const result = engineFor(engines, 'control', [wan]);
		expect(result).toEqual({
			unroutable:
				'no engine route for control takes from replicate (wan-video/wan-2.7): add one to Engines',
		});
		expect(engineFor([], 'hero', [])).toEqual({
			unroutable: 'no engine route for the hero layer: add one to Engines',
		});
		const failed = [
			{ check: 'duration', value: 3, threshold: 8, pass: false, layer: 'control' as const },
		];
		const previous = {
			attempts: { narrative: 0, hero: 0, control: 1 },
			verdicts: [],
			status: 'retry' as const,
		};
		const decision = decide(item.shot, wan, previous, failed, {
			retries: { narrative: 1, hero: 2, control: 2 },
		});
		expect(decision).toMatchObject({ route: 'control', qc: { attempts: { control: 2 } } });
		const review = unroutable(decision, previous, 'why');
		expect(review).toEqual({
			route: 'needs_review',
			reasons: decision.reasons,
			qc: { attempts: previous.attempts, verdicts: decision.qc.verdicts, status: 'needs_review' },
			reviewReason: 'why',
		});
	});
});
