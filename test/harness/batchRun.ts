/**
 * The scheduled batch as a running n8n serves it (single process or queue mode): fire its webhook,
 * wait for the execution, and check what the first batch must deliver. Both e2e files use these,
 * so queue mode is held to exactly the results of one process.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TEMPLATE_DELIVERY, type N8nInstance, type N8nProcess } from './n8nCli';
import { executionErrors } from './executionData';
import { ffprobeFile } from './media';
import { renderDuplicates, sandboxLedger, type Sandbox } from './sandbox';

const DELIVERY = TEMPLATE_DELIVERY;
export const BATCH_WORKFLOW = 'vpScheduledAdBatch';

export interface CampaignRow {
	id: number;
	brand: string;
	product: string;
	status: string;
	batch: string;
	runsDelivered: number;
	shotsPassed: number;
	shotsNeedReview: number;
	costUsd: number;
	deliveredAt: string;
}
export interface RunRow {
	campaignId: number;
	batch: string;
	brand: string;
	runId: string;
	aspectRatio: string;
	status: string;
	shots: number;
	passed: number;
	rerenders: number;
	costUsd: number;
	expectedRuns: number;
}

export const campaigns = (n8n: N8nInstance) => n8n.dataTable<CampaignRow>('video_campaigns');
export const campaignRuns = (n8n: N8nInstance) => n8n.dataTable<RunRow>('video_campaign_runs');

/** A workflow's executions with their status, oldest first. */
export const executions = (n8n: N8nInstance, workflowId: string) =>
	n8n.query<{ id: number; status: string }>(
		`SELECT id, status FROM execution_entity WHERE "workflowId" = '${workflowId}' ORDER BY id`,
	);

/** Ids of a workflow's executions, oldest first. */
export const executionIds = (n8n: N8nInstance, workflowId: string) =>
	executions(n8n, workflowId).map((e) => e.id);

/** Waits until a workflow has `count` executions after the first `after` and all of them succeeded. */
export async function waitForExecutions(
	n8n: N8nInstance,
	server: N8nProcess,
	workflowId: string,
	after: number,
	count: number,
	timeoutMs = 10 * 60 * 1000,
): Promise<number[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const started = executions(n8n, workflowId).slice(after);
		const done = started.filter((e) => !['new', 'running', 'waiting'].includes(e.status));
		if (started.length >= count && done.length === started.length) {
			const failed = done.filter((e) => e.status !== 'success');
			if (failed.length) {
				// The failed executions' own errors, from n8n's database, before the server's log.
				const messages = failed.flatMap((e) => executionErrors(n8n, e.id));
				throw new Error(
					`${workflowId} executions ${failed.map((e) => `${e.id} ${e.status}`).join(', ')}: ${messages.join(' | ')}\n${server.output().slice(-4000)}`,
				);
			}
			return done.map((e) => e.id);
		}
		if (Date.now() > deadline)
			throw new Error(
				`${workflowId}: ${done.length} of ${count} executions finished:\n${server.output().slice(-4000)}`,
			);
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
}

/** Fires the batch webhook and waits for the execution it started to finish. */
export async function runBatch(n8n: N8nInstance, server: N8nProcess): Promise<void> {
	const before = executionIds(n8n, BATCH_WORKFLOW).length;
	const response = await server.webhook(
		'video-batch',
		{},
		{ 'X-Brief-Token': 'sandbox-brief-token' },
	);
	if (response.status !== 200)
		throw new Error(`batch webhook answered ${response.status}: ${await response.text()}`);
	await waitForExecutions(n8n, server, BATCH_WORKFLOW, before, 1);
}

const shotFiles = (runId: string, shots: number) =>
	Array.from({ length: shots }, (_, i) =>
		path.join(DELIVERY, `${runId}-shot-${String(i + 1).padStart(2, '0')}.mp4`),
	);
const runState = (runId: string) =>
	JSON.parse(readFileSync(path.join(DELIVERY, `${runId}-run-state.json`), 'utf8')) as {
		shots: Array<{
			pin: { fingerprint: string };
			shot: { aspectRatio: string; layer: string };
			takes: Array<{ vendor: string; jobId: string }>;
		}>;
	};

/**
 * The seeded first batch, with one injected audio drift on Google: every variant and format per
 * brand delivered under one pin per brand, the status rows written back, reports adding up to
 * the sandbox ledger, no duplicate charge and exactly one re-render.
 */
