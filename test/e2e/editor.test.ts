import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { sandboxCredentials } from '../../sandbox/credentials';
import { PACKAGE_NAME, PACKAGE_ROOT } from '../harness/engine';
import { ensureN8nRuntime, N8nInstance, templateJson, type N8nProcess } from '../harness/n8nCli';
import { withSandbox, type Sandbox } from '../harness/sandbox';

const E2E_TIMEOUT = 30 * 60 * 1000;
const SCREENSHOTS = path.join(PACKAGE_ROOT, 'test-results', 'editor');
const TEMPLATES = readdirSync(path.join(PACKAGE_ROOT, 'workflows')).filter((f) =>
	f.endsWith('.json'),
);
/** Debian's Chromium, without the background traffic a closed network refuses. */
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
const OURS = `[data-test-id="canvas-node"][data-node-type^="${PACKAGE_NAME}."]`;

/**
 * The n8n editor (2.41.1) in a real browser, as an operator meets the package: templates
 * imported through the editor's own import, our nodes drawn with their icons, found in the node
 * panel, and their parameters shown.
 */
describe('the n8n editor in Chromium', () => {
	let sandbox: Sandbox;
	let server: N8nProcess;
	let browser: Browser;
	let page: Page;
	const pageErrors: string[] = [];

	beforeAll(async () => {
		mkdirSync(SCREENSHOTS, { recursive: true });
		sandbox = await withSandbox();
		const n8n = new N8nInstance(ensureN8nRuntime());
		await n8n.importCredentials(sandboxCredentials(sandbox));
		server = await n8n.start();
		const auth = await server.ownerSession();
		browser = await chromium.launch({
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			headless: true,
			args: CHROMIUM_ARGS,
		});
		const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
		await context.addCookies([{ name: 'n8n-auth', value: auth, url: server.url }]);
		page = await context.newPage();
		page.on('pageerror', (error) => pageErrors.push(error.message));
	}, E2E_TIMEOUT);
	afterAll(async () => {
		await browser?.close();
		await server?.stop();
		await sandbox?.stop();
	});

	async function importTemplate(file: string): Promise<void> {
		await page.goto(`${server.url}/workflow/new`);
		await page.waitForSelector('[data-test-id="canvas"]');
		await page.setInputFiles(
			'[data-test-id="workflow-import-input"]',
			path.join(PACKAGE_ROOT, 'workflows', file),
		);
	}

	for (const file of TEMPLATES) {
		it(
			`imports ${file} through the editor: every node known, ours drawn with their icons, each of ours opens with its parameters`,
			async () => {
				const workflow = templateJson(file) as { nodes: Array<{ name: string; type: string }> };
				const nodes = workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote');
				await importTemplate(file);
				const canvasNodes = page.locator(
					'[data-test-id="canvas-node"]:not([data-node-type="n8n-nodes-base.stickyNote"])',
				);
				for (
					const deadline = Date.now() + 30_000;
					(await canvasNodes.count()) < nodes.length && Date.now() < deadline;
				)
					await page.waitForTimeout(250);
				const drawn = await page
					.locator('[data-test-id="canvas-node"]')
					.evaluateAll((els) => els.map((e) => e.getAttribute('data-node-type')));
				expect(drawn.filter((t) => t !== 'n8n-nodes-base.stickyNote').sort()).toEqual(
					nodes.map((n) => n.type).sort(),
				);
				await expect(
					page.getByText(/install this node|node is not (currently )?installed/i).count(),
				).resolves.toBe(0);

				// Each of our nodes shows the package's own icon, loaded (an unknown node shows a placeholder instead).
				const icons = await page.locator(OURS).evaluateAll((els) =>
					els.map((e) => {
						const img = e.querySelector('img');
						return {
							name: e.getAttribute('data-node-name'),
							src: img?.getAttribute('src') ?? '',
							loaded: Boolean(img && img.complete && img.naturalWidth > 0),
						};
					}),
				);
				const ours = nodes.filter((n) => n.type.startsWith(`${PACKAGE_NAME}.`));
				expect(icons).toHaveLength(ours.length);
				for (const icon of icons)
					expect(icon).toEqual({
						name: icon.name,
						src: expect.stringContaining(`/icons/${PACKAGE_NAME}/`),
						loaded: true,
					});
				await page.screenshot({
					path: path.join(SCREENSHOTS, `${file.replace(/\.json$/, '')}.png`),
				});

				for (const node of ours) {
					const errorsBefore = pageErrors.length;
					await page
						.locator(`[data-test-id="canvas-node"][data-node-name="${node.name}"]`)
						.dblclick();
					const ndv = page.locator('[data-test-id="ndv"]');
					await ndv.locator('[data-test-id="node-parameters"]').waitFor();
					await page.waitForTimeout(500);
					expect(await ndv.locator('[data-test-id="parameter-input"]').count()).toBeGreaterThan(0);
					expect(
						`${node.name}: ${await ndv.locator('[data-test-id="parameter-issues"]').count()} parameter issues`,
					).toBe(`${node.name}: 0 parameter issues`);
					await page.screenshot({
						path: path.join(
							SCREENSHOTS,
							`${file.replace(/\.json$/, '')}--${node.name.replace(/[^A-Za-z0-9]+/g, '-')}.png`,
						),
					});
					expect(pageErrors.slice(errorsBefore)).toEqual([]);
					await page.locator('[data-test-id="ndv-close-button"]').click();
					await ndv.waitFor({ state: 'hidden' });
				}
			},
			E2E_TIMEOUT,
		);
	}

	it.each([
		['Veo', 'Google Veo'],
		['Runway', 'Runway'],
		['Storyboard', 'OpenAI Storyboard'],
		['Pin State', 'Pin State'],
		['QC Router', 'QC Router'],
	])(
		'the node panel finds "%s"',
		async (term, displayName) => {
			await page.goto(`${server.url}/workflow/new`);
			await page.waitForSelector('[data-test-id="canvas"]');
			await page.locator('[data-test-id="node-creator-plus-button"]').click();
			await page.locator('[data-test-id="node-creator-search-bar"]').waitFor();
			await page.keyboard.type(term);
			await expect(
				page
					.locator('[data-test-id="node-creator-item-name"]', { hasText: displayName })
					.first()
					.waitFor({ timeout: 15_000 }),
			).resolves.toBeUndefined();
			await page.screenshot({
				path: path.join(SCREENSHOTS, `node-panel-${term.replace(/\s+/g, '-')}.png`),
			});
		},
		E2E_TIMEOUT,
	);
});
