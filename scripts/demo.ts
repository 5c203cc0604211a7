/**
 * npm run demo: one command from a fresh checkout to a delivered spot. scripts/bootstrap.js has
 * installed the dependencies first (ffmpeg/ffprobe among them where the system lacks them).
 * Builds the package, installs the n8n runtime once, starts the sandbox with one changed face so the
 * QC loop is visible, runs the studio template on the bundled brief in the real n8n CLI with the
 * characters pinned to the sample reference images the sandbox serves (/assets/samples/<tag>.png), and prints what happened:
 * shots, rounds, why each take went back, cost per layer, and where the delivery is.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sandboxCredentials } from '../sandbox/credentials';
import { startSandbox } from '../sandbox/server';
import { ensureN8nRuntime, N8nInstance } from '../test/harness/n8nCli';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.resolve(process.env.DEMO_DIR ?? path.join(ROOT, 'demo-output'));

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
	say('1/5 building the package');
	execFileSync('npm', ['run', 'build', '--silent'], {
		cwd: ROOT,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	say('2/5 making sure n8n 2.41.1 is installed (first run only: a few minutes)');
	const runtime = ensureN8nRuntime();
	say(
		'3/5 starting the vendor sandbox (in the shot where Mara hands Leo a cup, Veo will render other faces, so QC sends it back)',
	);
	const sandbox = await startSandbox({
		env: {
			...process.env,
			SANDBOX_PROFILE: process.env.SANDBOX_PROFILE ?? 'realistic',
			SANDBOX_TIME_SCALE: process.env.SANDBOX_TIME_SCALE ?? '0.05',
		},
	});
	sandbox.setFaults({
		seed: 7,
		rules: [
			{
				fault: 'drift',
				vendor: 'google',
				times: 1,
				promptIncludes: 'hands Leo a cup',
				params: { drift: 'character' },
			},
		],
	});
	try {
		rmSync(OUT, { recursive: true, force: true });
		const deliveries = path.join(OUT, '.n8n-files', 'video-deliveries');
		mkdirSync(deliveries, { recursive: true });
		const n8n = new N8nInstance(runtime);
		await n8n.importCredentials(sandboxCredentials(sandbox));
		const template = JSON.parse(
			readFileSync(path.join(ROOT, 'workflows/studio-brief-to-delivery.json'), 'utf8'),
		);
		for (const node of template.nodes) {
			// The delivery folder is a setting of the template, never a field of the brief.
			// The bundled brief's reference images are served by this sandbox, wherever it listens.
			if (node.name === 'Studio Settings')
				node.parameters.jsonOutput = node.parameters.jsonOutput
					.replace('/home/node/.n8n-files/video-deliveries', deliveries)
					.replace('http://127.0.0.1:8787', sandbox.origin);
		}
		await n8n.importWorkflow(template);

		say('4/5 running the studio template in n8n');
		const seen = new Map<string, string>();
		const progress = setInterval(() => {
			for (const job of sandbox.context.jobs.jobs.values()) {
				const line = `${job.vendor} ${job.model} ${job.id.slice(0, 12)}: ${job.state}${job.state === 'running' ? ` ${Math.round(sandbox.context.jobs.progress(job) * 100)}%` : ''}${job.extra.drift ? ' (drifted: will fail QC)' : ''}`;
				if (seen.get(job.id) !== job.state) say(`     ${line}`);
				seen.set(job.id, job.state);
			}
		}, 500);
		try {
			await n8n.execute(template.id, {
				HOME: OUT,
				N8N_RESTRICT_FILE_ACCESS_TO: path.join(OUT, '.n8n-files'),
			});
		} finally {
			clearInterval(progress);
		}

		say('5/5 summary');
		const report = JSON.parse(
			readFileSync(path.join(deliveries, 'cafe-launch-001-qc-report.json'), 'utf8'),
		);
		say(
			`     ${report.project}: ${report.totals.passed} of ${report.totals.shots} shots passed, ${report.totals.needsReview} need review, ${report.totals.renders} renders (${report.totals.rerenders} re-render) in ${report.rounds} QC rounds`,
		);
		const traffic = Object.fromEntries(sandbox.context.traffic);
		say(
			`     sample references fetched: ${
				Object.entries(traffic)
					.filter(([key]) => key.startsWith('assets:samples/'))
					.map(([key, count]) => `${key.slice('assets:'.length)} x${count}`)
					.join(', ') || 'none'
			}`,
		);
		say(
			`     visual checks: ${report.visualChecks.on ? `on (${report.visualChecks.models.join(', ')})` : report.visualChecks.note}; anchors: ${report.anchors.map((a: { tag: string; shotId: string }) => `@${a.tag} from ${a.shotId}`).join(', ') || 'none'}`,
		);
		for (const shot of report.shots) {
			say(
				`     ${shot.id} ${shot.layer.padEnd(5)} ${shot.outcome.padEnd(12)} takes ${shot.takes.length}`,
			);
			for (const take of shot.takes as Array<{
				attempt: number;
				jobId: string;
				ruling?: {
					route: string;
					failed: Array<{ check: string; value: unknown; judge?: { against: string } }>;
				};
			}>) {
				if (!take.ruling || take.ruling.route === 'passed') continue;
				const why = take.ruling.failed
					.map(
						(v) => `${v.check} ${String(v.value)}${v.judge ? ` against ${v.judge.against}` : ''}`,
					)
					.join('; ');
				say(`       take ${take.attempt} went back to ${take.ruling.route}: ${why}`);
			}
		}
		say(
			`     cost $${report.cost.totalUsd.toFixed(2)} by layer: ${Object.entries(report.cost.byLayer)
				.map(([layer, usd]) => `${layer} $${(usd as number).toFixed(2)}`)
				.join(', ')}`,
		);
		say(
			`     sandbox billed $${sandbox.context.ledger.summary().totalUsd.toFixed(2)}; duplicates: ${sandbox.context.ledger.summary().duplicates.length}`,
		);
		say(`     delivery: ${deliveries}`);
		say(`     report:   ${path.join(deliveries, 'cafe-launch-001-qc-report.html')}`);
	} finally {
		await sandbox.stop();
	}
}

main().catch((error: Error) => {
	process.stderr.write(`${error.message}\n`);
	process.exit(1);
});
