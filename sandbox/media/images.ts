/** Dimensions of a PNG, JPEG or WebP from its header, without decoding it. */
export function imageInfo(
	bytes: Buffer,
): { mimeType: string; width: number; height: number } | undefined {
	if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47) {
		return { mimeType: 'image/png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
	}
	if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
		let offset = 2;
		while (offset + 9 < bytes.length) {
			if (bytes[offset] !== 0xff) return undefined;
			const marker = bytes[offset + 1];
			const length = bytes.readUInt16BE(offset + 2);
			if (
				marker >= 0xc0 &&
				marker <= 0xcf &&
				marker !== 0xc4 &&
				marker !== 0xc8 &&
				marker !== 0xcc
			) {
				return {
					mimeType: 'image/jpeg',
					height: bytes.readUInt16BE(offset + 5),
					width: bytes.readUInt16BE(offset + 7),
				};
			}
			offset += 2 + length;
		}
		return undefined;
	}
	if (
		bytes.length >= 30 &&
		bytes.toString('ascii', 0, 4) === 'RIFF' &&
		bytes.toString('ascii', 8, 12) === 'WEBP'
	) {
		const chunk = bytes.toString('ascii', 12, 16);
		if (chunk === 'VP8X')
			return {
				mimeType: 'image/webp',
				width: 1 + bytes.readUIntLE(24, 3),
				height: 1 + bytes.readUIntLE(27, 3),
			};
		if (chunk === 'VP8 ')
			return {
				mimeType: 'image/webp',
				width: bytes.readUInt16LE(26) & 0x3fff,
				height: bytes.readUInt16LE(28) & 0x3fff,
			};
		if (chunk === 'VP8L') {
			const bits = bytes.readUInt32LE(21);
			return {
				mimeType: 'image/webp',
				width: (bits & 0x3fff) + 1,
				height: ((bits >> 14) & 0x3fff) + 1,
			};
		}
	}
	return undefined;
}

/** `data:image/png;base64,...` -> bytes */
export function decodeDataUri(uri: string): { mimeType: string; bytes: Buffer } | undefined {
	const match = /^data:([^;,]+)(;base64)?,(.*)$/s.exec(uri);
	if (!match) return undefined;
	return {
		mimeType: match[1],
		bytes: match[2] ? Buffer.from(match[3], 'base64') : Buffer.from(decodeURIComponent(match[3])),
	};
}
