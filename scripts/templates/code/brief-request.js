// render_brief: checks the call and names its run; the same brief always maps to the same run,
// so an agent that calls again gets that run back instead of paying for a second one.
// @include request-helpers
// @include brief-characters
if (!text(call.brand)) fail('brand', 'is required (pins are kept per brand)');
const brand = safeName('brand', call.brand);
if (!text(call.script)) fail('script', 'is required');
const targetSeconds = Number(call.targetSeconds) || 20;
if (targetSeconds < 4 || targetSeconds > settings.maxTargetSeconds) fail('targetSeconds', `must be 4 to ${settings.maxTargetSeconds}`);
const project = safeName('project', call.project, false) || brand;
// Checked here so an assistant hears of a bad reference at once; the studio checks them again.
const characters = briefCharacters(call.characters);
const slug = brand.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'brand';
const runId = call.runId === undefined || call.runId === null || call.runId === '' ? `${slug}-${fingerprint([brand, project, text(call.script), text(call.brief), targetSeconds, budgetUsd, ...(characters.length ? [characters] : [])])}` : safeId('runId', call.runId);
return [{ json: { runId, kind: 'brief', brand, project, budgetUsd, waitSeconds, startedAt: Date.now(),
  request: { project, brand, runId, script: text(call.script), brief: text(call.brief), characters, targetSeconds, budgetUsd, callbackUrl: '' } } }];
