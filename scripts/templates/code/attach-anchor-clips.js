// The anchors' clips (files beside earlier runs' states) ride on every shot as anchor_<tag>; QC Router
// judges the new takes against them. A clip counts only for the anchor that names its file.
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
  const runId = item.json.pipeline && item.json.pipeline.runId;
  const characters = new Set((item.json.shot && item.json.shot.characters) || []);
  const anchors = (Array.isArray(item.json.qcAnchors) ? item.json.qcAnchors : []).filter((anchor) => {
    const clip = anchor && clips.get(String(anchor.clipFile));
    // Only the clips this shot's characters are judged against ride along.
    if (clip && characters.has(anchor.tag)) binary['anchor_' + anchor.tag] = clip;
    // A brand anchor of an earlier run whose clip is gone is let go: this run anchors the character
    // anew instead of sending every shot of it to review. The run's own anchors stay (QC says so).
    return !(anchor && anchor.runId !== runId && anchor.asset && anchor.asset.kind === 'binary' && !clip);
  });
  return { json: Array.isArray(item.json.qcAnchors) ? { ...item.json, qcAnchors: anchors } : item.json, binary };
});
