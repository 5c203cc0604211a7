/**
 * A night at scale, simulated: 1,000 renders over 50 campaigns through the shipped scheduled batch
 * template in n8n's queue mode (Redis, PostgreSQL, one main, three workers), against the sandbox's
 * realistic profile time-scaled, with 2% of each fault on the render vendors. One worker is killed
 * with SIGKILL mid-run, a replacement started, and its execution retried as an operator would.
 *
 * Run it on its own with `npm run bench -- bench/soak.bench.ts` (SOAK_TIME_SCALE, SOAK_CAMPAIGNS
 * shorten it for a smoke run).
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { REALISTIC_RENDER_SECONDS } from '../sandbox/config';
import { sandboxCredentials } from '../sandbox/credentials';
import type { FaultRule } from '../sandbox/faults';
import { BATCH_WORKFLOW, campaigns, executions } from '../test/harness/batchRun';
import { PACKAGE_ROOT } from '../test/harness/engine';
import { executionErrors, longStepTakes, stepTimeline } from '../test/harness/executionData';
import {
	dataTableName,
	ensureN8nRuntime,
	N8nInstance,
	templateJson,
	TEMPLATE_HOME,
	type N8nProcess,
} from '../test/harness/n8nCli';
import { Postgres } from '../test/harness/postgres';
import { Redis } from '../test/harness/redis';
import {
	RENDER_JOURNAL_CREDENTIALS,
	renderJournalCredential,
	rendersVideo,
} from '../test/harness/renderJournal';
import {
	renderDuplicates,
	sandboxJobs,
	sandboxLedger,
	withSandbox,
	type Sandbox,
} from '../test/harness/sandbox';
import { cpuSeconds } from './cpuTime';
import { BenchResults } from './results';

jest.setTimeout(60 * 60_000);

const results = new BenchResults();
afterAll(() => results.write(PACKAGE_ROOT));

/** Veo's 75 s and Runway's 45 s renders x 0.1: the night's clock runs ten times fast. */
const SCALE = Number(process.env.SOAK_TIME_SCALE ?? 0.1);
const CAMPAIGNS = Number(process.env.SOAK_CAMPAIGNS ?? 50);
const WORKERS = 3;
/** Three batches of about a third each, so every worker has one to run. */
const PER_BATCH = Math.ceil(CAMPAIGNS / WORKERS);
/** The vendor accounts' concurrency: Vertex refuses over it with 429, Runway queues (THROTTLED). */
const CAPS = { openai: 8, google: 16, runway: 8 };
const FAULT_RATE = 0.02;
const RENDER_VENDORS = ['google', 'runway'] as const;
const TERMINAL = ['success', 'error', 'crashed', 'canceled'];
/** The night's deliveries, apart from the e2e suites' folder (inside n8n's file area, ~/.n8n-files). */
const DELIVERY = path.join(TEMPLATE_HOME, '.n8n-files', `soak-deliveries-${process.pid}`);

/** 2% of each fault, on every render vendor: each request draws each of its faults independently. */
function nightFaults(): FaultRule[] {
	return RENDER_VENDORS.flatMap((vendor): FaultRule[] => [
		...(['submit', 'poll', 'download'] as const).flatMap((op): FaultRule[] => [
			{ fault: 'rate_limit', vendor, op, probability: FAULT_RATE },
			{ fault: 'reset', vendor, op, probability: FAULT_RATE },
		]),
		{
			fault: 'server_error',
			vendor,
			op: 'submit',
			probability: FAULT_RATE,
			params: { afterSend: true },
		},
		{ fault: 'stuck', vendor, probability: FAULT_RATE },
		{ fault: 'expired', vendor, op: 'download', probability: FAULT_RATE },
		{ fault: 'drift', vendor, probability: FAULT_RATE, params: { drift: 'duration' } },
	]);
}

