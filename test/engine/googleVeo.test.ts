import { shotItemSchema, type ShotItem } from '../../nodes/shared/contract';
import { bufferSource, probeMp4 } from '../../nodes/shared/mp4';
import { readBinary, runWorkflow } from '../harness/engine';
import { asItems, pinWith, referenceImage, shotItems, singleNode } from '../harness/pipeline';
import {
	credentialsFor,
	sandboxFaults,
	sandboxJobs,
	sandboxLedger,
	waitForSandboxJob,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';

jest.setTimeout(60_000);

const VERTEX = { type: 'googleVideoPipelineApi', id: 'vpSandboxVertex', name: 'Sandbox Vertex' };
const GEMINI = { type: 'googleVideoPipelineApi', id: 'vpSandboxGemini', name: 'Sandbox Gemini' };
const FAST = { pollIntervalSeconds: 0.2, timeoutMinutes: 1 };

describe('Google Veo node (engine, sandbox over loopback)', () => {
	let sandbox: Sandbox;
	let refs: Array<{ url: string; sha256: string }>;

	beforeAll(async () => {
		sandbox = await withSandbox({ config: { renderMs: { google: 300 } } });
		refs = [
			await referenceImage(sandbox, 'mara.png', 1),
			await referenceImage(sandbox, 'bottle.png', 2),
		];
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});

	const generate = (parameters: Record<string, unknown> = {}, credential = VERTEX) =>
		singleNode(
			'googleVeo',
			{
				resource: 'video',
				operation: 'generate',
				model: 'veo-3.1-generate-001',
				shotSource: 'item',
				referenceMode: 'pin',
				generateAudio: true,
				renderOptions: FAST,
				...parameters,
			},
			credential,
		);
	const run = (
		workflow: ReturnType<typeof generate>,
		items: unknown[],
		credentialId = 'vpSandboxVertex',
	) =>
		runWorkflow(workflow, {
			credentials: credentialsFor(sandbox, credentialId),
			input: asItems(items),
		});
	const pin = () =>
		pinWith([
			{ tag: 'mara', url: refs[0].url },
			{ tag: 'bottle', url: refs[1].url },
		]);

	it('renders every shot on Vertex with the pinned references, records takes and costs, and streams the clips', async () => {
		const items = shotItems(3, pin());
		const result = await run(generate(), items);
		expect(result.error).toBeUndefined();
		const output = result.output('Node');
		expect(output).toHaveLength(3);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(3);
		for (const [index, out] of output.entries()) {
			const item = shotItemSchema.parse(out.json);
			const [take] = item.takes;
			expect(take).toMatchObject({
				layer: 'hero',
				vendor: 'google',
				model: 'veo-3.1-generate-001',
				operation: 'generate',
				status: 'succeeded',
				attempt: 1,
				pinFingerprint: items[index].pin!.fingerprint,
				refsSent: ['mara', 'bottle'],
				costUsd: 3.2,
			});
			expect(item.ledger).toEqual([
				expect.objectContaining({
					layer: 'hero',
					jobId: take.jobId,
					units: 8,
					unitPriceUsd: 0.4,
					usd: 3.2,
					estimated: true,
				}),
			]);
			const job = (await sandboxJobs(sandbox)).find(
				(j: any) => j.extra.operationName === take.jobId,
			);
			expect(job.refsReceived).toEqual([refs[0].sha256, refs[1].sha256]);
			expect(job.request.parameters).toMatchObject({
				durationSeconds: 8,
				aspectRatio: '16:9',
				resolution: '1080p',
				generateAudio: true,
				seed: 100 + index,
			});
			const bytes = await readBinary(out.binary!.data.id!);
			const probe = await probeMp4(bufferSource(bytes));
			expect(probe.video).toMatchObject({ width: 1920, height: 1080 });
			expect(probe.hasAudio).toBe(true);
			expect(out.pairedItem).toEqual({ item: index });
		}
		// Each item carries the run's spend as known when it left the node; the last one knows it all.
		expect(Math.max(...output.map((o) => (o.json.pipeline as { spentUsd: number }).spentUsd))).toBe(
			9.6,
		);
	});

	it('renders on the Gemini API without the fields it rejects, and downloads with the key', async () => {
		const result = await run(
			generate(
				{ model: 'veo-3.1-fast-generate-001', renderOptions: { ...FAST, output: 'reference' } },
				GEMINI,
			),
			shotItems(1, pin()),
			'vpSandboxGemini',
		);
		expect(result.error).toBeUndefined();
		const item = shotItemSchema.parse(result.output('Node')[0].json);
		expect(item.takes[0].asset).toMatchObject({ kind: 'url', mimeType: 'video/mp4' });
		expect(item.takes[0].costUsd).toBeCloseTo(0.96, 6);
		const download = await runWorkflow(
			singleNode(
				'googleVeo',
				{ resource: 'video', operation: 'download', source: 'take', binaryPropertyName: 'clip' },
				GEMINI,
			),
			{
				credentials: credentialsFor(sandbox, 'vpSandboxGemini'),
				input: asItems([item]),
			},
		);
		expect(download.error).toBeUndefined();
		const bytes = await readBinary(download.output('Node')[0].binary!.clip.id!);
		expect((await probeMp4(bufferSource(bytes))).video).toMatchObject({
			width: 1920,
			height: 1080,
		});
	});

	it('submits only, then Get Operation reports progress and a re-run collects the render without paying again', async () => {
		const submitted = await run(generate({ mode: 'submit' }), shotItems(2, pin()));
		expect(submitted.error).toBeUndefined();
		const pending = submitted
			.output('Node')
			.map((o) => o.json as unknown as ShotItem & { jobId: string; status: string });
		expect(pending.map((p) => p.status)).toEqual(['submitted', 'submitted']);
		await waitForSandboxJob(sandbox);
		const status = await runWorkflow(
			singleNode(
				'googleVeo',
				{ resource: 'video', operation: 'get', operationName: '={{ $json.jobId }}' },
				VERTEX,
			),
			{ credentials: credentialsFor(sandbox, 'vpSandboxVertex'), input: asItems(pending) },
		);
		expect(status.output('Node').map((o) => o.json.status)).toEqual(['succeeded', 'succeeded']);
		expect((status.output('Node')[0].json.takes as any[])[0]).toMatchObject({
			status: 'succeeded',
		});

		const collected = await run(generate(), pending);
		expect(collected.error).toBeUndefined();
		const items = collected.output('Node').map((o) => shotItemSchema.parse(o.json));
		expect(items.map((i) => i.takes.map((t) => t.jobId))).toEqual(pending.map((p) => [p.jobId]));
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(2);
		expect(ledger.duplicates).toEqual([]);
	});

	it('collects the submitted renders when one submit of the same step had an unknown outcome: that shot travels on as data, the node does not fail', async () => {
		// The second shot's submit is accepted and billed, but the vendor answers 5xx: the node never
		// gets its job ID.
		sandbox.setFaults({
			rules: [
				{
					fault: 'server_error',
					vendor: 'google',
					op: 'submit',
					promptIncludes: 'Shot 2:',
					times: 1,
					params: { afterSend: true },
				},
			],
		});
		const submitted = await run(generate({ mode: 'submit' }), shotItems(2, pin()));
		expect(submitted.error).toBeUndefined();
		const pending = submitted.output('Node').map((o) => o.json as Record<string, any>);
		const unknown = pending.findIndex((item) => item.renderError?.code === 'outcome_unknown');
		expect(unknown).toBe(1);
		const known = 1 - unknown;
		expect(pending[known].status).toBe('submitted');
		const untold =
			(await sandboxFaults(sandbox)).find((f) => f.fault === 'server_error')?.jobIds ?? [];
		sandbox.setFaults({ rules: [] });

		const collected = await run(generate(), pending);
		expect(collected.error).toBeUndefined();
		const out = collected.output('Node').map((o) => o.json as Record<string, any>);
		expect(out).toHaveLength(2);
		expect(out[known].takes.at(-1)).toMatchObject({
			status: 'succeeded',
			jobId: pending[known].jobId,
		});
		expect(out[unknown].renderError).toMatchObject({ code: 'outcome_unknown', layer: 'hero' });
		expect(out[unknown].error).toMatch(/may or may not have been accepted.*not sent again/);
		// Both submits were billed once each (the unknown one by the vendor alone); nothing was sent again.
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(2);
		expect(ledger.duplicates).toEqual([]);
		// The render the vendor charged without telling the node is the one the sandbox kept quiet about.
		const quiet = ledger.entries.find((e: { jobId: string }) => e.jobId !== pending[known].jobId);
		expect(untold).toContain(quiet.jobId);
	});

	it('holds the budget of submitted renders until they are collected: a third shot that would pass the cap is refused, the two are collected', async () => {
		const [first, second, third] = shotItems(3, pin(), {}, { budgetUsd: 7 });
		const submitted = await run(generate({ mode: 'submit' }), [first, second]);
		expect(submitted.error).toBeUndefined();
		const pending = submitted.output('Node').map((o) => o.json);
		// Nothing is in the ledger yet: without the hold, the third $3.20 render would fit the $7 cap.
		expect(pending.every((p) => (p.ledger as unknown[]).length === 0)).toBe(true);

		const refused = await run(generate({ renderOptions: { ...FAST, concurrency: 1 } }), [
			...pending,
			third,
		]);
		expect(refused.error).toBeUndefined();
		expect(refused.output('Node')[2].json.error).toMatch(
			/Item 2: refused before submitting: this render \(~\$3\.20\) would take run run-test to \$9\.60, past its budget of \$7\.00/,
		);
		expect(await sandboxJobs(sandbox)).toHaveLength(2);

		const collected = await run(generate(), pending);
		expect(collected.error).toBeUndefined();
		const items = collected.output('Node').map((o) => shotItemSchema.parse(o.json));
		expect(items.map((i) => i.takes[0].status)).toEqual(['succeeded', 'succeeded']);
		expect(items[1].pipeline.spentUsd).toBeCloseTo(6.4, 6);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(2);
		expect(ledger.duplicates).toEqual([]);
	});

	it('turns a responsible-AI filter into a failed take with the reasons, not a crash', async () => {
		sandbox.setFaults({ rules: [{ fault: 'job_failed', vendor: 'google', times: 1 }] });
		const result = await run(
			generate({ renderOptions: { ...FAST, concurrency: 1 } }),
			shotItems(2, pin()),
		);
		expect(result.error).toBeUndefined();
		const [filtered, fine] = result.output('Node').map((o) => shotItemSchema.parse(o.json));
		expect(filtered.takes[0]).toMatchObject({
			status: 'failed',
			costUsd: 0,
			failure: { code: 'RAI_FILTERED', retryable: false },
		});
		expect(filtered.takes[0].failure!.message).toMatch(/Support codes: \d{8}/);
		expect(filtered.ledger).toEqual([]);
		expect(fine.takes[0].status).toBe('succeeded');
	});

	it('refuses the render that would pass the run budget before sending it', async () => {
		const result = await run(
			generate({ renderOptions: { ...FAST, concurrency: 1 } }),
			shotItems(2, pin(), {}, { budgetUsd: 5 }),
		);
		// Item 0 was paid for, so the node does not fail and throw its job away: item 1 carries the refusal.
		expect(result.error).toBeUndefined();
		const [paid, refused] = result.output('Node').map((o) => o.json as Record<string, any>);
		expect(refused.error).toMatch(
			/Item 1: refused before submitting: this render \(~\$3\.20\) would take run run-test to \$6\.40, past its budget of \$5\.00/,
		);
		expect(refused.renderError).toMatchObject({ layer: 'hero', code: 'budget', neededUsd: 3.2 });
		expect(refused.takes).toEqual([]);
		const jobs = await sandboxJobs(sandbox);
		expect(jobs).toHaveLength(1);
		expect(paid.takes[0]).toMatchObject({
			status: 'succeeded',
			jobId: expect.stringMatching(/\/operations\//),
		});
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(1);
	});

	it.each([
		[
			{ durationSeconds: 5 },
			'none',
			/Item 0: shot\.durationSeconds: durationSeconds 5 is not offered by veo-3\.1-generate-001/,
		],
		[
			{ durationSeconds: 6 },
			'pin',
			/Item 0: shot\.durationSeconds: reference images need an 8 s, 16:9 shot/,
		],
		[{ aspectRatio: '1:1' }, 'none', /Item 0: shot\.aspectRatio: aspectRatio 1:1 is not offered/],
	] as const)(
		'names the field of a shot Veo cannot render (%j)',
		async (override, referenceMode, message) => {
			const result = await run(generate({ referenceMode }), shotItems(1, pin(), override as never));
			expect(result.run.status).toBe('error');
			expect(result.error!.message).toMatch(message);
			expect(await sandboxJobs(sandbox)).toHaveLength(0);
		},
	);

	it('fails a retired model with its replacement before anything is sent', async () => {
		const result = await run(
			generate({ model: 'custom', customModelId: 'veo-3.0-generate-001' }),
			shotItems(1, pin()),
		);
		expect(result.error!.message).toContain(
			'Model veo-3.0-generate-001 was retired by google on 2026-06-30. Use veo-3.1-generate-001 instead.',
		);
	});

	it('keeps at most the configured number of renders in flight', async () => {
		const result = await run(
			generate({ referenceMode: 'none', renderOptions: { ...FAST, concurrency: 2 } }),
			shotItems(6, undefined, { durationSeconds: 4, resolution: '720p' }),
		);
		expect(result.error).toBeUndefined();
		const jobs = (await sandboxJobs(sandbox)) as Array<{ createdAt: number; finishedAt: number }>;
		expect(jobs).toHaveLength(6);
		const overlap = Math.max(
			...jobs.map(
				(job) =>
					jobs.filter(
						(other) => other.createdAt <= job.createdAt && other.finishedAt > job.createdAt,
					).length,
			),
		);
		expect(overlap).toBeLessThanOrEqual(2);
		expect(overlap).toBe(2);
	});

	it('reports a stuck render as a timeout that names the operation and keeps it on the item', async () => {
		sandbox.setFaults({ rules: [{ fault: 'stuck', vendor: 'google', times: 1 }] });
		const result = await run(
			generate({
				referenceMode: 'none',
				renderOptions: { pollIntervalSeconds: 0.2, timeoutMinutes: 0.05 },
			}),
			shotItems(1, undefined, { durationSeconds: 4 }),
		);
		// The job goes on at the vendor: the item leaves with its take and the error, never without them.
		expect(result.error).toBeUndefined();
		const [item] = result.output('Node').map((o) => o.json as Record<string, any>);
		expect(item.error).toMatch(
			/Still running after 3 s.*\[google, job projects\/.+\/operations\/[0-9a-f-]+, item 0\]/,
		);
		expect(item.takes[0]).toMatchObject({ status: 'timed_out', jobId: item.renderError.jobId });
		expect(item.renderError).toMatchObject({ layer: 'hero', code: 'timeout' });
	});

	it('survives a 429 on submit, 5xx and resets on polls, and reports an unknown submit outcome without resending', async () => {
		sandbox.setFaults({
			rules: [
				{
					fault: 'rate_limit',
					vendor: 'google',
					op: 'submit',
					times: 1,
					params: { retryAfterSeconds: 0.2 },
				},
				{ fault: 'server_error', vendor: 'google', op: 'poll', times: 1 },
				{ fault: 'reset', vendor: 'google', op: 'poll', times: 1 },
			],
		});
		const ok = await run(
			generate({ referenceMode: 'none' }),
			shotItems(1, undefined, { durationSeconds: 4 }),
		);
		expect(ok.error).toBeUndefined();
		expect(shotItemSchema.parse(ok.output('Node')[0].json).takes[0].status).toBe('succeeded');

		sandbox.setFaults({
			rules: [{ fault: 'server_error', vendor: 'google', op: 'submit', times: 1 }],
		});
		const unknown = await run(
			generate({ referenceMode: 'none' }),
			shotItems(1, undefined, { durationSeconds: 4 }),
		);
		expect(unknown.error).toBeUndefined();
		const [item] = unknown.output('Node').map((o) => o.json as Record<string, any>);
		expect(item.error).toMatch(
			/may or may not have been accepted.*not sent again to avoid paying twice/,
		);
		expect(item.renderError).toMatchObject({
			layer: 'hero',
			code: 'outcome_unknown',
			neededUsd: 1.6,
		});
		// Running the node again on that item does not send it again either.
		const again = await run(generate({ referenceMode: 'none' }), [item]);
		expect(again.error!.message).toMatch(
			/Item 0: renderError: the last hero submit of shot .+ may have been accepted by the vendor.*is not sent again/,
		);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(1);
	});
});
