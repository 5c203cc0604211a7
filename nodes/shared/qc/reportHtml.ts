import type { QcReport, Still } from './report';

const escape = (value: unknown) =>
	String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const money = (usd: number) => `$${usd > 0 && usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}`;
// Fingerprints are for machines; a reader needs enough of one to compare.
const short = (value: unknown) =>
	String(value ?? '').replace(/\b([0-9a-f]{12})[0-9a-f]{20,}\b/g, '$1…');
/** A job ID as a reader needs it: the end of a long operation path, the whole ID on hover. */
const job = (jobId: string) =>
	`<code title="${escape(jobId)}">${escape(short(jobId.split('/').pop() ?? jobId))}</code>`;
const LAYER_NAMES: Record<string, string> = {
	narrative: 'Narrative',
	pin: 'State pinning',
	hero: 'Hero',
	control: 'Control',
	qc: 'Validation (QC)',
};
const ROUTE_NAMES: Record<string, string> = {
	passed: 'Accepted',
	needs_review: 'Needs review',
	narrative: 'Sent back to Narrative',
	hero: 'Sent back to Hero',
	control: 'Sent back to Control',
};

/** A frame of a clip the browser draws itself (no script): the master beside the report, or the vendor URL. */
function stillHtml(still: Still | undefined, thumbnail: string | undefined, width: number): string {
	if (thumbnail?.startsWith('data:image/'))
		return `<img src="${escape(thumbnail)}" alt="" width="${width}">`;
	if (!still) return `<div class="nostill" style="width:${width}px">no still</div>`;
	return `<video src="${escape(still.src)}#t=${still.atSeconds}" preload="metadata" muted playsinline width="${width}"></video>`;
}

function verdictText(v: {
	check: string;
	value: unknown;
	threshold: unknown;
	judge?: { against: string; secondOpinion?: number[] };
}): string {
	const against = v.judge ? ` against ${escape(short(v.judge.against))}` : '';
	const second = v.judge?.secondOpinion ? ' (second opinion taken)' : '';
	return `${escape(v.check)} ${escape(short(v.value))} (needs ${escape(short(v.threshold))})${against}${second}`;
}

function bars(
	values: Record<string, number>,
	total: number,
	names: Record<string, string> = {},
): string {
	return Object.entries(values)
		.sort((a, b) => b[1] - a[1])
		.map(
			([key, usd]) =>
				`<div class="row"><span class="label">${escape(names[key] ?? key)}</span><span class="track"><span class="fill" style="width:${total ? Math.max(1, Math.round((usd / total) * 100)) : 0}%"></span></span><span class="amount">${money(usd)}</span></div>`,
		)
		.join('');
}

