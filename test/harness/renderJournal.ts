import type { N8nProcess } from './n8nCli';

/** What a render node's credentials name for the journal (the ID the credential is imported under). */
export const RENDER_JOURNAL_CREDENTIALS = {
	renderJournalVideoPipelineApi: { id: 'vpRenderJournal', name: 'Render Journal' },
};

/**
 * The Render Journal credential as an operator makes it: an API key from Settings > n8n API with
 * every scope n8n offers the owner, and the public API URL the workers reach the main instance at.
 */
export async function renderJournalCredential(server: N8nProcess, apiUrl = `${server.url}/api/v1`) {
	const scopes = await server.rest<string[]>('GET', 'api-keys/scopes');
	const { rawApiKey } = await server.rest<{ rawApiKey: string }>('POST', 'api-keys', {
		label: 'Render journal',
		scopes,
		expiresAt: null,
	});
	return {
		id: RENDER_JOURNAL_CREDENTIALS.renderJournalVideoPipelineApi.id,
		name: RENDER_JOURNAL_CREDENTIALS.renderJournalVideoPipelineApi.name,
		type: 'renderJournalVideoPipelineApi',
		data: { apiKey: rawApiKey, baseUrl: apiUrl, tableName: 'video_render_journal' },
	};
}

/** True for a template node that renders (and so takes the journal credential). */
export function rendersVideo(node: { type: string; parameters?: { resource?: string } }): boolean {
	const type = node.type.replace(/^n8n-nodes-video-pipeline\./, '');
	if (type === 'googleVeo' || type === 'videoAggregator') return true;
	if (type === 'runway') return ['video', 'image'].includes(node.parameters?.resource ?? 'video');
	if (type === 'openAiStoryboard') return node.parameters?.resource === 'video';
	return false;
}
