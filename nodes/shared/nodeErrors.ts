import {
	NodeApiError,
	NodeOperationError,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';
import {
	BudgetExceededError,
	ContractError,
	ModelRetiredError,
	VendorHttpError,
	VendorJobError,
} from './errors';
import { redactSecrets } from './redact';

function hintFor(error: VendorJobError): string | undefined {
	if (error instanceof VendorHttpError) {
		if (error.statusCode === 401)
			return 'Check the API key (or service account) in the credential and its base URL.';
		if (error.statusCode === 403) return 'The account lacks access to this model or resource.';
		if (error.statusCode === 429)
			return 'The vendor kept refusing for rate or quota after the node backed off and tried again; check the account quota or retry later.';
		if (error.statusCode >= 500) return 'The vendor had a server error; it is usually temporary.';
	}
	if (error.jobId)
		return `Job ID ${error.jobId}: re-run with this job ID on the item to collect the result without paying again.`;
	return undefined;
}

/**
 * Bad input becomes NodeOperationError (names the field and the item); vendor trouble becomes
 * NodeApiError (status, vendor code, job ID and a hint). Messages are redacted once more here.
 */
export function toNodeError(
	node: INode,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof ContractError) {
		const operationError = new NodeOperationError(node, error.message, {
			itemIndex,
			description: error.description,
		});
		// As below: a message that happens to contain a network code must keep its field and item.
		operationError.message = error.message;
		return operationError;
	}
	if (error instanceof BudgetExceededError || error instanceof ModelRetiredError) {
		return new NodeOperationError(node, error.message, { itemIndex });
	}
	if (error instanceof VendorJobError) {
		const response: JsonObject = {
			message: error.message,
			vendor: error.vendor,
			...(error.jobId ? { jobId: error.jobId } : {}),
			...(error instanceof VendorHttpError
				? { status: error.statusCode, code: error.vendorCode ?? null }
				: {}),
		};
		const apiError = new NodeApiError(node, response, {
			message: error.message,
			description: hintFor(error),
			httpCode: error instanceof VendorHttpError ? String(error.statusCode) : undefined,
			itemIndex,
		});
		// n8n swaps a message that mentions a network code (ECONNRESET, ...) for a generic sentence;
		// ours names the vendor, the job ID and the item, so it stays.
		apiError.message = error.message;
		return apiError;
	}
	const message = redactSecrets(error instanceof Error ? error.message : String(error));
	return new NodeOperationError(node, message, { itemIndex });
}

/** The JSON an item carries when continueOnFail is on: the message plus whatever lets a re-run resume. */
export function errorJson(error: unknown): JsonObject {
	const out: JsonObject = {
		error: redactSecrets(error instanceof Error ? error.message : String(error)),
	};
	if (error instanceof VendorJobError) {
		out.vendor = error.vendor;
		if (error.jobId) out.jobId = error.jobId;
		out.retryable = error.retryable;
	}
	if (error instanceof ContractError) out.issues = error.issues.map((issue) => ({ ...issue }));
	return out;
}

/**
 * The one place continueOnFail is read. An item's failure fails the node, unless continueOnFail
 * is on or the failure has to travel on anyway (`flows`: other items hold paid vendor jobs).
 */
export function throwUnlessCarried(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
	flows = false,
): void {
	if (!flows && !ctx.continueOnFail()) throw toNodeError(ctx.getNode(), error, itemIndex);
}

/**
 * An input item carrying its failure in its JSON. Not n8n's `error` property: n8n replaces the
 * JSON of such an item with the message alone, which would drop the take and its job ID.
 */
export function failedItem(
	item: INodeExecutionData,
	error: unknown,
	itemIndex: number,
): INodeExecutionData {
	return { json: { ...item.json, ...errorJson(error) }, pairedItem: { item: itemIndex } };
}
