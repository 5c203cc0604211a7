// A brand's anchors from its earlier runs ride on every shot (qcAnchors), so this run is judged
// against the faces and products the brand's earlier videos showed. Per character the first stored
// anchor made with the same reference images as this run's pin counts: only those images let a
// render draw that face again (a text-only render draws a face of its own, and judging it against
// another run's would pay for re-renders that cannot pass), and a character recast with new images
// is anchored anew. A line that is not a readable anchor is passed over.
// @include brand-anchor-rows
const SAFE_TAG = /(?!)/; // @from characterTag
// @include anchor-clip-file
const SHOTS = ['Pin State']; // @from shots
const brandOf = (item) => String(item.json.brand); // @from brandOf
const rows = storedRows($input.first().json.data)
  .filter((row) => typeof row.brand === 'string' && typeof row.tag === 'string' && typeof row.anchor === 'string');
// QC Router refuses an anchor its schema does not take and fails the run: a line is checked the same
// way here (the fields, their types and bounds), so a hand edit costs one anchor, never a night. The
// fields an anchor and its asset take and need, and the asset kinds, are the schema's own.
const ANCHOR = { keys: [], required: [], asset: { keys: [], required: [], kinds: [] } }; // @from anchorFields
const fits = (value, fields) => Boolean(value) && typeof value === 'object' && !Array.isArray(value)
  && Object.keys(value).every((key) => fields.keys.includes(key)) && fields.required.every((key) => key in value);
const isText = (value) => typeof value === 'string' && value.length > 0;
const readable = (anchor, tag) => fits(anchor, ANCHOR) && anchor.tag === tag
  && isText(anchor.runId) && isText(anchor.shotId) && isText(anchor.jobId)
  && (anchor.pinFingerprint === null || /^[a-f0-9]{64}$/.test(String(anchor.pinFingerprint)))
  && Array.isArray(anchor.frames) && anchor.frames.length >= 1 && anchor.frames.length <= 16 && anchor.frames.every((t) => typeof t === 'number' && t >= 0)
  && Array.isArray(anchor.characters) && anchor.characters.length >= 1 && anchor.characters.every((c) => SAFE_TAG.test(String(c)))
  && fits(anchor.asset, ANCHOR.asset) && ANCHOR.asset.kinds.includes(anchor.asset.kind)
  && isText(anchor.asset.ref) && isText(anchor.asset.mimeType)
  && (anchor.asset.kind !== 'binary' || SAFE_FILE.test(String(anchor.clipFile || '')));
const parsed = (row) => {
  try {
    const anchor = JSON.parse(row.anchor);
    return readable(anchor, row.tag) ? anchor : undefined;
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
      const anchor = rows.filter((r) => r.brand === brand && r.tag === tag && references && String(r.references || '') === references).map(parsed).find(Boolean);
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
