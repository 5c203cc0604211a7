// Runs a template's Code-node JavaScript the way n8n's Code node does ("Run Once for All Items"):
// the code is a function body, with $input, $json, $('<node>'), $execution and $now, in a fresh
// vm context. Nothing is stubbed inside the code: only the items other nodes would have output.
import vm from 'node:vm';
import { DateTime } from 'luxon';

/* eslint-disable @typescript-eslint/no-explicit-any -- items are free-form n8n JSON */
export interface Item {
	json: any;
	binary?: Record<string, unknown>;
	pairedItem?: unknown;
}

export interface CodeRun {
	/** The items the Code node receives. */
	input?: Item[];
	/** Output of the nodes the code reads by name; a node not listed has not run. */
	nodes?: Record<string, Item[]>;
	executionId?: string;
	now?: DateTime;
}

function nodeRef(nodes: Record<string, Item[]>, name: string) {
	const items = nodes[name];
	return {
		isExecuted: items !== undefined,
		first: () => {
			// n8n throws when code reads a node that did not run: so does this.
			if (!items?.length) throw new Error(`Referenced node "${name}" has no output`);
			return items[0];
		},
		all: () => {
			if (!items) throw new Error(`Referenced node "${name}" has not run`);
			return items;
		},
	};
}

/** The code's return value, as plain JSON (the items n8n would pass on). */
export function runCode(jsCode: string, run: CodeRun = {}): Item[] {
	const input = run.input ?? [];
	const context = vm.createContext({
		$: (name: string) => nodeRef(run.nodes ?? {}, name),
		$input: { first: () => input[0], all: () => input, item: input[0] },
		$json: input[0]?.json,
		$binary: input[0]?.binary,
		$execution: { id: run.executionId ?? '101' },
		$now: run.now ?? DateTime.now(),
		DateTime,
	});
	const result = vm.runInContext(`(function () {\n${jsCode}\n})()`, context);
	return JSON.parse(JSON.stringify(result));
}

/** The message of the error the code throws (fails the test when it throws none). */
export function codeError(jsCode: string, run: CodeRun = {}): string {
	try {
		runCode(jsCode, run);
	} catch (error) {
		return (error as Error).message;
	}
	throw new Error('the code threw no error');
}

export const items = (...jsons: any[]): Item[] => jsons.map((json) => ({ json }));
/* eslint-enable @typescript-eslint/no-explicit-any */
