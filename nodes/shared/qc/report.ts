import type { LedgerEntry, ShotItem } from '../contract/schemas';
import { costByLayer, ledgerTotal } from '../ledger';

export interface ShotOutcome {
	item: ShotItem;
	outcome: 'passed' | 'needs_review';
	reviewReason?: string;
}

export interface QcReport {
	runId: string;
	project: string;
	variant?: string;
	pinFingerprint: string | null;
	generatedAt: string;
	shots: Array<{
		id: string;
		index: number;
		beat: string;
		layer: string;
		outcome: 'passed' | 'needs_review';
		reviewReason?: string;
		attempts: { narrative: number; hero: number; control: number };
		verdicts: Array<{ check: string; value: unknown; threshold: unknown; pass: boolean; layer: string }>;
		takes: Array<{ jobId: string; vendor: string; model: string; operation?: string; status: string; attempt: number; costUsd: number; asset?: string }>;
		/** data: URL of the latest take's still, where the vendor made one. */
		thumbnail?: string;
	}>;
	/** renders counts video takes; stills (keyframes a video was made from) are counted apart. */
	totals: { shots: number; passed: number; needsReview: number; renders: number; rerenders: number; stills: number };
	cost: { totalUsd: number; byLayer: Record<string, number>; byVendor: Record<string, number>; budgetUsd?: number; budgetUsedPct?: number };
}

function uniqueEntries(items: ShotItem[]): LedgerEntry[] {
	const seen = new Map<string, LedgerEntry>();
	for (const entry of items.flatMap((item) => item.ledger)) seen.set(`${entry.layer}|${entry.vendor}|${entry.model}|${entry.jobId}`, entry);
	return [...seen.values()];
}

export function buildReport(outcomes: ShotOutcome[], now: Date, thumbnails: Record<string, string> = {}): QcReport {
	const items = outcomes.map((o) => o.item).sort((a, b) => a.shot.index - b.shot.index);
	const [first] = items;
	const entries = uniqueEntries(items);
	const byVendor: Record<string, number> = {};
	for (const entry of entries) byVendor[entry.vendor] = Math.round(((byVendor[entry.vendor] ?? 0) + entry.usd) * 1e6) / 1e6;
	const totalUsd = ledgerTotal(entries);
	const budgetUsd = first.pipeline.budgetUsd;
	const takes = items.flatMap((item) => item.takes);
	const stills = takes.filter((t) => t.operation === 'textToImage' || t.asset?.mimeType.startsWith('image/')).length;
	const renders = takes.length - stills;
	return {
		runId: first.pipeline.runId,
		project: first.pipeline.project,
		variant: first.pipeline.variant,
		pinFingerprint: first.pin?.fingerprint ?? null,
		generatedAt: now.toISOString(),
		shots: outcomes
			.slice()
			.sort((a, b) => a.item.shot.index - b.item.shot.index)
			.map(({ item, outcome, reviewReason }) => ({
				id: item.shot.id,
				index: item.shot.index,
				beat: item.shot.beat.label,
				layer: item.shot.layer,
				outcome,
				...(reviewReason ? { reviewReason } : {}),
				attempts: item.qc?.attempts ?? { narrative: 0, hero: 0, control: 0 },
				verdicts: item.qc?.verdicts ?? [],
				takes: item.takes.map((t) => ({ jobId: t.jobId, vendor: t.vendor, model: t.model, operation: t.operation, status: t.status, attempt: t.attempt, costUsd: t.costUsd, asset: t.asset?.kind === 'binary' ? undefined : t.asset?.ref })),
				...(thumbnails[item.shot.id] ? { thumbnail: thumbnails[item.shot.id] } : {}),
			})),
		totals: {
			shots: items.length,
			passed: outcomes.filter((o) => o.outcome === 'passed').length,
			needsReview: outcomes.filter((o) => o.outcome === 'needs_review').length,
			renders,
			rerenders: renders - items.length,
			stills,
		},
		cost: { totalUsd, byLayer: costByLayer(entries), byVendor, ...(budgetUsd ? { budgetUsd, budgetUsedPct: Math.round((totalUsd / budgetUsd) * 1000) / 10 } : {}) },
	};
}

const escape = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A self-contained page a client can read: no scripts, no external assets. */
export function reportHtml(report: QcReport): string {
	const money = (usd: number) => `$${usd > 0 && usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}`;
	// Fingerprints are for machines; a reader needs enough of one to compare.
	const short = (value: unknown) => String(value ?? '').replace(/\b([0-9a-f]{12})[0-9a-f]{20,}\b/g, '$1…');
	const rows = report.shots
		.map((shot) => {
			const failed = shot.verdicts.filter((v) => !v.pass);
			const verdicts = shot.verdicts.map((v) => `<li class="${v.pass ? 'pass' : 'fail'}">${escape(v.check)}: ${escape(short(v.value))} (${escape(short(v.threshold))})</li>`).join('');
			const takes = shot.takes.map((t) => `<li>${escape(t.vendor)} ${escape(t.model)} ${escape(t.operation ?? '')} #${t.attempt}: ${escape(t.status)}, ${money(t.costUsd)} <code>${escape(t.jobId)}</code></li>`).join('');
			const still = shot.thumbnail?.startsWith('data:image/') ? `<br><img src="${escape(shot.thumbnail)}" alt="" width="160">` : '';
			return `<tr class="${shot.outcome}"><td>${shot.index + 1}${still}</td><td>${escape(shot.beat)}<br><small>${escape(shot.id)} · ${escape(shot.layer)}</small></td><td>${shot.outcome === 'passed' ? 'Passed' : `Needs review${shot.reviewReason ? `<br><small>${escape(shot.reviewReason)}</small>` : ''}`}${failed.length ? `<br><small>${failed.length} failed check(s)</small>` : ''}</td><td><ul>${verdicts}</ul></td><td><ul>${takes}</ul></td></tr>`;
		})
		.join('\n');
	const layers = Object.entries(report.cost.byLayer).map(([layer, usd]) => `<li>${escape(layer)}: ${money(usd)}</li>`).join('');
	const vendors = Object.entries(report.cost.byVendor).map(([vendor, usd]) => `<li>${escape(vendor)}: ${money(usd)}</li>`).join('');
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>QC report: ${escape(report.project)} (${escape(report.runId)})</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.5rem;vertical-align:top;text-align:left}tr.needs_review{background:#fff4e5}li.fail{color:#b00020}li.pass{color:#1b5e20}code{font-size:.75em}.summary{display:flex;gap:3rem}</style></head>
<body><h1>${escape(report.project)}</h1><p>Run <code>${escape(report.runId)}</code>${report.variant ? ` · variant ${escape(report.variant)}` : ''} · pin <code>${escape(short(report.pinFingerprint ?? 'none'))}</code> · ${escape(report.generatedAt)}</p>
<div class="summary"><div><h2>Shots</h2><p>${report.totals.passed} of ${report.totals.shots} passed, ${report.totals.needsReview} need review; ${report.totals.renders} renders (${report.totals.rerenders} re-renders)</p></div>
<div><h2>Cost ${money(report.cost.totalUsd)}</h2>${report.cost.budgetUsd ? `<p>${report.cost.budgetUsedPct}% of the ${money(report.cost.budgetUsd)} budget</p>` : ''}<h3>By layer</h3><ul>${layers}</ul><h3>By vendor</h3><ul>${vendors}</ul></div></div>
<h2>Shots</h2><table><thead><tr><th>#</th><th>Beat</th><th>Outcome</th><th>Checks</th><th>Takes</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
