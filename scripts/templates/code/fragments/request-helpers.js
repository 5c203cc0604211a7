const call = $('Tool Call').first().json;
const settings = $('Server Settings').first().json;
const REFUSAL_PREFIX = `${call.tool}: `;
// @include intake-checks
const fail = refuse;
// Every call states its spend cap; none may pass the server's.
const budgetUsd = budget(call.budgetUsd, settings.maxBudgetUsd);
const waitSeconds = Math.min(Math.max(0, Number(call.waitSeconds ?? settings.defaultWaitSeconds) || 0), settings.maxWaitSeconds);
// FNV-1a: the same request always gets the same ID (the Code node has no crypto module).
const fingerprint = (value) => {
  let hash = 0x811c9dc5;
  for (const char of JSON.stringify(value)) { hash ^= char.charCodeAt(0); hash = Math.imul(hash, 0x01000193) >>> 0; }
  return hash.toString(16).padStart(8, '0');
};
