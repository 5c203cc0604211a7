// A brand's anchors from its earlier runs ride on every shot (qcAnchors), so this run is judged
// against the faces and products the brand's earlier videos showed. Per character the first stored
// anchor wins. When this run pins reference images of a character, only an anchor made with the same
// images counts: a character recast with new images is anchored anew by this run. A row that is not
// a readable anchor is passed over.
// @include brand-anchor-rows
// @include anchor-clip-file
const SHOTS = ['Pin State']; // @from shots
const brandOf = (item) => String(item.json.brand); // @from brandOf
const rows = storedRows($input.first().json.data)
  .filter((row) => typeof row.brand === 'string' && typeof row.tag === 'string' && typeof row.anchor === 'string');
const parsed = (row) => {
  try {
    const anchor = JSON.parse(row.anchor);
    const kept = anchor && anchor.asset && (anchor.asset.kind !== 'binary' || SAFE_FILE.test(String(anchor.clipFile || '')));
    return anchor && anchor.tag === row.tag && typeof anchor.jobId === 'string' && Array.isArray(anchor.frames) && kept ? anchor : undefined;
  } catch {
    return undefined;
  }
};
const chosen = new Map();
const anchorsOf = (brand, pin) => {
  const tags = pin && Array.isArray(pin.characters) ? pin.characters.map((c) => c && c.tag) : [];
  const key = JSON.stringify([brand, ...tags.map((tag) => [tag, referencesOf(pin, tag)])]);
  if (!chosen.has(key)) {
    const anchors = [];
    for (const tag of tags) {
      const references = referencesOf(pin, tag);
      const anchor = rows.filter((r) => r.brand === brand && r.tag === tag && (!references || String(r.references || '') === references)).map(parsed).find(Boolean);
      if (anchor) anchors.push(anchor);
    }
    chosen.set(key, anchors);
  }
  return chosen.get(key);
};
const shots = SHOTS.map((name) => $(name)).find((node) => node.isExecuted);
return shots.all().map((item) => {
  const own = Array.isArray(item.json.qcAnchors) ? item.json.qcAnchors : [];
  const stored = anchorsOf(brandOf(item), item.json.pin).filter((anchor) => !own.some((o) => o && o.tag === anchor.tag));
  return { json: stored.length ? { ...item.json, qcAnchors: [...own, ...stored] } : item.json, ...(item.binary ? { binary: item.binary } : {}) };
});
