// The same rules n8n's verification gate applies: the community-nodes recommended set plus the
// n8n-nodes-base community/credentials/nodes rulesets (with the scanner's overrides), on top of
// typescript-eslint's recommended rules. Our own rule keeps node folders private to their node.
import tseslint from 'typescript-eslint';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import nodeBoundaries from './eslint-rules/node-boundaries.js';

export default tseslint.config(
	{
		ignores: [
			'dist/**',
			'node_modules/**',
			'test/**',
			'sandbox/**',
			'scripts/**',
			'bench/**',
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
	{
		files: ['nodes/**/*.ts'],
		plugins: { local: { rules: { 'node-boundaries': nodeBoundaries } } },
		rules: { 'local/node-boundaries': 'error' },
	},
);
