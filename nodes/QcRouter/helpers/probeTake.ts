import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { Take, Vendor } from '../../shared/contract/schemas';
import { GOOGLE_CREDENTIAL, googleEndpoint } from '../../shared/vendors/google/transport';
import { OPENAI_CREDENTIAL } from '../../shared/vendors/openai/transport';
import { probeMp4, type ProbeResult } from '../../shared/mp4/probe';
import { failureReason } from '../../shared/http/failure';
import { hostForMessage } from '../../shared/http/targets';
import { httpByteSource } from '../../shared/mp4/httpSource';
import { bufferSource, streamSource, type ByteSource } from '../../shared/mp4/sources';
import { settle } from '../../shared/runtime/concurrency';

/**
 * The credential that reads a vendor's clips kept by reference. Runway outputs are signed URLs,
 * read as they are, as are aggregator outputs; the Videos API's content URL, Gemini file URIs and gs:// objects need the key.
 */
const READ_CREDENTIAL: Record<
	Vendor,
	{ type: string; label: string; article: string } | undefined
> = {
	openai: { type: OPENAI_CREDENTIAL, label: 'OpenAI', article: 'an' },
	google: { type: GOOGLE_CREDENTIAL, label: 'Google', article: 'a' },
	runway: undefined,
	// Aggregator outputs are public, expiring CDN URLs (fal media, replicate.delivery): read without a key.
	fal: undefined,
	replicate: undefined,
};

export type ProbeOutcome =
	| { ok: true; probe: ProbeResult }
	| { ok: false; invalid: string }
	| { ok: false; unavailable: string }
	/** No credential on the node can read the clip: a re-render would not mend it. */
	| { ok: false; unconfigured: string };

class Unconfigured {
	constructor(readonly reason: string) {}
}

/** Reads only what the probe needs: the binary as a stream, or a URL by HTTP Range requests. */
async function sourceFor(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	take: Take,
): Promise<ByteSource | string | Unconfigured> {
	const asset = take.asset!;
	if (asset.kind === 'binary') {
		const binary = item.binary?.[asset.ref];
		if (!binary) return `binary field "${asset.ref}" is not on the item`;
		if (binary.id) {
			const metadata = await ctx.helpers.getBinaryMetadata(binary.id);
			return streamSource(
				await ctx.helpers.getBinaryStream(binary.id, 256 * 1024),
				metadata.fileSize,
			);
		}
		return bufferSource(Buffer.from(binary.data, 'base64'));
	}
	if (asset.kind === 'url' || asset.kind === 'gcs') {
		const credential = asset.kind === 'gcs' ? READ_CREDENTIAL.google : READ_CREDENTIAL[take.vendor];
		if (credential && !ctx.getNode().credentials?.[credential.type])
			return new Unconfigured(
				`the ${credential.label} clip is kept by reference: add ${credential.article} ${credential.label} credential to the QC Router to read it`,
			);
		const url =
			asset.kind === 'gcs' ? (await googleEndpoint(ctx)).gcsMediaUrl(asset.ref) : asset.ref;
		// The vendor's credential goes only to its own hosts: a clip elsewhere is refused, not read with the key.
		return httpByteSource(ctx, {
			url,
			credentialType: credential?.type,
			what: `the ${credential?.label ?? 'clip'} clip URL`,
		});
	}
	return `a ${asset.kind} asset cannot be fetched without vendor credentials`;
}

/** The host a take's clip is read from, for messages (never the path or query string). */
const hostOf = (take: Take) =>
	hostForMessage(take.asset!.ref, take.asset!.kind === 'gcs' ? 'Cloud Storage' : 'the clip host');

/**
 * Probes a take's clip. `invalid`: the bytes are not a readable MP4 (not a video, a box too large
 * to read). `unavailable`: the clip could not be checked (a foreign host refused, Range not
 * honoured, too large to stream, unreachable); `unconfigured`: no credential on the node can read
 * it. QC must pass none of them.
 */
export async function probeTake(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	take: Take,
): Promise<ProbeOutcome> {
	const source = await settle(async () => await sourceFor(ctx, item, take));
	// What an HTTP error says goes into the verdict and the report: failureReason redacts it.
	if (!source.ok) return { ok: false, unavailable: failureReason(source.error, hostOf(take)) };
	if (source.value instanceof Unconfigured) return { ok: false, unconfigured: source.value.reason };
	if (typeof source.value === 'string') return { ok: false, unavailable: source.value };
	const probed = await settle(async () => await probeMp4(source.value as ByteSource));
	if (probed.ok) return { ok: true, probe: probed.value };
	const error = probed.error as Error & { reason?: string };
	if (error.reason) return { ok: false, invalid: error.message };
	return { ok: false, unavailable: failureReason(error, hostOf(take)) };
}
