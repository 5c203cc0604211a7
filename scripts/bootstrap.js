#!/usr/bin/env node
/**
 * The first step of `npm run demo` and `npm test`, so that each works on a fresh clone with only
 * Node and npm. It uses Node's built-ins alone: on a fresh clone there is no node_modules yet.
 *
 *   node scripts/bootstrap.js demo|test
 *
 * - installs the dependencies (`npm ci --ignore-scripts`) when node_modules is missing or older
 *   than package-lock.json; ffmpeg and ffprobe come with them for a machine that lacks its own
 *   (dev-only packages that ship the binaries; sandbox/media/tools.ts picks one);
 * - test: installs the cached n8n runtime the e2e suites run (scripts/ensure-n8n-runtime.sh; the
 *   demo does that as its own step 2), and stops with one line naming what to install when
 *   redis-server or Chromium is missing.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { accessSync, constants, statSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const LOCKFILE = path.join(ROOT, 'package-lock.json');
/** npm writes this when it finishes an install, so its age is the install's age. */
const INSTALLED = path.join(ROOT, 'node_modules', '.package-lock.json');

const say = (line) => process.stderr.write(`${line}\n`);

function mtime(file) {
	try {
		return statSync(file).mtimeMs;
	} catch {
		return undefined;
	}
}

function run(command, args) {
	const result = spawnSync(command, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
	if (result.status !== 0) {
		say(
			`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`,
		);
		process.exit(result.status || 1);
	}
}

function installDependencies() {
	const installed = mtime(INSTALLED);
	if (installed !== undefined && installed >= mtime(LOCKFILE)) return;
	say(
		installed === undefined
			? 'installing the dependencies (first run: about a minute)'
			: 'package-lock.json changed since the last install: installing the dependencies again',
	);
	// --ignore-scripts: the lint plugins' preinstall insists on pnpm, and no dependency needs a build step.
	run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund']);
}

function executable(file) {
	try {
		accessSync(file, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

const onPath = (name) =>
	(process.env.PATH ?? '')
		.split(path.delimiter)
		.some((dir) => dir && executable(path.join(dir, name)));

/** Services the e2e suites start and that no npm package ships: said in one line, before anything runs. */
function checkTestServices() {
	const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
	const missing = [];
	if (!onPath('redis-server'))
		missing.push('redis-server (the queue-mode e2e runs n8n workers on it)');
	if (!executable(chromium))
		missing.push(
			`Chromium at ${chromium} or $CHROMIUM_PATH (the editor e2e opens n8n's editor in it)`,
		);
	if (missing.length === 0) return;
	say(
		`npm test needs ${missing.join(' and ')}: install them (Debian: apt-get install redis-server chromium) and run it again`,
	);
	process.exit(1);
}

const command = process.argv[2];
if (command !== 'demo' && command !== 'test') {
	say('usage: node scripts/bootstrap.js demo|test');
	process.exit(2);
}
if (command === 'test') checkTestServices();
installDependencies();
if (command === 'test') {
	say(
		'making sure the n8n runtime for the e2e suites is installed (first run only: about 6 minutes)',
	);
	run('bash', [path.join(ROOT, 'scripts/ensure-n8n-runtime.sh')]);
}
