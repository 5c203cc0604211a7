import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ShotItem } from '../../nodes/shared/contract';

const to = (node: string) => [[{ node, type: 'main', index: 0 }]];

/**
 * A webhook-started workflow that renders the given shots on Runway Gen-4.5 in two steps, as the
 * templates do (Runway (Submit), then Runway waiting), saving progress between steps, and posts
 * each finished item (shot, job ID, status, the take's start, render error) to `notifyUrl`.
 */
export function runwaySubmitThenWait(options: {
	id: string;
	name: string;
	path: string;
	webhookId: string;
	shots: ShotItem[];
	notifyUrl: string;
	timeoutMinutes: number;
	credentials?: Record<string, { id: string; name: string }>;
}) {
	const render = (name: string, mode: string, position: number) => ({
		id: name,
		name,
		type: 'n8n-nodes-video-pipeline.runway',
		typeVersion: 1,
		position: [position, 0],
		parameters: {
			resource: 'video',
			operation: 'textToVideo',
			model: 'gen4.5',
			shotSource: 'item',
			mode,
			renderOptions: {
				pollIntervalSeconds: 0.2,
				timeoutMinutes: options.timeoutMinutes,
				concurrency: 1,
			},
		},
		credentials: {
			runwayVideoPipelineApi: { id: 'vpSandboxRunway', name: 'Sandbox Runway' },
			...options.credentials,
		},
	});
	return {
		id: options.id,
		name: options.name,
		active: false,
		settings: { executionOrder: 'v1', saveExecutionProgress: true },
		nodes: [
			{
				id: 'w',
				name: 'Start',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: options.webhookId,
				parameters: {
					httpMethod: 'POST',
					path: options.path,
					responseMode: 'onReceived',
					options: {},
				},
			},
			{
				id: 's',
				name: 'Shots',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: {
					jsCode: `return ${JSON.stringify(options.shots)}.map((json) => ({ json }));`,
				},
			},
			render('Runway (Submit)', 'submit', 400),
			render('Runway', 'wait', 600),
			{
				id: 'n',
				name: 'Notify',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [800, 0],
				parameters: {
					method: 'POST',
					url: options.notifyUrl,
					sendBody: true,
					specifyBody: 'json',
					jsonBody:
						'={{ JSON.stringify({ shot: $json.shot.id, jobId: $json.jobId, status: $json.status, startedAt: (($json.takes || []).slice(-1)[0] || {}).startedAt || null, renderError: $json.renderError ?? null }) }}',
					options: {},
				},
			},
		],
		connections: {
			Start: { main: to('Shots') },
			Shots: { main: to('Runway (Submit)') },
			'Runway (Submit)': { main: to('Runway') },
			Runway: { main: to('Notify') },
		},
	};
}

/** A client endpoint that keeps every delivery it is sent; `status` answers each (by its count). */
export async function deliveryEndpoint<T>(status: (count: number) => number = () => 200) {
	const received: T[] = [];
	const server = createServer((request, response) => {
		let body = '';
		request.on('data', (chunk) => (body += chunk));
		request.on('end', () => {
			received.push(JSON.parse(body || 'null') as T);
			response.writeHead(status(received.length), { 'content-type': 'application/json' }).end('{}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/delivered`;
	return { received, url, close: () => server.close() };
}
