/**
 * One download of a large clip through n8n's engine (n8n-core, filesystem binary store), in a
 * process of its own so that the process's peak RSS is the download's. The bench starts it once
 * per mode:
 * - `stream`: our Veo node's Download operation (HTTP stream straight into the binary store);
 * - `buffered`: the pattern of n8n's own Gemini and MiniMax video nodes, the body read whole
 *   as an ArrayBuffer, then handed to prepareBinaryData.
 * Input is one JSON argument; the last line of stdout is the JSON result.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { binaryDataService, runWorkflow, type WorkflowJson } from '../../test/harness/engine';

export interface DownloadClipInput {
	mode: 'stream' | 'buffered';
	/** gs:// URI of the clip in the sandbox's Cloud Storage. */
	uri: string;
	/** The same object's media download URL (what our node derives from the URI). */
	mediaUrl: string;
	credentials: Record<string, Record<string, string>>;
}

export interface DownloadClipResult {
	mode: DownloadClipInput['mode'];
	bytes: number;
	/** RSS after the engine, the package and the binary store are loaded, before the download. */
	loadedRssMb: number;
	peakRssMb: number;
}

const CREDENTIAL = { googleVideoPipelineApi: { id: 'vpSandboxVertex', name: 'Vertex' } };

const bufferedDownload: INodeType = {
	description: {
		displayName: 'Buffered Download',
		name: 'bufferedDownload',
		group: ['transform'],
		version: 1,
		description: '',
		defaults: { name: 'Buffered Download' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'googleVideoPipelineApi', required: true }],
		properties: [{ displayName: 'URL', name: 'url', type: 'string', default: '' }],
	} as never,
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const url = this.getNodeParameter('url', 0) as string;
		const body = (await this.helpers.httpRequestWithAuthentication.call(
			this,
			'googleVideoPipelineApi',
			{ url, encoding: 'arraybuffer' },
		)) as ArrayBuffer;
		return [
			[
				{
					json: {},
					binary: {
						data: await this.helpers.prepareBinaryData(Buffer.from(body), 'clip.mp4', 'video/mp4'),
					},
				},
			],
		];
	},
};

function workflow(input: DownloadClipInput): WorkflowJson {
	const node =
		input.mode === 'stream'
			? {
					type: 'n8n-nodes-video-pipeline.googleVeo',
					parameters: {
						resource: 'video',
						operation: 'download',
						source: 'uri',
						uri: input.uri,
						binaryPropertyName: 'data',
					},
				}
			: { type: 'bench.bufferedDownload', parameters: { url: input.mediaUrl } };
	return {
		name: `download ${input.mode}`,
		nodes: [
			{
				id: 'd1',
				name: 'Download',
				typeVersion: 1,
				position: [0, 0],
				credentials: CREDENTIAL,
				...node,
			},
		] as never,
		connections: {},
	};
}

const megabytes = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function main(): Promise<void> {
	const input = JSON.parse(process.argv[2]) as DownloadClipInput;
	await binaryDataService();
	const loadedRssMb = megabytes(process.memoryUsage().rss);
	const result = await runWorkflow(workflow(input), {
		credentials: input.credentials,
		extraNodeTypes: { 'bench.bufferedDownload': bufferedDownload },
	});
	if (result.error) throw result.error;
	const [item] = result.output('Download');
	const id = item?.binary?.data?.id;
	if (!id) throw new Error('the download left no binary in the store');
	// The stored file's size, read from the store's own directory, proves the whole clip arrived.
	const stored = path.join(
		process.env.N8N_USER_FOLDER!,
		'.n8n',
		'storage',
		id.replace(/^filesystem-v2:/, ''),
	);
	const bytes = statSync(stored).size;
	const output: DownloadClipResult = {
		mode: input.mode,
		bytes,
		loadedRssMb,
		peakRssMb: megabytes(process.resourceUsage().maxRSS * 1024),
	};
	process.stdout.write(`${JSON.stringify(output)}\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(
		`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});
