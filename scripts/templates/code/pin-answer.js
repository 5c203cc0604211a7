// get_pin: the brand's latest pin in full (references, grade, audio bed, style, seeds).
const brand = String($('Tool Call').first().json.brand || '').trim();
const rows = $input.all().map((item) => item.json).filter((row) => row.brand === brand);
if (!rows.length) return [{ json: { found: false, brand, message: `No pin for "${brand}" yet: the brand's first render_brief creates one, and later briefs reuse it.` } }];
const row = rows[rows.length - 1];
return [{ json: { found: true, brand, fingerprint: row.fingerprint, fromRun: row.runId, pinnedAt: row.pinnedAt, pin: JSON.parse(row.pin) } }];
