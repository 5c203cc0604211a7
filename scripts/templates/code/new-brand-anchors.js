// The anchors this run set (its first accepted take of each character), one line each for the
// brand's later runs, in one item to append. Anchors it was given by an earlier run are already stored.
// @include brand-anchor-rows
const brandOf = (item) => String(item.json.brand); // @from brandOf
const rows = new Map();
for (const item of $input.all()) {
  const runId = item.json.pipeline && item.json.pipeline.runId;
  for (const anchor of Array.isArray(item.json.qcAnchors) ? item.json.qcAnchors : []) {
    if (!anchor || anchor.runId !== runId || rows.has(`${runId}\n${anchor.tag}`)) continue;
    rows.set(`${runId}\n${anchor.tag}`, { brand: brandOf(item), tag: anchor.tag, runId, references: referencesOf(item.json.pin, anchor.tag),
      anchor: JSON.stringify(anchor), anchoredAt: $now.toISO() });
  }
}
return rows.size ? [{ json: { lines: [...rows.values()].map((row) => JSON.stringify(row) + '\n').join('') } }] : [];
