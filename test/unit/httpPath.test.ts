import { credentialScope, scopeAllows } from '../../nodes/shared/http/credentialScope';
import { provesNeverSent } from '../../nodes/shared/http/failure';
import { isPrivateHost, parseTarget } from '../../nodes/shared/http/targets';
import { assetRefSchema } from '../../nodes/shared/contract/schemas';
import { VendorNetworkError } from '../../nodes/shared/errors';
import { redactSecrets } from '../../nodes/shared/redact';
import { isSafeToResubmit } from '../../nodes/shared/runtime/jobRunner';
import { transportError } from '../../nodes/shared/transport';

describe('targets an item URL may name', () => {
	it.each([
		['http://169.254.169.254/latest/meta-data/x.mp4', /link-local or cloud metadata/],
		['http://[::ffff:169.254.169.254]/x', /link-local or cloud metadata/],
		['http://metadata.google.internal/computeMetadata/v1/', /link-local or cloud metadata/],
		['http://0.0.0.0:80/x', /link-local or cloud metadata/],
		['http://[fe80::1]/x', /link-local or cloud metadata/],
		[
			'https://generativelanguage.googleapis.com@evil.example/x',
			/names a user before the host \(evil\.example\)/,
		],
		['https://user:pw@api.openai.com/v1', /names a user before the host/],
		['file:///etc/passwd', /only http\(s\) URLs/],
		['not a url', /not a valid URL/],
	])('refuses %s', (url, message) => {
		expect(() => parseTarget(url)).toThrow(message);
	});

	it('reads the decimal and hex forms of an address as the address they are', () => {
		expect(() => parseTarget('http://2852039166/x')).toThrow(/169\.254\.169\.254/);
		expect(() => parseTarget('http://0xa9fea9fe/x')).toThrow(/169\.254\.169\.254/);
	});

	it('knows private and loopback hosts', () => {
		for (const host of [
			'127.0.0.1',
			'10.1.2.3',
			'172.20.0.1',
			'192.168.1.1',
			'[::1]',
			'localhost',
			'[fd12::1]',
			'100.64.0.1',
		])
			expect(isPrivateHost(host)).toBe(true);
		for (const host of ['8.8.8.8', 'api.openai.com', '172.32.0.1'])
			expect(isPrivateHost(host)).toBe(false);
	});

	it('AssetRef refuses userinfo and metadata hosts in url refs, naming ref', () => {
		for (const ref of [
			'http://169.254.169.254/latest/meta-data/x.mp4',
			'https://generativelanguage.googleapis.com@evil.example/x',
		]) {
			const parsed = assetRefSchema.safeParse({ kind: 'url', ref, mimeType: 'video/mp4' });
			expect(parsed.success).toBe(false);
			expect(parsed.error!.issues[0].path).toEqual(['ref']);
		}
		expect(
			assetRefSchema.safeParse({
				kind: 'url',
				ref: 'https://cdn.example.com/a.mp4?sig=1',
				mimeType: 'video/mp4',
			}).success,
		).toBe(true);
	});
});

