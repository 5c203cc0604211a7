// The anchors' clips (files beside earlier runs' states) ride on every shot as anchor_<tag>; QC Router
// judges the new takes against them. A clip counts only for the anchor that names its file; an
// anchor whose file is gone gets none, and QC says so instead of judging without it.
// @include anchor-clip-file
const SHOTS = 'Accept Reshoot'; // @from shots
const clips = new Map();
for (const item of $input.all()) {
  const clip = item.binary && item.binary.data;
  const name = String((clip && clip.fileName) || '');
  if (clip && SAFE_FILE.test(name)) clips.set(name, clip);
}
return $(SHOTS).all().map((item) => {
  const binary = { ...(item.binary || {}) };
  for (const anchor of Array.isArray(item.json.qcAnchors) ? item.json.qcAnchors : []) {
    const clip = anchor && clips.get(String(anchor.clipFile));
    if (clip) binary['anchor_' + anchor.tag] = clip;
  }
  return { json: item.json, binary };
});
