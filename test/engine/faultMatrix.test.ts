import { runWorkflow } from '../harness/engine';
import { asItems, shotItems, singleNode } from '../harness/pipeline';
import {
	credentialsFor,
	sandboxJobs,
	sandboxLedger,
	waitForSandboxJob,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';

jest.setTimeout(120_000);

// A render gets a minute, however slow ffmpeg is on a busy machine; only the stuck job, which never
// finishes, is waited for just 3 s (STUCK), so that case ends quickly without a race against a real render.
const FAST = { pollIntervalSeconds: 0.2, timeoutMinutes: 1 };
const STUCK = { pollIntervalSeconds: 0.2, timeoutMinutes: 0.05 };

interface NodeCase {
	vendor: 'google' | 'runway' | 'openai';
	credential: { type: string; id: string; name: string };
	type: string;
	parameters: Record<string, unknown>;
	shot: Record<string, unknown>;
}

const NODES: NodeCase[] = [
	{
		vendor: 'google',
		credential: { type: 'googleVideoPipelineApi', id: 'vpSandboxGemini', name: 'Gemini' },
		type: 'googleVeo',
		parameters: {
			resource: 'video',
			operation: 'generate',
			model: 'veo-3.1-fast-generate-001',
			referenceMode: 'none',
		},
		shot: { durationSeconds: 4, resolution: '720p' },
	},
	{
		vendor: 'runway',
		credential: { type: 'runwayVideoPipelineApi', id: 'vpSandboxRunway', name: 'Runway' },
		type: 'runway',
		parameters: { resource: 'video', operation: 'textToVideo', model: 'gen4.5' },
		shot: { durationSeconds: 5, layer: 'broll' },
	},
	{
		vendor: 'openai',
		credential: { type: 'openAiVideoPipelineApi', id: 'vpSandboxOpenAi', name: 'OpenAI' },
		type: 'openAiStoryboard',
		parameters: { resource: 'video', operation: 'render', model: 'sora-2', inputReference: 'none' },
		shot: { durationSeconds: 4, resolution: '720p' },
	},
];

/** `failed-item`: the node does not fail; the item leaves with its render error (and its take, once the vendor holds the job). */
type Expect =
	| { outcome: 'succeeded' }
	| { outcome: 'failed-take' }
	| { outcome: 'failed-item'; code: string; message: RegExp; paid: boolean };

const FAULTS: Array<{
	name: string;
	rules: (vendor: string) => unknown[];
	expect: Expect;
	renderOptions?: typeof STUCK;
}> = [
	{
		name: '429 with a retry hint on submit',
		rules: (v) => [
			{
				fault: 'rate_limit',
				vendor: v,
				op: 'submit',
				times: 1,
				params: { retryAfterSeconds: 0.2 },
			},
		],
		expect: { outcome: 'succeeded' },
	},
	{
		name: '5xx on submit',
		rules: (v) => [{ fault: 'server_error', vendor: v, op: 'submit', times: 1 }],
		expect: {
			outcome: 'failed-item',
			code: 'outcome_unknown',
			message: /may or may not have been accepted/,
			paid: false,
		},
	},
	{
		name: '5xx on poll',
		rules: (v) => [
			{ fault: 'server_error', vendor: v, op: 'poll', times: 2, params: { status: 503 } },
		],
		expect: { outcome: 'succeeded' },
	},
	{
		name: 'connection reset on poll',
		rules: (v) => [{ fault: 'reset', vendor: v, op: 'poll', times: 1 }],
		expect: { outcome: 'succeeded' },
	},
	{
		name: 'malformed JSON on poll',
		rules: (v) => [{ fault: 'malformed', vendor: v, op: 'poll', times: 1 }],
		expect: { outcome: 'succeeded' },
	},
	{
		name: 'malformed JSON on submit',
		rules: (v) => [{ fault: 'malformed', vendor: v, op: 'submit', times: 1 }],
		expect: {
			outcome: 'failed-item',
			code: 'outcome_unknown',
			message: /may or may not have been accepted \(Submit .* \(MALFORMED_BODY\)/,
			paid: false,
		},
	},
	{
		name: 'moderation or safety failure',
		rules: (v) => [{ fault: 'job_failed', vendor: v, times: 1 }],
		expect: { outcome: 'failed-take' },
	},
	{
		name: 'stuck job',
		rules: (v) => [{ fault: 'stuck', vendor: v, times: 1 }],
		expect: {
			outcome: 'failed-item',
			code: 'timeout',
			message: /Still (running|queued|in_progress|RUNNING) after 3 s.*job [^,\]]+, item 0\]/,
			paid: false,
		},
		renderOptions: STUCK,
	},
	{
		name: 'expired output URL',
		rules: (v) => [{ fault: 'expired', vendor: v, op: 'download', times: 1 }],
		expect: {
			outcome: 'failed-item',
			code: 'download',
			message: /Download failed: HTTP (403|404).*expired.*job [^,\]]+, item 0\]/,
			paid: true,
		},
	},
];

