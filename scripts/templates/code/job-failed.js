// A job that failed: the pipeline's own message (a refused budget names the cap), kept on the row.
const job = $('Job Row').first().json;
return [{ json: { runId: job.runId, status: 'failed', summary: '', error: String($json.error || 'the pipeline failed').slice(0, 2000), finishedAt: new Date().toISOString() } }];
