import type { IExecuteFunctions } from 'n8n-workflow';
import { readShotItemParts } from '../contract/validate';
import type {
	Allowance,
	AspectRatio,
	LedgerEntry,
	Pin,
	Pipeline,
	Qc,
	RenderError,
	RenderLayer,
	Resolution,
	RetryHint,
	Shot,
	ShotItemPart,
	Take,
} from '../contract/schemas';
import { ContractError } from '../errors';

/** Everything a render operation needs to know about the shot it renders. */
export interface ShotContext {
	pipeline: Pipeline;
	shot: Shot;
	pin?: Pin;
	takes: Take[];
	qc?: Qc;
	ledger: LedgerEntry[];
	retryHint?: RetryHint;
	allowance?: Allowance;
	renderError?: RenderError;
	/** True when the item carried the contract; false for ad-hoc items built from manual fields. */
	fromContract: boolean;
}

const OPTIONAL: ShotItemPart[] = ['pin', 'qc', 'retryHint', 'allowance', 'renderError'];

/** Reads the shot contract from an item: pipeline, shot, takes and ledger required; pin, qc, retryHint when present. */
export function readShotContext(json: Record<string, unknown>, itemIndex: number): ShotContext {
	const present = OPTIONAL.filter((part) => json[part] !== undefined && json[part] !== null);
	const parts = readShotItemParts(json, itemIndex, [
		'pipeline',
		'shot',
		'takes',
		'ledger',
		...present,
	] as ShotItemPart[]) as Partial<ShotContext> &
		Pick<ShotContext, 'pipeline' | 'shot' | 'takes' | 'ledger'>;
	if (parts.shot.index >= parts.pipeline.shotCount) {
		throw new ContractError(itemIndex, [
			{
				path: 'shot.index',
				message: `must be below pipeline.shotCount (${parts.pipeline.shotCount})`,
			},
		]);
	}
	return { ...parts, fromContract: true };
}

export interface ManualShot {
	prompt: string;
	durationSeconds: number;
	aspectRatio: AspectRatio;
	resolution: Resolution;
	audio: boolean;
	budgetUsd?: number;
}

/** An ad-hoc item (no contract): a one-shot pipeline keyed by the execution, so takes and costs are still recorded. */
export function manualShotContext(
	ctx: IExecuteFunctions,
	itemIndex: number,
	manual: ManualShot,
	layer: RenderLayer,
): ShotContext {
	if (!manual.prompt.trim())
		throw new ContractError(itemIndex, [{ path: 'prompt', message: 'is required' }]);
	return {
		pipeline: {
			runId: `exec-${ctx.getExecutionId() ?? 'manual'}-${itemIndex}`.replace(
				/[^A-Za-z0-9._:-]/g,
				'-',
			),
			project: ctx.getWorkflow().name ?? 'ad hoc',
			shotCount: 1,
			spentUsd: 0,
			...(manual.budgetUsd ? { budgetUsd: manual.budgetUsd } : {}),
		},
		shot: {
			id: `shot-${itemIndex + 1}`,
			index: 0,
			beat: { label: 'ad hoc', startSeconds: 0 },
			prompt: manual.prompt,
			durationSeconds: manual.durationSeconds,
			aspectRatio: manual.aspectRatio,
			resolution: manual.resolution,
			layer: layer === 'hero' ? 'hero' : 'broll',
			characters: [],
			needsAudio: manual.audio,
		},
		takes: [],
		ledger: [],
		fromContract: false,
	};
}

/** Attempt number of the next take of a layer: one more than QC has counted. */
export function nextAttempt(context: ShotContext, layer: RenderLayer): number {
	return (context.qc?.attempts[layer] ?? 0) + 1;
}

/** The latest take of the layer's coming attempt that `matches`. */
function takeOfAttempt(
	context: ShotContext,
	layer: RenderLayer,
	matches: (take: Take) => boolean,
): Take | undefined {
	const attempt = nextAttempt(context, layer);
	return [...context.takes]
		.reverse()
		.find((take) => take.layer === layer && take.attempt === attempt && matches(take));
}

/**
 * The still this attempt drew into a binary property of the item (a keyframe made with the pinned
 * references, say): a clip animated from it starts from those references, so its take names them.
 */
export const stillOfAttempt = (context: ShotContext, layer: RenderLayer, property: string) =>
	takeOfAttempt(
		context,
		layer,
		(take) =>
			take.status === 'succeeded' &&
			take.asset?.kind === 'binary' &&
			take.asset.ref === property &&
			take.asset.mimeType.startsWith('image/'),
	);

/**
 * True when this attempt set out to draw `property` with `operation` (a keyframe still, say) and
 * that take did not succeed: it failed, was cancelled at its timeout, or is still rendering.
 * Whatever the item carries in that property is from an earlier round. A still drawn into another
 * property does not count; a take from before takes named their property counts for any.
 */
export const missedOfAttempt = (
	context: ShotContext,
	layer: RenderLayer,
	operation: string,
	property: string,
) => {
	const take = takeOfAttempt(
		context,
		layer,
		(t) =>
			t.operation === operation &&
			(t.binaryProperty === undefined || t.binaryProperty === property),
	);
	return take !== undefined && take.status !== 'succeeded';
};

/**
 * The take this render resumes instead of paying again: the take of the same layer, vendor,
 * operation and attempt that already has a job ID and no final failure. Where both the take and
 * this step name the binary property the file goes to, they must name the same one: two stills of
 * one attempt drawn into two properties are two renders. A take a Submit Only step recorded names
 * none, so the step that waits for it resumes it whatever its own output.
 */
export const resumableTake = (
	context: ShotContext,
	layer: RenderLayer,
	vendor: Take['vendor'],
	operation: string,
	binaryProperty: string | undefined,
) =>
	takeOfAttempt(
		context,
		layer,
		(take) =>
			take.vendor === vendor &&
			take.operation === operation &&
			(take.binaryProperty === undefined ||
				binaryProperty === undefined ||
				take.binaryProperty === binaryProperty) &&
			take.status !== 'failed' &&
			take.status !== 'cancelled',
	);