/**
 * The shipped template as an operator configures it for this night: no sample campaigns, a third
 * of the queue per batch, the render journal on every render node (so a step whose worker dies is
 * retried without paying again), and render timeouts on the night's time scale (a stuck job is
 * given up after the same multiple of its typical render time as in real time).
 */
function soakTemplate() {
	const workflow = templateJson('scheduled-ad-batch.json');
	for (const node of workflow.nodes) {
		if (node.name === 'Batch Settings') {
			const settings = JSON.parse(node.parameters.jsonOutput);
			node.parameters.jsonOutput = JSON.stringify(
				{
					...settings,
					deliveryRoot: DELIVERY,
					seedSampleCampaigns: false,
					maxCampaignsPerBatch: PER_BATCH,
				},
				null,
				2,
			);
		}
		if (rendersVideo(node))
			node.credentials = { ...node.credentials, ...RENDER_JOURNAL_CREDENTIALS };
		const options = node.parameters?.renderOptions;
		if (options?.timeoutMinutes) options.timeoutMinutes = options.timeoutMinutes * SCALE;
	}
	return workflow;
}

/** One campaign: two variants x two formats x five shots (three hero, two b-roll) = 20 renders. */
function campaignRow(n: number) {
	// Every shot names the campaign's number, so no two campaigns send the same request; only Ava and
	// the product are names (capitalised mid-sentence), so the 2nd and 4th shots are b-roll for Runway.
	const at = `number ${n}`;
	return {
		brand: `Brand ${String(n).padStart(2, '0')}`,
		product: 'Orbit Soda',
		script: [
			`Ava opens the fridge at ${at} and finds a cold Orbit can.`,
			`Morning light fills the empty kitchen at ${at}.`,
			`Ava cracks the Orbit open on a sunny balcony above ${at}.`,
			`Condensation runs down the cold metal by the window at ${at}.`,
			`Ava smiles: "sorted, ${at}."`,
		].join(' '),
		brief: 'Bright, upbeat, urban mornings. Product label always readable.',
		referenceImages: '',
		look: 'bright morning sun, warm highlights',
		variants: 2,
		aspectRatios: '16:9,9:16',
		targetSeconds: 30,
		budgetUsd: 80,
		status: 'queued',
	};
}

/** The render journal's rows (a Data Table the render nodes write before and after every submit). */
const journalRows = (n8n: N8nInstance) =>
	n8n.dataTable<{ key: string; state: string; shotId: string; vendor: string }>(
		'video_render_journal',
	);

const sqlValue = (value: unknown) =>
	typeof value === 'number' ? String(value) : `'${String(value).replace(/'/g, "''")}'`;

function insertCampaigns(n8n: N8nInstance, count: number): void {
	const [table] = n8n.query<{ id: string }>(
		`SELECT id FROM data_table WHERE name = 'video_campaigns'`,
	);
	const rows = Array.from({ length: count }, (_, i) => campaignRow(i + 1));
	const columns = Object.keys(rows[0]);
	n8n.exec(
		`INSERT INTO ${dataTableName(table.id)} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${rows
			.map((row) => `(${columns.map((c) => sqlValue(row[c as keyof typeof row])).join(', ')})`)
			.join(', ')}`,
	);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs: number) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`soak: timed out waiting for ${what}`);
		await sleep(1000);
	}
}

interface Report {
	runId: string;
	shots: Array<{ id: string; status?: string; takes: Array<{ jobId?: string }> }>;
	totals: { shots: number; passed: number; needsReview: number; rerenders: number };
	cost: { totalUsd: number };
}

interface LedgerEntry {
	vendor: string;
	model: string;
	jobId: string;
	/** When the vendor charged it. */
	at: string;
	unit: string;
	usd: number;
	requestFingerprint: string;
}

