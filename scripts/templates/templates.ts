// Every importable template, by the file it is written to in workflows/.
import { assembleCut } from './assembleCut';
import { batch } from './batch';
import { errorReporter } from './errorReporter';
import type { Workflow } from './lib/nodes';
import { mcpServer } from './mcpServer';
import { mcpTools } from './mcpTools';
import { reshoot } from './reshoot';
import { studio } from './studio';
import { studioAggregatorBroll } from './studioAggregatorBroll';
import { studioByReference } from './studioByReference';

export const TEMPLATES: Record<string, () => Workflow> = {
	'studio-brief-to-delivery.json': studio,
	'studio-brief-by-reference.json': studioByReference,
	'studio-brief-aggregator-broll.json': studioAggregatorBroll,
	'reshoot-one-shot.json': reshoot,
	'scheduled-ad-batch.json': batch,
	'assemble-cut.json': assembleCut,
	'error-reporter.json': errorReporter,
	'mcp-server.json': mcpServer,
	'mcp-tools.json': mcpTools,
};

/** A template's file content: two-space JSON, non-ASCII kept as is, one final newline. */
export const render = (workflow: Workflow) => JSON.stringify(workflow, null, 2) + '\n';
