import { GoogleGenAI, type GenerateVideosOperation } from '@google/genai';
import {
	parseServiceAccountKey,
	signServiceAccountAssertion,
} from '../../nodes/shared/vendors/google/auth';
import { ffprobeBytes, pngImage } from '../harness/media';
import { withSandbox, type Sandbox } from '../harness/sandbox';

// Every test waits for sandbox renders (made by ffmpeg), which take seconds on a loaded machine.
jest.setTimeout(120_000);

/** The official @google/genai SDK, unmodified, on both backends the sandbox serves. */
describe('sandbox: Google Veo and Gemini through @google/genai', () => {
	let sandbox: Sandbox;
	let gemini: GoogleGenAI;
	let express: GoogleGenAI;

	beforeAll(async () => {
		sandbox = await withSandbox();
		const apiKey = sandbox.context.config.keys.googleApiKey;
		gemini = new GoogleGenAI({ apiKey, httpOptions: { baseUrl: sandbox.baseUrls.gemini } });
		express = new GoogleGenAI({
			vertexai: true,
			apiKey,
			httpOptions: { baseUrl: sandbox.baseUrls.vertex },
		});
	});
	afterAll(async () => sandbox.stop());

	async function waitFor(
		ai: GoogleGenAI,
		operation: GenerateVideosOperation,
	): Promise<GenerateVideosOperation> {
		while (!operation.done) {
			await new Promise((resolve) => setTimeout(resolve, 100));
			operation = await ai.operations.getVideosOperation({ operation });
		}
		return operation;
	}

	it('generates on the Gemini API, polls the operation and downloads with the key', async () => {
		const operation = await waitFor(
			gemini,
			await gemini.models.generateVideos({
				model: 'veo-3.1-fast-generate-001',
				prompt: 'A red kite over dunes',
				config: { numberOfVideos: 2, durationSeconds: 4, aspectRatio: '9:16', resolution: '1080p' },
			}),
		);
		expect(operation.response?.generatedVideos).toHaveLength(2);
		const uri = operation.response!.generatedVideos![0].video!.uri!;
		const unauthenticated = await fetch(uri);
		expect(unauthenticated.status).toBe(403);
		const bytes = Buffer.from(
			await (
				await fetch(uri, {
					headers: { 'x-goog-api-key': sandbox.context.config.keys.googleApiKey },
				})
			).arrayBuffer(),
		);
		expect(ffprobeBytes(bytes)).toMatchObject({ width: 1080, height: 1920, audioCodec: 'aac' });
		const charged = sandbox.context.ledger.entries.find((entry) => entry.jobId === operation.name);
		expect(charged).toMatchObject({ units: 8, usd: 0.96 });
	});

	it('generates with reference images in Vertex express mode and returns inline bytes', async () => {
		const reference = {
			imageBytes: pngImage(256, 256, 7).toString('base64'),
			mimeType: 'image/png',
		};
		const operation = await waitFor(
			express,
			await express.models.generateVideos({
				model: 'veo-3.1-generate-001',
				prompt: 'The same character waves',
				config: {
					durationSeconds: 8,
					aspectRatio: '16:9',
					generateAudio: false,
					seed: 7,
					referenceImages: [{ image: reference, referenceType: 'ASSET' as never }],
				},
			}),
		);
		const video = operation.response!.generatedVideos![0].video!;
		const probe = ffprobeBytes(Buffer.from(video.videoBytes!, 'base64'));
		expect(probe).toMatchObject({ width: 1280, height: 720 });
		expect(probe.audioCodec).toBeUndefined();
		expect(probe.durationSeconds).toBeCloseTo(8, 0);
	});

	it('rejects what each backend rejects', async () => {
		await expect(
			gemini.models.generateVideos({
				model: 'veo-3.1-generate-001',
				prompt: 'x',
				config: { durationSeconds: 5 },
			}),
		).rejects.toThrow(/durationSeconds must be one of 4, 6, 8/);
		await expect(
			gemini.models.generateVideos({ model: 'veo-3.1-generate-preview', prompt: 'x' }),
		).rejects.toThrow(/no longer available/);
		await expect(
			express.models.generateVideos({
				model: 'veo-3.1-generate-001',
				prompt: 'x',
				config: {
					durationSeconds: 4,
					referenceImages: [
						{
							image: { imageBytes: pngImage(64, 64).toString('base64'), mimeType: 'image/png' },
							referenceType: 'ASSET' as never,
						},
					],
				},
			}),
		).rejects.toThrow(/only durationSeconds 8/);
		const seeded = await fetch(
			`${sandbox.baseUrls.gemini}/v1beta/models/veo-3.1-generate-001:predictLongRunning`,
			{
				method: 'POST',
				headers: {
					'x-goog-api-key': sandbox.context.config.keys.googleApiKey,
					'content-type': 'application/json',
				},
				body: JSON.stringify({ instances: [{ prompt: 'x' }], parameters: { seed: 1 } }),
			},
		);
		expect(seeded.status).toBe(400);
		expect(((await seeded.json()) as any).error.status).toBe('INVALID_ARGUMENT');
	});

	it('serves the regional Vertex path to a service account that exchanged a signed JWT, and writes to Cloud Storage', async () => {
		const key = parseServiceAccountKey(JSON.stringify(sandbox.context.google.serviceAccount.json));
		const tokenResponse = await fetch(sandbox.baseUrls.token, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({
				grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
				assertion: signServiceAccountAssertion(
					key,
					sandbox.baseUrls.token,
					Math.floor(Date.now() / 1000),
				),
			}),
		});
		const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
		const wrongAudience = await fetch(sandbox.baseUrls.token, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({
				grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
				assertion: signServiceAccountAssertion(
					key,
					'https://elsewhere/token',
					Math.floor(Date.now() / 1000),
				),
			}),
		});
		expect(wrongAudience.status).toBe(400);
		const model = `${sandbox.baseUrls.vertex}/v1/projects/${sandbox.context.config.googleProject}/locations/us-central1/publishers/google/models/veo-3.1-generate-001`;
		const post = (suffix: string, body: unknown, bearer = token) =>
			fetch(`${model}:${suffix}`, {
				method: 'POST',
				headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
		expect(
			(await post('predictLongRunning', { instances: [{ prompt: 'x' }] }, 'ya29.forged')).status,
		).toBe(401);
		const { name } = (await (
			await post('predictLongRunning', {
				instances: [{ prompt: 'Harbour at night' }],
				parameters: { durationSeconds: 6, resolution: '720p', storageUri: 'gs://renders/run-1/' },
			})
		).json()) as { name: string };
		let operation: any;
		do {
			await new Promise((resolve) => setTimeout(resolve, 100));
			operation = await (await post('fetchPredictOperation', { operationName: name })).json();
		} while (!operation.done);
		const gcsUri: string = operation.response.videos[0].gcsUri;
		expect(gcsUri).toMatch(/^gs:\/\/renders\/run-1\/.+\/sample_0\.mp4$/);
		const object = gcsUri.replace('gs://renders/', '');
		const media = await fetch(
			`${sandbox.baseUrls.gcs}/storage/v1/b/renders/o/${encodeURIComponent(object)}?alt=media`,
			{ headers: { authorization: `Bearer ${token}` } },
		);
		expect(ffprobeBytes(Buffer.from(await media.arrayBuffer())).durationSeconds).toBeCloseTo(6, 0);
	});

	it('uploads through the Files API and judges a clip against its references with a JSON schema', async () => {
		const refBytes = pngImage(128, 128, 11);
		const operation = await waitFor(
			express,
			await express.models.generateVideos({
				model: 'veo-3.1-fast-generate-001',
				prompt: 'Hero walks #336699',
				config: {
					durationSeconds: 8,
					aspectRatio: '16:9',
					referenceImages: [
						{
							image: { imageBytes: refBytes.toString('base64'), mimeType: 'image/png' },
							referenceType: 'ASSET' as never,
						},
					],
				},
			}),
		);
		const clip = Buffer.from(operation.response!.generatedVideos![0].video!.videoBytes!, 'base64');
		const file = await gemini.files.upload({
			file: new Blob([clip], { type: 'video/mp4' }),
			config: { mimeType: 'video/mp4', displayName: 'shot-1' },
		});
		let stored = await gemini.files.get({ name: file.name! });
		while (stored.state !== 'ACTIVE') {
			await new Promise((resolve) => setTimeout(resolve, 100));
			stored = await gemini.files.get({ name: file.name! });
		}
		const schema = {
			type: 'object',
			properties: {
				identityScore: { type: 'number' },
				colourScore: { type: 'number' },
				issues: { type: 'array', items: { type: 'string' } },
			},
			required: ['identityScore', 'colourScore', 'issues'],
		};
		const judge = async (reference: Buffer) => {
			const response = await gemini.models.generateContent({
				model: 'gemini-3.5-flash',
				contents: [
					{
						role: 'user',
						parts: [
							{ text: 'Score identity against the reference; graded palette #336699.' },
							{ fileData: { fileUri: stored.uri!, mimeType: 'video/mp4' } },
							{ inlineData: { data: reference.toString('base64'), mimeType: 'image/png' } },
						],
					},
				],
				config: { responseMimeType: 'application/json', responseJsonSchema: schema },
			});
			return JSON.parse(response.text!) as {
				identityScore: number;
				colourScore: number;
				issues: string[];
			};
		};
		const same = await judge(refBytes);
		expect(same.identityScore).toBe(1);
		expect(same.colourScore).toBeGreaterThan(0.9);
		const other = await judge(pngImage(128, 128, 12));
		expect(other.identityScore).toBe(0);
		expect(other.issues[0]).toMatch(/not recognisable/);
	});
});
