import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { registerSecrets } from '../redact';
import { isIpLiteral, parseTarget, type Target } from './targets';

/** Where one credential may be sent, and the values that must never be shown. */
export interface CredentialScope {
	/** For messages: "the OpenAI credential". */
	label: string;
	/** Exact origins from the credential's own base URL fields (any host the user configured). */
	origins: Set<string>;
	/** The vendor's documented hosts, reachable over https on the default port only. */
	hosts: RegExp[];
}

const VERTEX_HOSTS = [/^aiplatform\.googleapis\.com$/, /^[a-z0-9-]+-aiplatform\.googleapis\.com$/];
const STORAGE_HOSTS = [/^storage\.googleapis\.com$/, /^oauth2\.googleapis\.com$/];
const GEMINI_HOSTS = [/^generativelanguage\.googleapis\.com$/];

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

function originsOf(urls: string[]): Set<string> {
	const origins = new Set<string>();
	for (const url of urls.filter(Boolean)) {
		try {
			origins.add(parseTarget(url).origin);
		} catch {
			// A malformed base URL grants nothing; requests built on it are refused by name.
		}
	}
	return origins;
}

function googleScope(credentials: ICredentialDataDecryptedObject): CredentialScope {
	const mode = text(credentials.authMode) || 'serviceAccount';
	if (mode === 'geminiApiKey') {
		return {
			label: 'Google (Gemini API key)',
			origins: originsOf([
				text(credentials.geminiBaseUrl) || 'https://generativelanguage.googleapis.com',
			]),
			hosts: GEMINI_HOSTS,
		};
	}
	if (mode === 'vertexExpressKey') {
		return {
			label: 'Google (Vertex AI express key)',
			origins: originsOf([text(credentials.vertexBaseUrl) || 'https://aiplatform.googleapis.com']),
			hosts: VERTEX_HOSTS,
		};
	}
	const location = text(credentials.location) || 'us-central1';
	const vertex =
		text(credentials.vertexBaseUrl) ||
		(location === 'global'
			? 'https://aiplatform.googleapis.com'
			: `https://${location}-aiplatform.googleapis.com`);
	return {
		label: 'Google (Vertex AI service account)',
		origins: originsOf([
			vertex,
			text(credentials.storageBaseUrl) || 'https://storage.googleapis.com',
			text(credentials.tokenUrl),
		]),
		hosts: [...VERTEX_HOSTS, ...STORAGE_HOSTS],
	};
}

/** The origin rule of each credential this package defines, by credential type name. */
const SCOPES: Record<string, (credentials: ICredentialDataDecryptedObject) => CredentialScope> = {
	openAiVideoPipelineApi: (c) => ({
		label: 'OpenAI',
		origins: originsOf([text(c.baseUrl) || 'https://api.openai.com/v1']),
		hosts: [],
	}),
	runwayVideoPipelineApi: (c) => ({
		label: 'Runway',
		origins: originsOf([text(c.baseUrl) || 'https://api.dev.runwayml.com']),
		hosts: [],
	}),
	googleVideoPipelineApi: googleScope,
	falVideoPipelineApi: (c) => ({
		label: 'fal',
		origins: originsOf([
			text(c.queueBaseUrl) || 'https://queue.fal.run',
			text(c.apiBaseUrl) || 'https://api.fal.ai/v1',
		]),
		hosts: [],
	}),
	// The operator's own n8n instance: its public API, wherever they run it.
	renderJournalVideoPipelineApi: (c) => ({
		label: 'Render Journal',
		origins: originsOf([text(c.baseUrl)]),
		hosts: [],
	}),
	replicateVideoPipelineApi: (c) => ({
		label: 'Replicate',
		origins: originsOf([text(c.baseUrl) || 'https://api.replicate.com']),
		hosts: [],
	}),
};

/** Every secret a credential holds: keys, the minted access token, the private key and its lines. */
function secretValues(credentials: ICredentialDataDecryptedObject): string[] {
	const values = [text(credentials.apiKey), text(credentials.accessToken)];
	const keyJson = text(credentials.privateKeyJson);
	if (keyJson) {
		values.push(keyJson);
		try {
			const privateKey = String(
				(JSON.parse(keyJson) as { private_key?: unknown }).private_key ?? '',
			);
			values.push(
				privateKey,
				...privateKey
					.split(/\\n|\n/)
					.filter((line) => line.length >= 16 && !line.includes('PRIVATE KEY')),
			);
		} catch {
			// Not JSON: the whole text is already registered.
		}
	}
	return values;
}

/** Reads a credential's scope and registers its values with the redactor. */
export function credentialScope(
	type: string,
	credentials: ICredentialDataDecryptedObject,
): CredentialScope {
	registerSecrets(secretValues(credentials));
	const scope = SCOPES[type];
	if (!scope) throw new Error(`no origin rule for credential type ${type}`);
	return scope(credentials);
}

/** True when the credential may be sent to this target. */
export function scopeAllows(scope: CredentialScope, target: Target): boolean {
	if (scope.origins.has(target.origin)) return true;
	const { protocol, hostname, port } = target.url;
	return (
		protocol === 'https:' &&
		port === '' &&
		!isIpLiteral(hostname) &&
		scope.hosts.some((host) => host.test(hostname.toLowerCase()))
	);
}
