#!/usr/bin/env node
// n8n's verification scan, offline: the scanner's own ESLint gate over the source (nodes/,
// credentials/, package.json) and over the packed tarball's JS, exactly as the registry scan
// does after its provenance check (which needs a published package and is not run here).
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

async function main() {
	const root = path.resolve(__dirname, '..');
	const { analyzePackage, SOURCE_FILE_PATTERNS } =
		await import('@n8n/scan-community-package/scanner/scanner.mjs');
	const work = mkdtempSync(path.join(tmpdir(), 'vp-scan-'));
	try {
		execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], {
			cwd: root,
			stdio: ['ignore', 'ignore', 'inherit'],
		});
		const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
		const unpacked = path.join(work, 'package');
		execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', work]);
		const legs = [
			['source', root, SOURCE_FILE_PATTERNS],
			['tarball', unpacked, ['**/*.js', 'package.json']],
		];
		let failed = false;
		for (const [name, dir, patterns] of legs) {
			const result = await analyzePackage(dir, patterns);
			console.log(`scanner ${name}: ${result.passed ? 'PASSED' : result.message}`);
			if (!result.passed) {
				failed = true;
				if (result.details) console.log(result.details);
			}
		}
		process.exitCode = failed ? 1 : 0;
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