describe('soak: a night at scale in queue mode', () => {
	let sandbox: Sandbox;
	let redis: Redis;
	let postgres: Postgres;
	let n8n: N8nInstance;
	let main: N8nProcess;
	let workers: N8nProcess[] = [];

	afterAll(async () => {
		await Promise.all([main, ...workers].map((p) => p?.stop()));
		await redis?.stop();
		await postgres?.stop();
		await sandbox?.stop();
	});

	it('soak: 1,000 renders over 50 campaigns, 2% of each fault, a worker killed and its execution retried', async () => {
		sandbox = await withSandbox({
			env: { SANDBOX_PROFILE: 'realistic', SANDBOX_TIME_SCALE: String(SCALE) },
			config: { concurrency: CAPS, refuseOverConcurrency: { google: true } },
		});
		redis = await Redis.start();
		postgres = await Postgres.start();
		n8n = new N8nInstance(ensureN8nRuntime(), postgres);
		await n8n.importCredentials(sandboxCredentials(sandbox));
		await n8n.importWorkflow(templateJson('error-reporter.json'));
		const template = soakTemplate();
		await n8n.importWorkflow(template);
		await n8n.publish(BATCH_WORKFLOW);
		mkdirSync(DELIVERY, { recursive: true });
		const env = { HOME: TEMPLATE_HOME, ...redis.queueEnv() };
		main = await n8n.start(env);
		// The operator's n8n API key for the journal; the workers reach the main instance's public API.
		await n8n.importCredentials([await renderJournalCredential(main)]);
		// One at a time: on a busy machine three starting together can miss the readiness wait.
		for (let i = 0; i < WORKERS; i++) workers.push(await n8n.worker(env));

		const fire = async () => {
			const response = await main.webhook(
				'video-batch',
				{},
				{ 'X-Brief-Token': 'sandbox-brief-token' },
			);
			if (response.status !== 200)
				throw new Error(`batch webhook answered ${response.status}: ${await response.text()}`);
		};
		const batchExecutions = () => executions(n8n, BATCH_WORKFLOW);

		// The first night on an empty instance creates the tables; the operator then queues the campaigns.
		await fire();
		await until(
			'the tables',
			() => batchExecutions().length === 1 && TERMINAL.includes(batchExecutions()[0].status),
			5 * 60_000,
		);
		const setup = batchExecutions().length;
		insertCampaigns(n8n, CAMPAIGNS);
		expect(campaigns(n8n).filter((c) => c.status === 'queued')).toHaveLength(CAMPAIGNS);

		sandbox.setFaults({ seed: 19, rules: nightFaults() });
		const started = Date.now();
		for (let batch = 1; batch <= WORKERS; batch++) {
			await fire();
			// Each batch claims its share before the next fires, as nightly triggers hours apart would.
			const claimed = Math.min(CAMPAIGNS, batch * PER_BATCH);
			await until(
				`batch ${batch} to claim its campaigns`,
				() => campaigns(n8n).filter((c) => c.status !== 'queued').length >= claimed,
				5 * 60_000,
			);
		}

		// Mid-run (a third of the night's renders billed), a worker running a batch dies with SIGKILL.
		const ranOn = (worker: N8nProcess) =>
			[...worker.output().matchAll(/Worker started execution (\d+)/g)].map((m) => Number(m[1]));
		await until(
			'a third of the renders billed',
			() =>
				sandbox.context.ledger.entries.filter((e) => e.unit === 'second').length >= CAMPAIGNS * 7,
			30 * 60_000,
		);
		const running = batchExecutions()
			.slice(setup)
			.filter((e) => e.status === 'running');
		const victimIndex = workers.findIndex((w) => running.some((e) => ranOn(w).includes(e.id)));
		expect(victimIndex).toBeGreaterThanOrEqual(0);
		const victim = running.find((e) => ranOn(workers[victimIndex]).includes(e.id))!.id;
		const killedAt = Date.now();
		const billedAtKill = sandbox.context.ledger.entries.length;
		const killedCpu = cpuSeconds(workers[victimIndex].child.pid!);
		await workers[victimIndex].stop('SIGKILL');
		// Submits in flight as the worker died: their journal rows say `sending`. One the vendor took
		// was billed without its answer (the job ID) ever reaching n8n, like a submit answered with a
		// 5xx: the retry holds it as outcome unknown and its report flags the shot "may have been billed".
		const sendingAtKill = new Set(
			journalRows(n8n)
				.filter((row) => row.state === 'sending')
				.map((row) => row.key),
		);
		workers[victimIndex] = await n8n.worker(env);
		// The operator's Retry (the editor calls this): it answers when the retry has finished, which a
		// long night may take longer than an HTTP client waits, so the database says when it is done.
		let retryAnswer = 'no answer yet';
		void main
			.rest<{ id: string; status: string }>('POST', `executions/${victim}/retry`, {
				loadWorkflow: false,
			})
			.then(
				(r) => (retryAnswer = `answered ${r.status} (execution ${r.id})`),
				(e: Error) => (retryAnswer = `failed: ${e.message.slice(0, 300)}`),
			);

		const retryOf = () =>
			n8n.query<{ id: number; status: string }>(
				`SELECT id, status FROM execution_entity WHERE "retryOf" = '${victim}' ORDER BY id`,
			);
		await until(
			'every batch and the retry to finish',
			() => {
				const others = batchExecutions()
					.slice(setup)
					.filter((e) => e.id !== victim);
				const retries = retryOf();
				return (
					retries.length > 0 &&
					others.every((e) => TERMINAL.includes(e.status)) &&
					TERMINAL.includes(retries[retries.length - 1].status)
				);
			},
			45 * 60_000,
		);
		const [{ stopped }] = n8n.query<{ stopped: string }>(
			`SELECT MAX("stoppedAt") AS stopped FROM execution_entity WHERE "workflowId" = '${BATCH_WORKFLOW}'`,
		);
		const makespanMs = new Date(stopped).getTime() - started;
		const finalStatuses = batchExecutions()
			.slice(setup)
			.map((e) => `${e.id} ${e.status}`)
			.concat(retryOf().map((e) => `${e.id} ${e.status} (retry of ${victim})`));

		// Where the machine's CPU went: the vendor simulator shares it with n8n here, not in production.
		const n8nCpu = [main, ...workers]
			.map((p) => cpuSeconds(p.child.pid!)?.own ?? 0)
			.reduce((sum, own) => sum + own, killedCpu?.own ?? 0);
		const benchCpu = cpuSeconds(process.pid);

		// What went wrong where, for whoever reads a night that did not go to plan.
		const diagnostics = process.env.SOAK_DIAGNOSTICS ?? path.join(tmpdir(), 'soak-diagnostics.txt');
		writeFileSync(
			diagnostics,
			[
				...n8n
					.query<{
						id: number;
						status: string;
					}>(`SELECT id, status FROM execution_entity WHERE status <> 'success' ORDER BY id`)
					.map((e) => `== execution ${e.id} ${e.status}\n${executionErrors(n8n, e.id).join('\n')}`),
				...batchExecutions()
					.slice(setup)
					.map(
						(e) =>
							`== steps of execution ${e.id} (1 s or longer)\n${stepTimeline(n8n, e.id).join('\n')}\n-- what its steps of 30 s or longer ended with\n${longStepTakes(n8n, e.id, 30_000).join('\n')}`,
					),
				'== main',
				main.output().slice(-20000),
				...workers.map((w, i) => `== worker ${i}\n${w.output().slice(-20000)}`),
			].join('\n'),
		);

		// Evidence outside the node: the sandbox's bill and the reports on disk.
		const ledger = (await sandboxLedger(sandbox)) as { entries: LedgerEntry[] };
		const renders = ledger.entries.filter((e) => e.unit !== 'token');
		const reports = readdirSync(DELIVERY)
			.filter((f) => f.endsWith('-qc-report.json'))
			.map((f) => JSON.parse(readFileSync(path.join(DELIVERY, f), 'utf8')) as Report);
		const runStates = new Map(
			readdirSync(DELIVERY)
				.filter((f) => f.endsWith('-run-state.json'))
				.map((f) => {
					const state = JSON.parse(readFileSync(path.join(DELIVERY, f), 'utf8'));
					return [
						f.replace(/-run-state\.json$/, ''),
						state.shots[0]?.pipeline?.budgetUsd as number | undefined,
					];
				}),
		);
		const reportsOf = new Map<string, string[]>();
		const unknownOutcomes: Array<{ runId: string; shot: string }> = [];
		for (const report of reports) {
			const runId =
				report.runId ?? (report as unknown as { pipeline: { runId: string } }).pipeline?.runId;
			for (const shot of report.shots) {
				for (const take of shot.takes)
					if (take.jobId) reportsOf.set(take.jobId, [...(reportsOf.get(take.jobId) ?? []), runId]);
				if (JSON.stringify(shot).includes('outcome_unknown'))
					unknownOutcomes.push({ runId, shot: shot.id });
			}
		}
		const faultLog = (await (await fetch(`${sandbox.origin}/_sandbox/faults`)).json()) as {
			log: Array<{ fault: string; vendor: string; jobIds?: string[] }>;
		};
		const toldNothing = new Set(
			faultLog.log.filter((f) => f.fault === 'server_error').flatMap((f) => f.jobIds ?? []),
		);
		const unreported = renders.filter((e) => !reportsOf.has(e.jobId));
		const inTwo = renders.filter((e) => new Set(reportsOf.get(e.jobId) ?? []).size > 1);
		const duplicates = renderDuplicates(ledger).reduce((sum, d) => sum + d.count - 1, 0);
		// Which billed renders no report names, and the journal rows that never learned a job ID.
		const unsettled = journalRows(n8n).filter(
			(row) => row.state !== 'accepted' && row.state !== 'refused',
		);
		const diedSending = unsettled.filter((row) => sendingAtKill.has(row.key)).length;
		// A render the node never heard of (the vendor answered its submit with a 5xx, or the worker
		// sending it died first) is in a report only as the shot it flags "may have been billed"; any
		// such render beyond the flags, and any other render no report names, is lost.
		const unreportedUntold = unreported.filter((e) => toldNothing.has(e.jobId)).length;
		const diedUntold = Math.min(diedSending, unreported.length - unreportedUntold);
		const lost =
			unreported.length -
			unreportedUntold -
			diedUntold +
			Math.max(0, unreportedUntold + diedUntold - unknownOutcomes.length) +
			inTwo.length;
		appendFileSync(
			diagnostics,
			[
				'',
				`== billed renders in no report (kill at +${Math.round((killedAt - started) / 1000)} s)`,
				...unreported.map(
					(e) =>
						`${e.jobId} ${e.vendor} ${e.model} billed at +${Math.round((Date.parse(e.at) - started) / 1000)} s${toldNothing.has(e.jobId) ? ' (answered 5xx)' : ''}`,
				),
				`== render journal rows neither accepted nor refused: ${unsettled.length}`,
				...unsettled.map((row) => JSON.stringify(row)),
			].join('\n'),
		);

		const billedByRun = new Map<string, number>();
		for (const entry of ledger.entries)
			for (const runId of new Set(reportsOf.get(entry.jobId) ?? []))
				billedByRun.set(runId, (billedByRun.get(runId) ?? 0) + entry.usd);
		const overBudget = [...billedByRun].map(([runId, usd]) => usd / (runStates.get(runId) ?? NaN));
		const maxOverBudget = Math.max(...overBudget.filter(Number.isFinite));

		const byVendor = (vendor: string) =>
			renders.filter((e) => e.vendor === vendor && e.unit === 'second').length;
		const boundMs = Math.max(
			...RENDER_VENDORS.map(
				(v) => Math.ceil(byVendor(v) / CAPS[v]) * REALISTIC_RENDER_SECONDS[v] * 1000 * SCALE,
			),
		);
		const perMinute = (renders.length / makespanMs) * 60_000;
		const boundPerMinute = (renders.length / boundMs) * 60_000;
		// Where each account's capacity went over the night, from the sandbox's own job records: slots
		// rendering, slots held by a job the stuck fault hit, and slots left idle.
		const nightEnd = started + makespanMs;
		const jobs = await sandboxJobs(sandbox);
		const slotUse = slotUseOf(jobs, started, nightEnd);
		// What the vendors' capacity allowed, given the jobs that stuck in it (a stuck Veo job keeps its
		// Vertex slot to the end, with no cancel; a stuck Runway task holds its slot until it is
		// cancelled at the render timeout): the soonest the night's billed renders fit in the slots the
		// stuck jobs left, at the times they left them.
		const leftBoundMs = Math.max(
			...RENDER_VENDORS.map((v) =>
				capacityLeftBoundMs(
					jobs,
					v,
					CAPS[v],
					byVendor(v) * REALISTIC_RENDER_SECONDS[v] * 1000 * SCALE,
					started,
				),
			),
		);
		const stuckOf = (vendor: string) =>
			faultLog.log.filter((f) => f.fault === 'stuck' && f.vendor === vendor).length;
		appendFileSync(
			diagnostics,
			[
				'',
				'== vendor slots in use per minute (jobs rendering / jobs the stuck fault hit, of the cap)',
				...RENDER_VENDORS.map(
					(vendor) =>
						`${vendor} cap ${CAPS[vendor]}: ${slotUse[vendor].perMinute.map(([done, stuck]) => `${done.toFixed(1)}/${stuck.toFixed(1)}`).join(' ')}`,
				),
			].join('\n'),
		);
		const campaignRows = campaigns(n8n);
		const statusCounts = campaignRows.reduce<Record<string, number>>(
			(acc, c) => ({ ...acc, [c.status]: (acc[c.status] ?? 0) + 1 }),
			{},
		);
		const injected = faultLog.log.reduce<Record<string, number>>(
			(acc, f) => ({ ...acc, [f.fault]: (acc[f.fault] ?? 0) + 1 }),
			{},
		);
		const night = `${CAMPAIGNS} campaigns x 2 variants x 2 formats x 5 shots through workflows/scheduled-ad-batch.json in queue mode (Redis, PostgreSQL, 1 main, ${WORKERS} workers, ${WORKERS} batches of ${PER_BATCH}); sandbox realistic profile x ${SCALE} (Veo ${REALISTIC_RENDER_SECONDS.google * SCALE} s, Runway ${REALISTIC_RENDER_SECONDS.runway * SCALE} s), account caps Vertex ${CAPS.google} (429 over it) and Runway ${CAPS.runway} (THROTTLED over it); 2% of each fault per render-vendor request (injected: ${Object.entries(
			injected,
		)
			.map(([k, v]) => `${k} ${v}`)
			.join(
				', ',
			)}); worker with execution ${victim} SIGKILLed ${((killedAt - started) / 1000).toFixed(0)} s in (${billedAtKill} charges on the ledger), replaced, and retried by POST /rest/executions/${victim}/retry (${retryAnswer}); executions ${finalStatuses.join(', ')}; campaigns ${Object.entries(
			statusCounts,
		)
			.map(([k, v]) => `${k} ${v}`)
			.join(', ')}`;
		results.add({
			key: 'soak_lost_paid_renders',
			value: lost,
			target: '0',
			detail: `${night}. ${renders.length} renders billed, ${reports.length} run reports; billed renders in no report: ${unreported.length} (${unreportedUntold} of them charged by a submit the vendor answered with a 5xx, ${diedUntold} by one the killed worker had in flight, of ${diedSending} journal rows it left sending and still unknown; against ${unknownOutcomes.length} shots the reports flag as "may have been billed"); in more than one report: ${inTwo.length}`,
		});
		results.add({
			key: 'soak_duplicate_charges',
			value: duplicates,
			target: '0',
			detail: `extra charges for a request the sandbox had already billed, same night (${renders.length} renders billed)`,
		});
		// With no run reported there is no ratio to give: say so rather than write -Infinity.
		if (billedByRun.size === 0)
			results.notYetMeasured(
				'`soak_max_billed_over_budget`: no run of the soak reached its report, so no bill can be set against a run budget',
			);
		else
			results.add({
				key: 'soak_max_billed_over_budget',
				value: maxOverBudget,
				target: '<= 1.0',
				detail: `the highest ratio, over ${billedByRun.size} runs, of what the sandbox billed for the run's reported jobs to the run's budget (campaign budget split over its 4 runs)`,
			});
		results.add({
			key: 'soak_throughput_vs_bound',
			value: perMinute / boundPerMinute,
			target: '>= 0.85',
			detail: `${perMinute.toFixed(1)} renders/min (${renders.length} billed renders, first batch fired to last execution stopped: ${(makespanMs / 1000).toFixed(0)} s) against the vendor-cap bound ${boundPerMinute.toFixed(1)} renders/min (max over vendors of ceil(renders / cap) x render time = ${(boundMs / 1000).toFixed(0)} s; Veo ${byVendor('google')}, Runway ${byVendor('runway')})`,
		});
		results.add({
			key: 'soak_throughput_vs_capacity_left',
			value: leftBoundMs / makespanMs,
			detail: `the night's ${(makespanMs / 1000).toFixed(0)} s against the soonest its billed renders (Veo ${byVendor('google')}, Runway ${byVendor('runway')}, at their render times, as divisible work) fit in the slots the stuck jobs left, given the times those jobs stuck in this night: ${(leftBoundMs / 1000).toFixed(0)} s (stuck, besides the billed renders: Veo ${stuckOf('google')}, each keeping a Vertex slot to the end, with no cancel; Runway ${stuckOf('runway')}, each holding its slot until cancelled at the render timeout). A faster client meets its stuck jobs sooner, so this bound is optimistic and the ratio understates the client`,
		});
		results.add({
			key: 'soak_vendor_slot_use',
			value: slotUse.google.done / (CAPS.google * makespanMs),
			detail: `share of the Vertex account's ${CAPS.google} slots x the night's ${(makespanMs / 1000).toFixed(0)} s that ran a render the stuck fault did not hit (succeeded, or failed as a fault said); ${RENDER_VENDORS.map((vendor) => `${vendor}: ${pct(slotUse[vendor].done / (CAPS[vendor] * makespanMs))} rendering, ${pct(slotUse[vendor].stuck / (CAPS[vendor] * makespanMs))} held by stuck jobs, ${pct(1 - (slotUse[vendor].done + slotUse[vendor].stuck) / (CAPS[vendor] * makespanMs))} idle`).join('; ')} (per-minute lanes in the soak diagnostics)`,
		});
		if (benchCpu) {
			// The killed worker was this process's child: its CPU is counted with n8n's, not here.
			const simulator = benchCpu.own + benchCpu.children - (killedCpu?.own ?? 0);
			results.add({
				key: 'soak_cpu_share_simulator',
				value: simulator / (simulator + n8nCpu),
				detail: `CPU seconds of the night: the bench process (the sandbox's vendors in-process, the ffmpeg and ffprobe runs that make and judge every clip, the harness) ${simulator.toFixed(0)} s, n8n's main and workers ${n8nCpu.toFixed(0)} s, of ${cpus().length} cores x ${(makespanMs / 1000).toFixed(0)} s = ${((cpus().length * makespanMs) / 1000).toFixed(0)} core-seconds; the throughput above is what n8n did with the rest of the machine`,
			});
		}
		// eslint-disable-next-line no-console
		console.log(night, { lost, duplicates, maxOverBudget, perMinute, boundPerMinute });
		expect(renders.length).toBeGreaterThan(0);
	});
});

