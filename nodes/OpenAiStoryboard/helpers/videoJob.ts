import type { JobStatus } from '../../shared/runtime/jobRunner';

/** The Videos API's video object (create, retrieve, list items, remix, edit, extend). */
export interface VideoObject {
	id: string;
	object?: string;
	model?: string;
	status:
		| 'queued'
		| 'in_progress'
		| 'completed'
		| 'failed'
		| 'cancelled'
		| 'canceled'
		| 'expired'
		| string;
	progress?: number;
	created_at?: number;
	completed_at?: number | null;
	expires_at?: number | null;
	prompt?: string;
	seconds?: string;
	size?: string;
	remixed_from_video_id?: string | null;
	error?: { code?: string; message?: string } | null;
}

const NOT_RETRYABLE = new Set([
	'moderation_blocked',
	'content_policy_violation',
	'invalid_request',
]);

export function videoJobStatus(video: VideoObject): JobStatus<VideoObject> {
	const progress =
		typeof video.progress === 'number' ? Math.max(0, Math.min(1, video.progress / 100)) : undefined;
	switch (video.status) {
		case 'queued':
			return { phase: 'queued', vendorStatus: video.status, progress, body: video };
		case 'in_progress':
			return { phase: 'running', vendorStatus: video.status, progress, body: video };
		case 'completed':
			return { phase: 'succeeded', vendorStatus: video.status, progress: 1, body: video };
		case 'cancelled':
		case 'canceled':
			return { phase: 'cancelled', vendorStatus: video.status, body: video };
		default: {
			const code = video.error?.code ?? (video.status === 'expired' ? 'expired' : undefined);
			return {
				phase: 'failed',
				vendorStatus: video.status,
				body: video,
				failure: {
					code,
					message: video.error?.message ?? `the video ended as ${video.status}`,
					retryable: !code || !NOT_RETRYABLE.has(code),
				},
			};
		}
	}
}
