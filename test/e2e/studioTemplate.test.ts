import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { sandboxCredentials } from '../../sandbox/credentials';
import { samplePng } from '../../sandbox/media/samples';
import { mediaTool } from '../../sandbox/media/tools';
import { ffprobeFile } from '../harness/media';
import {
	ensureN8nRuntime,
	N8nInstance,
	TEMPLATE_DELIVERY,
	TEMPLATE_HOME,
	templateJson,
	type N8nProcess,
} from '../harness/n8nCli';
import {
	sandboxAsset,
	sandboxJobs,
	sandboxLedger,
	withSandbox,
	type Sandbox,
	renderDuplicates,
} from '../harness/sandbox';

const E2E_TIMEOUT = 30 * 60 * 1000;
const HOME = TEMPLATE_HOME;
const DELIVERY = TEMPLATE_DELIVERY;
const RUN = 'cafe-launch-001';
const sha256Bytes = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const sha256 = (file: string) => sha256Bytes(readFileSync(file));

describe('studio template in the real n8n CLI', () => {
	let sandbox: Sandbox;
	let n8n: N8nInstance;

	beforeAll(async () => {
		sandbox = await withSandbox({
			config: { renderMs: { openai: 300, google: 300, runway: 300 } },
		});
		n8n = new N8nInstance(ensureN8nRuntime());
		await n8n.importCredentials(sandboxCredentials(sandbox));
		rmSync(DELIVERY, { recursive: true, force: true });
		mkdirSync(DELIVERY, { recursive: true });
	}, E2E_TIMEOUT);
	afterAll(async () => {
		await sandbox?.stop();
	});

	it(
		'imports every template and knows every node type they use',
		async () => {
			const dir = path.join(__dirname, '../../workflows');
			const runtime = ensureN8nRuntime();
			const basePackage = JSON.parse(
				readFileSync(
					path.join(runtime.cache, 'n8n/node_modules/n8n-nodes-base/package.json'),
					'utf8',
				),
			) as { n8n: { nodes: string[] } };
			const baseTypes = new Set(
				basePackage.n8n.nodes.map((file) => {
					const name = path.basename(file).replace(/\.node\.js$/, '');
					return `n8n-nodes-base.${name[0].toLowerCase()}${name.slice(1)}`;
				}),
			);
			for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
				const workflow = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
				await n8n.importWorkflow(workflow);
				for (const node of workflow.nodes as Array<{ type: string }>) {
					if (node.type.startsWith('n8n-nodes-base.'))
						expect(`${file}: ${node.type} ${baseTypes.has(node.type)}`).toBe(
							`${file}: ${node.type} true`,
						);
				}
			}
		},
		E2E_TIMEOUT,
	);

	it(
		'imports unmodified (sample references on the sandbox), runs the sample brief with its characters pinned to reference images through the QC loop, and delivers masters, report and timeline',
		async () => {
			sandbox.setFaults({
				rules: [{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'audio' } }],
			});
			const template = templateJson('studio-brief-to-delivery.json');
			await n8n.importWorkflow(template);
			await n8n.execute(template.id, { HOME });

			const shots = ['shot-01', 'shot-02', 'shot-03', 'shot-04', 'shot-05'];
			for (const shot of shots) {
				const file = path.join(DELIVERY, `${RUN}-${shot}.mp4`);
				expect(existsSync(file)).toBe(true);
				const probe = ffprobeFile(file);
				expect(Number(probe.format.duration)).toBeGreaterThan(1);
			}
			const report = JSON.parse(readFileSync(path.join(DELIVERY, `${RUN}-qc-report.json`), 'utf8'));
			const ledger = await sandboxLedger(sandbox);
			expect(report.totals).toMatchObject({ shots: 5, passed: 5, renders: 6, rerenders: 1 });
			expect(report.cost.totalUsd).toBeCloseTo(ledger.totalUsd, 4);
			expect(renderDuplicates(ledger)).toEqual([]);
			const reported = new Set(
				report.shots.flatMap((s: { takes: Array<{ jobId: string }> }) =>
					s.takes.map((t) => t.jobId),
				),
			);
			for (const entry of ledger.entries.filter((e: { unit: string }) => e.unit !== 'token'))
				expect(reported.has(entry.jobId)).toBe(true);
			expect(readFileSync(path.join(DELIVERY, `${RUN}-qc-report.html`), 'utf8')).toContain(
				'5 of 5 passed',
			);
			expect(readFileSync(path.join(DELIVERY, `${RUN}-timeline.edl`), 'utf8')).toMatch(/^005 /m);
			expect(
				JSON.parse(readFileSync(path.join(DELIVERY, `${RUN}-timeline.otio`), 'utf8')).OTIO_SCHEMA,
			).toBe('Timeline.1');
			const runState = JSON.parse(
				readFileSync(path.join(DELIVERY, `${RUN}-run-state.json`), 'utf8'),
			);
			expect(runState.shots).toHaveLength(5);

			// The sample brief pins each character to the sandbox's sample reference for its tag.
			const traffic = Object.fromEntries(sandbox.context.traffic);
			const samples = { mara: sha256Bytes(samplePng('mara')), leo: sha256Bytes(samplePng('leo')) };
			for (const tag of Object.keys(samples))
				expect(traffic[`assets:samples/${tag}.png`]).toBeGreaterThanOrEqual(1);
			for (const shot of runState.shots) {
				const pinned = Object.fromEntries(
					shot.pin.characters.map(
						(c: { tag: string; refs: Array<{ ref: string; sha256: string }> }) => [
							c.tag,
							c.refs.map((r) => [r.ref, r.sha256]),
						],
					),
				);
				expect(pinned).toEqual({
					mara: [[`${sandbox.origin}/assets/samples/mara.png`, samples.mara]],
					leo: [[`${sandbox.origin}/assets/samples/leo.png`, samples.leo]],
				});
			}
			// Identity is judged against the references, not only against the anchor.
			const judged = sandbox.context.judge.calls.map((call) => call.against.references);
			expect(judged.length).toBeGreaterThanOrEqual(5);
			for (const [tag, hash] of Object.entries(samples))
				expect(judged.some((references) => references[tag]?.includes(hash))).toBe(true);
			for (const references of judged)
				for (const [tag, hashes] of Object.entries(references))
					expect(hashes).toEqual([samples[tag as keyof typeof samples]]);
		},
		E2E_TIMEOUT,
	);

	it(
		'reshoots one shot from the saved run state without touching the others',
		async () => {
			const modified = (shot: string) =>
				statSync(path.join(DELIVERY, `${RUN}-${shot}.mp4`)).mtimeMs;
			const before = Object.fromEntries(
				['shot-01', 'shot-02', 'shot-03'].map((shot) => [shot, modified(shot)]),
			);
			const paid = (await sandboxLedger(sandbox)).entries.length;
			const template = templateJson('reshoot-one-shot.json');
			await n8n.importWorkflow(template);
			await n8n.execute(template.id, { HOME });

			const ledger = await sandboxLedger(sandbox);
			const added = ledger.entries.slice(paid);
			// One render, on Runway (the vision judge's token charges aside).
			expect(
				added
					.filter((e: { unit: string }) => e.unit !== 'token')
					.map((e: { vendor: string }) => e.vendor),
			).toEqual(['runway']);
			expect(modified('shot-02')).toBeGreaterThan(before['shot-02']);
			expect(modified('shot-01')).toBe(before['shot-01']);
			expect(modified('shot-03')).toBe(before['shot-03']);
			const qc = JSON.parse(
				readFileSync(path.join(DELIVERY, `${RUN}-shot-02-reshoot-qc.json`), 'utf8'),
			);
			expect(qc.shots).toEqual([
				expect.objectContaining({
					id: 'shot-02',
					outcome: 'passed',
					attempts: expect.objectContaining({ control: 1 }),
				}),
			]);
			expect(qc.shots[0].takes).toHaveLength(2);
		},
		E2E_TIMEOUT,
	);
	it(
		'judges a reshoot in a later execution against the anchor clips kept beside the run state, and re-renders a changed face there',
		async () => {
			// The studio run kept each character's anchor clip beside the run state: the very take that set it.
			const state = JSON.parse(readFileSync(path.join(DELIVERY, `${RUN}-run-state.json`), 'utf8'));
			const anchors = state.anchors as Array<{
				tag: string;
				shotId: string;
				clipFile: string;
				asset: { kind: string };
			}>;
			expect(anchors.map((a) => a.tag).sort()).toEqual(['leo', 'mara']);
			const kept: Record<string, string> = {};
			for (const anchor of anchors) {
				expect(anchor.asset.kind).toBe('binary');
				expect(anchor.clipFile).toBe(`${RUN}-anchor-${anchor.tag}.mp4`);
				kept[anchor.tag] = sha256(path.join(DELIVERY, anchor.clipFile));
				expect(kept[anchor.tag]).toBe(sha256(path.join(DELIVERY, `${RUN}-${anchor.shotId}.mp4`)));
			}
			// The shot with both characters: one of them may be anchored by this very shot's old take,
			// which now lives only in the kept file.
			const shotId = (state.shots as Array<{ shot: { id: string; characters: string[] } }>).find(
				(s) => s.shot.characters.includes('mara') && s.shot.characters.includes('leo'),
			)!.shot.id;

			// The first reshoot render shows other faces.
			sandbox.setFaults({
				rules: [{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'character' } }],
			});
			const calls = sandbox.context.judge.calls.length;
			const template = templateJson('reshoot-one-shot.json');
			template.nodes.find(
				(n: { name: string }) => n.name === 'Sample Request',
			).parameters.jsonOutput = JSON.stringify({
				runId: RUN,
				shotId,
				note: 'Closer on the hand-over.',
				budgetUsd: 5,
			});
			await n8n.importWorkflow(template);
			await n8n.execute(template.id, { HOME });
			sandbox.setFaults({ rules: [] });

			// Every judge call of this execution compared the takes with the kept clips, byte for byte.
			const judged = sandbox.context.judge.calls.slice(calls);
			expect(judged.length).toBeGreaterThanOrEqual(2);
			for (const call of judged) expect(call.against.anchors).toEqual(kept);
			expect(judged.some((call) => !call.clean)).toBe(true);
			expect(judged.at(-1)!.clean).toBe(true);

			const qc = JSON.parse(
				readFileSync(path.join(DELIVERY, `${RUN}-${shotId}-reshoot-qc.json`), 'utf8'),
			);
			const [shot] = qc.shots;
			expect(shot.outcome).toBe('passed');
			const drifted = new Set(
				(await sandboxJobs(sandbox))
					.filter((j: { extra: { drift?: unknown } }) => j.extra.drift)
					.map(
						(j: { id: string; extra: { operationName?: string } }) => j.extra.operationName ?? j.id,
					),
			);
			const [first, ...later] = shot.takes.slice(-2) as Array<{
				jobId: string;
				ruling?: { route: string; failed: Array<{ check: string; judge?: { against: string } }> };
			}>;
			expect(later).toHaveLength(1);
			expect(drifted.has(first.jobId)).toBe(true);
			expect(first.ruling?.route).toBe('hero');
			expect(first.ruling?.failed).toEqual(
				expect.arrayContaining([
					expect.objectContaining({
						check: 'vision.identity',
						judge: expect.objectContaining({ against: expect.stringMatching(/^anchor of @mara/) }),
					}),
				]),
			);
			expect(drifted.has(later[0].jobId)).toBe(false);
			expect(later[0].ruling?.route ?? 'passed').toBe('passed');
		},
		E2E_TIMEOUT,
	);
	it(
		"judges a later run of the same brand against the brand's stored anchors (the first run's takes), and re-renders a changed face there",
		async () => {
			// The first run stored its anchors for the brand (its project) and kept their clips.
			const first = JSON.parse(readFileSync(path.join(DELIVERY, `${RUN}-run-state.json`), 'utf8'));
			const kept: Record<string, string> = {};
			for (const anchor of first.anchors as Array<{ tag: string; clipFile: string }>)
				kept[anchor.tag] = sha256(path.join(DELIVERY, anchor.clipFile));
			expect(Object.keys(kept).sort()).toEqual(['leo', 'mara']);

			// A new brief of the brand, with the same reference images (the sample's).
			const LATER = 'cafe-launch-002';
			const template = templateJson('studio-brief-to-delivery.json');
			const sample = template.nodes.find((n: { name: string }) => n.name === 'Sample Brief');
			sample.parameters.jsonOutput = JSON.stringify({
				...JSON.parse(sample.parameters.jsonOutput),
				runId: LATER,
				script:
					'Mara wipes the counter at noon. Leo waves from the window. Mara smiles back at Leo: "Same as always?"',
				targetSeconds: 24,
			});
			await n8n.importWorkflow(template);
			sandbox.setFaults({
				rules: [{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'character' } }],
			});
			const calls = sandbox.context.judge.calls.length;
			await n8n.execute(template.id, { HOME });
			sandbox.setFaults({ rules: [] });

			const state = JSON.parse(
				readFileSync(path.join(DELIVERY, `${LATER}-run-state.json`), 'utf8'),
			);
			for (const item of state.shots)
				for (const character of item.pin.characters) expect(character.refs).toHaveLength(1);
			// The later run keeps the brand's anchors (the first run's takes) and sets none of its own.
			expect(
				(state.anchors as Array<{ tag: string; runId: string }>)
					.map((a) => `${a.tag}@${a.runId}`)
					.sort(),
			).toEqual([`leo@${RUN}`, `mara@${RUN}`]);
			expect(readdirSync(DELIVERY).filter((f) => f.startsWith(`${LATER}-anchor-`))).toEqual([]);

			// Every judge call of a shot with a pinned character compared it with the first run's kept clips.
			const judged = sandbox.context.judge.calls.slice(calls);
			const withAnchors = judged.filter((call) => Object.keys(call.against.anchors).length);
			expect(withAnchors.length).toBeGreaterThanOrEqual(2);
			for (const call of withAnchors)
				for (const [tag, hash] of Object.entries(call.against.anchors))
					expect(hash).toBe(kept[tag]);
			for (const call of withAnchors)
				expect(Object.keys(call.against.references).length).toBeGreaterThan(0);

			// The changed face was caught against the brand's anchor and re-rendered on the hero layer.
			const qc = JSON.parse(readFileSync(path.join(DELIVERY, `${LATER}-qc-report.json`), 'utf8'));
			const drifted = new Set(
				(await sandboxJobs(sandbox))
					.filter((j: { extra: { drift?: unknown } }) => j.extra.drift)
					.map(
						(j: { id: string; extra: { operationName?: string } }) => j.extra.operationName ?? j.id,
					),
			);
			const takes = (
				qc.shots as Array<{
					outcome: string;
					takes: Array<{
						jobId: string;
						ruling?: {
							route: string;
							failed: Array<{ check: string; judge?: { against: string } }>;
						};
					}>;
				}>
			).flatMap((shot) => shot.takes);
			const caught = takes.filter((take) => drifted.has(take.jobId));
			expect(caught).toHaveLength(1);
			expect(caught[0].ruling?.route).toBe('hero');
			expect(caught[0].ruling?.failed).toEqual(
				expect.arrayContaining([
					expect.objectContaining({
						check: 'vision.identity',
						judge: expect.objectContaining({ against: expect.stringMatching(/^anchor of @/) }),
					}),
				]),
			);
			// Every shot was delivered as passed (a review reason would show here).
			expect(
				(qc.shots as Array<{ id: string; outcome: string; reviewReason?: string }>).map((shot) =>
					`${shot.id} ${shot.outcome} ${shot.reviewReason ?? ''}`.trim(),
				),
			).toEqual(qc.shots.map((shot: { id: string }) => `${shot.id} passed`));
		},
		E2E_TIMEOUT,
	);
	it(
		'cuts the passed shots into one master with the pinned LUT and music bed, where Execute Command is allowed',
		async () => {
			// The run's pin gains a LUT that maps every colour to black and a music bed, so both are visible in the cut.
			const lutUrl = await sandboxAsset(
				sandbox,
				'black.cube',
				`LUT_3D_SIZE 2\n${'0 0 0\n'.repeat(8)}`,
			);
			const wav = path.join(tmpdir(), 'vp-bed.wav');
			execFileSync(mediaTool('ffmpeg'), [
				'-nostdin',
				'-y',
				'-v',
				'error',
				'-f',
				'lavfi',
				'-i',
				'sine=frequency=220:duration=6',
				wav,
			]);
			const musicUrl = await sandboxAsset(sandbox, 'bed.wav', readFileSync(wav));
			const stateFile = path.join(DELIVERY, `${RUN}-run-state.json`);
			const state = JSON.parse(readFileSync(stateFile, 'utf8'));
			for (const item of state.shots) {
				item.pin.grade.lut = { kind: 'url', ref: lutUrl, mimeType: 'text/plain' };
				item.pin.audioBed.music = { kind: 'url', ref: musicUrl, mimeType: 'audio/wav' };
			}
			writeFileSync(stateFile, JSON.stringify(state));
			const expectedSeconds = state.shots.reduce(
				(sum: number, item: { shot: { durationSeconds: number } }) =>
					sum + item.shot.durationSeconds,
				0,
			);

			await n8n.importWorkflow(templateJson('assemble-cut.json'));
			await n8n.execute('vpAssembleCut', { HOME, NODES_EXCLUDE: '[]' });

			const cut = path.join(DELIVERY, `${RUN}-cut.mp4`);
			const probe = ffprobeFile(cut);
			expect(Math.abs(Number(probe.format.duration) - expectedSeconds)).toBeLessThan(0.5);
			expect(
				probe.streams.find((s: { codec_type: string }) => s.codec_type === 'video'),
			).toMatchObject({ width: 1280, height: 720 });
			expect(probe.streams.some((s: { codec_type: string }) => s.codec_type === 'audio')).toBe(
				true,
			);
			// Graded: the black LUT leaves no picture; the mix (shots' sound plus bed, loudness-normalised) is audible.
			const luma = execFileSync(mediaTool('ffprobe'), [
				'-v',
				'error',
				'-f',
				'lavfi',
				'-i',
				`movie=${cut},signalstats`,
				'-show_entries',
				'frame_tags=lavfi.signalstats.YAVG',
				'-of',
				'default=noprint_wrappers=1:nokey=1',
			])
				.toString()
				.trim()
				.split('\n')
				.map(Number);
			expect(Math.max(...luma)).toBeLessThan(20);
			const volume = spawnSync(mediaTool('ffmpeg'), [
				'-nostdin',
				'-v',
				'info',
				'-i',
				cut,
				'-af',
				'volumedetect',
				'-f',
				'null',
				'-',
			]).stderr.toString();
			expect(Number(/mean_volume: (-?[\d.]+) dB/.exec(volume)?.[1])).toBeGreaterThan(-40);
			expect(existsSync(path.join(DELIVERY, `${RUN}-cut-parts`))).toBe(false);
		},
		E2E_TIMEOUT,
	);
	it(
		'takes a brief on the authenticated webhook and POSTs the run summary to the client callback',
		async () => {
			const received: Array<{ path?: string; body: any }> = [];
			let delivered: (() => void) | undefined;
			const arrived = new Promise<void>((resolve) => (delivered = resolve));
			const receiver = createServer((req, res) => {
				let body = '';
				req.on('data', (chunk) => (body += chunk));
				req.on('end', () => {
					received.push({ path: req.url, body: JSON.parse(body) });
					res.writeHead(204).end();
					delivered!();
				});
			});
			await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
			const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/client/hooks/video`;
			let server: N8nProcess | undefined;
			try {
				for (const file of ['error-reporter.json', 'studio-brief-to-delivery.json'])
					await n8n.importWorkflow(templateJson(file));
				await n8n.publish('vpStudioBriefDelivery');
				server = await n8n.start({ HOME });
				const paid = (await sandboxLedger(sandbox)).entries.length;
				const brief = {
					project: 'Bakery reel',
					runId: 'bakery-reel-001',
					script: 'Flour dusts the counter. Ada shapes a loaf and smiles: "Fresh at seven."',
					targetSeconds: 12,
					budgetUsd: 20,
					callbackUrl,
				};

				expect(
					(await server.webhook('video-brief', brief, { 'X-Brief-Token': 'wrong' })).status,
				).toBe(403);
				expect(
					(await server.webhook('video-brief', brief, { 'X-Brief-Token': 'sandbox-brief-token' }))
						.status,
				).toBe(200);
				let timer: NodeJS.Timeout | undefined;
				const timeout = new Promise(
					(_, reject) =>
						(timer = setTimeout(
							() => reject(new Error(`no callback:\n${server!.output().slice(-4000)}`)),
							10 * 60 * 1000,
						)),
				);
				await Promise.race([arrived, timeout]).finally(() => clearTimeout(timer));

				expect(received).toHaveLength(1);
				const [{ path: calledPath, body }] = received;
				expect(calledPath).toBe('/client/hooks/video');
				const report = JSON.parse(
					readFileSync(path.join(DELIVERY, 'bakery-reel-001-qc-report.json'), 'utf8'),
				);
				const ledger = await sandboxLedger(sandbox);
				expect(body).toEqual({
					runId: 'bakery-reel-001',
					project: 'Bakery reel',
					totals: report.totals,
					cost: report.cost,
					deliveryRoot: DELIVERY,
					report: path.join(DELIVERY, 'bakery-reel-001-qc-report.html'),
				});
				expect(body.totals.passed).toBe(body.totals.shots);
				const runCost = ledger.entries
					.slice(paid)
					.reduce((sum: number, e: { usd: number }) => sum + e.usd, 0);
				expect(body.cost.totalUsd).toBeCloseTo(runCost, 4);
			} finally {
				await server?.stop();
				receiver.closeAllConnections();
				receiver.close();
			}
		},
		E2E_TIMEOUT,
	);
});
