import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { runWorkflow } from '../harness/engine';
import { asItems, referenceImage, shotItems, singleNode } from '../harness/pipeline';
import { credentialsFor, withSandbox, type Sandbox } from '../harness/sandbox';
import { pipeline } from '../harness/workflows';

jest.setTimeout(120_000);

function filesUnder(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		return entry.isDirectory() ? filesUnder(full) : [full];
	});
}

/** The keys used in tests never appear in an output item, an error, a log line or a written file. */
describe('secrets stay secret', () => {
	let sandbox: Sandbox;
	const logged: string[] = [];

	beforeAll(async () => {
		sandbox = await withSandbox({
			config: { renderMs: { openai: 150, google: 150, runway: 150 } },
		});
		for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
			jest
				.spyOn(console, method)
				.mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
		}
		// n8n's logger writes straight to the streams.
		for (const stream of [process.stdout, process.stderr]) {
			jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown) => {
				logged.push(String(chunk));
				return true;
			}) as never);
		}
	});
	afterAll(async () => {
		jest.restoreAllMocks();
		await sandbox.stop();
	});

	const secrets = () => {
		const { keys } = sandbox.context.config;
		const privateKey = sandbox.context.google.serviceAccount.json.private_key.split('\n')[1];
		return [
			keys.openai,
			keys.runway,
			keys.googleApiKey,
			privateKey,
			...sandbox.context.google.tokens.keys(),
		];
	};

	it('a whole pipeline run (with faults and the vision judge) writes no key anywhere', async () => {
		sandbox.setFaults({
			seed: 3,
			rules: [
				{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'character' } },
				{ fault: 'rate_limit', op: 'poll', probability: 0.2 },
				{ fault: 'server_error', op: 'poll', probability: 0.1 },
			],
		});
		const refs = {
			mara: (await referenceImage(sandbox, 'mara-s.png', 51)).url,
			leo: (await referenceImage(sandbox, 'leo-s.png', 52)).url,
		};
		const credentials = {
			...credentialsFor(sandbox, 'vpSandboxOpenAi'),
			...credentialsFor(sandbox, 'vpSandboxVertex'),
			...credentialsFor(sandbox, 'vpSandboxRunway'),
		};
		const result = await runWorkflow(pipeline(refs), { credentials, startNode: 'Storyboard' });
		expect(result.error).toBeUndefined();
		expect(sandbox.context.google.tokens.size).toBeGreaterThan(0);
		const everything = [JSON.stringify(result.run), ...logged];
		const storage = path.join(process.env.N8N_USER_FOLDER!, '.n8n', 'storage');
		for (const file of filesUnder(storage))
			if (statSync(file).size < 2_000_000) everything.push(readFileSync(file, 'latin1'));
		for (const secret of secrets())
			for (const text of everything) expect(text.includes(secret)).toBe(false);
	});

	it.each([
		[
			'openAiStoryboard',
			{
				resource: 'video',
				operation: 'render',
				model: 'sora-2',
				shotSource: 'item',
				inputReference: 'none',
			},
			'openAiVideoPipelineApi',
			'apiKey',
			'sk-wrong-0123456789abcdefgh',
		],
		[
			'runway',
			{ resource: 'video', operation: 'textToVideo', model: 'gen4.5', shotSource: 'item' },
			'runwayVideoPipelineApi',
			'apiKey',
			'key_0123456789abcdef0123456789abcdef',
		],
		[
			'googleVeo',
			{
				resource: 'video',
				operation: 'generate',
				model: 'veo-3.1-generate-001',
				shotSource: 'item',
				referenceMode: 'none',
			},
			'googleVideoPipelineApi',
			'apiKey',
			'AIzaWrongKey0123456789abcdefghijk',
		],
	])(
		'%s: a wrong key is reported without being echoed',
		async (type, parameters, credentialType, field, wrong) => {
			const base =
				credentialType === 'googleVideoPipelineApi'
					? credentialsFor(sandbox, 'vpSandboxGemini')
					: credentialType === 'runwayVideoPipelineApi'
						? credentialsFor(sandbox, 'vpSandboxRunway')
						: credentialsFor(sandbox, 'vpSandboxOpenAi');
			const credentials = { [credentialType]: { ...base[credentialType], [field]: wrong } };
			const before = logged.length;
			const result = await runWorkflow(
				singleNode(
					type,
					{ ...parameters, renderOptions: { pollIntervalSeconds: 0.2, timeoutMinutes: 1 } },
					{ type: credentialType, id: 'x', name: 'x' },
				),
				{
					credentials,
					input: asItems(
						shotItems(1, undefined, { durationSeconds: 4, resolution: '720p', layer: 'broll' }),
					),
				},
			);
			expect(result.run.status).toBe('error');
			expect(result.error!.message).toMatch(/HTTP (400|401|403)/);
			// Whatever the engine logged about the failure (how much depends on its log settings) is checked too.
			for (const text of [JSON.stringify(result.run), ...logged.slice(before)])
				expect(text.includes(wrong)).toBe(false);
		},
	);
});
