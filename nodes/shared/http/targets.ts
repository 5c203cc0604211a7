/**
 * What a URL points at, judged from its text alone (nodes may not resolve names). Item URLs are
 * untrusted input: these checks run before any connection is made.
 */

export interface Target {
	url: URL;
	/** `scheme://host[:port]`, what credentials are pinned to. */
	origin: string;
	/** The host (and port) to name in errors; never the path or the query string. */
	host: string;
}

/** Names that answer as a cloud metadata service inside a VM. */
const METADATA_HOSTS = new Set([
	'metadata.google.internal',
	'metadata.goog',
	'metadata',
	'instance-data',
	'instance-data.ec2.internal',
]);

export class TargetRefusedError extends Error {
	/**
	 * TARGET_REFUSED: refused before any connection, so the request was certainly never sent.
	 * REDIRECT_REFUSED: a redirect the first answer asked for was not followed.
	 */
	readonly code: 'TARGET_REFUSED' | 'REDIRECT_REFUSED';

	constructor(message: string, code: 'TARGET_REFUSED' | 'REDIRECT_REFUSED' = 'TARGET_REFUSED') {
		super(message);
		this.name = 'TargetRefusedError';
		this.code = code;
	}
}

function ipv4Octets(host: string): number[] | undefined {
	if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return undefined;
	const octets = host.split('.').map(Number);
	return octets.every((octet) => octet <= 255) ? octets : undefined;
}

/** IPv4 or IPv6 literal (WHATWG URL parsing already turned decimal/hex IPv4 forms into dotted quads). */
export function isIpLiteral(hostname: string): boolean {
	return hostname.startsWith('[') || ipv4Octets(hostname) !== undefined;
}

/** Link-local (169.254/16, fe80::/10), unspecified, and the metadata addresses clouds serve. */
export function isLinkLocalOrMetadata(hostname: string): boolean {
	const host = hostname.toLowerCase().replace(/\.$/, '');
	if (METADATA_HOSTS.has(host)) return true;
	const v4 = ipv4Octets(host);
	if (v4)
		return (
			(v4[0] === 169 && v4[1] === 254) ||
			v4.every((octet) => octet === 0) ||
			(v4[0] === 100 && v4[1] === 100 && v4[2] === 100 && v4[3] === 200)
		);
	if (!host.startsWith('[')) return false;
	const v6 = host.slice(1, -1);
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6)?.[1] ?? mappedHex(v6);
	if (mapped) return isLinkLocalOrMetadata(mapped);
	return /^fe[89ab][0-9a-f]:/.test(v6) || v6 === '::' || v6 === 'fd00:ec2::254';
}

/** `::ffff:a9fe:a9fe` (how URL prints a mapped 169.254.169.254) back to dotted form. */
function mappedHex(v6: string): string | undefined {
	const match = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
	if (!match) return undefined;
	const [high, low] = [parseInt(match[1], 16), parseInt(match[2], 16)];
	return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Loopback, RFC 1918, CGNAT, unique-local and link-local addresses, and localhost names. */
export function isPrivateHost(hostname: string): boolean {
	const host = hostname.toLowerCase().replace(/\.$/, '');
	if (
		host === 'localhost' ||
		host.endsWith('.localhost') ||
		host.endsWith('.internal') ||
		host.endsWith('.local')
	)
		return true;
	if (isLinkLocalOrMetadata(host)) return true;
	const v4 = ipv4Octets(host);
	if (v4) {
		const [a, b] = v4;
		return (
			a === 127 ||
			a === 10 ||
			a === 0 ||
			(a === 172 && b >= 16 && b <= 31) ||
			(a === 192 && b === 168) ||
			(a === 100 && b >= 64 && b <= 127)
		);
	}
	if (!host.startsWith('[')) return false;
	const v6 = host.slice(1, -1);
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6)?.[1] ?? mappedHex(v6);
	if (mapped) return isPrivateHost(mapped);
	return v6 === '::1' || /^f[cd][0-9a-f]{2}:/.test(v6);
}

/**
 * Parses a URL the way the HTTP client will, and refuses what no request of ours should follow:
 * other schemes, user:password@ prefixes (the host after the @ is the real one), metadata and
 * link-local addresses.
 */
export function parseTarget(
	raw: string,
	prefix = '',
	code: TargetRefusedError['code'] = 'TARGET_REFUSED',
): Target {
	const refuse = (message: string) => new TargetRefusedError(`${prefix}${message}`, code);
	if (!URL.canParse(raw)) throw refuse('is not a valid URL');
	const url = new URL(raw);
	if (url.protocol !== 'https:' && url.protocol !== 'http:')
		throw refuse(`uses ${url.protocol.replace(/:$/, '')}://; only http(s) URLs are fetched`);
	if (url.username || url.password)
		throw refuse(
			`names a user before the host (${url.host}); URLs with user:password@ are refused`,
		);
	if (isLinkLocalOrMetadata(url.hostname))
		throw refuse(`points at ${url.host}, a link-local or cloud metadata address; refused`);
	return { url, origin: url.origin, host: url.host };
}

/** The host of a URL for messages, without user, path or query; a placeholder when it does not parse. */
export function hostForMessage(raw: string, fallback = 'an unreadable URL'): string {
	try {
		return new URL(raw).host || fallback;
	} catch {
		return fallback;
	}
}
