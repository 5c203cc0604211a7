// The anchors this run set (its first accepted take of each character), one line each for the
// brand's later runs, in one item to append. Anchors it was given by an earlier run are already
// stored. Only anchors whose clip QC handed out (and the template keeps as a file) are stored: a
// vendor URL expires, and a later run could not judge by it.
// @include brand-anchor-rows
const brandOf = (item) => String(item.json.brand); // @from brandOf
const rows = new Map();
for (const item of $input.all()) {
  const runId = item.json.pipeline && item.json.pipeline.runId;
  for (const anchor of Array.isArray(item.json.qcAnchors) ? item.json.qcAnchors : []) {
    const clip = anchor && item.binary && item.binary['anchor_' + anchor.tag];
    if (!anchor || anchor.runId !== runId || !clip || clip.fileName !== anchor.clipFile || rows.has(`${runId}\n${anchor.tag}`)) continue;
    rows.set(`${runId}\n${anchor.tag}`, { brand: brandOf(item), tag: anchor.tag, runId, references: referencesOf(item.json.pin, anchor.tag),
      anchor: JSON.stringify(anchor), anchoredAt: $now.toISO() });
  }
}
// A leading newline, so a last line left without one (a hand edit) never swallows these.
return rows.size ? [{ json: { lines: '\n' + [...rows.values()].map((row) => JSON.stringify(row) + '\n').join('') } }] : [];
