// One item per clip file the shots' anchors name (kept beside an earlier run's state), to read back:
// an anchor kept as an n8n binary lives on only in that file.
// @include anchor-clip-file
const files = new Set();
for (const item of $input.all())
  for (const anchor of Array.isArray(item.json.qcAnchors) ? item.json.qcAnchors : [])
    if (anchor && SAFE_FILE.test(String(anchor.clipFile || ''))) files.add(anchor.clipFile);
return [...files].map((clipFile) => ({ json: { clipFile } }));
