// The same rules n8n's verification gate applies: the community-nodes recommended set plus the
// n8n-nodes-base community/credentials/nodes rulesets (with the scanner's overrides), on top of
// typescript-eslint's recommended rules. Our own rule keeps node folders private to their node.
import tseslint from 'typescript-eslint';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import js from '@eslint/js';
import { CODE_NODE_GLOBALS, codeNodeProcessor } from './scripts/templates/codeNodeLint.mjs';
import nodeBoundaries from './eslint-rules/node-boundaries.js';

export default tseslint.config(
	{
		ignores: [
			'dist/**',
			'node_modules/**',
			'test/**',
			'sandbox/**',
			'scripts/*.*',
			'scripts/templates/*.*',
			'scripts/templates/lib/**',
			'scripts/templates/code/fragments/**',
			'bench/**',
			// Root-level files only: the templates' Code-node JavaScript (scripts/templates/code) is linted,
			// fragments through the files that include them.
			'*.js',
			'*.mjs',
		],
	},
	{ files: ['**/*.ts'], extends: [tseslint.configs.recommended] },
	n8nCommunityNodesPlugin.configs.recommended,
	{ rules: { 'no-console': 'error' } },
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{
		files: ['package.json'],
		languageOptions: { parser: tseslint.parser },
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	// The templates' Code nodes: plain JavaScript run by n8n's Code node (the body of a function,
	// with n8n's globals), linted as each template ships it (see codeNodeLint.mjs).
	{
		files: ['scripts/templates/code/*.js'],
		processor: codeNodeProcessor,
	},
	{
		files: ['**/*.js'],
		ignores: ['**/*.ts', '**/*.json'],
		...js.configs.recommended,
		languageOptions: {
			ecmaVersion: 2022,
			sourceType: 'script',
			parserOptions: { ecmaFeatures: { globalReturn: true } },
			globals: CODE_NODE_GLOBALS,
		},
		rules: { ...js.configs.recommended.rules, 'no-console': 'error' },
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { local: { rules: { 'node-boundaries': nodeBoundaries } } },
		rules: { 'local/node-boundaries': 'error' },
	},
);
