// list_pins: the latest pin of every brand, in short.
const latest = new Map();
for (const row of $input.all().map((item) => item.json)) if (row.brand) latest.set(row.brand, row);
const pins = [...latest.values()].map((row) => {
  const pin = JSON.parse(row.pin);
  return { brand: row.brand, fingerprint: row.fingerprint, fromRun: row.runId, pinnedAt: row.pinnedAt, characters: pin.characters.map((c) => c.tag),
    look: pin.grade.look, palette: pin.grade.palette, audioBed: pin.audioBed.mood, style: pin.style };
});
return [{ json: { count: pins.length, pins } }];
