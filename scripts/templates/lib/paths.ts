// The one place a delivered file's name is built: <root>/<runId>-<suffix>. Every file a template
// reads or writes is named here.

/** The delivery folder, as a JS expression reading the template's settings node. */
export const settingsRoot = (settingsNode: string) =>
	`$('${settingsNode}').first().json.deliveryRoot`;

/**
 * A delivered file's name as a JS expression. `run` and `suffix` are JS expressions of IDs the
 * contract's safe character set has passed; the folder is a template setting.
 */
export const fileName = (root: string, run: string, suffix: string) =>
	`${root} + '/' + ${run} + '-' + ${suffix}`;

/** The same name as an n8n parameter expression. */
export const fileParam = (root: string, run: string, suffix: string) =>
	`={{ ${fileName(root, run, suffix)} }}`;

/** The body of a Code node's `file(run, suffix)` arrow function (see code.ts, `@from fileName`). */
export const fileFunction = (root: string) => `(run, suffix) => ${fileName(root, 'run', 'suffix')}`;

/** The glob of a run's state files: <runId>-run-state.json and every reshoot's <runId>-run-state.<shot>.<execution>.json. */
export const runStateFiles = (root: string, run: string) =>
	fileParam(root, run, "'run-state*.json'");
