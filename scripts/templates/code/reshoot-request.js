// reshoot_shot: one shot of a delivered run again, with a note; the same request is one job.
// @include request-helpers
if (!text(call.runId)) fail('runId', 'is required (the run render_brief returned)');
const runId = safeId('runId', call.runId, 128);
if (!text(call.shotId)) fail('shotId', 'is required, like "shot-02" (get_run lists the shots)');
const shotId = safeId('shotId', call.shotId, 64);
const jobId = `${runId}~${shotId}~${fingerprint([text(call.note), budgetUsd])}`;
return [{ json: { runId: jobId, kind: 'reshoot', brand: '', project: runId, budgetUsd, waitSeconds, startedAt: Date.now(),
  request: { runId, shotId, note: text(call.note), budgetUsd } } }];
