/** Minimal ISO-BMFF box reading over an in-memory payload (moov, moof). */

export class Mp4FormatError extends Error {
	constructor(
		readonly reason: 'not_mp4' | 'truncated' | 'no_moov' | 'malformed',
		message: string,
	) {
		super(message);
		this.name = 'Mp4FormatError';
	}
}

export interface Box {
	type: string;
	/** Offset of the payload (after the header) within the buffer. */
	start: number;
	/** Offset one past the end of the box within the buffer. */
	end: number;
}

export class Reader {
	readonly view: DataView;

	constructor(readonly bytes: Uint8Array) {
		this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	}

	need(offset: number, length: number, what: string): void {
		if (offset < 0 || offset + length > this.bytes.length) {
			throw new Mp4FormatError('malformed', `${what} runs past the end of its box`);
		}
	}

	u8(offset: number): number {
		this.need(offset, 1, 'field');
		return this.view.getUint8(offset);
	}

	u16(offset: number): number {
		this.need(offset, 2, 'field');
		return this.view.getUint16(offset);
	}

	u32(offset: number): number {
		this.need(offset, 4, 'field');
		return this.view.getUint32(offset);
	}

	i32(offset: number): number {
		this.need(offset, 4, 'field');
		return this.view.getInt32(offset);
	}

	u64(offset: number): number {
		this.need(offset, 8, 'field');
		return Number(this.view.getBigUint64(offset));
	}

	i64(offset: number): number {
		this.need(offset, 8, 'field');
		return Number(this.view.getBigInt64(offset));
	}

	fourcc(offset: number): string {
		this.need(offset, 4, 'type');
		return String.fromCharCode(...this.bytes.subarray(offset, offset + 4));
	}

	*children(start: number, end: number): Generator<Box> {
		let offset = start;
		while (offset + 8 <= end) {
			let size = this.u32(offset);
			const type = this.fourcc(offset + 4);
			let header = 8;
			if (size === 1) {
				size = this.u64(offset + 8);
				header = 16;
			} else if (size === 0) {
				size = end - offset;
			}
			if (size < header || offset + size > end) {
				throw new Mp4FormatError(
					'malformed',
					`box ${JSON.stringify(type)} at ${offset} has an impossible size ${size}`,
				);
			}
			yield { type, start: offset + header, end: offset + size };
			offset += size;
		}
	}

	child(parent: Box, type: string): Box | undefined {
		for (const box of this.children(parent.start, parent.end)) if (box.type === type) return box;
		return undefined;
	}

	all(parent: Box, type: string): Box[] {
		return [...this.children(parent.start, parent.end)].filter((box) => box.type === type);
	}

	path(parent: Box, ...types: string[]): Box | undefined {
		let current: Box | undefined = parent;
		for (const type of types) {
			if (!current) return undefined;
			current = this.child(current, type);
		}
		return current;
	}
}
