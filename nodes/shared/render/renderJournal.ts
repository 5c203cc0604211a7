import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';
import { z } from 'zod';
import { RenderJournalError } from '../errors';
import { httpSend } from '../http/request';
import type { Batch } from '../router';
import { settle } from '../runtime/concurrency';
import { httpStatusOf, parseJsonBody } from '../transport';
import type { ShotContext } from './shotContext';

/**
 * n8n saves an execution between nodes, never inside one: the job IDs a Submit step received are
 * lost if its worker dies before the step ends, and the operator's Retry runs the step again and
 * pays again. The journal records each submit, before it is sent and once the vendor holds it, in
 * a data table of the n8n instance itself (through its public API, the one store every worker of
 * a queue-mode instance shares), so the retry takes over the job the dead step sent instead.
 */
export const RENDER_JOURNAL_CREDENTIAL = 'renderJournalVideoPipelineApi';

const DEFAULT_TABLE = 'video_render_journal';

/**
 * `sending`: written before the request goes out, so a row still `sending` is a step that died
 * while the vendor had it (it may have been accepted). `accepted`: the vendor holds `jobId`.
 * `refused`: the vendor certainly did not take it. `unknown`: sent, and no answer came back; the
 * item carries the outcome_unknown render error that tells the operator.
 */
export const journalStateSchema = z.enum(['sending', 'accepted', 'refused', 'unknown']);
export type JournalState = z.infer<typeof journalStateSchema>;

/** One journal row, as the data table gives it back (its own id and timestamps are ignored). */
export const journalRowSchema = z.object({
	key: z.string().min(1),
	state: journalStateSchema,
	jobId: z.string().nullish(),
	/** n8n's own column: when the row was first written, just before the request left. */
	createdAt: z.union([z.string(), z.number()]).nullish(),
});
export type JournalRow = z.infer<typeof journalRowSchema>;

/** The columns of the journal table; run, shot and vendor are there for an operator reading it. */
const COLUMNS = ['key', 'state', 'jobId', 'runId', 'shotId', 'layer', 'vendor', 'model'] as const;

export interface JournalEntry {
	state: JournalState;
	jobId?: string;
	/** When the submit was sent (epoch ms), where the table says. */
	sentAt?: number;
}

/** Where a submit comes from: the same item of the same step sends the same key, anything else another. */
export interface SubmitIdentity {
	context: ShotContext;
	itemIndex: number;
	layer: string;
	vendor: string;
	model: string;
	operation: string;
	attempt: number;
	/** The node's type and the parameters that shape the request (not how it waits). */
	request: unknown;
}

/**
 * The key of one paid submit: the run, the whole shot as the item carries it, the QC hint, the
 * pin, the engine, the attempt, the node's request parameters and the item's place in the step.
 * The same step run again from the same saved input sends the same key; a QC re-render (next
 * attempt), a changed shot, hint, pin or parameter, or a second copy of a shot is another submit.
 */
export function submitKey(identity: SubmitIdentity): string {
	const { context, itemIndex, layer, vendor, model, operation, attempt, request } = identity;
	return createHash('sha256')
		.update(
			JSON.stringify([
				context.pipeline.runId,
				context.shot,
				context.retryHint ?? null,
				context.pin?.fingerprint ?? null,
				layer,
				vendor,
				model,
				operation,
				attempt,
				request,
				itemIndex,
			]),
		)
		.digest('hex');
}

/** What of a node's parameters decides the request: all but how the node waits for it. */
export function requestParameters(node: { type: string; parameters: Record<string, unknown> }) {
	const request = Object.entries(node.parameters).filter(
		([name]) => name !== 'mode' && name !== 'renderOptions',
	);
	return [node.type, Object.fromEntries(request)];
}

const eq = (columnName: string, value: string) => ({
	type: 'and',
	filters: [{ columnName, condition: 'eq', value }],
});

export class RenderJournal {
	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly api: string,
		private readonly tableId: string,
		private readonly tableName: string,
	) {}

	/** The latest record of a submit key, or nothing when this submit was never journaled. */
	async lookup(key: string, where: string): Promise<JournalEntry | undefined> {
		const body = await journalCall<{ data?: unknown[] }>(
			this.ctx,
			this.api,
			'GET',
			`/data-tables/${this.tableId}/rows`,
			`${where}: could not read the ${this.tableName} table`,
			{ qs: { filter: JSON.stringify(eq('key', key)), sortBy: 'updatedAt:desc', limit: 1 } },
		);
		const [first] = Array.isArray(body?.data) ? body.data : [];
		if (first === undefined) return undefined;
		const row = journalRowSchema.safeParse(first);
		if (!row.success)
			throw new RenderJournalError(
				`${where}: its row in the ${this.tableName} table is not a journal row (${row.error.issues[0]?.path.join('.')}: ${row.error.issues[0]?.message}); fix or delete it in the table`,
			);
		const sentAt =
			typeof row.data.createdAt === 'number'
				? row.data.createdAt
				: Date.parse(row.data.createdAt ?? '');
		return {
			state: row.data.state,
			...(row.data.jobId ? { jobId: row.data.jobId } : {}),
			...(Number.isFinite(sentAt) ? { sentAt } : {}),
		};
	}

	/** Writes the state of a submit key (one row per key). */
	async record(
		key: string,
		state: JournalState,
		identity: SubmitIdentity,
		where: string,
		jobId?: string,
	): Promise<void> {
		const data: Record<(typeof COLUMNS)[number], string> = {
			key,
			state,
			jobId: jobId ?? '',
			runId: identity.context.pipeline.runId,
			shotId: identity.context.shot.id,
			layer: identity.layer,
			vendor: identity.vendor,
			model: identity.model,
		};
		await journalCall(
			this.ctx,
			this.api,
			'POST',
			`/data-tables/${this.tableId}/rows/upsert`,
			`${where}: could not write to the ${this.tableName} table`,
			{ body: { filter: eq('key', key), data } },
		);
	}
}