describe('fault matrix: every render node against every sandbox fault', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await withSandbox({
			config: { renderMs: { openai: 200, google: 200, runway: 200 } },
		});
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});

	const cases = NODES.flatMap((node) =>
		FAULTS.map((fault) => ({ label: `${node.type} / ${fault.name}`, node, fault })),
	);

	it.each(cases)('$label', async ({ node, fault }) => {
		sandbox.setFaults({ seed: 1, rules: fault.rules(node.vendor) as never });
		const workflow = singleNode(
			node.type,
			{ shotSource: 'item', renderOptions: fault.renderOptions ?? FAST, ...node.parameters },
			node.credential,
		);
		const result = await runWorkflow(workflow, {
			credentials: credentialsFor(sandbox, node.credential.id),
			input: asItems(shotItems(1, undefined, node.shot as never)),
		});
		const ledger = await sandboxLedger(sandbox);
		const jobs = await sandboxJobs(sandbox);
		const everything = JSON.stringify(result.run.data);

		expect(ledger.duplicates).toEqual([]);
		expect(jobs.length).toBeLessThanOrEqual(1);
		// No paid render is lost: every charged job ID is on the output or in the error.
		for (const entry of ledger.entries) expect(everything).toContain(entry.jobId);

		switch (fault.expect.outcome) {
			case 'succeeded':
				expect(result.error).toBeUndefined();
				expect((result.output('Node')[0].json.takes as Array<{ status: string }>)[0].status).toBe(
					'succeeded',
				);
				expect(ledger.entries).toHaveLength(1);
				break;
			case 'failed-take':
				expect(result.error).toBeUndefined();
				expect(
					(result.output('Node')[0].json.takes as Array<{ status: string; failure: unknown }>)[0],
				).toMatchObject({ status: 'failed', failure: expect.any(Object) });
				expect(ledger.entries).toHaveLength(0);
				break;
			case 'failed-item': {
				expect(result.error).toBeUndefined();
				const out = result.output('Node')[0].json as Record<string, any>;
				expect(out.error).toMatch(fault.expect.message);
				expect(out.renderError).toMatchObject({
					code: fault.expect.code,
					message: expect.stringMatching(fault.expect.message),
				});
				// Once the vendor holds the job, its ID leaves the node on the item.
				expect(out.takes).toHaveLength(jobs.length);
				for (const entry of ledger.entries)
					expect(out.takes.map((take: { jobId: string }) => take.jobId)).toContain(entry.jobId);
				expect(ledger.entries).toHaveLength(fault.expect.paid ? 1 : 0);
				break;
			}
		}

		// Running the node again on what it put out (a re-run, an execution retry) never pays twice.
		sandbox.setFaults({ rules: [] });
		const again = await runWorkflow(workflow, {
			credentials: credentialsFor(sandbox, node.credential.id),
			input: result.output('Node').map((o) => ({ json: o.json })),
		});
		const after = await sandboxLedger(sandbox);
		expect(after.duplicates).toEqual([]);
		expect(await sandboxJobs(sandbox)).toHaveLength(
			fault.expect.outcome === 'failed-take' ? 2 : jobs.length,
		);
		if (fault.expect.outcome === 'failed-item' && fault.expect.code === 'outcome_unknown')
			expect(again.error!.message).toMatch(
				/may have been accepted by the vendor.*is not sent again/,
			);
	});

	it('keeps a paid render whose download failed on the item when the node continues on error', async () => {
		sandbox.setFaults({
			rules: [{ fault: 'expired', vendor: 'runway', op: 'download', times: 1 }],
		});
		const node = NODES[1];
		const workflow = singleNode(
			node.type,
			{ shotSource: 'item', renderOptions: FAST, ...node.parameters },
			node.credential,
			{ onError: 'continueRegularOutput' },
		);
		const result = await runWorkflow(workflow, {
			credentials: credentialsFor(sandbox, node.credential.id),
			input: asItems(shotItems(1, undefined, node.shot as never)),
		});
		expect(result.error).toBeUndefined();
		const [out] = result.output('Node');
		const [entry] = (await sandboxLedger(sandbox)).entries;
		expect(out.json).toMatchObject({
			jobId: entry.jobId,
			error: expect.stringMatching(/Download failed: HTTP 403/),
		});
		expect((out.json.takes as any[])[0]).toMatchObject({
			jobId: entry.jobId,
			status: 'succeeded',
			asset: { kind: 'url' },
			costUsd: entry.usd,
		});
		expect(out.json.ledger).toEqual([expect.objectContaining({ jobId: entry.jobId })]);
	});
});

