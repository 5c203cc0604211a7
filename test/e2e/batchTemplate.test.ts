import { mkdirSync, rmSync } from 'node:fs';
import { sandboxCredentials } from '../../sandbox/credentials';
import {
	BATCH_WORKFLOW,
	campaignRuns,
	campaigns,
	expectSeededBatchDelivered,
	runBatch,
} from '../harness/batchRun';
import {
	templateInstance,
	TEMPLATE_DELIVERY,
	TEMPLATE_HOME,
	type N8nInstance,
	type N8nProcess,
} from '../harness/n8nCli';
import { sandboxLedger, withSandbox, type Sandbox } from '../harness/sandbox';

const E2E_TIMEOUT = 30 * 60 * 1000;

/**
 * The scheduled batch needs n8n's Data Tables, which only a running instance loads (not
 * `n8n execute`): the template is published, `n8n start` serves its webhook, and the test reads
 * the tables and executions from n8n's database.
 */
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
			sandbox.setFaults({
				rules: [{ fault: 'drift', vendor: 'google', times: 1, params: { drift: 'audio' } }],
			});
			await runBatch(n8n, server);
			await expectSeededBatchDelivered(n8n, sandbox);
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
});
