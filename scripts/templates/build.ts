// Writes the importable template workflows in workflows/ (`npm run templates`), or with --check
// builds them in memory and fails naming every file that differs from the committed one
// (`npm run templates:check`, part of `npm run lint`).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { render, TEMPLATES } from './templates';

const OUT = path.join(__dirname, '..', '..', 'workflows');

function main(check: boolean) {
	const differ: string[] = [];
	for (const [file, build] of Object.entries(TEMPLATES)) {
		const target = path.join(OUT, file);
		const text = render(build());
		if (!check) writeFileSync(target, text);
		else if (!existsSync(target) || readFileSync(target, 'utf8') !== text) differ.push(file);
	}
	if (differ.length) {
		console.error(
			`Templates out of date with scripts/templates (run npm run templates and commit the JSON):\n` +
				differ.map((file) => `  workflows/${file}`).join('\n'),
		);
		process.exit(1);
	}
	console.log(
		check
			? `${Object.keys(TEMPLATES).length} templates match scripts/templates.`
			: `Wrote ${Object.keys(TEMPLATES).length} templates to workflows/.`,
	);
}

main(process.argv.includes('--check'));
