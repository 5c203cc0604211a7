// The delivery summary of a brief, and the pin the run used (stored per brand for reuse).
// @include result-helpers
const report = $('Parse QC Report').first().json.data;
const state = $json.data;
const pin = state.shots.find((item) => item.pin)?.pin;
const summary = {
  totals: report.totals, cost: costOf(report), pinFingerprint: report.pinFingerprint,
  shots: report.shots.map(shotSummary),
  delivery: { folder: root, report: file(job.runId, 'qc-report.html'), reportJson: file(job.runId, 'qc-report.json'), masters: report.shots.map((shot) => file(job.runId, `${shot.id}.mp4`)), timeline: file(job.runId, 'timeline.otio') },
};
return [{ json: { runId: job.runId, status: report.totals.needsReview > 0 ? 'needs_review' : 'delivered', summary: JSON.stringify(summary), error: '', finishedAt: new Date().toISOString(),
  brand: job.brand, pin: pin ? JSON.stringify(pin) : '', fingerprint: pin?.fingerprint ?? '', newPin: Boolean(pin) && !request.brandPin } }];
