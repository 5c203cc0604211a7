// The run's anchor clips (files beside its run state) ride on the shot as anchor_<tag>; QC Router
// judges the new take against them. No file (anchors kept by URL, or none yet) adds nothing.
// @include anchor-clip-file
// Only this run's own clips: the glob <runId>-anchor-*.mp4 also matches a run named <runId>-anchor-x.
const prefix = String($('Reshoot Request').first().json.runId) + '-anchor-';
const TAG = /^[A-Za-z][A-Za-z0-9_]{2,15}$/;
const clips = {};
for (const item of $('Read Anchor Clips').all()) {
  const clip = item.binary && item.binary.data;
  const name = String((clip && clip.fileName) || '');
  const tag = name.startsWith(prefix) ? name.slice(prefix.length).replace(/\.mp4$/, '') : '';
  if (clip && SAFE_FILE.test(name) && TAG.test(tag)) clips['anchor_' + tag] = clip;
}
return $('Accept Reshoot').all().map((item) => ({ json: item.json, binary: { ...(item.binary || {}), ...clips } }));
