// Video pipeline: error reporter. The error workflow of every pipeline workflow: each failure
// summarised with the vendor job IDs it names, so a paid render is collected, not paid again.
import { link, node, setRaw, sticky, workflow } from './lib/nodes';

const REPORT =
	'={{ JSON.stringify({ workflow: $json.workflow.name, executionId: $json.execution.id, url: $json.execution.url, ' +
	'failedNode: $json.execution.lastNodeExecuted, message: $json.execution.error.message, ' +
	'jobIds: [...String($json.execution.error.message).matchAll(/job ([^,\\]]+)/g)].map(m => m[1]) }) }}';

const ABOUT_NOTE =
	'## Video pipeline failures\nSet this workflow as the **Error workflow** of the pipeline workflows (Workflow settings). Every failure is summarised with the node, the message and the **vendor job IDs** it names, so a paid render can be collected instead of paid again. Connect *Failure Report* to Slack, email or your ticketing system.';

export function errorReporter() {
	const nodes = [
		sticky('About', ABOUT_NOTE, [-460, -260], 520, 220),
		node('Error Trigger', 'n8n-nodes-base.errorTrigger', {}, [-460, 40]),
		setRaw('Failure Report', REPORT, [-220, 40]),
	];
	// The error reporter is no pipeline workflow: it has no error workflow of its own.
	return workflow(
		'vpErrorReporter',
		'Video pipeline: error reporter',
		nodes,
		{ 'Error Trigger': { main: link('Failure Report') } },
		{ executionOrder: 'v1' },
	);
}