describe('fault matrix: status and download reads report the job ID and never pay', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await withSandbox({
			config: { renderMs: { openai: 100, google: 100, runway: 100 } },
		});
	});
	afterAll(async () => sandbox.stop());

	/** A finished job to read, made before any fault is switched on. */
	async function finishedJob(node: NodeCase): Promise<Record<string, unknown>> {
		sandbox.setFaults({ rules: [] });
		const workflow = singleNode(
			node.type,
			{ shotSource: 'item', mode: 'submit', renderOptions: FAST, ...node.parameters },
			node.credential,
		);
		const submitted = await runWorkflow(workflow, {
			credentials: credentialsFor(sandbox, node.credential.id),
			input: asItems(shotItems(1, undefined, node.shot as never)),
		});
		await waitForSandboxJob(sandbox);
		return submitted.output('Node')[0].json;
	}

	const READS: Array<{
		label: string;
		node: NodeCase;
		parameters: Record<string, unknown>;
		op: 'poll' | 'download';
	}> = [
		{
			label: 'Veo Get Operation',
			node: NODES[0],
			parameters: { resource: 'video', operation: 'get', operationName: '={{ $json.jobId }}' },
			op: 'poll',
		},
		{
			label: 'Runway Get Task',
			node: NODES[1],
			parameters: { resource: 'task', operation: 'get', taskId: '={{ $json.jobId }}' },
			op: 'poll',
		},
		{
			label: 'Videos API Get Status',
			node: NODES[2],
			parameters: { resource: 'video', operation: 'get', videoId: '={{ $json.jobId }}' },
			op: 'poll',
		},
		{
			label: 'Videos API Download',
			node: NODES[2],
			parameters: {
				resource: 'video',
				operation: 'download',
				videoId: '={{ $json.jobId }}',
				variant: 'video',
				binaryPropertyName: 'data',
			},
			op: 'download',
		},
	];
	const FAULTS_ON_READ = [
		{ fault: 'rate_limit', message: /HTTP 429/ },
		{ fault: 'server_error', message: /HTTP 500/ },
		{ fault: 'reset', message: /no usable answer/ },
		{ fault: 'malformed', message: /MALFORMED_BODY|NOT_A_FILE/ },
	];

	it.each(
		READS.flatMap((read) =>
			FAULTS_ON_READ.map((fault) => ({
				...read,
				...fault,
				name: `${read.label} / ${fault.fault}`,
			})),
		),
	)('$name', async ({ node, parameters, op, fault, message }) => {
		const item = await finishedJob(node);
		const paid = (await sandboxLedger(sandbox)).entries.length;
		sandbox.setFaults({ rules: [{ fault, vendor: node.vendor, op, times: 1 }] as never });
		const result = await runWorkflow(singleNode(node.type, parameters, node.credential), {
			credentials: credentialsFor(sandbox, node.credential.id),
			input: [{ json: item as never }],
		});
		expect(result.run.status).toBe('error');
		expect(result.error!.message).toMatch(message);
		expect(result.error!.message).toContain(String(item.jobId));
		expect((await sandboxLedger(sandbox)).entries.length).toBe(paid);
	});
});
