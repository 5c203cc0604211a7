import { shotItemSchema } from '../../nodes/shared/contract';
import { runWorkflow, type RunResult } from '../harness/engine';
import {
	controlLoop,
	keyframeThenClip,
	packageNode,
	qcLoop,
	runwayNode,
	to,
} from '../harness/workflows';
import { asItems, pinWith, referenceImage, shotItems, singleNode } from '../harness/pipeline';
import {
	credentialsFor,
	renderDuplicates,
	sandboxJobs,
	sandboxLedger,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';

jest.setTimeout(180_000);

const RENDER_MS = 1500;
const RUNWAY = { type: 'runwayVideoPipelineApi', id: 'vpSandboxRunway', name: 'Sandbox Runway' };
const TIMEOUT_MS = 6000;
const CANCEL = {
	timeoutMinutes: TIMEOUT_MS / 60_000,
	pollIntervalSeconds: 0.5,
	cancelAtTimeout: true,
};

interface SandboxJob {
	id: string;
	state: string;
	createdAt: number;
	startedAt?: number;
	finishedAt?: number;
	spec: { prompt: string };
}

describe('Cancel at Vendor on Timeout (engine, sandbox with a Runway account of one slot)', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		// One slot: a task stuck in it holds back every later task of the account until it ends.
		sandbox = await withSandbox({
			config: { renderMs: { runway: RENDER_MS }, concurrency: { runway: 1 } },
		});
	});
	afterAll(async () => sandbox.stop());
	afterEach(async () => {
		await fetch(`${sandbox.origin}/_sandbox/reset`, { method: 'POST' });
	});

	async function run(stuck: Record<string, unknown> = {}): Promise<RunResult> {
		sandbox.setFaults({
			rules: [
				{ fault: 'stuck', vendor: 'runway', promptIncludes: 'Shot 2:', times: 1, params: stuck },
			],
		});
		const result = await runWorkflow(controlLoop(CANCEL), {
			credentials: credentialsFor(sandbox, 'vpSandboxRunway'),
			input: asItems(shotItems(3, undefined, { layer: 'broll', durationSeconds: 5 })),
			startNode: 'Runway',
		});
		expect(result.error).toBeUndefined();
		return result;
	}

	const finalItems = (result: RunResult) =>
		result
			.runs('QC')
			.flatMap((outputs) => outputs[5] ?? [])
			.map((item) => ({ item: shotItemSchema.parse(item.json), json: item.json }));

	it('cancels the stuck task at the timeout: its slot frees for the next task, it costs nothing, and QC has the shot rendered again', async () => {
		const result = await run();

		// Evidence at the vendor: the stuck task ended CANCELLED and was never billed; the task queued
		// behind it in the account's one slot started only once it was cancelled.
		const jobs = (await sandboxJobs(sandbox)) as SandboxJob[];
		const ofShot = (n: number) =>
			jobs
				.filter((job) => job.spec.prompt.includes(`Shot ${n}:`))
				.sort((a, b) => a.createdAt - b.createdAt);
		expect(ofShot(1)).toHaveLength(1);
		expect(ofShot(3)).toHaveLength(1);
		const [stuck, again] = ofShot(2);
		expect(ofShot(2)).toHaveLength(2);
		expect(stuck.state).toBe('cancelled');
		expect(again.state).toBe('succeeded');
		expect(ofShot(3)[0].startedAt).toBeGreaterThanOrEqual(stuck.finishedAt!);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries.map((entry: { jobId: string }) => entry.jobId).sort()).toEqual(
			[ofShot(1)[0].id, again.id, ofShot(3)[0].id].sort(),
		);
		expect(renderDuplicates(ledger)).toEqual([]);

		// What the run reports: every shot passed; shot 2 shows the cancelled take at $0, then the new one.
		const done = finalItems(result);
		expect(done).toHaveLength(3);
		expect(done.map(({ item }) => item.qc?.status)).toEqual(['passed', 'passed', 'passed']);
		const shot2 = done.find(({ item }) => item.shot.index === 1)!.item;
		expect(shot2.takes.map((take) => [take.jobId, take.status, take.costUsd])).toEqual([
			[stuck.id, 'cancelled', 0],
			[again.id, 'succeeded', expect.any(Number)],
		]);
		expect(shot2.takes[0].failure).toMatchObject({ code: 'timeout_cancelled', retryable: true });
		expect(shot2.takes[0].failure!.message).toMatch(/cancelled at runway, so nothing was charged/);
		expect(shot2.qc?.attempts.control).toBe(1);
	});

	it('a task that finishes as the cancel reaches it (Runway then deletes it) is a failed take charged with its job ID, not resumed, and QC has the shot rendered again', async () => {
		const result = await run({ finishesOnCancel: true });

		// The deleted task is gone from the vendor but on its bill; shot 2 was rendered once more.
		const jobs = (await sandboxJobs(sandbox)) as SandboxJob[];
		const ofShot2 = jobs.filter((job) => job.spec.prompt.includes('Shot 2:'));
		expect(ofShot2.map((job) => job.state)).toEqual(['succeeded']);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries).toHaveLength(4);
		const deleted = ledger.entries.filter(
			(entry: { jobId: string }) => !jobs.some((job) => job.id === entry.jobId),
		);
		expect(deleted).toHaveLength(1);
		// The one request paid twice is the deleted render and the render that replaced it: the
		// vendor threw the first output away, so the shot had to be paid for again.
		const [twice] = renderDuplicates(ledger);
		expect(renderDuplicates(ledger)).toEqual([{ fingerprint: twice.fingerprint, count: 2 }]);
		expect(
			ledger.entries
				.filter(
					(entry: { requestFingerprint: string }) => entry.requestFingerprint === twice.fingerprint,
				)
				.map((entry: { jobId: string }) => entry.jobId)
				.sort(),
		).toEqual([deleted[0].jobId, ofShot2[0].id].sort());

		const done = finalItems(result);
		expect(done.map(({ item }) => item.qc?.status)).toEqual(['passed', 'passed', 'passed']);
		const shot2 = done.find(({ item }) => item.shot.index === 1)!.item;
		const [lost, again] = shot2.takes;
		expect(shot2.takes).toHaveLength(2);
		expect([lost.jobId, lost.status]).toEqual([deleted[0].jobId, 'failed']);
		expect([again.jobId, again.status]).toEqual([ofShot2[0].id, 'succeeded']);
		expect(lost.failure).toMatchObject({ code: 'timeout_deleted', retryable: true });
		expect(lost.failure!.message).toMatch(
			/Still RUNNING after \d+ s; it finished as the cancel reached it and the vendor deleted it with its output: it was charged, and cannot be collected/,
		);
		// The run's books carry the charge the vendor made for it: item ledgers add up to the bill.
		expect(lost.costUsd).toBeCloseTo(deleted[0].usd, 6);
		const booked = done.flatMap(({ item }) => item.ledger);
		expect(booked.map((entry) => entry.jobId).sort()).toEqual(
			ledger.entries.map((entry: { jobId: string }) => entry.jobId).sort(),
		);
		expect(booked.reduce((sum, entry) => sum + entry.usd, 0)).toBeCloseTo(ledger.totalUsd, 6);
	});

	it('never deletes a task it could not see unfinished: with every poll failing to the timeout, the cancel reads first, sends no DELETE, and a re-run collects the finished render', async () => {
		// Shot 1 finishes in 1.5 s, but no poll of it gets through: the node cannot tell it is done.
		sandbox.setFaults({
			rules: [{ fault: 'server_error', vendor: 'runway', op: 'poll', params: { status: 503 } }],
		});
		const blind = await runWorkflow(controlLoop({ ...CANCEL, maxPollErrors: 1000 }), {
			credentials: credentialsFor(sandbox, 'vpSandboxRunway'),
			input: asItems(shotItems(1, undefined, { layer: 'broll', durationSeconds: 5 })),
			startNode: 'Runway',
		});
		expect(blind.error).toBeUndefined();
		const review = blind.runs('QC').flatMap((outputs) => outputs[4] ?? []);
		expect(review).toHaveLength(1);
		const held = shotItemSchema.parse(review[0].json);
		expect(held.takes.map((take) => take.status)).toEqual(['timed_out']);
		expect(review[0].json.reviewReason).toMatch(
			/reading it before a cancel failed \(.*503.*\), so no cancel was sent/,
		);

		// The finished task is still at the vendor with its output: no cancel deleted it.
		const [job] = (await sandboxJobs(sandbox)) as SandboxJob[];
		expect([job.id, job.state]).toEqual([held.takes[0].jobId, 'succeeded']);

		sandbox.setFaults({ rules: [] });
		const again = await runWorkflow(controlLoop(CANCEL), {
			credentials: credentialsFor(sandbox, 'vpSandboxRunway'),
			input: [{ json: { ...review[0].json, qc: { ...held.qc!, status: 'retry' } } as never }],
			startNode: 'Runway',
		});
		expect(again.error).toBeUndefined();
		const [collected] = finalItems(again).map(({ item }) => item);
		expect(collected.qc?.status).toBe('passed');
		expect(collected.takes.map((take) => [take.jobId, take.status])).toEqual([
			[job.id, 'succeeded'],
		]);
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries.map((entry: { jobId: string }) => entry.jobId)).toEqual([job.id]);
	});

	/** A Submit Only render of one shot, then the operator's Cancel Task on it (DELETE): the item as it was handed on, and its take. */
	async function submittedThenCancelled(finishFirst: boolean) {
		const credentials = credentialsFor(sandbox, 'vpSandboxRunway');
		const submitOnly = runwayNode(CANCEL);
		submitOnly.parameters = { ...submitOnly.parameters, mode: 'submit' };
		const handed = await runWorkflow(
			{ name: 'submit only', nodes: [submitOnly] as never, connections: {} },
			{
				credentials,
				input: asItems(shotItems(1, undefined, { layer: 'broll', durationSeconds: 5 })),
			},
		);
		expect(handed.error).toBeUndefined();
		const [item] = handed.output('Runway');
		const [take] = shotItemSchema.parse(item.json).takes;
		if (finishFirst)
			for (let tries = 0; (await sandboxJobs(sandbox))[0]?.state !== 'succeeded'; tries++) {
				expect(tries).toBeLessThan(600);
				await new Promise((resolve) => setTimeout(resolve, 100));
			}
		const cancel = await runWorkflow(
			singleNode('runway', { resource: 'task', operation: 'cancel', taskId: take.jobId }, RUNWAY),
			{ credentials, input: [{ json: {} }] },
		);
		expect(cancel.error).toBeUndefined();
		return { item, take, credentials };
	}

	it('a re-run that finds its task cancelled at the vendor (in the dashboard, or by a cancel it could not read back) books it at $0 and has the shot rendered again', async () => {
		sandbox.setFaults({ rules: [{ fault: 'stuck', vendor: 'runway', times: 1 }] });
		const { item, take, credentials } = await submittedThenCancelled(false);
		expect(((await sandboxJobs(sandbox)) as SandboxJob[]).map((job) => job.state)).toEqual([
			'cancelled',
		]);

		const result = await runWorkflow(controlLoop(CANCEL), {
			credentials,
			input: [{ json: item.json }],
			startNode: 'Runway',
		});
		expect(result.error).toBeUndefined();
		const [done] = finalItems(result).map(({ item }) => item);
		expect(done.qc?.status).toBe('passed');
		expect(done.takes.map((t) => [t.jobId, t.status, t.costUsd])).toEqual([
			[take.jobId, 'cancelled', 0],
			[expect.not.stringMatching(take.jobId), 'succeeded', expect.any(Number)],
		]);
		expect(done.takes[0].failure).toMatchObject({ code: 'cancelled', retryable: true });
		const ledger = await sandboxLedger(sandbox);
		expect(ledger.entries.map((entry: { jobId: string }) => entry.jobId)).toEqual([
			done.takes[1].jobId,
		]);
	});

	it('a re-run that finds gone a task whose cancel was sent but not read back books the charge the Submit step recorded, and has the shot rendered again instead of polling a 404 for ever', async () => {
		// The cancel reached the task as it finished: Runway deleted it, output and all, and billed it.
		const { item, take, credentials } = await submittedThenCancelled(true);
		expect(await sandboxJobs(sandbox)).toEqual([]);
		const [charged] = (await sandboxLedger(sandbox)).entries;
		expect(charged.jobId).toBe(take.jobId);
		// The item as a step that timed out and sent that cancel left it, unable to read the task back.
		const left = {
			...item.json,
			takes: [{ ...take, status: 'timed_out', cancelSentAt: new Date().toISOString() }],
		};

		const result = await runWorkflow(controlLoop(CANCEL), {
			credentials,
			input: [{ json: left as never }],
			startNode: 'Runway',
		});
		expect(result.error).toBeUndefined();
		const [done] = finalItems(result).map(({ item }) => item);
		expect(done.qc?.status).toBe('passed');
		const [lost, again] = done.takes;
		expect(done.takes).toHaveLength(2);
		expect([lost.jobId, lost.status, again.status]).toEqual([take.jobId, 'failed', 'succeeded']);
		expect(lost.failure).toMatchObject({ code: 'timeout_deleted', retryable: true });
		expect(lost.failure!.message).toMatch(/deleted it with its output: it was charged/);
		const ledger = await sandboxLedger(sandbox);
		expect(lost.costUsd).toBeCloseTo(charged.usd, 6);
		expect(done.ledger.map((entry) => [entry.jobId, entry.usd])).toEqual(
			ledger.entries.map((entry: { jobId: string; usd: number }) => [entry.jobId, entry.usd]),
		);
	});

	it('a keyframe still cancelled at the timeout leaves its clip unsent: the keyframe the item carries from the round before is not animated, and the next round draws a new one', async () => {
		const credentials = credentialsFor(sandbox, 'vpSandboxRunway');
		const chain = keyframeThenClip(CANCEL);
		// Round 1 drew a keyframe and animated it; QC sent the shot back for round 2.
		const first = await runWorkflow(chain, {
			credentials,
			input: asItems(shotItems(1, undefined, { layer: 'broll', durationSeconds: 5 })),
		});
		expect(first.error).toBeUndefined();
		const [roundOne] = first.output('Clip');
		expect(roundOne.binary?.keyframe).toBeDefined();
		const roundTwo = {
			...roundOne,
			json: {
				...roundOne.json,
				qc: { attempts: { narrative: 0, hero: 0, control: 1 }, verdicts: [], status: 'retry' },
			},
		};

		// Round 2's keyframe is stuck and cancelled at the timeout.
		sandbox.setFaults({
			rules: [{ fault: 'stuck', vendor: 'runway', model: 'gen4_image', times: 1 }],
		});
		const result = await runWorkflow(qcLoop(chain, 'control'), {
			credentials,
			input: [roundTwo as never],
			startNode: 'Still',
		});
		expect(result.error).toBeUndefined();

		// At the vendor: round 2's still cancelled, and no clip made from round 1's keyframe.
		const jobs = (await sandboxJobs(sandbox)) as Array<SandboxJob & { model: string }>;
		const byModel = (model: string) =>
			jobs.filter((job) => job.model === model).sort((a, b) => a.createdAt - b.createdAt);
		expect(byModel('gen4_image').map((job) => job.state)).toEqual([
			'succeeded',
			'cancelled',
			'succeeded',
		]);
		expect(byModel('gen4.5').map((job) => job.state)).toEqual(['succeeded', 'succeeded']);
		expect(byModel('gen4.5')[1].createdAt).toBeGreaterThan(byModel('gen4_image')[2].createdAt);

		const [done] = finalItems(result).map(({ item }) => item);
		expect(done.qc?.status).toBe('passed');
		expect(done.takes.map((take) => [take.operation, take.attempt, take.status])).toEqual([
			['textToImage', 1, 'succeeded'],
			['imageToVideo', 1, 'succeeded'],
			['textToImage', 2, 'cancelled'],
			['textToImage', 3, 'succeeded'],
			['imageToVideo', 3, 'succeeded'],
		]);
	});

	it('a still for another property cancelled at the timeout does not hold back the clip: the keyframe this attempt drew is animated', async () => {
		const chain = keyframeThenClip(CANCEL);
		// A poster still drawn into `poster` between the keyframe and the clip, stuck and cancelled.
		const poster = packageNode(
			'Poster',
			'runway',
			{
				resource: 'image',
				operation: 'textToImage',
				model: 'gen4_image_turbo',
				shotSource: 'item',
				renderOptions: { ...CANCEL, binaryPropertyName: 'poster' },
			},
			['runwayVideoPipelineApi', 'vpSandboxRunway'],
		);
		const workflow = {
			...chain,
			nodes: [...chain.nodes, poster],
			connections: { Still: { main: [to('Poster')] }, Poster: { main: [to('Clip')] } },
		};
		sandbox.setFaults({
			rules: [{ fault: 'stuck', vendor: 'runway', model: 'gen4_image_turbo', times: 1 }],
		});
		// Gen-4 Image Turbo draws only from references: the shot's character has one.
		const ava = await referenceImage(sandbox, 'ava.png', 3);
		const pin = pinWith([{ tag: 'ava', url: ava.url }]);
		const result = await runWorkflow(workflow as never, {
			credentials: credentialsFor(sandbox, 'vpSandboxRunway'),
			input: asItems(shotItems(1, pin, { layer: 'broll', durationSeconds: 5 })),
		});
		expect(result.error).toBeUndefined();

		// At the vendor: the poster cancelled, the clip made from this attempt's keyframe.
		const jobs = (await sandboxJobs(sandbox)) as Array<SandboxJob & { model: string }>;
		const states = (model: string) =>
			jobs.filter((job) => job.model === model).map((job) => job.state);
		expect(states('gen4_image')).toEqual(['succeeded']);
		expect(states('gen4_image_turbo')).toEqual(['cancelled']);
		expect(states('gen4.5')).toEqual(['succeeded']);

		const [clip] = result.output('Clip').map((item) => shotItemSchema.parse(item.json));
		expect(clip.takes.map((take) => [take.operation, take.binaryProperty, take.status])).toEqual([
			['textToImage', 'keyframe', 'succeeded'],
			['textToImage', 'poster', 'cancelled'],
			['imageToVideo', 'data', 'succeeded'],
		]);
		expect(clip.takes[2].refsSent).toEqual(clip.takes[0].refsSent);
	});
});
