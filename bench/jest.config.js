/** @type {import('jest').Config} */
// The benchmark suite: measurements, not pass/fail tests. `npm run bench` writes results.json and BENCH.md.
module.exports = {
	rootDir: '..',
	modulePathIgnorePatterns: ['<rootDir>/dist/'],
	testEnvironment: '<rootDir>/test/setup/nodeEnvironment.js',
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: { warnOnly: false } }],
	},
	testMatch: ['<rootDir>/bench/**/*.bench.ts'],
};
