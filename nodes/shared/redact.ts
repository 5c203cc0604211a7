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

/**
 * The actual values of the credentials in use (keys of any shape, minted tokens, private keys),
 * registered by the shared HTTP path when it reads a credential. The patterns above only know
 * the usual key shapes; a gateway key or a token echoed back in another form is caught here.
 */
const registered = new Set<string>();
const MAX_REGISTERED = 256;

export function registerSecrets(values: ReadonlyArray<string | undefined>): void {
	for (const value of values.flatMap((v) => (v ? [v, encodeURIComponent(v)] : []))) {
		if (value.length < 6 || registered.has(value)) continue;
		registered.add(value);
		// Old tokens age out; the set must not grow with a long-lived worker's uptime.
		if (registered.size > MAX_REGISTERED)
			registered.delete(registered.values().next().value as string);
	}
}

export function redactSecrets(text: string, knownSecrets: readonly string[] = []): string {
	let out = text;
	// Longest first, so a secret that contains another is removed whole.
	for (const secret of [...knownSecrets, ...registered].sort((a, b) => b.length - a.length)) {
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