async function journalCall<T = unknown>(
	ctx: IExecuteFunctions,
	api: string,
	method: IHttpRequestMethods,
	path: string,
	doing: string,
	request: { qs?: IDataObject; body?: IDataObject },
): Promise<T> {
	const sent = await settle(
		async () =>
			await httpSend<unknown>(ctx, {
				method,
				url: `${api}${path}`,
				credentialType: RENDER_JOURNAL_CREDENTIAL,
				what: 'the render journal API URL',
				headers: { Accept: 'application/json' },
				...request,
				encoding: 'text',
				timeoutMs: 30_000,
			}),
	);
	const scopesHint = (status: number | undefined) =>
		status === 401 || status === 403
			? '; check the API key and that it has the data table scopes'
			: '';
	// n8n's HTTP layer throws on 401 (so an expiring token could be refreshed); it is the key here.
	if (!sent.ok)
		throw new RenderJournalError(
			`${doing}: ${(sent.error as Error).message}${scopesHint(httpStatusOf(sent.error))}`,
		);
	const { statusCode, body } = sent.value;
	const parsed = await settle(async () => parseJsonBody(body));
	if (statusCode < 200 || statusCode >= 300) {
		const said = parsed.ok ? (parsed.value as { message?: unknown })?.message : undefined;
		throw new RenderJournalError(
			`${doing}: n8n answered HTTP ${statusCode}${said ? ` (${String(said)})` : ''}${scopesHint(statusCode)}`,
		);
	}
	if (!parsed.ok) throw new RenderJournalError(`${doing}: the answer is not JSON`);
	return parsed.value as T;
}

interface TableList {
	data?: Array<{ id?: unknown; name?: unknown }>;
}

/**
 * The one table of that exact name the key can see (n8n's name filter matches parts of names, in
 * every project the key reaches). Two of them would let one step write to one and its retry read
 * the other, so that is refused.
 */
async function findTable(ctx: IExecuteFunctions, api: string, name: string) {
	const list = await journalCall<TableList>(
		ctx,
		api,
		'GET',
		'/data-tables',
		'could not list the data tables',
		{ qs: { filter: JSON.stringify({ name }), limit: 250 } },
	);
	const tables = (list?.data ?? []).filter((t) => t.name === name && t.id !== undefined);
	if (tables.length > 1)
		throw new RenderJournalError(
			`${tables.length} data tables named ${name} are visible to this API key (in different projects); give the credential's Journal Table a name only one has`,
		);
	return tables[0] ? String(tables[0].id) : undefined;
}

/** Finds the journal table, creating it on first use; two steps creating it at once both find the one that won. */
async function openJournal(ctx: IExecuteFunctions): Promise<RenderJournal> {
	const credentials = await ctx.getCredentials<{ baseUrl?: string; tableName?: string }>(
		RENDER_JOURNAL_CREDENTIAL,
	);
	const api = String(credentials.baseUrl ?? '').replace(/\/+$/, '');
	const name = String(credentials.tableName || DEFAULT_TABLE).trim();
	let id = await findTable(ctx, api, name);
	if (id === undefined) {
		const created = await settle(
			async () =>
				await journalCall<{ id?: unknown }>(
					ctx,
					api,
					'POST',
					'/data-tables',
					`could not create the ${name} table`,
					{ body: { name, columns: COLUMNS.map((column) => ({ name: column, type: 'string' })) } },
				),
		);
		id = created.ok && created.value?.id !== undefined ? String(created.value.id) : undefined;
		id ??= await findTable(ctx, api, name);
		if (id === undefined)
			throw created.ok ? new RenderJournalError(`no ${name} table`) : created.error;
	}
	return new RenderJournal(ctx, api, id, name);
}

/** True when the node has a Render Journal credential. */
export const hasRenderJournal = (ctx: IExecuteFunctions): boolean =>
	Boolean(ctx.getNode().credentials?.[RENDER_JOURNAL_CREDENTIAL]);

/** The node run's journal, opened on first use (one table lookup per node run). */
export async function renderJournal(ctx: IExecuteFunctions, batch: Batch): Promise<RenderJournal> {
	return await batch.shared('renderJournal', async () => await openJournal(ctx));
}
