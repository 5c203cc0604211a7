// Writes the shell script that cuts the run's passed shots, in order, into one graded master.
// Every shot is normalised first (size, 24 fps, stereo 48 kHz; a silent track where a shot has no
// audio) so the concat is seamless; then the pinned LUT (lut3d), the music bed under the shots'
// own sound, and loudness to the pin's target.
// @include merge-run-state
const request = $('Assembly Request').first().json;
const state = mergeRunState(request.runId, $input.all().map((entry) => entry.json.data));
if (!state) throw new Error(`runId: no run state for "${request.runId}" in the delivery folder`);
const q = (value) => "'" + String(value).replace(/'/g, "'\\''") + "'";
const filterPath = (value) => String(value).replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/'/g, "\\'");
const passed = (state.shots || []).filter((s) => s.qc && s.qc.status === 'passed').sort((a, b) => a.shot.index - b.shot.index);
if (!passed.length) throw new Error(`Run ${state.runId}: no passed shots to assemble`);
const { aspectRatio, resolution } = passed[0].shot;
const long = { '720p': 1280, '1080p': 1920, '4k': 3840 }[resolution] || 1280;
const short = Math.round((long * 9) / 16);
const [w, h] = aspectRatio === '9:16' ? [short, long] : aspectRatio === '1:1' ? [short, short] : [long, short];
const pin = passed[0].pin || {};
const lut = pin.grade && pin.grade.lut;
if (lut && lut.kind !== 'url') throw new Error(`Run ${state.runId}: pin.grade.lut: the cut needs the LUT as a URL (it is a ${lut.kind})`);
const music = pin.audioBed && pin.audioBed.music;
const lufs = (pin.audioBed && pin.audioBed.loudnessLufs) || -14;
const root = request.deliveryRoot;
const file = (run, suffix) => root + '/' + run + '-' + suffix; // @from fileName
const parts = file(state.runId, 'cut-parts');
const out = file(state.runId, 'cut.mp4');
const vf = `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=24,format=yuv420p`;
const encode = '-c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -c:a aac -ar 48000 -ac 2';
const lines = [
  'set -e',
  'command -v ffmpeg >/dev/null 2>&1 || { echo "ffmpeg is not installed on the n8n host" >&2; exit 127; }',
  `rm -rf ${q(parts)} && mkdir -p ${q(parts)}`,
];
passed.forEach((item, i) => {
  const src = q(file(state.runId, `${item.shot.id}.mp4`));
  const part = q(`${parts}/${String(i).padStart(3, '0')}.mp4`);
  lines.push(
    `if [ -n "$(ffprobe -v error -select_streams a -show_entries stream=index -of csv=p=0 ${src})" ]; then ` +
      `ffmpeg -nostdin -y -v error -i ${src} -map 0:v:0 -map 0:a:0 -vf ${q(vf)} ${encode} ${part}; ` +
      `else ffmpeg -nostdin -y -v error -i ${src} -f lavfi -i anullsrc=r=48000:cl=stereo -map 0:v:0 -map 1:a:0 -shortest -vf ${q(vf)} ${encode} ${part}; fi`,
    `echo "file '${String(i).padStart(3, '0')}.mp4'" >> ${q(parts + '/list.txt')}`,
  );
});
const inputs = [`-f concat -safe 0 -i ${q(parts + '/list.txt')}`];
const graph = [];
let video = '[0:v]';
if (lut) {
  // lut3d reads a local file; the n8n host always has node, which fetches it.
  lines.push(`node -e ${q("fetch(process.argv[1]).then(async (r) => { if (!r.ok) throw new Error('LUT download: HTTP ' + r.status); require('fs').writeFileSync(process.argv[2], Buffer.from(await r.arrayBuffer())); }).catch((e) => { console.error(e.message); process.exit(1); })")} ${q(lut.ref)} ${q(parts + '/grade.cube')}`);
  graph.push(`[0:v]lut3d=file='${filterPath(parts + '/grade.cube')}'[graded]`);
  video = '[graded]';
}
let audio = '[0:a]';
if (music) {
  inputs.push(`-stream_loop -1 -i ${q(music.ref)}`);
  // amix halves each of its two inputs (the looped bed never ends first); volume=2 undoes that. Unlike
  // amix's normalize=0 (ffmpeg 4.4 and later) this works on older builds too, e.g. the static 4.1.
  graph.push('[1:a]aformat=sample_rates=48000:channel_layouts=stereo,volume=0.3[bed]', '[0:a][bed]amix=inputs=2:duration=first,volume=2[mixed]');
  audio = '[mixed]';
}
graph.push(`${audio}loudnorm=I=${lufs}:TP=-1.5:LRA=11,aresample=48000[sound]`);
if (video === '[0:v]') graph.push('[0:v]null[picture]'); else graph.push(`${video}null[picture]`);
lines.push(`ffmpeg -nostdin -y -v error ${inputs.join(' ')} -filter_complex ${q(graph.join(';'))} -map '[picture]' -map '[sound]' ${encode} -movflags +faststart ${q(out)}`);
lines.push(`rm -rf ${q(parts)}`);
return [{
  json: {
    runId: state.runId,
    file: out,
    shots: passed.map((s) => s.shot.id),
    seconds: passed.reduce((sum, s) => sum + s.shot.durationSeconds, 0),
    graded: Boolean(lut),
    musicBed: Boolean(music),
    command: lines.join('\n'),
  },
}];