export async function expectSeededBatchDelivered(
	n8n: N8nInstance,
	sandbox: Sandbox,
	/** Re-renders the injected drifts call for, and how many of them were square shots (a still each). */
	expected: { rerenders: number; squareRerenders: number } = { rerenders: 1, squareRerenders: 0 },
): Promise<void> {
	const rows = campaigns(n8n);
	expect(rows.map((c) => [c.brand, c.status, c.runsDelivered])).toEqual([
		['Lumen Coffee', 'delivered', 4],
		['Northwind Outdoors', 'delivered', 1],
	]);
	const delivered = campaignRuns(n8n);
	expect(delivered).toHaveLength(5);
	expect(delivered.map((r) => r.aspectRatio).sort()).toEqual([
		'16:9',
		'1:1',
		'1:1',
		'9:16',
		'9:16',
	]);
	expect(
		delivered.every(
			(r) => r.status === 'delivered' && r.passed === r.shots && r.batch === rows[0].batch,
		),
	).toBe(true);

	// Every master on disk is a real MP4; the runs' reports add up to the bill, per campaign and in total.
	const ledger = await sandboxLedger(sandbox);
	const duplicated = new Set(renderDuplicates(ledger).map((d) => d.fingerprint));
	expect(
		ledger.entries
			.filter((e: { requestFingerprint: string }) => duplicated.has(e.requestFingerprint))
			.map(
				(e: { vendor: string; model: string; jobId: string }) =>
					`${e.vendor} ${e.model} ${e.jobId}`,
			),
	).toEqual([]);
	const reported = new Set<string>();
	let rerenders = 0;
	for (const run of delivered) {
		for (const file of shotFiles(run.runId, run.shots)) {
			expect(existsSync(file)).toBe(true);
			const probe = ffprobeFile(file);
			expect(Number(probe.format.duration)).toBeGreaterThan(1);
			const video = probe.streams.find((s: { codec_type: string }) => s.codec_type === 'video');
			const ratio = video.width / video.height;
			expect(
				run.aspectRatio === '1:1'
					? ratio === 1
					: run.aspectRatio === '9:16'
						? ratio < 1
						: ratio > 1,
			).toBe(true);
		}
		const report = JSON.parse(
			readFileSync(path.join(DELIVERY, `${run.runId}-qc-report.json`), 'utf8'),
		);
		expect(report.cost.totalUsd).toBeCloseTo(run.costUsd, 4);
		rerenders += report.totals.rerenders;
		for (const shot of report.shots as Array<{ takes: Array<{ jobId: string }> }>)
			for (const take of shot.takes) reported.add(take.jobId);
	}
	for (const row of rows)
		expect(row.costUsd).toBeCloseTo(
			delivered.filter((r) => r.campaignId === row.id).reduce((sum, r) => sum + r.costUsd, 0),
			4,
		);
	expect(delivered.reduce((sum, r) => sum + r.costUsd, 0)).toBeCloseTo(ledger.totalUsd, 4);
	for (const entry of ledger.entries.filter((e: { unit: string }) => e.unit !== 'token'))
		expect(reported.has(entry.jobId)).toBe(true);
	// Only the drifted shots were rendered again.
	expect(rerenders).toBe(expected.rerenders);
	const paidFor = (unit: string) =>
		ledger.entries.filter((e: { unit: string }) => e.unit === unit).length;
	expect(paidFor('second')).toBe(
		delivered.reduce((sum, r) => sum + r.shots, 0) + expected.rerenders,
	);
	// Square shots are animated from a keyframe still: one still per square shot, none for the rest.
	expect(paidFor('image')).toBe(
		delivered.filter((r) => r.aspectRatio === '1:1').reduce((sum, r) => sum + r.shots, 0) +
			expected.squareRerenders,
	);
	// Visual checks ran on every run: identity and colour judged, the judge booked under QC.
	for (const run of delivered) {
		const report = JSON.parse(
			readFileSync(path.join(DELIVERY, `${run.runId}-qc-report.json`), 'utf8'),
		);
		expect(report.visualChecks.on).toBe(true);
		expect(report.shots.every((s: { visuallyChecked: boolean }) => s.visuallyChecked)).toBe(true);
	}
	expect(paidFor('token')).toBeGreaterThan(0);

	// One pin per brand; feed (1:1) runs render every shot on Runway.
	const fingerprints = (brand: string) =>
		new Set(
			delivered
				.filter((r) => r.brand === brand)
				.flatMap((r) => runState(r.runId).shots.map((s) => s.pin.fingerprint)),
		);
	expect(fingerprints('Lumen Coffee').size).toBe(1);
	expect(fingerprints('Northwind Outdoors').size).toBe(1);
	expect([...fingerprints('Lumen Coffee')][0]).not.toBe([...fingerprints('Northwind Outdoors')][0]);
	for (const run of delivered.filter((r) => r.aspectRatio === '1:1')) {
		expect(
			runState(run.runId).shots.every((s) => s.takes.every((t) => t.vendor === 'runway')),
		).toBe(true);
	}
	expect(
		delivered
			.filter((r) => r.aspectRatio !== '1:1')
			.some((r) => runState(r.runId).shots.some((s) => s.takes.some((t) => t.vendor === 'google'))),
	).toBe(true);
}
