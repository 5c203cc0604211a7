/**
 * How the sandbox answers a shot-manifest request: like a model that reads the script. Names in
 * the script become characters, each sentence (or each line of a "Shot list:" block) a shot, shots
 * that show a character or carry quoted dialogue are hero shots.
 */
const NOT_NAMES = new Set([
	'The',
	'A',
	'An',
	'She',
	'He',
	'They',
	'It',
	'We',
	'I',
	'You',
	'Then',
	'Now',
	'At',
	'In',
	'On',
	'With',
	'And',
	'But',
	'Shot',
	'Script',
	'Brand',
	'Brief',
	'Target',
	'Variant',
	'Write',
	'Return',
	'Use',
	'Each',
	'Every',
	'Answer',
	'Make',
]);

function section(text: string, heading: string): string | undefined {
	const match = new RegExp(`${heading}:\\s*\\n([\\s\\S]*?)(?:\\n\\s*\\n|$)`, 'i').exec(text);
	return match?.[1];
}

export function looksLikeManifest(schema: Record<string, unknown>): boolean {
	const properties = (schema.properties ?? {}) as Record<string, unknown>;
	return 'title' in properties && 'characters' in properties && 'shots' in properties;
}

export function storyboardInstance(text: string): Record<string, unknown> {
	const script = section(text, 'Script') ?? text;
	const shotList = section(text, 'Shot list')
		?.split('\n')
		.map((line) => line.replace(/^\s*[-*\d.)]+\s*/, '').trim())
		.filter(Boolean);
	const sentences = (shotList?.length ? shotList : script.split(/(?<=[.!?]["”]?)\s+|\n+/))
		.map((s) => s.trim())
		.filter(Boolean);
	// A name is a capitalised word seen twice, or once in mid-sentence (not where any word is capitalised).
	const seen = new Map<string, { count: number; midSentence: boolean }>();
	for (const match of script.matchAll(/\b([A-Z][a-z]{2,15})\b/g)) {
		if (NOT_NAMES.has(match[1])) continue;
		const before = script.slice(0, match.index).trimEnd();
		const entry = seen.get(match[1]) ?? { count: 0, midSentence: false };
		entry.count++;
		if (before && !/[.!?:"“]$/.test(before)) entry.midSentence = true;
		seen.set(match[1], entry);
	}
	const names = [...seen.entries()]
		.filter(([, e]) => e.count >= 2 || e.midSentence)
		.map(([name]) => name);
	const characters = names.slice(0, 4).map((name) => ({
		tag: name.toLowerCase(),
		description: `${name}: as described in the script, consistent face, hair and wardrobe in every shot`,
	}));
	// Asked for variant N of several, the model varies the hook and the framing, so variants differ.
	const variant = Number(/Variant (\d+) of \d+/.exec(text)?.[1] ?? 1);
	const framing = [
		'',
		'low angle, handheld',
		'overhead, locked off',
		'close-up, shallow focus',
		'wide, slow dolly',
	];
	const shots = sentences.map((sentence, index) => {
		const tags = characters
			.filter((c) => new RegExp(`\\b${c.tag}\\b`, 'i').test(sentence))
			.map((c) => c.tag);
		const dialogue = /["“]([^"”]+)["”]/.exec(sentence)?.[1] ?? null;
		return {
			beat: sentence.split(/\s+/).slice(0, 5).join(' '),
			prompt:
				variant > 1
					? `${sentence} Variant ${variant}: ${framing[variant % framing.length] || 'alternate framing'}.`
					: sentence,
			durationSeconds: [6, 4, 8][index % 3],
			layer: tags.length || dialogue ? 'hero' : 'broll',
			characters: tags,
			dialogue,
			camera: index === 0 ? 'slow push in' : null,
		};
	});
	return { title: sentences[0]?.slice(0, 80) ?? 'Untitled', characters, shots };
}
