// The studio template for queue mode: clips stay with the vendors until delivery.
import { deliveryTargets, link, node, sticky, to } from './lib/nodes';
import { CRED, PKG } from './lib/settings';
import { studio } from './studio';

const BY_REFERENCE_NOTE =
	"## Clips by reference (queue mode, big renders)\nThe studio template with every render's *Output* set to **Reference Only**: a take keeps the vendor's URL or `gs://` URI, " +
	'the QC Router reads each clip by HTTP range with the vendor credentials set on it (about 64 KB per clip), and the masters are fetched only at delivery (*Fetch ... Masters*), ' +
	"one per vendor, each fetching just the shots whose final take is its own. A rejected take never enters n8n's binary store.\n\n" +
	"**Veo on Vertex AI** writes to Cloud Storage: set *Cloud Storage Output* on both Veo nodes to a bucket the service account can write. Runway's signed URLs expire after a day or two; " +
	'the Runway fetch reads a fresh one.';

export function studioByReference() {
	const workflow = studio();
	Object.assign(workflow, {
		id: 'vpStudioByReference',
		name: 'Video pipeline: studio brief to delivery (clips by reference)',
	});
	const { nodes, connections } = workflow;
	const byName = Object.fromEntries(nodes.map((n) => [n.name, n]));
	for (const n of nodes) {
		if ('renderOptions' in n.parameters) {
			n.parameters.renderOptions = { ...n.parameters.renderOptions, output: 'reference' };
		}
		if (n.type === `${PKG}.googleVeo`) {
			n.parameters.veoOptions = { storageUri: 'gs://video-pipeline-renders/studio/' };
		}
	}
	byName['QC Router'].credentials = { ...CRED.openai, ...CRED.vertex };
	byName['Brief Webhook'].parameters.path = 'video-brief-by-reference';
	byName['Brief Webhook'].webhookId = '0d6e2b7a-1c3f-4a5e-8b9d-7f2a4c6e8b10';
	byName['Brief Form'].webhookId = '4a8c2e6b-3d5f-4b7a-9c1e-5f7b9d1a3c20';
	byName['Start Form Brief'].parameters.workflowId.value = 'vpStudioByReference';
	// The delivery row moves right to make room for the fetches in front of it.
	const [x, y] = byName['Report Only'].position;
	for (const n of nodes) {
		if (n.position[1] === y && n.position[0] >= x) n.position = [n.position[0] + 660, y];
	}
	const fetch = { source: 'take', otherVendors: 'passThrough', binaryPropertyName: 'data' };
	nodes.push(
		node(
			'Fetch Veo Masters',
			`${PKG}.googleVeo`,
			{ resource: 'video', operation: 'download', ...fetch },
			[x, y],
			1,
			CRED.vertex,
		),
		node(
			'Fetch Sora Masters',
			`${PKG}.openAiStoryboard`,
			{ resource: 'video', operation: 'download', variant: 'video', ...fetch },
			[x + 220, y],
			1,
			CRED.openai,
		),
		node(
			'Fetch Runway Masters',
			`${PKG}.runway`,
			{ resource: 'task', operation: 'download', ...fetch },
			[x + 440, y],
			1,
			CRED.runway,
		),
		sticky('By Reference', BY_REFERENCE_NOTE, [-900, -900], 720, 300, 5),
	);
	connections['QC Router'].main[5] = to('Fetch Veo Masters');
	connections['Fetch Veo Masters'] = { main: link('Fetch Sora Masters') };
	connections['Fetch Sora Masters'] = { main: link('Fetch Runway Masters') };
	connections['Fetch Runway Masters'] = { main: [deliveryTargets('Report Only')] };
	return workflow;
}
