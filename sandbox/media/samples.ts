import { deflateSync } from 'node:zlib';
import { createHash } from 'node:crypto';

/**
 * Sample reference images the sandbox serves at `/assets/samples/<tag>.png`, so a bundled sample
 * brief can pin its characters without uploading anything. Each is a small PNG whose content
 * depends only on the tag: its hash is that character's identity to the renderer and the judge,
 * as any uploaded reference's hash is.
 */
export const SAMPLE_TAG = /^[a-z][a-z0-9_]{2,15}$/;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

function crc32(bytes: Buffer): number {
	let crc = 0xffffffff;
	for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

/** A 64x64 RGB PNG in two colours taken from the tag, so a person can tell the samples apart. */
export function samplePng(tag: string): Buffer {
	const seed = createHash('sha256').update(`sample:${tag}`).digest();
	const size = 64;
	const rows: Buffer[] = [];
	for (let y = 0; y < size; y++) {
		const row = Buffer.alloc(1 + size * 3);
		for (let x = 0; x < size; x++) {
			const colour = x < size / 2 === y < size / 2 ? 0 : 3;
			seed.copy(row, 1 + x * 3, colour, colour + 3);
		}
		rows.push(row);
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(size, 0);
	header.writeUInt32BE(size, 4);
	header.set([8, 2, 0, 0, 0], 8);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(Buffer.concat(rows))),
		chunk('IEND', Buffer.alloc(0)),
	]);
}
