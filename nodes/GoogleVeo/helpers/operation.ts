import type { JobStatus } from '../../shared/runtime/jobRunner';

/** A long-running operation as either backend returns it. */
export interface VeoOperation {
	name: string;
	done?: boolean;
	error?: { code?: number; message?: string; status?: string };
	response?: {
		/** Gemini API */
		generateVideoResponse?: {
			generatedSamples?: Array<{
				video?: { uri?: string; encodedVideo?: string; encoding?: string };
			}>;
			raiMediaFilteredCount?: number;
			raiMediaFilteredReasons?: string[];
		};
		/** Vertex AI */
		videos?: Array<{ gcsUri?: string; bytesBase64Encoded?: string; mimeType?: string }>;
		raiMediaFilteredCount?: number;
		raiMediaFilteredReasons?: string[];
	};
}

export interface VeoSample {
	uri?: string;
	gcsUri?: string;
	base64?: string;
	mimeType: string;
}

export function samplesOf(operation: VeoOperation): VeoSample[] {
	const gemini = operation.response?.generateVideoResponse?.generatedSamples ?? [];
	const vertex = operation.response?.videos ?? [];
	const samples: VeoSample[] = [
		...gemini.map((sample) => ({
			uri: sample.video?.uri,
			base64: sample.video?.encodedVideo,
			mimeType: sample.video?.encoding ?? 'video/mp4',
		})),
		...vertex.map((video) => ({
			gcsUri: video.gcsUri,
			base64: video.bytesBase64Encoded,
			mimeType: video.mimeType ?? 'video/mp4',
		})),
	];
	return samples.filter((sample) => sample.uri || sample.gcsUri || sample.base64);
}

const RETRYABLE_STATUSES = new Set([
	'INTERNAL',
	'UNAVAILABLE',
	'DEADLINE_EXCEEDED',
	'RESOURCE_EXHAUSTED',
	'ABORTED',
	'UNKNOWN',
]);

/**
 * done:false is running (Veo reports no progress); an error is a failed job; everything filtered
 * by responsible-AI checks is a failed take with Google's reasons (a retry of the same request
 * is filtered again, so it is not retryable).
 */
export function veoJobStatus(operation: VeoOperation): JobStatus<VeoOperation> {
	if (!operation.done) return { phase: 'running', vendorStatus: 'running', body: operation };
	if (operation.error) {
		const status = operation.error.status ?? String(operation.error.code ?? 'ERROR');
		return {
			phase: 'failed',
			vendorStatus: 'error',
			body: operation,
			failure: {
				code: status,
				message: operation.error.message ?? status,
				retryable: RETRYABLE_STATUSES.has(status) || operation.error.code === 13,
			},
		};
	}
	if (!samplesOf(operation).length) {
		const filtered =
			operation.response?.generateVideoResponse?.raiMediaFilteredCount ??
			operation.response?.raiMediaFilteredCount ??
			0;
		const reasons =
			operation.response?.generateVideoResponse?.raiMediaFilteredReasons ??
			operation.response?.raiMediaFilteredReasons ??
			[];
		return {
			phase: 'failed',
			vendorStatus: 'filtered',
			body: operation,
			failure: {
				code: filtered ? 'RAI_FILTERED' : 'NO_OUTPUT',
				message: filtered
					? `Filtered by Google's responsible AI checks: ${reasons.join(' ') || 'no reason given'}`
					: 'The operation finished without a video',
				retryable: !filtered,
			},
		};
	}
	return { phase: 'succeeded', vendorStatus: 'done', progress: 1, body: operation };
}
