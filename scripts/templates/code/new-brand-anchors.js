// The anchors this run set (its first accepted take of each character), one line each for the
// brand's later runs, in one item to append. Anchors it was given by an earlier run are already
// stored. Only anchors a later run can use are stored: made with reference images (the only way a
// render draws that face again) and with a clip QC handed out for the template to keep as a file
// (a vendor URL expires).
// @include brand-anchor-rows
const brandOf = (item) => String(item.json.brand); // @from brandOf
const rows = new Map();
for (const item of $input.all()) {
  const runId = item.json.pipeline && item.json.pipeline.runId;
  for (const anchor of Array.isArray(item.json.qcAnchors) ? item.json.qcAnchors : []) {
    const clip = anchor && item.binary && item.binary['anchor_' + anchor.tag];
    if (!anchor || anchor.runId !== runId || !clip || clip.fileName !== anchor.clipFile || rows.has(`${runId}\n${anchor.tag}`)) continue;
    const references = referencesOf(item.json.pin, anchor.tag);
    if (!references) continue;
    rows.set(`${runId}\n${anchor.tag}`, { brand: brandOf(item), tag: anchor.tag, runId, references,
      anchor: JSON.stringify(anchor), anchoredAt: $now.toISO() });
  }
}
// A leading newline, so a last line left without one (a hand edit) never swallows these.
return rows.size ? [{ json: { lines: '\n' + [...rows.values()].map((row) => JSON.stringify(row) + '\n').join('') } }] : [];
