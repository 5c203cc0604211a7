import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SandboxRequest {
	method: string;
	/** Path below the vendor prefix, e.g. `/v1/videos/abc`. */
	path: string;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	raw: Buffer;
	/** Parsed JSON body, or undefined. */
	json?: unknown;
	/** Parsed multipart/url-encoded form, or undefined. */
	form?: FormData;
}

/** The prompt a render request carries, whichever vendor's shape it has (for faults aimed at one shot). */
export function requestPrompt(request: SandboxRequest): string | undefined {
	const json = (request.json ?? {}) as {
		instances?: Array<{ prompt?: unknown }>;
		promptText?: unknown;
		prompt?: unknown;
		input?: { prompt?: unknown };
	};
	const prompt =
		json.instances?.[0]?.prompt ??
		json.promptText ??
		json.prompt ??
		json.input?.prompt ??
		request.form?.get('prompt');
	return typeof prompt === 'string' ? prompt : undefined;
}

export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly body: unknown,
		readonly headers: Record<string, string> = {},
	) {
		super(typeof body === 'string' ? body : JSON.stringify(body));
	}
}

export async function readRequest(
	req: IncomingMessage,
	prefixLength: number,
): Promise<SandboxRequest> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const raw = Buffer.concat(chunks);
	const url = new URL(req.url ?? '/', 'http://sandbox.local');
	const contentType = String(req.headers['content-type'] ?? '');
	const out: SandboxRequest = {
		method: req.method ?? 'GET',
		path: url.pathname.slice(prefixLength) || '/',
		query: url.searchParams,
		headers: req.headers,
		raw,
	};
	if (raw.length && contentType.includes('application/json')) {
		try {
			out.json = JSON.parse(raw.toString('utf8'));
		} catch {
			out.json = Symbol.for('invalid-json');
		}
	} else if (
		raw.length &&
		(contentType.includes('multipart/form-data') ||
			contentType.includes('application/x-www-form-urlencoded'))
	) {
		out.form = await new Request('http://sandbox.local', {
			method: 'POST',
			headers: { 'content-type': contentType },
			body: raw,
		}).formData();
	}
	return out;
}

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
		...headers,
	});
	res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
	res.writeHead(status);
	res.end();
}

type Body = { size: number; write(res: ServerResponse, start: number, end: number): void };

/** Answers a GET for a body of known size with Range support (206 + Content-Range), as vendor CDNs do. */
function sendRanged(
	req: { headers: IncomingMessage['headers'] },
	res: ServerResponse,
	body: Body,
	mimeType: string,
	extra: Record<string, string>,
): void {
	const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
	const { size } = body;
	const base = { 'content-type': mimeType, 'accept-ranges': 'bytes', ...extra };
	if (!range) {
		res.writeHead(200, { ...base, 'content-length': size });
		body.write(res, 0, size - 1);
		return;
	}
	let start = range[1] === '' ? size - Number(range[2]) : Number(range[1]);
	let end = range[1] === '' || range[2] === '' ? size - 1 : Number(range[2]);
	start = Math.max(0, start);
	end = Math.min(end, size - 1);
	if (start > end || start >= size) {
		res.writeHead(416, { ...base, 'content-range': `bytes */${size}` });
		res.end();
		return;
	}
	res.writeHead(206, {
		...base,
		'content-length': end - start + 1,
		'content-range': `bytes ${start}-${end}/${size}`,
	});
	body.write(res, start, end);
}

/** Serves bytes held in memory. */
export function sendBytes(
	req: { headers: IncomingMessage['headers'] },
	res: ServerResponse,
	data: Buffer,
	mimeType: string,
	extra: Record<string, string> = {},
): void {
	sendRanged(
		req,
		res,
		{ size: data.length, write: (out, start, end) => out.end(data.subarray(start, end + 1)) },
		mimeType,
		extra,
	);
}

/** Serves a file streamed from disk, so outputs of any size (a 1 GB master) cost the sandbox no memory. */
export function sendFile(
	req: { headers: IncomingMessage['headers'] },
	res: ServerResponse,
	file: string,
	mimeType: string,
	extra: Record<string, string> = {},
): void {
	const write = (out: ServerResponse, start: number, end: number) => {
		if (end < start) return void out.end();
		createReadStream(file, { start, end })
			.on('error', (error) => out.destroy(error))
			.pipe(out);
	};
	sendRanged(req, res, { size: statSync(file).size, write }, mimeType, extra);
}

export function bearerToken(req: SandboxRequest): string | undefined {
	const header = String(req.headers.authorization ?? '');
	const match = /^Bearer\s+(.+)$/i.exec(header);
	return match?.[1]?.trim();
}

/** Form or JSON field as a string. */
export function field(req: SandboxRequest, name: string): unknown {
	if (req.form) {
		const value = req.form.get(name);
		return value === null ? undefined : value;
	}
	return (req.json as Record<string, unknown> | undefined)?.[name];
}
