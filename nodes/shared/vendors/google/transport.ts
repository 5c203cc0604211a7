import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';
import { downloadToBinary, type DownloadRequest } from '../../binary';
import { vendorRequest, type CredentialReader, type VendorResponse } from '../../transport';

export const GOOGLE_CREDENTIAL = 'googleVideoPipelineApi';

export type GoogleBackend = 'vertex' | 'gemini';

export interface GoogleEndpoint {
	backend: GoogleBackend;
	/** Vertex express mode: API key, no project in the path. */
	express: boolean;
	/** `.../models/{model}` on the selected backend; append `:predictLongRunning` etc. */
	modelUrl(model: string): string;
	/** Where an operation is polled: Vertex POSTs fetchPredictOperation on the operation's model, the Gemini API GETs the name. */
	pollRequest(operationName: string): {
		method: IHttpRequestMethods;
		url: string;
		body?: IDataObject;
	};
	/** Cloud Storage media URL of a gs:// object (Vertex outputs written to storageUri). */
	gcsMediaUrl(gcsUri: string): string;
	/** Where the Gemini API lists its models; Vertex AI has no such list of publisher models. */
	modelListUrl?: string;
}

interface GoogleCredentialFields {
	authMode?: string;
	projectId?: string;
	privateKeyJson?: string;
	location?: string;
	vertexBaseUrl?: string;
	geminiBaseUrl?: string;
	storageBaseUrl?: string;
}

const trim = (url: string) => url.replace(/\/+$/, '');

function projectOf(credentials: GoogleCredentialFields): string {
	if (credentials.projectId) return credentials.projectId;
	try {
		return String(JSON.parse(credentials.privateKeyJson ?? '{}').project_id ?? '');
	} catch {
		return '';
	}
}

/** Which backend the credential selects and how its URLs are built (no secrets leave this function). */
export async function googleEndpoint(ctx: CredentialReader): Promise<GoogleEndpoint> {
	const credentials = await ctx.getCredentials<GoogleCredentialFields>(GOOGLE_CREDENTIAL);
	const mode = credentials.authMode ?? 'serviceAccount';
	if (mode === 'geminiApiKey') {
		const base = `${trim(credentials.geminiBaseUrl || 'https://generativelanguage.googleapis.com')}/v1beta`;
		return {
			backend: 'gemini',
			express: false,
			modelUrl: (model) => `${base}/models/${model}`,
			pollRequest: (name) => ({ method: 'GET', url: `${base}/${name}` }),
			gcsMediaUrl: (uri) => uri,
			modelListUrl: `${base}/models`,
		};
	}
	const location = credentials.location || 'us-central1';
	const express = mode === 'vertexExpressKey';
	const vertexBase = trim(
		credentials.vertexBaseUrl ||
			(express || location === 'global'
				? 'https://aiplatform.googleapis.com'
				: `https://${location}-aiplatform.googleapis.com`),
	);
	const prefix = express
		? `${vertexBase}/v1/publishers/google/models`
		: `${vertexBase}/v1/projects/${projectOf(credentials)}/locations/${location}/publishers/google/models`;
	const storage = trim(credentials.storageBaseUrl || 'https://storage.googleapis.com');
	return {
		backend: 'vertex',
		express,
		modelUrl: (model) => `${prefix}/${model}`,
		pollRequest: (name) => ({
			method: 'POST',
			url: `${vertexBase}/v1/${name.split('/operations/')[0]}:fetchPredictOperation`,
			body: { operationName: name },
		}),
		gcsMediaUrl: (uri) => {
			const [, bucket, object] = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
			return `${storage}/storage/v1/b/${bucket}/o/${encodeURIComponent(object ?? '')}?alt=media`;
		},
	};
}

export async function googleRequest<T>(
	ctx: IExecuteFunctions,
	call: {
		method: IHttpRequestMethods;
		url: string;
		operation: string;
		itemIndex: number;
		jobId?: string;
		body?: IDataObject;
	},
): Promise<VendorResponse<T>> {
	return await vendorRequest<T>(ctx, {
		vendor: 'google',
		credentialType: GOOGLE_CREDENTIAL,
		...call,
	});
}

export async function googleDownload(
	ctx: IExecuteFunctions,
	request: Omit<DownloadRequest, 'vendor' | 'credentialType'>,
) {
	return await downloadToBinary(ctx, {
		...request,
		vendor: 'google',
		credentialType: GOOGLE_CREDENTIAL,
	});
}
