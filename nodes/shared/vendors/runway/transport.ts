import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';
import {
	credentialBaseUrl,
	vendorRequest,
	type CredentialReader,
	type VendorResponse,
} from '../../transport';

export const RUNWAY_CREDENTIAL = 'runwayVideoPipelineApi';

export async function runwayBaseUrl(ctx: CredentialReader): Promise<string> {
	return await credentialBaseUrl(ctx, RUNWAY_CREDENTIAL, 'https://api.dev.runwayml.com');
}

/** Every Runway call: JSON, X-Runway-Version from the credential, typed errors with the task ID. */
export async function runwayRequest<T>(
	ctx: IExecuteFunctions,
	call: {
		method: IHttpRequestMethods;
		path: string;
		operation: string;
		itemIndex: number;
		jobId?: string;
		body?: IDataObject;
	},
): Promise<VendorResponse<T>> {
	return await vendorRequest<T>(ctx, {
		vendor: 'runway',
		credentialType: RUNWAY_CREDENTIAL,
		operation: call.operation,
		method: call.method,
		url: `${await runwayBaseUrl(ctx)}${call.path}`,
		body: call.body,
		itemIndex: call.itemIndex,
		jobId: call.jobId,
		headers: call.method === 'DELETE' ? { Accept: '*/*' } : undefined,
	});
}
