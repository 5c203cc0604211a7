// The row that records the job before it starts: the brand's latest stored pin rides along on a brief.
const job = $('Job').first().json;
const pins = $input.all().map((item) => item.json).filter((row) => row.pin);
const stored = pins.length ? JSON.parse(pins[pins.length - 1].pin) : undefined;
// A brief that brings its own reference images gets a new pin from them (and the brand keeps it); otherwise the stored one.
const ownReferences = Array.isArray(job.request.characters) && job.request.characters.length > 0;
const request = job.kind === 'brief' && stored && !ownReferences ? { ...job.request, brandPin: stored } : job.request;
return [{ json: { runId: job.runId, kind: job.kind, status: 'rendering', brand: job.brand, project: job.project, budgetUsd: job.budgetUsd,
  request: JSON.stringify(request), summary: '', error: '', requestedAt: new Date(job.startedAt).toISOString(), finishedAt: '' } }];