/** A self-contained page a client can read: no scripts; stills are frames of the delivered masters beside it. */
export function reportHtml(report: QcReport): string {
	const visual = report.visualChecks.on
		? `<p class="banner ok">Identity and colour judged on every take${report.visualChecks.models.length ? ` by ${escape(report.visualChecks.models.join(', '))}` : ''}: each character against its anchor and references, the grade against the pin and the previous accepted shot.</p>`
		: `<p class="banner off"><strong>Visual checks were off</strong>: ${escape(report.visualChecks.note?.replace(/^off: /, ''))}. Identity and colour of these shots were <strong>not</strong> checked.</p>`;
	const anchors = report.anchors.length
		? `<h2>Character anchors</h2><div class="anchors">${report.anchors.map((a) => `<figure>${stillHtml(a.still, undefined, 200)}<figcaption><strong>@${escape(a.tag)}</strong><br><small>${escape(a.shotId)} · ${job(a.jobId)}</small></figcaption></figure>`).join('')}</div>`
		: '';
	const rows = report.shots
		.map((shot) => {
			const finalChecks = shot.verdicts.filter((v) => !v.pass || v.judge || v.check === 'vision');
			const checks = finalChecks
				.map((v) => `<li class="${v.pass ? 'pass' : 'fail'}">${verdictText(v)}</li>`)
				.join('');
			const takes = shot.takes
				.map((t) => {
					const ruling = t.ruling
						? `<br><strong class="${t.ruling.route === 'passed' ? 'pass' : 'fail'}">${escape(ROUTE_NAMES[t.ruling.route] ?? t.ruling.route)}</strong>${t.ruling.failed.length ? `: ${t.ruling.failed.map((v) => verdictText(v)).join('; ')}` : ''}`
						: '';
					return `<li>#${t.attempt} ${escape(t.vendor)} ${escape(t.model)}: ${escape(t.status)}, ${money(t.costUsd)} ${job(t.jobId)}${ruling}</li>`;
				})
				.join('');
			const outcome =
				shot.outcome === 'passed'
					? `Passed${shot.visuallyChecked ? '' : '<br><small class="fail">not visually checked</small>'}`
					: `Needs review${shot.reviewReason ? `<br><small>${escape(shot.reviewReason)}</small>` : ''}`;
			return `<tr class="${shot.outcome}"><td>${shot.index + 1}<br>${stillHtml(shot.still, shot.thumbnail, 160)}</td><td>${escape(shot.beat)}<br><small>${escape(shot.id)} · ${escape(shot.layer)}</small></td><td>${outcome}</td><td><ul>${takes}</ul></td><td><ul>${checks || '<li class="pass">all checks passed</li>'}</ul></td></tr>`;
		})
		.join('\n');
	const cost = report.cost;
	const used = cost.budgetUsd ? Math.min(100, (cost.totalUsd / cost.budgetUsd) * 100) : undefined;
	const budget = cost.budgetUsd
		? `<div class="budget"><span class="fill${(used ?? 0) > 90 ? ' hot' : ''}" style="width:${used!.toFixed(1)}%"></span></div><p>${money(cost.totalUsd)} of the ${money(cost.budgetUsd)} budget (${cost.budgetUsedPct}%)</p>`
		: `<p>${money(cost.totalUsd)} (no run budget)</p>`;
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>QC report: ${escape(report.project)} (${escape(report.runId)})</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.5rem;vertical-align:top;text-align:left}tr.needs_review{background:#fff4e5}.fail{color:#b00020}.pass{color:#1b5e20}li.fail,li.pass{list-style:square}code{font-size:.75em}.summary{display:flex;gap:3rem;flex-wrap:wrap}.banner{padding:.75rem 1rem;border-radius:6px}.banner.ok{background:#e8f5e9}.banner.off{background:#ffe0b2;border:2px solid #e65100}.budget{width:320px;height:18px;background:#eee;border-radius:9px;overflow:hidden}.budget .fill{display:block;height:100%;background:#1976d2}.budget .fill.hot{background:#d32f2f}.row{display:flex;align-items:center;gap:.5rem;margin:.2rem 0}.row .label{width:9rem}.row .track{width:200px;height:10px;background:#eee;display:inline-block}.row .fill{display:block;height:100%;background:#7e57c2}.row .amount{font-variant-numeric:tabular-nums}.anchors{display:flex;gap:1.5rem;flex-wrap:wrap}figure{margin:0}video,img{display:block;background:#000}.nostill{height:90px;background:#eee;color:#777;font-size:.8em;display:flex;align-items:center;justify-content:center}ul{margin:0;padding-left:1.1rem}</style></head>
<body><h1>${escape(report.project)}</h1><p>Run <code>${escape(report.runId)}</code>${report.variant ? ` · variant ${escape(report.variant)}` : ''} · pin <code>${escape(short(report.pinFingerprint ?? 'none'))}</code> · ${escape(report.generatedAt)}</p>
${visual}
<div class="summary"><div><h2>Shots</h2><p>${report.totals.passed} of ${report.totals.shots} passed, ${report.totals.needsReview} need review; ${report.totals.renders} renders (${report.totals.rerenders} re-renders)</p></div>
<div><h2>Budget</h2>${budget}</div>
<div><h2>Cost by layer</h2>${bars(cost.byLayer, cost.totalUsd, LAYER_NAMES)}</div>
<div><h2>Cost by vendor</h2>${bars(cost.byVendor, cost.totalUsd)}</div></div>
${anchors}
<h2>Shots</h2><table><thead><tr><th>#</th><th>Beat</th><th>Outcome</th><th>Takes and why each went back</th><th>Checks of the final take</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
