// One row per vendor for video_account_caps: the cap this night's render nodes learned, as QC
// Router's All Done carries it. Runs finishing together normally agree; where they differ the
// lower holds (a run learns below where all started only when the vendor pushed back).
const VENDORS = ['openai', 'google', 'runway', 'fal', 'replicate']; // @from vendors
const caps = {};
const from = {};
for (const { json } of $input.all()) {
  const learned = json.learnedConcurrency && typeof json.learnedConcurrency === 'object' ? json.learnedConcurrency : {};
  for (const vendor of VENDORS) {
    const cap = Number(learned[vendor]);
    if (!Number.isInteger(cap) || cap < 1) continue;
    if (caps[vendor] === undefined || cap < caps[vendor]) {
      caps[vendor] = cap;
      from[vendor] = json.pipeline && json.pipeline.runId ? String(json.pipeline.runId) : '';
    }
  }
}
const learnedAt = $now.toISO();
return Object.entries(caps).map(([vendor, cap]) => ({
  json: { vendor, cap, learnedAt, runId: from[vendor], batch: String($execution.id) },
}));
