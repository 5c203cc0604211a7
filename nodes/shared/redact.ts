/**
 * Vendor error bodies sometimes echo credentials back (a mistyped key, a token in a URL).
 * Everything a vendor says passes through here before it reaches an error, a log or an item.
 */
const SECRET_PATTERNS: RegExp[] = [
	/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
	/\bsk-[A-Za-z0-9_-]{8,}/g,
	/\bkey_[A-Fa-f0-9]{16,}/g,
	/\bAIza[0-9A-Za-z_-]{20,}/g,
	/\bya29\.[0-9A-Za-z_.-]+/g,
	/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/g,
	/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
	/([?&](?:key|api_key|apikey|access_token|token)=)[^&\s"']+/gi,
];

export function redactSecrets(text: string, knownSecrets: readonly string[] = []): string {
	let out = text;
	for (const secret of knownSecrets) {
		if (secret && secret.length >= 6) out = out.split(secret).join('[redacted]');
	}
	for (const pattern of SECRET_PATTERNS) {
		out = out.replace(pattern, (match, prefix?: unknown) =>
			typeof prefix === 'string' && match.startsWith(prefix) && prefix.length < match.length
				? `${prefix}[redacted]`
				: '[redacted]',
		);
	}
	return out;
}
