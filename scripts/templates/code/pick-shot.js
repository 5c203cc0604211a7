// The shot to reshoot, from the run's state (merged from every execution that wrote it): a retry
// of the layer that rendered it last, with a new seed and the note. Its budget is the run's own and
// at most budgetUsd more than the whole run has spent (each charge counted once).
// @include merge-run-state
const request = $('Reshoot Request').first().json;
const refused = (status, field, error) => [{ json: { ...request, refused: { status, field, error } } }];
const state = mergeRunState(request.runId, $input.all().map((entry) => entry.json.data));
if (!state) return refused(404, 'runId', `runId: no run state for "${request.runId}" in the delivery folder (deliver the run first); nothing was billed`);
const item = state.shots.find((s) => s.shot.id === request.shotId);
if (!item) return refused(404, 'shotId', `shotId: no shot "${request.shotId}" in run ${request.runId} (it has ${state.shots.map((s) => s.shot.id).join(', ')}); nothing was billed`);
const layer = item.takes.length ? item.takes[item.takes.length - 1].layer : item.shot.layer === 'hero' ? 'hero' : 'control';
const attempts = { narrative: 0, hero: 0, control: 0, ...(item.qc ? item.qc.attempts : {}) };
attempts[layer] += 1;
const charges = new Map();
for (const entry of state.shots.flatMap((s) => s.ledger)) charges.set(`${entry.layer}|${entry.vendor}|${entry.model}|${entry.jobId}`, entry.usd);
const spentUsd = Math.round([...charges.values()].reduce((sum, usd) => sum + usd, 0) * 1e6) / 1e6;
const cap = Math.round((spentUsd + request.budgetUsd) * 1e6) / 1e6;
const budgetUsd = Math.min(item.pipeline.budgetUsd ?? cap, cap);
return [{ json: { ...item,
  pipeline: { ...item.pipeline, spentUsd: Math.max(item.pipeline.spentUsd, spentUsd), budgetUsd },
  // What the render node may spend: the run's budget less everything the stored state says it spent.
  allowance: { usd: Math.max(0, Math.round((budgetUsd - Math.max(item.pipeline.spentUsd, spentUsd)) * 1e6) / 1e6), grantedBy: 'reshoot' },
  qc: { attempts, verdicts: [], status: 'retry' }, retryHint: { layer, newSeed: true, ...(request.note ? { note: request.note } : {}) } } }];
