import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { N8nProcess } from './n8nCli';

/** An MCP client (the SDK's own) on the MCP Server Trigger of the published template, over Streamable HTTP. */
export async function connectMcp(
	server: N8nProcess,
	headers: Record<string, string>,
	timeoutMs = 120_000,
): Promise<Client> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const client = new Client({ name: 'pipeline-e2e', version: '1.0.0' });
		try {
			await client.connect(
				new StreamableHTTPClientTransport(new URL(`${server.url}/mcp/video-pipeline`), {
					requestInit: { headers },
				}),
			);
			return client;
		} catch (error) {
			await client.close().catch(() => undefined);
			// n8n answers 404 until it has activated the published workflow after start-up, and on a
			// loaded machine may reset a connection then; anything else, or either past the deadline, fails.
			const starting =
				/404/.test(String(error)) ||
				/ECONNRESET|socket hang up/.test(String((error as Error).cause ?? ''));
			if (!starting || Date.now() > deadline)
				throw new Error(
					`MCP connect failed: ${String(error)} (${String((error as Error).cause ?? '')})\n${server.output().slice(-3000)}`,
				);
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}
}
