import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { withSandbox, type Sandbox } from '../harness/sandbox';

/**
 * The sandbox's own data, December 2026, through the vendors' official SDKs: models it does not
 * know answer with the vendor's own "model not found", shutdowns come on their day and per backend.
 */
describe('sandbox: model IDs as the vendors answer them in December 2026', () => {
	let sandbox: Sandbox;
	let openai: OpenAI;

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { today: '2026-12-10' } });
		openai = new OpenAI({
			apiKey: sandbox.context.config.keys.openai,
			baseURL: sandbox.baseUrls.openai,
			maxRetries: 0,
		});
	});
	afterAll(async () => sandbox.stop());

	const respond = (model: string) => openai.responses.create({ model, input: 'Say hello' });

	it('serves gpt-5 until 2026-12-11 and answers model_not_found from that day, while its replacement and GPT-5.6 keep working', async () => {
		await expect(respond('gpt-5')).resolves.toMatchObject({ model: 'gpt-5' });
		sandbox.context.config.today = '2026-12-11';
		for (const model of ['gpt-5', 'gpt-5-mini', 'gpt-5-nano'])
			await expect(respond(model)).rejects.toMatchObject({ status: 400, code: 'model_not_found' });
		await expect(respond('gpt-5.5')).resolves.toMatchObject({ model: 'gpt-5.5' });
		await expect(respond('gpt-5.6-luna')).resolves.toMatchObject({ model: 'gpt-5.6-luna' });
		const listed = (await openai.models.list()).data.map((m) => m.id);
		expect(listed).not.toContain('gpt-5');
		expect(listed).toEqual(expect.arrayContaining(['gpt-5.4-mini', 'gpt-5.6-sol', 'minimax/h3']));
		sandbox.context.config.today = '2026-12-10';
	});

	it('answers an unknown video model with OpenAI’s model_not_found', async () => {
		await expect(
			openai.videos.create({ model: 'sora-3' as never, prompt: 'x' }),
		).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
	});

	it('retires the Veo 3.1 previews on each backend on its own day, and knows no Gemini Omni on predictLongRunning', async () => {
		const apiKey = sandbox.context.config.keys.googleApiKey;
		const gemini = new GoogleGenAI({ apiKey, httpOptions: { baseUrl: sandbox.baseUrls.gemini } });
		const express = new GoogleGenAI({
			vertexai: true,
			apiKey,
			httpOptions: { baseUrl: sandbox.baseUrls.vertex },
		});
		await expect(
			gemini.models.generateVideos({ model: 'veo-3.1-generate-preview', prompt: 'x' }),
		).rejects.toThrow(/shut down 2026-10-22/);
		await expect(
			express.models.generateVideos({ model: 'veo-3.1-generate-preview', prompt: 'x' }),
		).rejects.toThrow(/shut down 2026-04-02/);
		await expect(
			gemini.models.generateVideos({ model: 'gemini-omni-1.1-flash', prompt: 'x' }),
		).rejects.toThrow(/not found/i);
		// The judges: the GA one and the newer flash models answer generateContent.
		for (const model of ['gemini-3.5-flash', 'gemini-3.8-flash']) {
			const answer = await gemini.models.generateContent({ model, contents: 'Say hello' });
			expect(answer.text).toBeTruthy();
		}
		await expect(
			gemini.models.generateContent({ model: 'gemini-9-flash', contents: 'x' }),
		).rejects.toThrow(/not found/i);
	});
});
