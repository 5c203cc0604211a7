import { createSign } from 'crypto';

export const GOOGLE_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export interface ServiceAccountKey {
	client_email: string;
	private_key: string;
	private_key_id?: string;
	project_id?: string;
	token_uri?: string;
}

/** Parses a service-account JSON key; errors name the missing field, never echo the key. */
export function parseServiceAccountKey(json: string): ServiceAccountKey {
	let parsed: unknown;
	try {
		parsed = JSON.parse(json);
	} catch {
		parsed = undefined;
	}
	if (parsed === undefined) {
		throw new Error(
			'Service Account Key is not valid JSON: paste the whole key file downloaded from Google Cloud',
		);
	}
	const key = parsed as Partial<ServiceAccountKey> & { type?: string };
	if (typeof key?.client_email !== 'string' || !key.client_email.includes('@')) {
		throw new Error('Service Account Key has no client_email');
	}
	if (typeof key.private_key !== 'string' || !key.private_key.includes('PRIVATE KEY')) {
		throw new Error('Service Account Key has no private_key');
	}
	return key as ServiceAccountKey;
}

const base64url = (input: string | Buffer): string => Buffer.from(input).toString('base64url');

/** The RS256 JWT assertion for the jwt-bearer grant (RFC 7523), as Google's token endpoint expects. */
export function signServiceAccountAssertion(
	key: ServiceAccountKey,
	audience: string,
	nowSeconds: number,
): string {
	const header = {
		alg: 'RS256',
		typ: 'JWT',
		...(key.private_key_id ? { kid: key.private_key_id } : {}),
	};
	const claims = {
		iss: key.client_email,
		scope: GOOGLE_SCOPE,
		aud: audience,
		iat: nowSeconds,
		exp: nowSeconds + 3600,
	};
	const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
	const signature = createSign('RSA-SHA256').update(unsigned).end().sign(key.private_key);
	return `${unsigned}.${base64url(signature)}`;
}
