import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import {
	parseServiceAccountKey,
	signServiceAccountAssertion,
	GOOGLE_SCOPE,
} from '../../nodes/shared/vendors/google/auth';
import { redactSecrets } from '../../nodes/shared/redact';
import {
	retryAfterFromGoogleBody,
	retryAfterFromHeaders,
} from '../../nodes/shared/runtime/retryHints';
import { parseVendorErrorBody } from '../../nodes/shared/vendorErrors';

describe('retry hints', () => {
	const now = Date.parse('2026-11-24T10:00:00Z');

	it.each([
		[{ 'retry-after-ms': '1500' }, 1500],
		[{ 'retry-after-ms': '250', 'retry-after': '9' }, 250],
		[{ 'retry-after': '7' }, 7000],
		[{ 'retry-after': '0.5' }, 500],
		[{ 'retry-after': 'Tue, 24 Nov 2026 10:00:30 GMT' }, 30_000],
		[{ 'retry-after': 'soon' }, undefined],
		[{}, undefined],
	])('reads %j as %s ms', (headers, expected) => {
		expect(retryAfterFromHeaders(headers, now)).toBe(expected);
	});

	it("reads Google's RetryInfo from the error details", () => {
		const body = {
			error: {
				code: 429,
				status: 'RESOURCE_EXHAUSTED',
				message: 'Quota exceeded',
				details: [
					{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure' },
					{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '31s' },
				],
			},
		};
		expect(retryAfterFromGoogleBody(body)).toBe(31_000);
		expect(
			retryAfterFromGoogleBody({
				error: {
					details: [
						{
							'@type': 'type.googleapis.com/google.rpc.RetryInfo',
							retryDelay: { seconds: 2, nanos: 500_000_000 },
						},
					],
				},
			}),
		).toBe(2500);
		expect(retryAfterFromGoogleBody({ error: { message: 'x' } })).toBeUndefined();
	});
});

describe('vendor error bodies', () => {
	it('reads each vendor envelope', () => {
		expect(
			parseVendorErrorBody(
				'openai',
				{
					error: {
						message: 'Invalid size',
						type: 'invalid_request_error',
						param: 'size',
						code: 'invalid_value',
					},
				},
				'x',
			),
		).toEqual({ code: 'invalid_value', message: 'Invalid size (param: size)' });
		expect(
			parseVendorErrorBody(
				'google',
				{ error: { code: 404, status: 'NOT_FOUND', message: 'Model is no longer available' } },
				'x',
			),
		).toEqual({
			code: 'NOT_FOUND',
			message: 'Model is no longer available',
			retryAfterMs: undefined,
		});
		expect(
			parseVendorErrorBody(
				'runway',
				{
					error: 'Invalid ratio',
					issues: [{ path: ['ratio'], message: 'must be one of 1280:720' }],
				},
				'x',
			),
		).toEqual({ message: 'Invalid ratio (ratio: must be one of 1280:720)' });
		expect(parseVendorErrorBody('runway', '<html>Bad gateway</html>', 'HTTP 502').message).toBe(
			'<html>Bad gateway</html>',
		);
		expect(parseVendorErrorBody('google', undefined, 'HTTP 503').message).toBe('HTTP 503');
	});
});

describe('secret redaction', () => {
	it.each([
		[
			'Incorrect API key provided: sk-proj-abcdef1234567890',
			'Incorrect API key provided: [redacted]',
		],
		['bad key key_0123456789abcdef0123456789abcdef', 'bad key [redacted]'],
		[
			'GET https://x/v1beta/files/a:download?alt=media&key=AIzaSyA-1234567890abcdefghij',
			'GET https://x/v1beta/files/a:download?alt=media&key=[redacted]',
		],
		['Authorization: Bearer ya29.a0AfB_byC-token', 'Authorization: Bearer [redacted]'],
		['-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----', '[redacted]'],
	])('redacts %s', (input, expected) => {
		expect(redactSecrets(input)).toBe(expected);
	});

	it('redacts known secrets wherever they appear', () => {
		expect(redactSecrets('value=plain-secret-value;', ['plain-secret-value'])).toBe(
			'value=[redacted];',
		);
	});
});

describe('Google service-account assertion', () => {
	const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const keyJson = JSON.stringify({
		type: 'service_account',
		project_id: 'demo-project',
		private_key_id: 'kid-1',
		private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
		client_email: 'renderer@demo-project.iam.gserviceaccount.com',
	});

	it('signs an RS256 JWT the token endpoint can verify', () => {
		const key = parseServiceAccountKey(keyJson);
		const jwt = signServiceAccountAssertion(
			key,
			'https://oauth2.googleapis.com/token',
			1_800_000_000,
		);
		const [header, claims, signature] = jwt.split('.');
		expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({
			alg: 'RS256',
			typ: 'JWT',
			kid: 'kid-1',
		});
		expect(JSON.parse(Buffer.from(claims, 'base64url').toString())).toEqual({
			iss: 'renderer@demo-project.iam.gserviceaccount.com',
			scope: GOOGLE_SCOPE,
			aud: 'https://oauth2.googleapis.com/token',
			iat: 1_800_000_000,
			exp: 1_800_003_600,
		});
		expect(
			verify(
				'RSA-SHA256',
				Buffer.from(`${header}.${claims}`),
				createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })),
				Buffer.from(signature, 'base64url'),
			),
		).toBe(true);
	});

	it.each([
		['{not json', /not valid JSON/],
		[JSON.stringify({ private_key: 'x' }), /no client_email/],
		[JSON.stringify({ client_email: 'a@b.c' }), /no private_key/],
	])('names what is wrong with a bad key, without echoing it', (json, message) => {
		expect(() => parseServiceAccountKey(json)).toThrow(message);
		try {
			parseServiceAccountKey(json);
		} catch (error) {
			expect((error as Error).message).not.toContain(json);
		}
	});
});
