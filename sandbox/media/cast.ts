import { sha256 } from '../random';

const NEXT_SECTION = / (?:Camera|Dialogue|Style|Look|Sound): | Keep every character/;

/**
 * The characters a text-only render depicts, from the prompt's `Characters: tag: description; ...`
 * section (what the nodes' shared prompt writes): one identity per tag and description, in the
 * order the prompt names them (left to right in the frame).
 */
export function castFromPrompt(prompt: string): Array<{ tag: string; identity: string }> {
	const start = prompt.indexOf('Characters: ');
	if (start < 0) return [];
	const rest = prompt.slice(start + 'Characters: '.length);
	const end = rest.search(NEXT_SECTION);
	const section = (end < 0 ? rest : rest.slice(0, end)).replace(/\.\s*$/, '');
	return section
		.split('; ')
		.map((entry) => /^@?([A-Za-z][A-Za-z0-9_]{2,15}): (.+)$/s.exec(entry.trim()))
		.filter((match): match is RegExpExecArray => Boolean(match))
		.map((match) => ({ tag: match[1], identity: sha256(`cast:${match[1]}:${match[2].trim()}`) }));
}

/** Identity hashes for a render that received no reference image. */
export function castIdentities(prompt: string, referencesReceived: number): string[] | undefined {
	if (referencesReceived > 0) return undefined;
	const cast = castFromPrompt(prompt).map((c) => c.identity);
	return cast.length ? cast : undefined;
}
