import {
	requestParameters,
	submitKey,
	type SubmitIdentity,
} from '../../nodes/shared/render/renderJournal';
import { readShotContext } from '../../nodes/shared/render/shotContext';
import { shotItems } from '../harness/pipeline';

const VEO = {
	type: 'n8n-nodes-video-pipeline.googleVeo',
	parameters: {
		operation: 'generate',
		generateAudio: true,
		mode: 'submit',
		renderOptions: { concurrency: 20 },
	},
};

/** A submit of the second shot of a run, as a render node sees it. */
function identity(change: Partial<SubmitIdentity> = {}, runId = 'run-a'): SubmitIdentity {
	const [, item] = shotItems(3, undefined, {}, { runId });
	return {
		context: readShotContext(item as unknown as Record<string, unknown>, 1),
		layer: 'hero',
		vendor: 'google',
		model: 'veo-3.1-generate-001',
		operation: 'generate',
		attempt: 1,
		itemIndex: 1,
		request: requestParameters(VEO),
		...change,
	};
}

describe('render journal: the key of a paid submit', () => {
	it('is the same for the same item run again (a retried step finds what it sent)', () => {
		expect(submitKey(identity())).toBe(submitKey(identity()));
		expect(submitKey(identity())).toMatch(/^[0-9a-f]{64}$/);
	});

	it('is the same for the Submit step and the step that waits, whatever their timeouts', () => {
		const waiting = {
			...VEO,
			parameters: { ...VEO.parameters, mode: 'wait', renderOptions: { timeoutMinutes: 5 } },
		};
		expect(submitKey(identity({ request: requestParameters(waiting) }))).toBe(
			submitKey(identity()),
		);
	});

	it('differs for a re-render, another engine, another run or a changed shot (each is a new submit)', () => {
		const base = submitKey(identity());
		const changed = identity();
		const others = [
			identity({ attempt: 2 }),
			identity({ model: 'veo-3.1-fast-generate-001' }),
			identity({ vendor: 'runway' }),
			identity({ operation: 'extend' }),
			identity({ layer: 'broll' }),
			identity({}, 'run-b'),
			identity({ itemIndex: 2 }),
			identity({
				request: requestParameters({
					...VEO,
					parameters: { ...VEO.parameters, generateAudio: false },
				}),
			}),
			{
				...changed,
				context: {
					...changed.context,
					retryHint: { note: 'keep the red scarf' } as SubmitIdentity['context']['retryHint'],
				},
			},
			{
				...changed,
				context: { ...changed.context, shot: { ...changed.context.shot, prompt: 'another take' } },
			},
			{
				...changed,
				context: {
					...changed.context,
					pin: { fingerprint: 'sha256:feed' } as SubmitIdentity['context']['pin'],
				},
			},
		].map(submitKey);
		for (const key of others) expect(key).not.toBe(base);
		expect(new Set(others).size).toBe(others.length);
	});
});
