import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { shotItemSchema } from '../../nodes/shared/contract';
import { PACKAGE_ROOT, readBinary, runWorkflow } from '../harness/engine';
import { asItems, pinWith, referenceImage, shotItems } from '../harness/pipeline';
import { credentialsFor, withSandbox, type Sandbox } from '../harness/sandbox';
import { heroLoop } from '../harness/workflows';

jest.setTimeout(10 * 60_000);

/** The parts of a <video> element the test reads in the page (no DOM typings in the test build). */
interface FrameReader {
	videoWidth: number;
	videoHeight: number;
	currentTime: number;
	requestVideoFrameCallback(callback: () => void): void;
	ownerDocument: {
		createElement(tag: 'canvas'): {
			width: number;
			height: number;
			getContext(kind: '2d'): {
				drawImage(source: unknown, x: number, y: number): void;
				getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
			};
		};
	};
}

const SCREENSHOTS = path.join(PACKAGE_ROOT, 'test-results', 'qc-report');
// File access from files: the test reads decoded frames back through a canvas, which file:// pages may not do otherwise.
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--allow-file-access-from-files',
];

/**
 * The QC report as a client opens it: the HTML the QC Router wrote, beside the masters the
 * templates deliver, in a real Chromium. A changed face is caught and re-rendered; the report
 * must say why the first take went back, show a still per shot and each character's anchor, the
 * budget as a bar and the cost per layer and vendor.
 */
describe('the QC report in Chromium', () => {
	let sandbox: Sandbox;
	let browser: Browser;

	beforeAll(async () => {
		mkdirSync(SCREENSHOTS, { recursive: true });
		sandbox = await withSandbox({ config: { renderMs: { google: 200 } } });
		browser = await chromium.launch({
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			headless: true,
			args: CHROMIUM_ARGS,
		});
	});
	afterAll(async () => {
		await browser?.close();
		await sandbox?.stop();
	});

	it('shows every take with its ruling, a still per shot, the anchors, the budget bar and cost by layer and vendor', async () => {
		const pin = pinWith([
			{ tag: 'mara', url: (await referenceImage(sandbox, 'mara.png', 12)).url },
			{ tag: 'leo', url: (await referenceImage(sandbox, 'leo.png', 31)).url },
		]);
		sandbox.setFaults({
			rules: [
				{
					fault: 'drift',
					vendor: 'google',
					times: 1,
					promptIncludes: 'Shot 2:',
					params: { drift: 'character' },
				},
			],
		});
		const workflow = heroLoop();
		workflow.nodes.find((n) => n.name === 'QC')!.credentials = {
			googleVideoPipelineApi: { id: 'vpSandboxVertex', name: 'Vertex' },
		};
		const result = await runWorkflow(workflow, {
			credentials: credentialsFor(sandbox, 'vpSandboxVertex'),
			input: asItems(
				shotItems(
					3,
					pin,
					{ needsAudio: true, resolution: '720p' },
					{ runId: 'report-run', budgetUsd: 12, project: 'Café launch' },
				),
			),
			startNode: 'Veo',
		});
		expect(result.error).toBeUndefined();
		const done = result.runs('QC').flatMap((outputs) => outputs[5] ?? []);
		expect(done).toHaveLength(3);

		// The delivery folder as the templates write it: <runId>-<shotId>.mp4 beside <runId>-qc-report.html.
		const folder = mkdtempSync(path.join(tmpdir(), 'vp-qc-report-'));
		for (const output of done) {
			const item = shotItemSchema.parse(output.json);
			writeFileSync(
				path.join(folder, `report-run-${item.shot.id}.mp4`),
				await readBinary(output.binary!.data.id!),
			);
		}
		const html = path.join(folder, 'report-run-qc-report.html');
		writeFileSync(html, await readBinary(done[0].binary!.qc_report_html.id!));

		const page = await (
			await browser.newContext({ viewport: { width: 1400, height: 1000 } })
		).newPage();
		const requests: string[] = [];
		page.on('request', (request) => requests.push(request.url()));
		await page.goto(`file://${html}`);
		// Every still is a frame the browser decoded from a delivered master.
		const videos = page.locator('video');
		await page.waitForFunction(
			"[...document.querySelectorAll('video')].every((v) => v.readyState >= 2)",
			undefined,
			{ timeout: 60_000 },
		);
		// Each still, as the browser decoded it: its frame shows the pinned grade (#335577) in the corner the render leaves clear.
		const corners: number[][] = [];
		for (const video of await videos.all()) {
			await video.scrollIntoViewIfNeeded();
			corners.push(
				await video.evaluate(
					(el) =>
						new Promise<number[]>((resolve) => {
							const v = el as unknown as FrameReader;
							v.requestVideoFrameCallback(() => {
								const canvas = v.ownerDocument.createElement('canvas');
								canvas.width = v.videoWidth;
								canvas.height = v.videoHeight;
								const context = canvas.getContext('2d');
								context.drawImage(v, 0, 0);
								resolve(
									Array.from(
										context.getImageData(v.videoWidth - 8, v.videoHeight - 8, 1, 1).data,
									).slice(0, 3),
								);
							});
							v.currentTime += 0.01;
						}),
				),
			);
		}
		expect(corners).toHaveLength(3 + 2);
		for (const [r, g, b] of corners)
			expect(Math.hypot(r - 0x33, g - 0x55, b - 0x77)).toBeLessThan(20);
		expect(requests.every((url) => url.startsWith('file://'))).toBe(true);

		const text = await page.innerText('body');
		expect(text).toContain('Identity and colour judged on every take by gemini-3.1-flash-lite');
		expect(text).toMatch(
			/Sent back to Hero: vision\.identity 0 \(needs 0\.8\) against references of @mara/,
		);
		expect(text).toMatch(/against anchor of @mara: shot-1, take /);
		expect(text).toContain('Accepted');
		expect(text).toMatch(/@mara\s+shot-1/);
		expect(text).toMatch(/@leo\s+shot-1/);
		expect(text).toContain('Validation (QC)');
		const report = done[0].json.qcReport as {
			cost: { budgetUsedPct: number; byVendor: Record<string, number> };
		};
		expect(text).toContain(`(${report.cost.budgetUsedPct}%)`);
		const bar = (await page.locator('.budget .fill').getAttribute('style')) ?? '';
		expect(bar).toMatch(/^width:[\d.]+%$/);
		expect(Number.parseFloat(bar.slice('width:'.length))).toBeCloseTo(report.cost.budgetUsedPct, 0);
		await page.locator('h1').scrollIntoViewIfNeeded();
		await page.screenshot({ path: path.join(SCREENSHOTS, 'qc-report.png'), fullPage: true });
	});
});
