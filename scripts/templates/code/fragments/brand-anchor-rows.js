// A brand's anchors are lines of brand-anchors.jsonl in the delivery folder, oldest first: one per
// character a run anchored, with the reference images it was anchored with. `references` is the
// pin's images of that character (content hashes, else their addresses), so a recast character is
// anchored anew. A line that is not JSON (a hand edit, a torn write) is passed over.
const referencesOf = (pin, tag) => {
  const character = pin && Array.isArray(pin.characters) ? pin.characters.find((c) => c && c.tag === tag) : undefined;
  return (character && Array.isArray(character.refs) ? character.refs : []).map((ref) => String((ref && (ref.sha256 || ref.ref)) || '')).sort().join(',');
};
const storedRows = (text) => String(text ?? '').split('\n').flatMap((line) => {
  try {
    const row = JSON.parse(line);
    return row && typeof row === 'object' && !Array.isArray(row) ? [row] : [];
  } catch {
    return [];
  }
});
