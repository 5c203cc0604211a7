import { submitKey, type SubmitIdentity } from '../../nodes/shared/render/renderJournal';
import { readShotContext } from '../../nodes/shared/render/shotContext';
import { shotItems } from '../harness/pipeline';

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
		...change,
	};
}

describe('render journal: the key of a paid submit', () => {
	it('is the same for the same item run again (a retried step finds what it sent)', () => {
		expect(submitKey(identity())).toBe(submitKey(identity()));
		expect(submitKey(identity())).toMatch(/^[0-9a-f]{64}$/);
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
