// Optional reference images per character tag; Pin State pins them onto the storyboard's character
// with that tag. A list of { tag, referenceUrls }, or (from a form or an assistant) text with one
// line per character: "tag: image URL, image URL".
const MAX_CHARACTERS = 8;
const MAX_REFERENCES = 4;
const SAFE_TAG = /(?!)/; // @from characterTag
const characterLines = (value) => value.split(/\r?\n/).map((line, n) => ({ line: line.trim(), field: `characters line ${n + 1}` }))
  .filter(({ line }) => line)
  .map(({ line, field }) => {
    const match = /^([^:]*):(.*)$/.exec(line);
    if (!match) refuse(field, `${shown(line)} must read "tag: image URL, image URL"`);
    return { entry: { tag: match[1].trim(), referenceUrls: match[2].split(/[\s,]+/).filter(Boolean) }, field };
  });
const briefCharacters = (value, sampleBase) => {
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) return [];
  if (typeof value !== 'string' && !Array.isArray(value)) refuse('characters', 'must be a list of { tag, referenceUrls } or lines "tag: image URL, image URL"');
  const entries = typeof value === 'string' ? characterLines(value) : value.map((entry, i) => ({ entry, field: `characters[${i}]` }));
  if (entries.length > MAX_CHARACTERS) refuse('characters', `has ${entries.length} entries; at most ${MAX_CHARACTERS}`);
  const tags = new Set();
  return entries.map(({ entry, field }) => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) refuse(field, 'must be an object { tag, referenceUrls }');
    const tag = text(entry.tag);
    if (!SAFE_TAG.test(tag)) refuse(`${field}.tag`, `${shown(tag)} must be 3-16 letters, digits or _, starting with a letter`);
    if (tags.has(tag)) refuse(`${field}.tag`, `repeats ${tag}; give each character once`);
    tags.add(tag);
    const urls = entry.referenceUrls;
    if (!Array.isArray(urls) || !urls.length) refuse(`${field}.referenceUrls`, 'must be a list of 1 or more image URLs');
    if (urls.length > MAX_REFERENCES) refuse(`${field}.referenceUrls`, `has ${urls.length} URLs; at most ${MAX_REFERENCES} per character`);
    const referenceUrls = urls.map((raw, n) => {
      const url = sampleBase !== undefined && typeof raw === 'string' && !/^[a-z]+:/i.test(raw) ? `${sampleBase}/${raw}` : text(raw);
      if (typeof raw !== 'string' || url.length > 2048 || !/^https?:\/\/[^\s]+$/i.test(url)) refuse(`${field}.referenceUrls[${n}]`, `${shown(url)} must be an http(s) URL`);
      return url;
    });
    return { tag, referenceUrls };
  });
};
