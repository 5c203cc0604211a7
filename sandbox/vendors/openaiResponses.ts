import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { SandboxContext } from '../context';
import { HttpError, sendJson, type SandboxRequest } from '../http';
import { OPENAI_TEXT_MODELS } from '../data/openai';
import { sandboxToday } from '../config';
import { instanceFor } from '../schemaInstance';
import { looksLikeManifest, storyboardInstance } from '../storyboard';
import { canonicalJson, sha256 } from '../random';

function inputText(input: unknown): string {
	if (typeof input === 'string') return input;
	if (Array.isArray(input)) {
		return input
			.map((message) => {
				const content = (message as { content?: unknown }).content;
				if (typeof content === 'string') return content;
				if (Array.isArray(content))
					return content.map((part) => String((part as { text?: unknown }).text ?? '')).join('\n');
				return '';
			})
			.join('\n');
	}
	return '';
}

/** Responses API with `text.format` json_schema: an answer that validates against the schema. */
export async function handleResponses(
	ctx: SandboxContext,
	req: SandboxRequest,
	res: ServerResponse,
): Promise<void> {
	const body = (req.json ?? {}) as Record<string, unknown>;
	const model = String(body.model ?? '');
	const price = OPENAI_TEXT_MODELS[model];
	// A model OpenAI shut down answers like one it never had.
	if (!price || (price.shutdownOn && price.shutdownOn <= sandboxToday(ctx.config))) {
		throw new HttpError(400, {
			error: {
				message: `The requested model '${model}' does not exist.`,
				type: 'invalid_request_error',
				param: 'model',
				code: 'model_not_found',
			},
		});
	}
	const format = (body.text as { format?: Record<string, unknown> } | undefined)?.format;
	const text = inputText(body.input);
	if (!text.trim())
		throw new HttpError(400, {
			error: {
				message: "Missing required parameter: 'input'.",
				type: 'invalid_request_error',
				param: 'input',
				code: 'missing_required_parameter',
			},
		});
	let outputText = `Sandbox answer to: ${text.slice(0, 200)}`;
	if (format?.type === 'json_schema') {
		if (typeof format.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(format.name)) {
			throw new HttpError(400, {
				error: {
					message: "Invalid 'text.format.name': must match ^[a-zA-Z0-9_-]{1,64}$.",
					type: 'invalid_request_error',
					param: 'text.format.name',
					code: 'invalid_value',
				},
			});
		}
		const schema = format.schema as Record<string, unknown> | undefined;
		if (!schema || schema.type !== 'object') {
			throw new HttpError(400, {
				error: {
					message:
						'Invalid schema for response_format: schema must be a JSON Schema of \'type: "object"\'.',
					type: 'invalid_request_error',
					param: 'text.format.schema',
					code: 'invalid_json_schema',
				},
			});
		}
		outputText = JSON.stringify(
			looksLikeManifest(schema) ? storyboardInstance(text) : instanceFor(schema, text),
		);
	}
	const inputTokens = Math.ceil(canonicalJson(body).length / 4);
	const outputTokens = Math.ceil(outputText.length / 4);
	const id = `resp_${randomBytes(12).toString('hex')}`;
	const usd =
		Math.round(((inputTokens * price.input + outputTokens * price.output) / 1e6) * 1e6) / 1e6;
	ctx.ledger.charge({
		vendor: 'openai',
		model,
		jobId: id,
		units: inputTokens + outputTokens,
		unit: 'token',
		usd,
		requestFingerprint: sha256(canonicalJson({ vendor: 'openai', path: req.path, body })),
	});
	sendJson(res, 200, {
		id,
		object: 'response',
		created_at: Math.floor(Date.now() / 1000),
		status: 'completed',
		model,
		output: [
			{
				type: 'message',
				id: `msg_${randomBytes(8).toString('hex')}`,
				role: 'assistant',
				status: 'completed',
				content: [{ type: 'output_text', text: outputText, annotations: [] }],
			},
		],
		usage: {
			input_tokens: inputTokens,
			output_tokens: outputTokens,
			total_tokens: inputTokens + outputTokens,
		},
	});
}
