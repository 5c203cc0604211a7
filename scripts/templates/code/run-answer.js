// What every run tool answers: the job's status, and its delivery summary once it is in.
const row = $input.first().json;
if (!row.runId) return [{ json: { found: false, message: 'No run with this ID: render_brief and reshoot_shot return the runId to use.' } }];
const answer = { found: true, runId: row.runId, kind: row.kind, status: row.status, brand: row.brand || undefined, project: row.project, budgetUsd: row.budgetUsd, requestedAt: row.requestedAt };
if (row.status === 'rendering') {
  answer.message = `Still rendering. Call get_run with runId "${row.runId}" in a minute or two. Calling ${row.kind === 'brief' ? 'render_brief' : 'reshoot_shot'} again with the same request returns this run and pays nothing twice.`;
}
if (row.status === 'failed') {
  answer.message = `This ${row.kind === 'brief' ? 'run' : 'reshoot'} failed; see error. The same request returns this answer again: to try once more, change the request (a new runId for render_brief, or another note or budget for reshoot_shot).`;
}
if (row.summary) Object.assign(answer, JSON.parse(row.summary));
if (row.error) answer.error = row.error;
if (row.finishedAt) answer.finishedAt = row.finishedAt;
return [{ json: answer }];
