import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { sandboxCredentials } from '../../sandbox/credentials';
import {
	BATCH_WORKFLOW,
	campaignRuns,
	campaigns,
	executionIds,
	expectSeededBatchDelivered,
	runBatch,
} from '../harness/batchRun';
import { nodeOutput, nodeRunOutputs } from '../harness/executionData';
import {
	dataTableName,
	templateInstance,
	TEMPLATE_DELIVERY,
	TEMPLATE_HOME,
	type N8nInstance,
	type N8nProcess,
} from '../harness/n8nCli';
import { samplePng } from '../../sandbox/media/samples';
import {
	sandboxAsset,
	sandboxJobs,
	sandboxLedger,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';

interface ReportShot {
	outcome: string;
	takes: Array<{
		jobId: string;
		operation?: string;
		ruling?: { route: string; failed: Array<{ check: string }> };
	}>;
}

const E2E_TIMEOUT = 30 * 60 * 1000;

interface CapRow {
	id: number;
	vendor: string;
	cap: number;
	learnedAt: string;
	runId: string;
	batch: string;
}
const accountCaps = (n8n: N8nInstance) => n8n.dataTable<CapRow>('video_account_caps');

/**
 * The scheduled batch needs n8n's Data Tables, which only a running instance loads (not
 * `n8n execute`): the template is published, `n8n start` serves its webhook, and the test reads
 * the tables and executions from n8n's database.
 */
/** brand-anchors.jsonl as the batch left it: one line per anchor a run set, oldest first. */
function storedAnchors(): Array<{
	brand: string;
	tag: string;
	runId: string;
	references: string;
	anchor: { jobId: string; runId: string; clipFile: string };
}> {
	const file = path.join(TEMPLATE_DELIVERY, 'brand-anchors.jsonl');
	if (!existsSync(file)) return [];
	return readFileSync(file, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map((line) => {
			const row = JSON.parse(line);
			return { ...row, anchor: JSON.parse(row.anchor) };
		});
}

describe('scheduled ad batch in a running n8n', () => {
	let sandbox: Sandbox;
	let n8n: N8nInstance;
	let server: N8nProcess;

	beforeAll(async () => {
		sandbox = await withSandbox({
			config: { renderMs: { openai: 300, google: 300, runway: 300 } },
		});
		n8n = await templateInstance(
			sandboxCredentials(sandbox),
			['error-reporter.json', 'scheduled-ad-batch.json'],
			[BATCH_WORKFLOW],
		);
		mkdirSync(TEMPLATE_DELIVERY, { recursive: true });
		server = await n8n.start({ HOME: TEMPLATE_HOME });
	}, E2E_TIMEOUT);
	afterAll(async () => {
		await server?.stop();
		await sandbox?.stop();
	});

	it(
		'creates and seeds the tables, renders every variant and format per brand under one pin per brand, and writes the status rows back',
		async () => {
			rmSync(TEMPLATE_DELIVERY, { recursive: true, force: true });
			mkdirSync(TEMPLATE_DELIVERY, { recursive: true });
			// One Veo hero loses its audio; one square keyframe draws another face, so the clip
			// animated from it shows that face too.
			sandbox.setFaults({
				rules: [
					{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'audio' } },
					{
						fault: 'drift',
						vendor: 'runway',
						model: 'gen4_image',
						// A later shot: the first accepted take of a character is its anchor.
						promptIncludes: 'balcony',
						times: 1,
						params: { drift: 'character' },
					},
				],
			});
			await runBatch(n8n, server);
			await expectSeededBatchDelivered(n8n, sandbox, { rerenders: 2, squareRerenders: 1 });

			// Every vendor renders at once: the round's Runway b-roll was queued at Runway before Veo's
			// Submit step sent its first job, and one Merge gathered both for the waiting steps.
			const [night] = executionIds(n8n, BATCH_WORKFLOW).slice(-1);
			const [firstBroll] = nodeRunOutputs(n8n, night, 'Runway B-Roll (Submit)');
			const brollJobs = new Set(firstBroll.map((item) => item.takes.at(-1).jobId));
			const sent = await sandboxJobs(sandbox);
			const firstVeoAt = Math.min(
				...sent.filter((j) => j.vendor === 'google').map((j) => j.createdAt),
			);
			const queuedFirst = sent.filter((j) => brollJobs.has(j.id) && j.createdAt < firstVeoAt);
			expect(firstBroll.length).toBeGreaterThan(0);
			expect(queuedFirst).toHaveLength(firstBroll.length);
			expect(nodeRunOutputs(n8n, night, 'All Renders Sent')[0].length).toBeGreaterThan(
				firstBroll.length,
			);
			// Each item went to the step that waits for its engine, and none was left unplaced.
			const engineOf = (item: any) => {
				const by = item.renderError ?? item.takes.at(-1);
				return `${by.vendor}:${by.operation}`;
			};
			const routed = (output: number) =>
				nodeRunOutputs(n8n, night, 'Collect Renders', output).flat().map(engineOf);
			expect(new Set(routed(0))).toEqual(new Set(['google:generate']));
			expect(new Set(routed(1))).toEqual(new Set(['runway:imageToVideo']));
			expect(new Set(routed(2))).toEqual(new Set(['runway:textToVideo']));
			expect(routed(3)).toEqual([]);

			// The changed face was caught by the judge against the anchor and re-rendered by Runway;
			// the take delivered instead is one the sandbox did not drift.
			const jobs = await sandboxJobs(sandbox);
			const drifted = jobs.filter(
				(j: { extra: { drift?: { inheritedFrom?: string } } }) => j.extra.drift?.inheritedFrom,
			);
			expect(drifted).toHaveLength(1);
			const driftedIds = new Set(
				jobs
					.filter((j: { extra: { drift?: unknown } }) => j.extra.drift)
					.map((j: { id: string }) => j.id),
			);
			const squareRuns = campaignRuns(n8n).filter((r) => r.aspectRatio === '1:1');
			const shots = squareRuns.flatMap(
				(run) =>
					JSON.parse(
						readFileSync(path.join(TEMPLATE_DELIVERY, `${run.runId}-qc-report.json`), 'utf8'),
					).shots as ReportShot[],
			);
			const caught = shots.filter((s) => s.takes.some((t) => t.jobId === drifted[0].id));
			expect(caught).toHaveLength(1);
			const [first, ...later] = caught[0].takes.filter((t) => t.operation !== 'textToImage');
			expect(first.jobId).toBe(drifted[0].id);
			expect(first.ruling?.route).toBe('control');
			expect(first.ruling?.failed.map((v) => v.check).join(' ')).toMatch(/identity/);
			expect(caught[0].outcome).toBe('passed');
			const delivered = later[later.length - 1];
			expect(delivered.ruling?.route ?? 'passed').toBe('passed');
			expect(driftedIds.has(delivered.jobId)).toBe(false);

			// The first night started from the safe default and stored what the render nodes learned:
			// one row per vendor that rendered, within the template's upper limit of 20.
			const caps = accountCaps(n8n);
			expect(caps.map((c) => c.vendor).sort()).toEqual(
				expect.arrayContaining(['google', 'runway']),
			);
			expect(new Set(caps.map((c) => c.vendor)).size).toBe(caps.length);
			for (const row of caps) {
				expect(Number.isInteger(row.cap) && row.cap >= 1 && row.cap <= 20).toBe(true);
				expect(row.batch).toBe(campaigns(n8n)[0].batch);
			}
			const [firstNight] = executionIds(n8n, BATCH_WORKFLOW).slice(-1);
			for (const item of nodeOutput(n8n, firstNight, 'Start From Learned Caps'))
				expect(item.learnedConcurrency).toBeUndefined();

			// The sample campaigns pin no product images: no anchor is kept for a later night, whose
			// text-only renders could not draw the same face or can again.
			expect(storedAnchors()).toEqual([]);
		},
		E2E_TIMEOUT,
	);

	it(
		'a later batch leaves delivered campaigns alone and the seeded table is not seeded again',
		async () => {
			const paid = (await sandboxLedger(sandbox)).entries.length;
			await runBatch(n8n, server);
			expect(campaigns(n8n)).toHaveLength(2);
			expect(campaignRuns(n8n)).toHaveLength(5);
			expect((await sandboxLedger(sandbox)).entries).toHaveLength(paid);
		},
		E2E_TIMEOUT,
	);

	// Open: the second night's batch execution (a delivered campaign queued again the same day) ends
	// in error within two seconds; not yet diagnosed, so this night is not run in CI until it is.
	it(
		"the next night's items start from the caps stored the night before, and the night writes its own back",
		async () => {
			const [table] = n8n.query<{ id: string }>(
				"SELECT id FROM data_table WHERE name = 'video_account_caps'",
			);
			const capsTable = dataTableName(table.id);
			// What an operator (or an earlier night) left: Google 3, a stale duplicate row of it, Runway 2.
			n8n.exec(
				`UPDATE ${capsTable} SET cap = 3, "learnedAt" = '2026-12-01T01:00:00.000Z' WHERE vendor = 'google'`,
			);
			n8n.exec(
				`UPDATE ${capsTable} SET cap = 2, "learnedAt" = '2026-12-01T01:00:00.000Z' WHERE vendor = 'runway'`,
			);
			n8n.exec(
				`INSERT INTO ${capsTable} (vendor, cap, "learnedAt", "runId", batch) VALUES ('google', 9, '2026-11-30T01:00:00.000Z', 'old', 'old')`,
			);
			const [northwind] = campaigns(n8n).filter((c) => c.brand === 'Northwind Outdoors');
			n8n.exec(
				`UPDATE ${dataTableName(n8n.query<{ id: string }>("SELECT id FROM data_table WHERE name = 'video_campaigns'")[0].id)} SET status = 'queued' WHERE id = ${northwind.id}`,
			);
			// Tonight Northwind's campaign pins a product image, is long enough for its two heroes to be
			// 8 s (the only length Veo renders reference images at) and adds a vertical format.
			const productImage = await sandboxAsset(
				sandbox,
				'northwind-product.png',
				samplePng('northwind'),
			);
			n8n.exec(
				`UPDATE ${dataTableName(n8n.query<{ id: string }>("SELECT id FROM data_table WHERE name = 'video_campaigns'")[0].id)} SET "referenceImages" = '${productImage}', "targetSeconds" = 24, "aspectRatios" = '16:9,9:16' WHERE id = ${northwind.id}`,
			);
			await runBatch(n8n, server);
			const [night] = executionIds(n8n, BATCH_WORKFLOW).slice(-1);

			// Its runs stored their product anchors for the next night: made with that image, each clip
			// kept as a file beside the run state.
			const imageHash = createHash('sha256').update(samplePng('northwind')).digest('hex');
			const stored = storedAnchors();
			expect(stored.length).toBeGreaterThan(0);
			for (const row of stored) {
				expect(row.brand).toBe(`${northwind.brand} / ${northwind.product}`);
				expect(row.references).toBe(imageHash);
				expect(row.anchor.runId).toBe(row.runId);
				expect(existsSync(path.join(TEMPLATE_DELIVERY, row.anchor.clipFile))).toBe(true);
			}

			// Veo rendered the product only where it takes references (8 s, 16:9); the vertical run went
			// to Runway, and every Runway shot showing the product started from a keyframe drawn with them.
			const tonight = campaignRuns(n8n).filter(
				(r) => r.campaignId === northwind.id && r.batch === String(night),
			);
			expect(tonight.map((r) => r.aspectRatio).sort()).toEqual(['16:9', '9:16']);
			for (const run of tonight) {
				expect(run.status).toBe('delivered');
				const { shots } = JSON.parse(
					readFileSync(path.join(TEMPLATE_DELIVERY, `${run.runId}-run-state.json`), 'utf8'),
				) as {
					shots: Array<{
						shot: { characters: string[]; durationSeconds: number; aspectRatio: string };
						pin: { characters: Array<{ tag: string; refs: unknown[] }> };
						takes: Array<{ vendor: string; operation: string }>;
					}>;
				};
				const showing = shots.filter((s) =>
					s.pin.characters.some((c) => c.refs.length > 0 && s.shot.characters.includes(c.tag)),
				);
				expect(showing.length).toBeGreaterThan(0);
				for (const { shot, takes } of showing)
					for (const take of takes) {
						if (take.vendor === 'google')
							expect([shot.durationSeconds, shot.aspectRatio]).toEqual([8, '16:9']);
						else expect(takes.some((t) => t.operation === 'textToImage')).toBe(true);
					}
				if (run.aspectRatio === '9:16')
					expect(shots.every((s) => s.takes.every((t) => t.vendor === 'runway'))).toBe(true);
			}

			const started = nodeOutput(n8n, night, 'Start From Learned Caps');
			expect(started).toHaveLength(1);
			expect(started[0].learnedConcurrency).toEqual({ google: 3, runway: 2 });
			// Every render node's first round started there: its items came out with a cap for its vendor.
			for (const node of ['Veo Hero (Submit)', 'Runway B-Roll (Submit)'])
				for (const item of nodeOutput(n8n, night, node))
					expect(Object.keys(item.learnedConcurrency ?? {}).length).toBeGreaterThan(0);
			const written = accountCaps(n8n).filter((c) => c.batch === String(night));
			expect(written.map((c) => c.vendor)).toEqual(expect.arrayContaining(['google', 'runway']));
		},
		E2E_TIMEOUT,
	);
	it(
		'a shot whose submit may have been billed goes to review with no clip, and every run of the night still delivers its report',
		async () => {
			const [lumen] = campaigns(n8n).filter((c) => c.brand === 'Lumen Coffee');
			const table = dataTableName(
				n8n.query<{ id: string }>("SELECT id FROM data_table WHERE name = 'video_campaigns'")[0].id,
			);
			n8n.exec(`UPDATE ${table} SET status = 'queued' WHERE id = ${lumen.id}`);
			for (const file of readdirSync(TEMPLATE_DELIVERY))
				if (file.startsWith('lumen-coffee-')) rmSync(path.join(TEMPLATE_DELIVERY, file));
			// Google answers one submit with a 5xx after taking it: the node cannot know whether it was
			// billed, so it does not send it again, and the shot has no clip to write. It is a run's
			// first shot, the item its report rides on.
			sandbox.setFaults({
				rules: [
					{
						fault: 'server_error',
						vendor: 'google',
						op: 'submit',
						promptIncludes: 'opens the fridge',
						times: 1,
						params: { afterSend: true },
					},
				],
			});
			await runBatch(n8n, server);
			sandbox.setFaults({ rules: [] });
			const [night] = executionIds(n8n, BATCH_WORKFLOW).slice(-1);

			const tonight = campaignRuns(n8n).filter(
				(r) => r.campaignId === lumen.id && r.batch === String(night),
			);
			expect(tonight).toHaveLength(4);
			const shots = tonight.flatMap((run) => {
				const report = JSON.parse(
					readFileSync(path.join(TEMPLATE_DELIVERY, `${run.runId}-qc-report.json`), 'utf8'),
				) as { shots: Array<ReportShot & { id: string; reviewReason?: string }> };
				return report.shots.map((shot) => ({ run, shot }));
			});
			const review = shots.filter(({ shot }) => shot.outcome !== 'passed');
			expect(review).toHaveLength(1);
			expect(review[0].shot.id).toBe('shot-01');
			expect(review[0].shot.reviewReason).toMatch(/may or may not have been accepted/);
			expect(review[0].run.status).toBe('needs_review');
			const master = (runId: string, id: string) =>
				path.join(TEMPLATE_DELIVERY, `${runId}-${id}.mp4`);
			expect(existsSync(master(review[0].run.runId, review[0].shot.id))).toBe(false);
			for (const { run, shot } of shots.filter(({ shot }) => shot.outcome === 'passed'))
				expect(existsSync(master(run.runId, shot.id))).toBe(true);
			expect(campaigns(n8n).find((c) => c.id === lumen.id)!.status).toBe('needs_review');
		},
		E2E_TIMEOUT,
	);
});
