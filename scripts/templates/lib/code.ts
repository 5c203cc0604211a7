// Code nodes' JavaScript lives in scripts/templates/code/*.js, real files that are linted and
// unit-tested. Two directives join them into the jsCode a template ships:
//   `// @include <fragment>`   (a whole line) is replaced by code/fragments/<fragment>.js;
//   `const X = ...; // @from <key>` has its value replaced by the template's own value for <key>,
//   so a constant the template also uses elsewhere (a sample brief, the delivery folder) has one source.
//   The contract's rules (contract.ts: the character tag and safe ID patterns, the anchor schema's
//   fields) are values of every file; a file holds only a placeholder for them, so no hand copy can
//   go stale.
// The file stays valid JavaScript either way, so ESLint reads it as it is (the unit tests run the
// jsCode the templates ship).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTRACT_VALUES } from './contract';

export const CODE_DIR = path.join(__dirname, '..', 'code');

const INCLUDE = /^\/\/ @include ([\w-]+)\n/gm;
const FROM = /^(const \w+ = ).*; \/\/ @from (\w+)$/gm;

function expand(file: string, values: Record<string, string>, seen: string[]): string {
	if (seen.includes(file)) throw new Error(`${file}: includes itself (${seen.join(' > ')})`);
	const text = readFileSync(path.join(CODE_DIR, file), 'utf8');
	return text
		.replace(INCLUDE, (_, fragment: string) =>
			expand(path.join('fragments', `${fragment}.js`), values, [...seen, file]),
		)
		.replace(FROM, (_, declaration: string, key: string) => {
			if (!(key in values)) throw new Error(`${file}: no value for "@from ${key}"`);
			return `${declaration}${values[key]};`;
		});
}

/** The jsCode of code/<name>.js with its fragments included and its `@from` values filled in. */
export function loadCode(name: string, values: Record<string, string> = {}): string {
	const own = Object.keys(values).find((key) => key in CONTRACT_VALUES);
	if (own) throw new Error(`${name}.js: "@from ${own}" is the contract's, not a template's`);
	return expand(`${name}.js`, { ...CONTRACT_VALUES, ...values }, []);
}
