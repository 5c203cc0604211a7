import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';
import type { HttpContext } from '../../shared/http/request';
import {
	credentialBaseUrl,
	vendorRequest,
	type CredentialReader,
	type VendorResponse,
} from '../../shared/transport';

/** The aggregators this node renders on; each is a vendor of its own in takes and the ledger. */
export type AggregatorVendor = 'fal' | 'replicate';

export const AGGREGATOR_CREDENTIAL: Record<AggregatorVendor, string> = {
	fal: 'falVideoPipelineApi',
	replicate: 'replicateVideoPipelineApi',
};

/** fal's two hosts: the queue (submit, status, result, cancel) and the platform API (catalogue, prices). */
export async function falBaseUrls(ctx: CredentialReader): Promise<{ queue: string; api: string }> {
	const credentials = await ctx.getCredentials<{ queueBaseUrl?: string; apiBaseUrl?: string }>(
		AGGREGATOR_CREDENTIAL.fal,
	);
	return {
		queue: String(credentials.queueBaseUrl || 'https://queue.fal.run').replace(/\/+$/, ''),
		api: String(credentials.apiBaseUrl || 'https://api.fal.ai/v1').replace(/\/+$/, ''),
	};
}

export async function replicateBaseUrl(ctx: CredentialReader): Promise<string> {
	return `${await credentialBaseUrl(ctx, AGGREGATOR_CREDENTIAL.replicate, 'https://api.replicate.com')}/v1`;
}

/** Every aggregator call: through the shared HTTP path with the aggregator's own credential, typed errors naming the job. */
export async function aggregatorRequest<T>(
	ctx: HttpContext,
	vendor: AggregatorVendor,
	call: {
		method: IHttpRequestMethods;
		url: string;
		operation: string;
		itemIndex: number;
		jobId?: string;
		body?: IDataObject;
		qs?: IDataObject;
		timeoutMs?: number;
	},
): Promise<VendorResponse<T>> {
	return await vendorRequest<T>(ctx, {
		vendor,
		credentialType: AGGREGATOR_CREDENTIAL[vendor],
		...call,
	});
}
