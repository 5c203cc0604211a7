import type { IExecuteFunctions, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { downloadToBinary, type DownloadRequest } from '../../binary';
import { credentialBaseUrl, vendorRequest, type VendorResponse } from '../../transport';

export const OPENAI_CREDENTIAL = 'openAiVideoPipelineApi';

/** The credential's base URL (an OpenAI-compatible gateway or the sandbox when changed). */
export async function openAiBaseUrl(ctx: IExecuteFunctions): Promise<string> {
	return await credentialBaseUrl(ctx, OPENAI_CREDENTIAL, 'https://api.openai.com/v1');
}

/** OpenAI itself, or an OpenAI-compatible gateway (which may still serve models OpenAI retired). */
export async function openAiBackend(
	ctx: IExecuteFunctions,
): Promise<'openai' | 'openai_compatible'> {
	return /^https:\/\/api\.openai\.com(\/|$)/.test(await openAiBaseUrl(ctx))
		? 'openai'
		: 'openai_compatible';
}

export async function openAiRequest<T>(
	ctx: IExecuteFunctions,
	call: {
		method: IHttpRequestMethods;
		path: string;
		operation: string;
		itemIndex: number;
		jobId?: string;
		body?: IHttpRequestOptions['body'];
		qs?: IHttpRequestOptions['qs'];
	},
): Promise<VendorResponse<T>> {
	return await vendorRequest<T>(ctx, {
		vendor: 'openai',
		credentialType: OPENAI_CREDENTIAL,
		operation: call.operation,
		method: call.method,
		url: `${await openAiBaseUrl(ctx)}${call.path}`,
		body: call.body,
		qs: call.qs,
		itemIndex: call.itemIndex,
		jobId: call.jobId,
	});
}

export async function openAiDownload(
	ctx: IExecuteFunctions,
	path: string,
	request: Omit<DownloadRequest, 'url' | 'vendor' | 'credentialType'>,
) {
	return await downloadToBinary(ctx, {
		...request,
		url: `${await openAiBaseUrl(ctx)}${path}`,
		vendor: 'openai',
		credentialType: OPENAI_CREDENTIAL,
	});
}
