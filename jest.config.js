/** @type {import('jest').Config} */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: { warnOnly: false } }];

module.exports = {
	// No test may fail for being slow on a loaded machine: jest's 5 s default is raised for every file;
	// files that wait for renders set a longer one of their own (jest.setTimeout).
	testTimeout: 60_000,
	modulePathIgnorePatterns: ['<rootDir>/dist/'],
	projects: [
		{
			displayName: 'unit',
			testEnvironment: '<rootDir>/test/setup/nodeEnvironment.js',
			transform: { '^.+\\.ts$': tsJest },
			testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
			globalSetup: '<rootDir>/test/setup/fixtures.ts',
		},
		{
			displayName: 'engine',
			testEnvironment: '<rootDir>/test/setup/nodeEnvironment.js',
			transform: { '^.+\\.ts$': tsJest },
			testMatch: ['<rootDir>/test/engine/**/*.test.ts'],
		},
		{
			displayName: 'sandbox',
			testEnvironment: '<rootDir>/test/setup/nodeEnvironment.js',
			transform: { '^.+\\.ts$': tsJest },
			testMatch: ['<rootDir>/test/sandbox/**/*.test.ts'],
		},
		{
			displayName: 'e2e',
			testEnvironment: '<rootDir>/test/setup/nodeEnvironment.js',
			transform: { '^.+\\.ts$': tsJest },
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
		},
	],
	reporters: ['default', ['<rootDir>/test/setup/summaryReporter.js', {}]],
};
