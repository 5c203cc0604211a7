import { readFileSync } from 'node:fs';
import path from 'node:path';
import { shotItemSchema } from '../../nodes/shared/contract';
import { bufferSource, probeMp4 } from '../../nodes/shared/mp4';
import { validShotItem } from '../fixtures/shotItem';
import { readBinary, runWorkflow, type WorkflowJson } from '../harness/engine';
import {
	openAiCredentials,
	waitForSandboxJob,
	withSandbox,
	type Sandbox,
} from '../harness/sandbox';

const workflow = JSON.parse(
	readFileSync(path.join(__dirname, '../workflows/openai-get-download.json'), 'utf8'),
) as WorkflowJson;

describe('engine harness: a real n8n execution over loopback HTTP', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await withSandbox();
	});
	afterAll(async () => {
		await sandbox.stop();
	});

	async function renderInSandbox(): Promise<string> {
		const response = await fetch(`${sandbox.baseUrls.openai}/videos`, {
			method: 'POST',
			headers: {
				authorization: `Bearer ${sandbox.context.config.keys.openai}`,
				'content-type': 'application/json',
			},
			body: JSON.stringify({
				model: 'sora-2',
				prompt: 'A lighthouse at dusk. Waves roll in.',
				seconds: '4',
				size: '1280x720',
			}),
		});
		const video = (await response.json()) as { id: string };
		await waitForSandboxJob(sandbox, video.id);
		return video.id;
	}

	it('runs Get Status then Download with our credential and stores the streamed MP4 on disk', async () => {
		const jobId = await renderInSandbox();
		const result = await runWorkflow(workflow, {
			credentials: openAiCredentials(sandbox),
			input: [{ json: { jobId } }],
		});

		expect(result.error).toBeUndefined();
		expect(result.run.status).toBe('success');
		expect(result.executionOrder).toEqual(['Get Render', 'Download Render']);

		const [status] = result.output('Get Render');
		expect(status.json).toMatchObject({
			jobId,
			status: 'succeeded',
			vendorStatus: 'completed',
			progress: 1,
		});
		expect(status.pairedItem).toEqual({ item: 0 });

		const [downloaded] = result.output('Download Render');
		const binary = downloaded.binary!.master;
		expect(binary.id).toMatch(/^filesystem-v2:/);
		expect(binary.mimeType).toBe('video/mp4');
		expect(binary.fileName).toBe(`${jobId}.mp4`);

		const bytes = await readBinary(binary.id!);
		const served = readFileSync(sandbox.context.jobs.get(jobId)!.file!);
		expect(bytes.equals(served)).toBe(true);
		const probe = await probeMp4(bufferSource(bytes));
		expect(probe.video).toMatchObject({ width: 1280, height: 720 });
		expect(probe.durationSeconds).toBeCloseTo(4, 1);
		expect(probe.hasAudio).toBe(true);
	});

	it('reports a wrong key as a 401 naming the item, without echoing the key', async () => {
		const jobId = await renderInSandbox();
		const wrongKey = 'sk-wrong-key-1234567890abcdef';
		const credentials = {
			openAiVideoPipelineApi: {
				...openAiCredentials(sandbox).openAiVideoPipelineApi,
				apiKey: wrongKey,
			},
		};
		const result = await runWorkflow(workflow, { credentials, input: [{ json: { jobId } }] });

		expect(result.run.status).toBe('error');
		const error = result.error as Error & { httpCode?: string; context?: { itemIndex?: number } };
		expect(error.message).toContain('HTTP 401');
		expect(error.message).toContain('item 0');
		expect(JSON.stringify(result.run.data)).not.toContain(wrongKey);
	});

	it('updates the take of that job when the item is a shot item', async () => {
		const jobId = await renderInSandbox();
		const item = validShotItem();
		item.takes = [
			{ ...item.takes[0], jobId: 'older-job' },
			{
				...item.takes[0],
				layer: 'narrative',
				vendor: 'openai',
				model: 'sora-2',
				jobId,
				status: 'running',
				asset: undefined,
				finishedAt: undefined,
				attempt: 2,
			},
		];
		const result = await runWorkflow(workflow, {
			credentials: openAiCredentials(sandbox),
			input: [{ json: { ...item, jobId } as never }],
		});
		expect(result.run.status).toBe('success');
		const [, take] = shotItemSchema.parse(result.output('Get Render')[0].json).takes;
		expect(take).toMatchObject({
			jobId,
			status: 'succeeded',
			progress: 1,
			asset: {
				kind: 'url',
				ref: `${sandbox.baseUrls.openai}/videos/${jobId}/content`,
				mimeType: 'video/mp4',
			},
		});
		expect(take.finishedAt).toBeDefined();
		expect(result.output('Get Render')[0].json.takes).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ jobId: 'older-job', status: 'succeeded' }),
			]),
		);
	});

	it('names the missing job as a 404 with its ID', async () => {
		const result = await runWorkflow(workflow, {
			credentials: openAiCredentials(sandbox),
			input: [{ json: { jobId: 'video_missing' } }],
		});
		expect(result.run.status).toBe('error');
		expect(result.error!.message).toMatch(/HTTP 404 not_found.*video_missing/);
	});
});
