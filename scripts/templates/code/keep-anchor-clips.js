// One file per anchor clip QC handed out (anchor_<tag>), under the name the run state gives it. Only
// the run's own anchors: a clip an earlier run anchored stays that run's file.
// @include anchor-clip-file
return $input.all().flatMap((item) => {
  const runId = item.json.pipeline && item.json.pipeline.runId;
  return Object.entries(item.binary || {})
    .filter(([key, clip]) => key.startsWith('anchor_') && SAFE_FILE.test(String(clip.fileName || '')) && clip.fileName === `${runId}-anchor-${key.slice(7)}.mp4`)
    .map(([, clip]) => ({ json: { fileName: clip.fileName }, binary: { data: clip } }));
});
