// The outcome of one reshot shot.
// @include result-helpers
const report = $json.data;
const summary = { totals: report.totals, cost: costOf(report), shots: report.shots.map(shotSummary),
  delivery: { folder: root, master: file(request.runId, `${request.shotId}.mp4`), reportJson: file(request.runId, `${request.shotId}-reshoot-qc.json`) } };
return [{ json: { runId: job.runId, status: report.totals.needsReview > 0 ? 'needs_review' : 'delivered', summary: JSON.stringify(summary), error: '', finishedAt: new Date().toISOString() } }];
