// Every reshoot request (webhook, a calling workflow, the sample) is checked here before its run
// state is read: runId and shotId pass the contract's safe character set before they name a file,
// and budgetUsd is required within this template's cap. The delivery folder is a setting.
const REFUSAL_PREFIX = '';
// @include intake-checks
const settings = $input.first().json;
const executed = (name) => $(name).isExecuted;
const via = executed('Reshoot Webhook') ? 'webhook' : executed('Reshoot From Workflow') ? 'workflow' : 'sample';
// Called without a request (n8n execute), the workflow trigger reshoots the sample; a caller's fields replace the sample's.
const SAMPLE = {"runId": "cafe-launch-001", "shotId": "shot-02", "note": "Slower steam, tighter framing.", "budgetUsd": 5}; // @from sample
const body = via === 'webhook' ? $('Reshoot Webhook').first().json.body : via === 'workflow' ? { ...SAMPLE, ...$('Reshoot From Workflow').first().json } : $('Sample Request').first().json;
try {
  if (!body || typeof body !== 'object' || Array.isArray(body)) refuse('body', 'must be a JSON object with the reshoot request');
  const runId = safeId('runId', body.runId, 128);
  const shotId = safeId('shotId', body.shotId, 64);
  const budgetUsd = budget(body.budgetUsd, settings.maxBudgetUsd);
  const note = text(body.note).slice(0, 1000);
  return [{ json: { via, runId, shotId, note, budgetUsd } }];
} catch (error) {
  if (!error.field) throw error;
  return [{ json: { via, refused: { status: error.status, field: error.field, error: error.message } } }];
}
