/** A parsed Adobe/Resolve .cube LUT: enough to validate it and to apply it later with ffmpeg's lut3d. */
export interface CubeLut {
	title?: string;
	kind: '1d' | '3d';
	size: number;
	domainMin: [number, number, number];
	domainMax: [number, number, number];
	rows: number;
}

export class LutError extends Error {
	constructor(
		readonly line: number,
		message: string,
	) {
		super(line ? `line ${line}: ${message}` : message);
		this.name = 'LutError';
	}
}

function triple(parts: string[], line: number, what: string): [number, number, number] {
	if (parts.length !== 3) throw new LutError(line, `${what} needs three numbers`);
	const values = parts.map(Number);
	if (values.some((v) => !Number.isFinite(v)))
		throw new LutError(line, `${what} has a value that is not a number`);
	return values as [number, number, number];
}

/** Parses and validates a .cube file: size keyword, domain, and exactly size^3 (3D) or size (1D) rows. */
export function parseCube(text: string): CubeLut {
	let title: string | undefined;
	let kind: CubeLut['kind'] | undefined;
	let size = 0;
	let domainMin: [number, number, number] = [0, 0, 0];
	let domainMax: [number, number, number] = [1, 1, 1];
	let rows = 0;
	let firstDataLine = 0;
	const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
	lines.forEach((raw, index) => {
		const line = index + 1;
		const content = raw.replace(/#.*$/, '').trim();
		if (!content) return;
		const [keyword, ...rest] = content.split(/\s+/);
		switch (keyword.toUpperCase()) {
			case 'TITLE':
				title = content.slice(keyword.length).trim().replace(/^"|"$/g, '');
				return;
			case 'LUT_3D_SIZE':
			case 'LUT_1D_SIZE': {
				if (kind) throw new LutError(line, 'declares a second LUT size');
				if (rows) throw new LutError(line, 'declares the size after the data began');
				kind = keyword.toUpperCase() === 'LUT_3D_SIZE' ? '3d' : '1d';
				size = Number(rest[0]);
				const max = kind === '3d' ? 256 : 65536;
				if (!Number.isInteger(size) || size < 2 || size > max)
					throw new LutError(line, `${keyword} must be an integer from 2 to ${max}`);
				return;
			}
			case 'DOMAIN_MIN':
				domainMin = triple(rest, line, 'DOMAIN_MIN');
				return;
			case 'DOMAIN_MAX':
				domainMax = triple(rest, line, 'DOMAIN_MAX');
				return;
			case 'LUT_3D_INPUT_RANGE':
			case 'LUT_1D_INPUT_RANGE': {
				if (rest.length !== 2)
					throw new LutError(line, `${keyword} needs two numbers (min and max)`);
				const [min, max] = rest.map(Number);
				if (!Number.isFinite(min) || !Number.isFinite(max))
					throw new LutError(line, `${keyword} has a value that is not a number`);
				domainMin = [min, min, min];
				domainMax = [max, max, max];
				return;
			}
		}
		if (/^[A-Z_]+$/.test(keyword)) return; // other vendor keywords are allowed and ignored
		triple(content.split(/\s+/), line, 'a data row');
		if (!kind) throw new LutError(line, 'data begins before LUT_3D_SIZE or LUT_1D_SIZE');
		firstDataLine ||= line;
		rows++;
	});
	if (!kind) throw new LutError(0, 'no LUT_3D_SIZE or LUT_1D_SIZE: not a .cube LUT');
	if (domainMin.some((min, i) => min >= domainMax[i]))
		throw new LutError(0, 'DOMAIN_MIN must be below DOMAIN_MAX on every channel');
	const expected = kind === '3d' ? size ** 3 : size;
	if (rows !== expected)
		throw new LutError(
			0,
			`has ${rows} data rows; a ${kind.toUpperCase()} LUT of size ${size} needs ${expected}`,
		);
	return { title, kind, size, domainMin, domainMax, rows };
}