describe('where each credential may be sent', () => {
	const allows = (type: string, credentials: Record<string, string>, url: string) =>
		scopeAllows(credentialScope(type, credentials), parseTarget(url));

	it('OpenAI and Runway: their base URL origin only', () => {
		expect(
			allows(
				'openAiVideoPipelineApi',
				{ apiKey: 'sk-unit-000000000000', baseUrl: 'https://gateway.example/v1' },
				'https://gateway.example/v1/videos/x/content',
			),
		).toBe(true);
		expect(
			allows(
				'openAiVideoPipelineApi',
				{ apiKey: 'sk-unit-000000000000', baseUrl: 'https://gateway.example/v1' },
				'https://api.openai.com/v1/videos',
			),
		).toBe(false);
		expect(
			allows(
				'openAiVideoPipelineApi',
				{ apiKey: 'sk-unit-000000000000', baseUrl: 'http://127.0.0.1:4000/v1' },
				'http://127.0.0.1:4001/x',
			),
		).toBe(false);
		expect(
			allows(
				'runwayVideoPipelineApi',
				{ apiKey: 'key_unit', baseUrl: '' },
				'https://api.dev.runwayml.com/v1/tasks/1',
			),
		).toBe(true);
		expect(
			allows(
				'runwayVideoPipelineApi',
				{ apiKey: 'key_unit', baseUrl: '' },
				'https://dnznrvs05pmza.cloudfront.net/out.mp4',
			),
		).toBe(false);
	});

	it('Google: the documented hosts of the auth mode, over https on the default port, or the configured ones', () => {
		const sa = { authMode: 'serviceAccount', location: 'europe-west4', privateKeyJson: '{}' };
		expect(
			allows('googleVideoPipelineApi', sa, 'https://europe-west4-aiplatform.googleapis.com/v1/x'),
		).toBe(true);
		expect(
			allows(
				'googleVideoPipelineApi',
				sa,
				'https://storage.googleapis.com/storage/v1/b/x/o/y?alt=media',
			),
		).toBe(true);
		expect(allows('googleVideoPipelineApi', sa, 'http://storage.googleapis.com/x')).toBe(false);
		expect(allows('googleVideoPipelineApi', sa, 'https://storage.googleapis.com:8443/x')).toBe(
			false,
		);
		expect(
			allows('googleVideoPipelineApi', sa, 'https://aiplatform.googleapis.com.evil.example/x'),
		).toBe(false);
		expect(
			allows(
				'googleVideoPipelineApi',
				sa,
				'https://generativelanguage.googleapis.com/v1beta/files/a',
			),
		).toBe(false);
		const gemini = {
			authMode: 'geminiApiKey',
			apiKey: 'AIzaUnit00000000000000000000',
			geminiBaseUrl: 'https://generativelanguage.googleapis.com',
		};
		expect(
			allows(
				'googleVideoPipelineApi',
				gemini,
				'https://generativelanguage.googleapis.com/v1beta/files/a:download?alt=media',
			),
		).toBe(true);
		expect(
			allows(
				'googleVideoPipelineApi',
				gemini,
				'https://us-central1-aiplatform.googleapis.com/v1/x',
			),
		).toBe(false);
		const express = {
			authMode: 'vertexExpressKey',
			apiKey: 'AQ.unit-express-key',
			vertexBaseUrl: 'http://127.0.0.1:7000/vertex',
		};
		expect(
			allows(
				'googleVideoPipelineApi',
				express,
				'http://127.0.0.1:7000/vertex/v1/publishers/google/models/x',
			),
		).toBe(true);
		expect(allows('googleVideoPipelineApi', express, 'https://storage.googleapis.com/x')).toBe(
			false,
		);
	});

	it('registers the values of a credential it reads, so any echo of them is redacted', () => {
		const gatewayKey = '3f2a9c7d1e5b4a60aa11bb22cc33dd44';
		credentialScope('openAiVideoPipelineApi', {
			apiKey: gatewayKey,
			baseUrl: 'https://gateway.example/v1',
		});
		expect(redactSecrets(`Incorrect API key provided: ${gatewayKey}.`)).toBe(
			'Incorrect API key provided: [redacted].',
		);
		expect(redactSecrets(`/v1/x?k=${encodeURIComponent(gatewayKey)}`)).not.toContain(gatewayKey);
	});
});

describe('which errors prove a paid submit never left', () => {
	const context = { vendor: 'openai' as const, itemIndex: 0, operation: 'Submit render' };
	const socketError = (code: string) =>
		Object.assign(new Error(`connect ${code}`), {
			cause: Object.assign(new Error(code), { code }),
		});

	it.each([
		['ECONNREFUSED', true],
		['ENOTFOUND', true],
		['EAI_AGAIN', true],
		['TARGET_REFUSED', true],
		['EHOSTUNREACH', false],
		['ENETUNREACH', false],
		['ECONNRESET', false],
		['ETIMEDOUT', false],
		['REDIRECT_REFUSED', false],
	])('%s: never sent = %s, and the job runner resends only then', (code, neverSent) => {
		expect(provesNeverSent(code)).toBe(neverSent);
		const error = transportError(socketError(code), context);
		expect(error).toBeInstanceOf(VendorNetworkError);
		expect((error as VendorNetworkError).neverSent).toBe(neverSent);
		// A refused URL is refused again: nothing is resent for it, though it never left.
		expect(isSafeToResubmit(error)).toBe(neverSent && code !== 'TARGET_REFUSED');
	});
});
