// One file per anchor clip QC handed out (anchor_<tag>), under the name the run state gives it.
// @include anchor-clip-file
return $input.all().flatMap((item) => Object.entries(item.binary || {})
  .filter(([key, clip]) => key.startsWith('anchor_') && SAFE_FILE.test(String(clip.fileName || '')))
  .map(([, clip]) => ({ json: { fileName: clip.fileName }, binary: { data: clip } })));
