// Keeps each node's folder private to that node: what two nodes share lives in nodes/shared/, and
// what two operations share lives in the node's helpers/ or actions/descriptions.ts. Otherwise a
// change to one node's internals silently changes another node, and an operation's file grows
// exports that only exist for its siblings.
const path = require('node:path');

/** The node folder a path belongs to ('shared' included), or undefined outside nodes/. */
function nodeFolderOf(nodesRoot, file) {
	const relative = path.relative(nodesRoot, file);
	if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
	const [folder] = relative.split(path.sep);
	return folder === relative ? undefined : folder;
}

const isOperationFile = (file) => /\.operation(\.[cm]?[jt]s)?$/.test(path.basename(file));

/** @type {import('eslint').Rule.RuleModule} */
module.exports = {
	meta: {
		type: 'problem',
		docs: {
			description:
				"Forbids importing another node's folder and an operation importing a sibling operation",
		},
		schema: [],
		messages: {
			otherNode:
				"'{{source}}' reaches into the {{target}} node from {{own}}: move what both use to nodes/shared/",
			sharedToNode:
				"'{{source}}' reaches into the {{target}} node from nodes/shared/: shared code must not depend on a node",
			siblingOperation:
				"'{{source}}' is an operation's file: move what both use to the node's helpers/ or actions/descriptions.ts",
		},
	},
	create(context) {
		const filename = context.filename ?? context.getFilename();
		const nodesRoot = path.join(context.cwd ?? context.getCwd(), 'nodes');
		const own = nodeFolderOf(nodesRoot, filename);
		if (own === undefined) return {};

		function check(sourceNode) {
			const source = sourceNode && sourceNode.value;
			if (typeof source !== 'string' || !source.startsWith('.')) return;
			const resolved = path.resolve(path.dirname(filename), source);
			const target = nodeFolderOf(nodesRoot, resolved);
			if (target !== undefined && target !== own && target !== 'shared') {
				context.report({
					node: sourceNode,
					messageId: own === 'shared' ? 'sharedToNode' : 'otherNode',
					data: { source, target, own },
				});
				return;
			}
			// Only a resource's index gathers its operations; any other file importing one (an
			// operation, or a helper passing a sibling's export on) is the coupling this rule forbids.
			if (
				isOperationFile(resolved) &&
				path.basename(filename, path.extname(filename)) !== 'index'
			) {
				context.report({ node: sourceNode, messageId: 'siblingOperation', data: { source } });
			}
		}

		return {
			ImportDeclaration: (node) => check(node.source),
			ExportNamedDeclaration: (node) => check(node.source),
			ExportAllDeclaration: (node) => check(node.source),
			ImportExpression: (node) => check(node.source),
			// `import x = require('...')` and a plain require() reach a file just the same.
			TSImportEqualsDeclaration: (node) => {
				if (node.moduleReference.type === 'TSExternalModuleReference')
					check(node.moduleReference.expression);
			},
			CallExpression: (node) => {
				if (
					node.callee.type === 'Identifier' &&
					node.callee.name === 'require' &&
					node.arguments.length === 1 &&
					node.arguments[0].type === 'Literal'
				)
					check(node.arguments[0]);
			},
		};
	},
};
