// The run's anchor clips (files beside its run state) ride on the shot as anchor_<tag>; QC Router
// judges the new take against them. No file (anchors kept by URL, or none yet) adds nothing.
// @include anchor-clip-file
const clips = {};
for (const item of $('Read Anchor Clips').all()) {
  const clip = item.binary && item.binary.data;
  const name = String((clip && clip.fileName) || '');
  if (clip && SAFE_FILE.test(name)) clips['anchor_' + name.replace(/^.*-anchor-/, '').replace(/\.mp4$/, '')] = clip;
}
return $('Accept Reshoot').all().map((item) => ({ json: item.json, binary: { ...(item.binary || {}), ...clips } }));
