import type { IExecuteFunctions } from 'n8n-workflow';
import type { LedgerEntry, Pin, Shot, Take, Verdict } from '../../shared/contract/schemas';
import type { QcThresholds } from '../../shared/qc/checks';
import { anchorClipProperty, anchorsFor } from '../../shared/qc/anchors';
import { frameTimes } from '../../shared/qc/judgeScores';
import { GOOGLE_CREDENTIAL } from '../../shared/vendors/google/transport';
import { stringParameter } from '../../shared/parameters';
import { redactSecrets } from '../../shared/redact';
import { settle } from '../../shared/runtime/concurrency';
import { DEFAULT_JUDGE_MODEL, judgeTake } from './judgeFrames';
import { mediaOf, previousAccepted, type RunMemory } from './visualMemory';

/** Why visual checks are off, in the words the verdict, the node's hint and the report use. */
export const VISUAL_CHECKS_OFF = {
	disabled: 'off: Visual Checks is switched off on the QC Router',
	noCredential:
		'off: no Google credential on the QC Router, so identity and colour were not judged',
};

/** A job ID short enough to read in a verdict (Vertex operation names are long paths); the full ID stays on the anchor and take. */
const shortJob = (jobId: string) => jobId.split('/').pop() ?? jobId;

export interface VisualOptions {
	frames: number;
	borderlineMargin: number;
}

/** The visual-checks settings of the node, one place for their defaults. */
export function visualOptions(ctx: IExecuteFunctions, itemIndex: number): VisualOptions {
	const options = (ctx.getNodeParameter('judgeOptions', itemIndex, {}) ??
		{}) as Partial<VisualOptions>;
	return { frames: options.frames ?? 3, borderlineMargin: options.borderlineMargin ?? 0.15 };
}

/** Whether the visual checks can run, and the verdict that says so plainly when they cannot. */
export function visualChecksOff(ctx: IExecuteFunctions, itemIndex: number): string | undefined {
	if (!ctx.getNodeParameter('visionJudge', itemIndex, true)) return VISUAL_CHECKS_OFF.disabled;
	if (!ctx.getNode().credentials?.[GOOGLE_CREDENTIAL]) return VISUAL_CHECKS_OFF.noCredential;
	return undefined;
}

/**
 * Identity and colour for one take: every character against its anchor (the first accepted take
 * it appeared in) and its references, the grade against the pin and the previous accepted shot.
 * Returns the frames judged, so an accepted take can become an anchor at exactly those frames.
 */
export async function visualVerdicts(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: {
		shot: Shot;
		pin: Pin | undefined;
		take: Take;
		durationSeconds: number;
		thresholds: QcThresholds;
		layers: Record<'identity' | 'colour' | 'adherence' | 'artifacts', Verdict['layer']>;
		memory: RunMemory;
	},
): Promise<{ verdicts: Verdict[]; ledger: LedgerEntry[]; frames: number[] }> {
	const { shot, take, memory } = context;
	const off = visualChecksOff(ctx, itemIndex);
	if (off)
		return {
			verdicts: [
				{
					check: 'vision',
					value: off,
					threshold: 'identity and colour judged',
					pass: true,
					layer: context.layers.identity,
				},
			],
			ledger: [],
			frames: [],
		};
	const options = visualOptions(ctx, itemIndex);
	const frames = frameTimes(context.durationSeconds, options.frames);
	const anchors = await Promise.all(
		anchorsFor(memory.anchors, shot, take).map(async (anchor) => ({
			anchor,
			...(await mediaOf(
				ctx,
				memory,
				anchor.asset,
				anchor.jobId,
				`${anchor.shotId}, take ${shortJob(anchor.jobId)}`,
				anchor.clipFile
					? `put its clip (${anchor.clipFile}, kept beside the run state) on the item as binary property ${anchorClipProperty(anchor.tag)}`
					: undefined,
			)),
		})),
	);
	const accepted = previousAccepted(memory, shot);
	const previous = accepted
		? await mediaOf(
				ctx,
				memory,
				accepted.asset,
				accepted.jobId,
				`${accepted.shotId}, take ${shortJob(accepted.jobId)}`,
			)
		: undefined;
	const judged = await settle(
		async () =>
			await judgeTake(ctx, {
				itemIndex,
				shot,
				pin: context.pin,
				take,
				model: stringParameter(ctx, 'judgeModel', itemIndex, DEFAULT_JUDGE_MODEL),
				frames,
				anchors,
				previous:
					previous?.media && accepted ? { ...previous.media, frames: accepted.frames } : undefined,
				thresholds: context.thresholds,
				borderlineMargin: options.borderlineMargin,
				layers: context.layers,
			}),
	);
	// A judge that could not answer leaves the take unchecked: said on the verdict, and not passed.
	if (!judged.ok)
		return {
			verdicts: [
				{
					check: 'vision',
					value: `not checked: ${redactSecrets((judged.error as Error).message)}`,
					threshold: 'identity and colour judged',
					pass: false,
					layer: context.layers.identity,
				},
			],
			ledger: [],
			frames,
		};
	return { ...judged.value, frames };
}
