// Every item starts from the account caps the render nodes learned on earlier nights: the latest
// row per vendor of video_account_caps (two batches writing at once can leave two rows of one
// vendor; the later one holds). An empty table (the first night) or a malformed row adds nothing,
// so the render nodes start from their safe default: a cap is a starting hint, never a reason to
// stop the batch.
const VENDORS = ['openai', 'google', 'runway', 'fal', 'replicate']; // @from vendors
const when = (row) => [row.learnedAt, row.updatedAt, row.createdAt].map((t) => Date.parse(String(t ?? ''))).find((t) => Number.isFinite(t));
const latest = {};
for (const { json: row } of $input.all()) {
  const vendor = String(row.vendor ?? '').trim();
  const cap = Number(row.cap);
  const at = when(row);
  if (!VENDORS.includes(vendor) || !Number.isInteger(cap) || cap < 1 || at === undefined) continue;
  const id = Number(row.id) || 0;
  const best = latest[vendor];
  if (!best || at > best.at || (at === best.at && id > best.id)) latest[vendor] = { cap, at, id };
}
const learnedConcurrency = Object.fromEntries(Object.entries(latest).map(([vendor, { cap }]) => [vendor, cap]));
const started = Object.keys(learnedConcurrency).length ? { learnedConcurrency } : {};
return $('Claimed Briefs').all().map((item) => ({ json: { ...item.json, ...started } }));
