import type { AssetRef, LedgerEntry, ShotItem, Take, Verdict } from '../contract/schemas';
import { costByLayer, ledgerTotal, entryKey } from '../ledger';
import type { Anchor } from './anchors';

export interface ShotOutcome {
	item: ShotItem;
	outcome: 'passed' | 'needs_review';
	reviewReason?: string;
}

type ReportVerdict = Pick<Verdict, 'check' | 'value' | 'threshold' | 'pass' | 'layer' | 'judge'>;

/** Where a reader's browser finds a frame of a clip: the vendor URL, or the master delivered beside the report. */
export interface Still {
	src: string;
	atSeconds: number;
}

export interface QcReport {
	runId: string;
	project: string;
	variant?: string;
	pinFingerprint: string | null;
	generatedAt: string;
	/** Whether identity and colour were judged; when off, why (shown at the top of the report). */
	visualChecks: { on: boolean; note?: string; models: string[] };
	/** Each character's anchor: the take every later shot with it was judged against. */
	anchors: Array<{ tag: string; shotId: string; jobId: string; still?: Still }>;
	shots: Array<{
		id: string;
		index: number;
		beat: string;
		layer: string;
		outcome: 'passed' | 'needs_review';
		reviewReason?: string;
		/** Whether any vision verdict was reached on the final take. */
		visuallyChecked: boolean;
		attempts: { narrative: number; hero: number; control: number };
		verdicts: ReportVerdict[];
		/** Every take, with QC's ruling on it: accepted, or where it was sent back and why. */
		takes: Array<{
			jobId: string;
			vendor: string;
			model: string;
			operation?: string;
			status: string;
			attempt: number;
			costUsd: number;
			asset?: string;
			ruling?: { route: string; failed: ReportVerdict[] };
		}>;
		/** data: URL of the latest take's still, where the vendor made one. */
		thumbnail?: string;
		still?: Still;
	}>;
	/** renders counts video takes; stills (keyframes a video was made from) are counted apart. */
	totals: {
		shots: number;
		passed: number;
		needsReview: number;
		renders: number;
		rerenders: number;
		stills: number;
	};
	cost: {
		totalUsd: number;
		byLayer: Record<string, number>;
		byVendor: Record<string, number>;
		budgetUsd?: number;
		budgetUsedPct?: number;
	};
}

function uniqueEntries(items: ShotItem[]): LedgerEntry[] {
	const seen = new Map<string, LedgerEntry>();
	for (const entry of items.flatMap((item) => item.ledger)) seen.set(entryKey(entry), entry);
	return [...seen.values()];
}

/** A clip's frame for the reader: a vendor URL as it is; an n8n binary by the master file name the templates deliver (`<runId>-<shotId>.mp4`). */
function stillOf(
	asset: AssetRef | undefined,
	runId: string,
	shotId: string,
	atSeconds: number,
): Still | undefined {
	if (!asset?.mimeType.startsWith('video/')) return undefined;
	if (asset.kind === 'url') return { src: asset.ref, atSeconds };
	if (asset.kind === 'binary') return { src: `${runId}-${shotId}.mp4`, atSeconds };
	return undefined;
}

const finalTake = (item: ShotItem): Take | undefined =>
	[...item.takes].reverse().find((t) => t.status === 'succeeded');
const middleFrame = (verdicts: ReportVerdict[], fallback: number) => {
	const frames = verdicts.find((v) => v.judge)?.judge?.frames ?? [];
	return frames.length ? frames[Math.floor(frames.length / 2)] : fallback;
};

export interface ReportOptions {
	anchors?: Anchor[];
	/** Set when visual checks did not run, with the reason. */
	visualChecksOff?: string;
}

export function buildReport(
	outcomes: ShotOutcome[],
	now: Date,
	thumbnails: Record<string, string> = {},
	options: ReportOptions = {},
): QcReport {
	const items = outcomes.map((o) => o.item).sort((a, b) => a.shot.index - b.shot.index);
	const [first] = items;
	const entries = uniqueEntries(items);
	const byVendor: Record<string, number> = {};
	for (const entry of entries)
		byVendor[entry.vendor] = Math.round(((byVendor[entry.vendor] ?? 0) + entry.usd) * 1e6) / 1e6;
	const totalUsd = ledgerTotal(entries);
	const budgetUsd = first.pipeline.budgetUsd;
	const takes = items.flatMap((item) => item.takes);
	const stills = takes.filter(
		(t) => t.operation === 'textToImage' || t.asset?.mimeType.startsWith('image/'),
	).length;
	const renders = takes.length - stills;
	const runId = first.pipeline.runId;
	const shots = outcomes
		.slice()
		.sort((a, b) => a.item.shot.index - b.item.shot.index)
		.map(({ item, outcome, reviewReason }) => {
			const verdicts = item.qc?.verdicts ?? [];
			const rulings = new Map((item.qc?.history ?? []).map((h) => [h.jobId, h]));
			const still = stillOf(
				finalTake(item)?.asset,
				runId,
				item.shot.id,
				middleFrame(verdicts, item.shot.durationSeconds / 2),
			);
			return {
				id: item.shot.id,
				index: item.shot.index,
				beat: item.shot.beat.label,
				layer: item.shot.layer,
				outcome,
				...(reviewReason ? { reviewReason } : {}),
				visuallyChecked: verdicts.some((v) => v.judge),
				attempts: item.qc?.attempts ?? { narrative: 0, hero: 0, control: 0 },
				verdicts,
				takes: item.takes.map((t) => {
					const ruling = rulings.get(t.jobId);
					return {
						jobId: t.jobId,
						vendor: t.vendor,
						model: t.model,
						operation: t.operation,
						status: t.status,
						attempt: t.attempt,
						costUsd: t.costUsd,
						asset: t.asset?.kind === 'binary' ? undefined : t.asset?.ref,
						...(ruling ? { ruling: { route: ruling.route, failed: ruling.failed } } : {}),
					};
				}),
				...(thumbnails[item.shot.id] ? { thumbnail: thumbnails[item.shot.id] } : {}),
				...(still ? { still } : {}),
			};
		});
	const models = [
		...new Set(
			shots
				.flatMap((s) => s.verdicts.map((v) => v.judge?.model))
				.filter((m): m is string => Boolean(m)),
		),
	];
	return {
		runId,
		project: first.pipeline.project,
		variant: first.pipeline.variant,
		pinFingerprint: first.pin?.fingerprint ?? null,
		generatedAt: now.toISOString(),
		visualChecks: {
			on: !options.visualChecksOff,
			...(options.visualChecksOff ? { note: options.visualChecksOff } : {}),
			models,
		},
		anchors: (options.anchors ?? []).map((anchor) => {
			const still = stillOf(
				anchor.asset,
				anchor.runId,
				anchor.shotId,
				anchor.frames[Math.floor(anchor.frames.length / 2)],
			);
			return {
				tag: anchor.tag,
				shotId: anchor.shotId,
				jobId: anchor.jobId,
				...(still ? { still } : {}),
			};
		}),
		shots,
		totals: {
			shots: items.length,
			passed: outcomes.filter((o) => o.outcome === 'passed').length,
			needsReview: outcomes.filter((o) => o.outcome === 'needs_review').length,
			renders,
			rerenders: renders - items.length,
			stills,
		},
		cost: {
			totalUsd,
			byLayer: costByLayer(entries),
			byVendor,
			...(budgetUsd
				? { budgetUsd, budgetUsedPct: Math.round((totalUsd / budgetUsd) * 1000) / 10 }
				: {}),
		},
	};
}

export { reportHtml } from './reportHtml';
