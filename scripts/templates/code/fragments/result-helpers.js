const job = $('Job Row').first().json;
const request = $('Job Request').first().json;
const root = $('Server Settings').first().json.deliveryRoot; // @from mcpRoot
const file = (run, suffix) => root + '/' + run + '-' + suffix; // @from fileName
const shotSummary = (shot) => ({
  id: shot.id, layer: shot.layer, outcome: shot.outcome, ...(shot.reviewReason ? { reviewReason: shot.reviewReason } : {}),
  renders: shot.takes.length, attempts: shot.attempts,
  verdicts: shot.verdicts.map((v) => `${v.pass ? 'pass' : 'FAIL'} ${v.check}: ${typeof v.value === 'object' ? JSON.stringify(v.value) : v.value}${v.threshold === null ? '' : ` (wanted ${v.threshold})`}`),
  costUsd: Math.round(shot.takes.reduce((sum, take) => sum + (take.costUsd || 0), 0) * 1e4) / 1e4,
});
const costOf = (report) => ({ totalUsd: report.cost.totalUsd, perLayerUsd: report.cost.byLayer, perVendorUsd: report.cost.byVendor, budgetUsd: report.cost.budgetUsd });
