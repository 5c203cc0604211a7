import { parseCube } from '../../nodes/shared/pin/cubeLut';
import { canonicalJson, pinFingerprint } from '../../nodes/shared/pin/fingerprint';
import { pickReferences } from '../../nodes/shared/render/prompt';
import { pinnedReferences } from '../../nodes/PinState/helpers/apply';
import { validShotItem } from '../fixtures/shotItem';

const cube = (size: number, rows = size ** 3, header = '') =>
	`TITLE "Test"\n# a comment\n${header}LUT_3D_SIZE ${size}\n${Array.from({ length: rows }, (_, i) => `${(i % size) / (size - 1)} 0.5 ${i % 2}`).join('\n')}\n`;

describe('pin fingerprint', () => {
	const pin = () => validShotItem().pin!;

	it('does not depend on key order', () => {
		const a = pin();
		const reordered = JSON.parse(
			canonicalJson({
				seed: a.seed,
				style: a.style,
				characters: a.characters,
				grade: a.grade,
				audioBed: a.audioBed,
				negativePrompt: a.negativePrompt,
			}),
		);
		expect(pinFingerprint(reordered)).toBe(pinFingerprint(a));
	});

	it('ignores the fingerprint and upload copies, and changes with any content', () => {
		const base = pinFingerprint(pin());
		expect(
			pinFingerprint({
				...pin(),
				fingerprint: 'f'.repeat(64),
				uploads: { runway: { x: 'runway://y' } },
			}),
		).toBe(base);
		const changes: Array<(p: ReturnType<typeof pin>) => void> = [
			(p) => (p.characters[0].refs[0].sha256 = 'c'.repeat(64)),
			(p) => (p.characters[0].description += '.'),
			(p) => (p.grade.palette = ['#000000']),
			(p) => (p.audioBed.loudnessLufs = -16),
			(p) => (p.seed.base = 1235),
			(p) => (p.style = 'anime'),
		];
		for (const change of changes) {
			const changed = pin();
			change(changed);
			expect(pinFingerprint(changed)).not.toBe(base);
		}
	});
});

describe('.cube LUT parser', () => {
	it('reads a valid 3D LUT with its domain', () => {
		expect(parseCube(cube(2, 8, 'DOMAIN_MIN 0 0 0\nDOMAIN_MAX 1 1 1\n'))).toEqual({
			title: 'Test',
			kind: '3d',
			size: 2,
			domainMin: [0, 0, 0],
			domainMax: [1, 1, 1],
			rows: 8,
		});
		expect(parseCube(cube(17)).rows).toBe(4913);
		expect(parseCube('LUT_1D_SIZE 4\n0 0 0\n0.3 0.3 0.3\n0.6 0.6 0.6\n1 1 1\n')).toMatchObject({
			kind: '1d',
			size: 4,
		});
	});

	it.each([
		['too few rows', cube(3, 26), /has 26 data rows; a 3D LUT of size 3 needs 27/],
		['too many rows', cube(2, 9), /has 9 data rows/],
		['no size', '0 0 0\n1 1 1\n', /line 1: data begins before LUT_3D_SIZE/],
		[
			'size out of range',
			'LUT_3D_SIZE 1\n',
			/line 1: LUT_3D_SIZE must be an integer from 2 to 256/,
		],
		[
			'non-numeric value',
			'LUT_3D_SIZE 2\n0 0 x\n',
			/line 2: a data row has a value that is not a number/,
		],
		['two values on a row', 'LUT_3D_SIZE 2\n0 0\n', /line 2: a data row needs three numbers/],
		[
			'inverted domain',
			cube(2, 8, 'DOMAIN_MIN 1 1 1\nDOMAIN_MAX 0 0 0\n'),
			/DOMAIN_MIN must be below DOMAIN_MAX/,
		],
		['empty file', '', /no LUT_3D_SIZE or LUT_1D_SIZE/],
		['two sizes', 'LUT_3D_SIZE 2\nLUT_3D_SIZE 3\n', /line 2: declares a second LUT size/],
	])('rejects %s', (_name, text, message) => {
		expect(() => parseCube(text)).toThrow(message);
	});
});

describe('references per shot', () => {
	it('picks the first reference of each character in shot order, at most three', () => {
		const item = validShotItem();
		const pin = item.pin!;
		pin.characters.push({
			tag: 'leo',
			description: 'Leo',
			refs: [{ kind: 'url', ref: 'https://cdn.example.com/leo.png', mimeType: 'image/png' }],
		});
		pin.characters[0].refs.push({
			kind: 'url',
			ref: 'https://cdn.example.com/mara-side.png',
			mimeType: 'image/png',
		});
		const shot = { ...item.shot, characters: ['leo', 'mara', 'bottle'] };
		expect(pickReferences(pin, shot, 3).map((r) => `${r.tag}:${r.asset.ref}`)).toEqual([
			'leo:https://cdn.example.com/leo.png',
			'mara:https://cdn.example.com/mara-front.png',
			'bottle:bottle_ref',
		]);
		expect(
			pickReferences(pin, { ...shot, characters: ['mara'] }, 3).map((r) => r.asset.ref),
		).toEqual(['https://cdn.example.com/mara-front.png', 'https://cdn.example.com/mara-side.png']);
		expect(pinnedReferences(pin, { ...shot, characters: ['mara', 'ghost'] })).toEqual({
			veo: [
				{ tag: 'mara', ref: 'https://cdn.example.com/mara-front.png' },
				{ tag: 'mara', ref: 'https://cdn.example.com/mara-side.png' },
			],
			runwayTags: ['@mara', '@mara'],
			missing: ['ghost'],
		});
	});
});
