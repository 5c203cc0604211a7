import {
	createPublicKey,
	generateKeyPairSync,
	randomBytes,
	verify,
	type KeyObject,
} from 'node:crypto';

export interface TestServiceAccount {
	/** The JSON key file a user would download from Google Cloud, for this sandbox. */
	json: Record<string, string>;
	publicKey: KeyObject;
}

/** A throwaway service account whose assertions the sandbox token endpoint accepts. */
export function createServiceAccount(projectId: string, tokenUri: string): TestServiceAccount {
	const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const id = randomBytes(20).toString('hex');
	return {
		publicKey,
		json: {
			type: 'service_account',
			project_id: projectId,
			private_key_id: id,
			private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
			client_email: `video-pipeline@${projectId}.iam.gserviceaccount.com`,
			client_id: String(BigInt(`0x${id.slice(0, 15)}`)),
			token_uri: tokenUri,
		},
	};
}

export type AssertionCheck =
	| { ok: true; claims: Record<string, unknown> }
	| { ok: false; error: string; description: string };

/** Verifies an RS256 jwt-bearer assertion as Google's token endpoint does. */
export function checkAssertion(
	assertion: string,
	account: TestServiceAccount,
	audience: string,
	nowSeconds: number,
): AssertionCheck {
	const parts = assertion.split('.');
	if (parts.length !== 3)
		return { ok: false, error: 'invalid_grant', description: 'Invalid JWT: not three segments' };
	let header: Record<string, unknown>;
	let claims: Record<string, unknown>;
	try {
		header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
		claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
	} catch {
		return { ok: false, error: 'invalid_grant', description: 'Invalid JWT: segments are not JSON' };
	}
	if (header.alg !== 'RS256')
		return { ok: false, error: 'invalid_grant', description: 'Invalid JWT: alg must be RS256' };
	const key = createPublicKey(account.publicKey.export({ type: 'spki', format: 'pem' }));
	if (
		!verify(
			'RSA-SHA256',
			Buffer.from(`${parts[0]}.${parts[1]}`),
			key,
			Buffer.from(parts[2], 'base64url'),
		)
	) {
		return { ok: false, error: 'invalid_grant', description: 'Invalid JWT Signature.' };
	}
	if (claims.iss !== account.json.client_email)
		return {
			ok: false,
			error: 'invalid_grant',
			description: 'Invalid issuer: unknown service account',
		};
	if (claims.aud !== audience)
		return {
			ok: false,
			error: 'invalid_grant',
			description: `Invalid JWT: audience must be ${audience}`,
		};
	if (
		typeof claims.scope !== 'string' ||
		!claims.scope.split(' ').includes('https://www.googleapis.com/auth/cloud-platform')
	) {
		return {
			ok: false,
			error: 'invalid_scope',
			description: 'Invalid OAuth scope or ID token audience provided.',
		};
	}
	const iat = Number(claims.iat);
	const exp = Number(claims.exp);
	if (
		!Number.isFinite(iat) ||
		!Number.isFinite(exp) ||
		exp <= nowSeconds ||
		iat > nowSeconds + 300 ||
		exp - iat > 3600
	) {
		return {
			ok: false,
			error: 'invalid_grant',
			description:
				'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.',
		};
	}
	return { ok: true, claims };
}