const pct = (share: number) => `${(share * 100).toFixed(0)}%`;

/** What the soak reads of a sandbox job (`/_sandbox/jobs`). */
interface SandboxJobRecord {
	vendor: string;
	startedAt?: number;
	finishedAt?: number;
	/** What the sandbox drew for the job when it was created: a stuck job never ends on its own. */
	outcome?: { kind: string };
}

/** A job the stuck fault hit, by what the sandbox planned for it, not by where it ended (a cancel, or still running at the end). */
const stuckJob = (job: SandboxJobRecord) => job.outcome?.kind === 'stuck';

interface SlotUse {
	/** Slot-milliseconds of jobs the sandbox rendered to their end (succeeded, or failed as a fault said). */
	done: number;
	/** Slot-milliseconds of jobs the stuck fault hit: held until their cancel, or for good. */
	stuck: number;
	/** Mean slots in use each minute of the night: [done, stuck]. */
	perMinute: Array<[number, number]>;
}

/** How the vendors' slots were used between `from` and `to`, from the sandbox's job records. */
function slotUseOf(
	jobs: SandboxJobRecord[],
	from: number,
	to: number,
): Record<(typeof RENDER_VENDORS)[number], SlotUse> {
	const minutes = Math.max(1, Math.ceil((to - from) / 60_000));
	const use = (vendor: string): SlotUse => {
		const result: SlotUse = {
			done: 0,
			stuck: 0,
			perMinute: Array.from({ length: minutes }, (): [number, number] => [0, 0]),
		};
		for (const job of jobs) {
			if (job.vendor !== vendor || job.startedAt === undefined) continue;
			const start = Math.max(from, job.startedAt);
			const end = Math.min(to, job.finishedAt ?? to);
			if (end <= start) continue;
			const stuck = stuckJob(job);
			result[stuck ? 'stuck' : 'done'] += end - start;
			for (let m = Math.floor((start - from) / 60_000); m < minutes; m++) {
				const overlap = Math.min(end, from + (m + 1) * 60_000) - Math.max(start, from + m * 60_000);
				if (overlap <= 0) break;
				// The night's last minute is short: its mean is over the time it had.
				const length = Math.min(60_000, to - (from + m * 60_000));
				result.perMinute[m][stuck ? 1 : 0] += overlap / length;
			}
		}
		return result;
	};
	return { google: use('google'), runway: use('runway') };
}

/**
 * The soonest `workMs` of renders fits in a vendor's slots from `from` on, with the slots its stuck
 * jobs held (from their start to their cancel, or for good) taken out: the bound a client that
 * never lets a free slot idle meets, given the stuck jobs as they happened.
 */
function capacityLeftBoundMs(
	jobs: SandboxJobRecord[],
	vendor: string,
	cap: number,
	workMs: number,
	from: number,
): number {
	const changes = jobs
		.filter((job) => job.vendor === vendor && job.startedAt !== undefined && stuckJob(job))
		.flatMap(
			(job): Array<[number, number]> => [
				[Math.max(from, job.startedAt!), 1],
				...(job.finishedAt !== undefined
					? [[Math.max(from, job.finishedAt), -1] as [number, number]]
					: []),
			],
		)
		.sort((a, b) => a[0] - b[0]);
	let left = workMs;
	let at = from;
	let stuck = 0;
	for (const [time, step] of changes) {
		const free = Math.max(0, cap - stuck);
		if (free * (time - at) >= left) return at + left / free - from;
		left -= free * (time - at);
		at = time;
		stuck += step;
	}
	const free = Math.max(0, cap - stuck);
	return free > 0 ? at + left / free - from : Infinity;
}
