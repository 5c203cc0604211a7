// JSON in the compact style of Python's json.dumps (", " and ": " separators, non-ASCII escaped as
// \uXXXX), byte for byte: the Set and Code nodes that carry a sample or settings as JSON text are
// written this way, so regenerating the templates never changes a byte a user has imported.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const escapeString = (value: string, ensureAscii: boolean): string => {
	const quoted = JSON.stringify(value);
	// Python escapes every character outside printable ASCII (DEL included) when ensure_ascii is on.
	return ensureAscii
		? quoted.replace(/[^\x20-\x7e]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
		: quoted;
};

/** json.dumps(value) (indent undefined) or json.dumps(value, indent=n), ensure_ascii on by default. */
export function pyJson(value: Json, indent?: number, ensureAscii = true, depth = 0): string {
	if (value === null) return 'null';
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	if (typeof value === 'number') return String(value);
	if (typeof value === 'string') return escapeString(value, ensureAscii);
	const entries: string[] = Array.isArray(value)
		? value.map((v) => pyJson(v, indent, ensureAscii, depth + 1))
		: Object.entries(value).map(
				([k, v]) => `${escapeString(k, ensureAscii)}: ${pyJson(v, indent, ensureAscii, depth + 1)}`,
			);
	const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
	if (!entries.length) return open + close;
	if (indent === undefined) return open + entries.join(', ') + close;
	const inner = '\n' + ' '.repeat(indent * (depth + 1));
	return open + inner + entries.join(',' + inner) + '\n' + ' '.repeat(indent * depth) + close;
}
