// Every brief (webhook, form, a calling workflow, the sample) is checked here, on the server,
// before anything is claimed, written or billed. Only a brief's own fields are read from the
// request: the delivery folder and the spend cap are this template's settings.
const REFUSAL_PREFIX = '';
// @include intake-checks
const settings = $input.first().json;
// @include brief-characters
const SAMPLE = {"project": "Caf\u00e9 launch", "runId": "cafe-launch-001", "script": "Mara unlocks the caf\u00e9 at dawn. Steam curls from the espresso machine. Leo walks in from the rain. Mara hands Leo a cup: \"First one is on me.\" The sign flips to open.", "brief": "Warm, local, early-morning calm. Audience: commuters. Avoid logos other than ours.", "targetSeconds": 28, "budgetUsd": 40, "callbackUrl": ""}; // @from sample
const executed = (name) => $(name).isExecuted;
const via = executed('Brief Webhook') ? 'webhook' : executed('Brief From Workflow') ? 'workflow' : 'sample';
// Called without a brief (n8n execute), the workflow trigger runs the sample; a caller's fields replace the sample's.
// A caller's own script never inherits the sample's characters.
const caller = via === 'workflow' ? $('Brief From Workflow').first().json : {};
const sampleCharacters = via === 'sample' || (via === 'workflow' && caller.characters === undefined && !text(caller.script));
const body = via === 'webhook' ? $('Brief Webhook').first().json.body
  : via === 'workflow' ? { ...SAMPLE, ...(text(caller.script) ? { characters: undefined } : {}), ...caller } : $('Sample Brief').first().json;
try {
  if (!body || typeof body !== 'object' || Array.isArray(body)) refuse('body', 'must be a JSON object with the brief');
  const runId = safeId('runId', body.runId === undefined || body.runId === '' ? `brief-${$execution.id}` : body.runId);
  const project = safeName('project', body.project);
  // The brand's stored anchors judge this run's faces and products; a brief without one is its project's.
  const brand = safeName('brand', body.brand, false) || project;
  if (!text(body.script)) refuse('script', 'is required');
  const targetSeconds = body.targetSeconds === undefined || body.targetSeconds === '' || body.targetSeconds === null ? 30 : Number(body.targetSeconds);
  if (!(targetSeconds >= 4 && targetSeconds <= settings.maxTargetSeconds)) refuse('targetSeconds', `must be a number of seconds from 4 to ${settings.maxTargetSeconds}`);
  const budgetUsd = budget(body.budgetUsd, settings.maxBudgetUsd);
  const callbackUrl = text(body.callbackUrl);
  if (callbackUrl && !/^https?:\/\/\S+$/i.test(callbackUrl)) refuse('callbackUrl', 'must be an http(s) URL');
  // The bundled sample's references are file names under this template's sampleReferencesUrl setting; a real brief gives full URLs.
  const characters = briefCharacters(body.characters, sampleCharacters ? text(settings.sampleReferencesUrl).replace(/\/+$/, '') : undefined);
  // A stored brand pin comes only from a calling workflow (the MCP tools), never from the open intake.
  const brandPin = via === 'workflow' && body.brandPin ? body.brandPin : undefined;
  return [{ json: { via, runId, project, brand, script: text(body.script), brief: text(body.brief), targetSeconds, budgetUsd, callbackUrl, characters, ...(brandPin ? { brandPin } : {}), claim: `${$execution.id}\n` } }];
} catch (error) {
  if (!error.field) throw error;
  return [{ json: { via, runId: typeof body?.runId === 'string' && SAFE_ID.test(body.runId) ? body.runId : undefined, refused: { status: error.status, field: error.field, error: error.message } } }];
}
