// Prints one closing line CI can read ("N passed, N failed", plus skipped when any) and keeps it
// in test-results/summary.txt so .ci/run can repeat it as its very last line.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
	onRunComplete(_contexts, results) {
		const skipped = results.numPendingTests + results.numTodoTests;
		const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
		const line = `${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
		const dir = path.join(__dirname, '..', '..', 'test-results');
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, 'summary.txt'), `${line}\n`);
		process.stdout.write(`\n${line}\n`);
	}
}
module.exports = SummaryReporter;
