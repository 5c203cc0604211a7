import { ModelRetiredError } from '../../nodes/shared/errors';
import {
	getModel,
	listModels,
	modelOptions,
	resolveModel,
	tokenCost,
} from '../../nodes/shared/registry';

/** The 2026-12 refresh: scheduled shutdowns per backend, the newer models and how sure each is. */
describe('model registry, December 2026', () => {
	const BEFORE = '2026-12-10';
	const AFTER = '2026-12-11';

	it.each([
		['gpt-5', 'gpt-5.5'],
		['gpt-5-mini', 'gpt-5.4-mini'],
		['gpt-5-nano', 'gpt-5.4-nano'],
	])(
		'serves %s on OpenAI until 2026-12-11, then fails naming %s; gateways keep it',
		(id, replacement) => {
			expect(resolveModel('openai', id, 'openai', BEFORE).spec?.id).toBe(id);
			const refused = (() => {
				try {
					resolveModel('openai', id, 'openai', AFTER);
					return undefined;
				} catch (error) {
					return error;
				}
			})();
			expect(refused).toBeInstanceOf(ModelRetiredError);
			expect((refused as Error).message).toContain('2026-12-11');
			expect((refused as Error).message).toContain(replacement);
			expect(resolveModel('openai', id, 'openai_compatible', AFTER).spec?.id).toBe(id);
		},
	);

	it('tells in the picker that gpt-5 shuts down, and drops it from OpenAI’s list from that day', () => {
		const before = modelOptions(
			{ vendor: 'openai', capability: 'structured_output', backend: 'openai' },
			BEFORE,
		).find((o) => o.value === 'gpt-5');
		expect(before?.description).toContain('shuts down 2026-12-11 on this backend; move to gpt-5.5');
		expect(
			listModels({ vendor: 'openai', backend: 'openai' }, AFTER).map((m) => m.id),
		).not.toContain('gpt-5');
		expect(
			listModels({ vendor: 'openai', backend: 'openai_compatible' }, AFTER).map((m) => m.id),
		).toContain('gpt-5');
	});

	it('offers the GPT-5.6 preview, priced and marked as estimated and unconfirmed', () => {
		const sol = getModel('gpt-5.6-sol')!;
		expect(sol).toMatchObject({
			status: 'preview',
			backends: { openai: 'unconfirmed' },
			price: { tiers: [{ perUnit: 5 }], outputPerUnit: 30, estimated: true },
		});
		expect(tokenCost(sol, 1_000_000, 1_000_000)).toMatchObject({ usd: 35, estimated: true });
		expect(
			modelOptions({ vendor: 'openai', capability: 'structured_output', backend: 'openai' }).find(
				(o) => o.value === 'gpt-5.6-terra',
			)?.description,
		).toContain('availability unconfirmed');
	});

	it('retires the Veo 3.1 previews on each backend on its own day', () => {
		const message = (backend: 'vertex' | 'gemini') => {
			try {
				resolveModel('google', 'veo-3.1-generate-preview', backend);
				return undefined;
			} catch (error) {
				return (error as Error).message;
			}
		};
		expect(message('vertex')).toContain('2026-04-02');
		expect(message('gemini')).toContain('2026-10-22');
	});

	it('lists Gemini Omni on the Gemini API marked unconfirmed (its contract there is the Interactions API), and retires its preview', () => {
		const omni = modelOptions({
			vendor: 'google',
			capability: 'text_to_video',
			backend: 'gemini',
		}).find((o) => o.value === 'gemini-omni-1.1-flash');
		expect(omni?.description).toContain('availability unconfirmed on this backend');
		expect(omni?.description).toContain('Interactions API');
		expect(
			modelOptions({ vendor: 'google', capability: 'text_to_video', backend: 'vertex' }).map(
				(o) => o.value,
			),
		).not.toContain('gemini-omni-1.1-flash');
		expect(() => resolveModel('google', 'gemini-omni-flash-preview', 'gemini')).toThrow(
			/gemini-omni-1\.1-flash/,
		);
	});

	it('keeps gemini-3.5-flash as the GA judge and offers the newer judges as estimates', () => {
		expect(getModel('gemini-3.5-flash')).toMatchObject({
			status: 'ga',
			price: { estimated: false },
		});
		for (const id of [
			'gemini-3.6-flash',
			'gemini-3.7-flash',
			'gemini-3.8-flash',
			'gemini-3.5-flash-lite',
		]) {
			expect(getModel(id)).toMatchObject({
				capabilities: expect.arrayContaining(['video_understanding']),
				price: { estimated: true },
			});
		}
	});

	it('prices google/veo-3.1-lite on Replicate by resolution, as reported', () => {
		expect(getModel('google/veo-3.1-lite')).toMatchObject({
			vendor: 'replicate',
			backends: { replicate: 'unconfirmed' },
		});
	});
});
