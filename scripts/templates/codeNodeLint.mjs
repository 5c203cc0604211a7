// ESLint for the templates' Code-node JavaScript (scripts/templates/code/*.js).
//
// A Code node's code is the body of a function (top-level `return`) with n8n's globals, and a file
// may pull in a shared fragment with `// @include <fragment>` (see lib/code.ts). The processor
// lints each file as the template ships it, fragments included, and maps every finding back: a
// finding in a fragment is reported on the include line, naming the fragment's own line. A helper
// a fragment defines and this file does not use is not a finding.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const INCLUDE = /^\/\/ @include ([\w-]+)$/;

/** n8n's Code-node globals (JavaScript, "Run Once for All Items" and "for Each Item"). */
export const CODE_NODE_GLOBALS = Object.fromEntries(
	[
		'$',
		'$input',
		'$json',
		'$binary',
		'$node',
		'$items',
		'$item',
		'items',
		'item',
		'$execution',
		'$workflow',
		'$prevNode',
		'$runIndex',
		'$now',
		'$today',
		'$env',
		'$vars',
		'$jmespath',
		'$getWorkflowStaticData',
		'$fromAI',
		'DateTime',
		'Duration',
		'Interval',
		'console',
	].map((name) => [name, 'readonly']),
);

// Per linted file: for each line of the expanded text, where it came from.
const origins = new Map();

function expand(file, seen = []) {
	const lines = readFileSync(file, 'utf8').split('\n');
	const out = [];
	lines.forEach((text, i) => {
		const include = INCLUDE.exec(text);
		if (!include) return out.push({ text, line: i + 1 });
		const fragment = path.join(
			path.dirname(file),
			seen.length ? '' : 'fragments',
			`${include[1]}.js`,
		);
		if (seen.includes(fragment)) throw new Error(`${file}: ${include[1]} includes itself`);
		const inserted = expand(fragment, [...seen, fragment]);
		// The fragment's final newline ends the include line's place: no extra blank line.
		if (inserted.at(-1)?.text === '') inserted.pop();
		for (const inner of inserted) {
			out.push({
				text: inner.text,
				line: i + 1,
				fragment: inner.fragment ?? include[1],
				fragmentLine: inner.fragmentLine ?? inner.line,
			});
		}
	});
	return out;
}

export const codeNodeProcessor = {
	meta: { name: 'n8n-code-node-includes' },
	preprocess(_text, filename) {
		const lines = expand(filename);
		origins.set(filename, lines);
		return [{ text: lines.map((l) => l.text).join('\n'), filename: path.basename(filename) }];
	},
	postprocess(messages, filename) {
		const lines = origins.get(filename) ?? [];
		return messages.flat().flatMap((message) => {
			const from = lines[message.line - 1];
			if (!from) return [message];
			if (!from.fragment) {
				const end = lines[(message.endLine ?? message.line) - 1];
				return [
					{ ...message, line: from.line, endLine: end && !end.fragment ? end.line : from.line },
				];
			}
			if (message.ruleId === 'no-unused-vars') return [];
			return [
				{
					...message,
					line: from.line,
					endLine: from.line,
					message: `${message.message} (in fragment ${from.fragment}, line ${from.fragmentLine})`,
				},
			];
		});
	},
	supportsAutofix: false,
};
