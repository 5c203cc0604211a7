import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { Take } from '../../shared/contract/schemas';
import { probeMp4, type ProbeResult } from '../../shared/mp4/probe';
import { bufferSource, rangeSource, streamSource, type ByteSource } from '../../shared/mp4/sources';
import { settle } from '../../shared/runtime/concurrency';

export type ProbeOutcome = { ok: true; probe: ProbeResult } | { ok: false; invalid: string } | { ok: false; unavailable: string };

/** Reads only what the probe needs: the binary as a stream, or a URL by HTTP Range requests. */
async function sourceFor(ctx: IExecuteFunctions, item: INodeExecutionData, take: Take): Promise<ByteSource | string> {
	const asset = take.asset!;
	if (asset.kind === 'binary') {
		const binary = item.binary?.[asset.ref];
		if (!binary) return `binary field "${asset.ref}" is not on the item`;
		if (binary.id) {
			const metadata = await ctx.helpers.getBinaryMetadata(binary.id);
			return streamSource(await ctx.helpers.getBinaryStream(binary.id, 256 * 1024), metadata.fileSize);
		}
		return bufferSource(Buffer.from(binary.data, 'base64'));
	}
	if (asset.kind === 'url') {
		return rangeSource(async (start, end) => {
			const response = (await ctx.helpers.httpRequest({
				method: 'GET',
				url: asset.ref,
				headers: { Range: `bytes=${start}-${end}` },
				encoding: 'arraybuffer',
				returnFullResponse: true,
				timeout: 60_000,
				abortSignal: ctx.getExecutionCancelSignal(),
			})) as { body: ArrayBuffer; headers: Record<string, string> };
			const total = /\/(\d+)$/.exec(String(response.headers['content-range'] ?? ''))?.[1];
			return { body: new Uint8Array(response.body), totalSize: total ? Number(total) : undefined };
		});
	}
	return `a ${asset.kind} asset cannot be fetched without vendor credentials`;
}

export async function probeTake(ctx: IExecuteFunctions, item: INodeExecutionData, take: Take): Promise<ProbeOutcome> {
	const source = await settle(async () => await sourceFor(ctx, item, take));
	if (!source.ok) return { ok: false, unavailable: (source.error as Error).message };
	if (typeof source.value === 'string') return { ok: false, unavailable: source.value };
	const probed = await settle(async () => await probeMp4(source.value as ByteSource));
	if (probed.ok) return { ok: true, probe: probed.value };
	const error = probed.error as Error & { reason?: string; httpCode?: string };
	if (error.reason) return { ok: false, invalid: error.message };
	return { ok: false, unavailable: error.message };
}
