import { HttpError } from '../http';

const STATUS: Record<number, string> = {
	400: 'INVALID_ARGUMENT',
	401: 'UNAUTHENTICATED',
	403: 'PERMISSION_DENIED',
	404: 'NOT_FOUND',
	409: 'ALREADY_EXISTS',
	429: 'RESOURCE_EXHAUSTED',
	499: 'CANCELLED',
	500: 'INTERNAL',
	501: 'UNIMPLEMENTED',
	503: 'UNAVAILABLE',
	504: 'DEADLINE_EXCEEDED',
};

/** google.rpc.Status envelope; a 429 carries RetryInfo in details (Google sends no Retry-After). */
export function googleErrorBody(status: number, message: string, retryAfterSeconds?: number) {
	const details =
		retryAfterSeconds !== undefined
			? [
					{
						'@type': 'type.googleapis.com/google.rpc.RetryInfo',
						retryDelay: `${retryAfterSeconds}s`,
					},
				]
			: undefined;
	return {
		error: {
			code: status,
			message,
			status: STATUS[status] ?? 'UNKNOWN',
			...(details ? { details } : {}),
		},
	};
}

export function googleError(
	status: number,
	message: string,
	retryAfterSeconds?: number,
): HttpError {
	return new HttpError(status, googleErrorBody(status, message, retryAfterSeconds));
}
