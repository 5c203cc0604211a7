import { ContractError } from '../../nodes/shared/errors';
import { parseShotItem, readShotItemParts, shotItemSchema } from '../../nodes/shared/contract';
import { MALFORMED } from '../fixtures/malformed';
import { validShotItem } from '../fixtures/shotItem';

import type { Mutation } from '../fixtures/malformed';

function expectIssue(mutate: Mutation, path: string, message?: RegExp, itemIndex = 3): void {
	const item = validShotItem() as any;
	mutate(item);
	let caught: unknown;
	try {
		parseShotItem(item, itemIndex);
	} catch (error) {
		caught = error;
	}
	expect(caught).toBeInstanceOf(ContractError);
	const error = caught as ContractError;
	expect(error.itemIndex).toBe(itemIndex);
	expect(error.issues.map((issue) => issue.path)).toContain(path);
	expect(error.message).toMatch(new RegExp(`^Item ${itemIndex}: `));
	if (message) expect(error.issues.find((issue) => issue.path === path)!.message).toMatch(message);
}

describe('shared state contract', () => {
	it('accepts a complete shot item and infers its types', () => {
		const item = parseShotItem(validShotItem(), 0);
		expect(item.shot.characters).toEqual(['mara', 'bottle']);
		expect(item.takes[0].pinFingerprint).toBe(item.pin!.fingerprint);
	});

	it('accepts the minimal item a storyboard emits (no pin, takes or qc yet)', () => {
		const { pin: _pin, qc: _qc, ...rest } = validShotItem();
		expect(shotItemSchema.safeParse({ ...rest, takes: [], ledger: [] }).success).toBe(true);
	});

	const malformed = MALFORMED;

	it.each(malformed.map(([name, mutate, path, message]) => ({ name, mutate, path, message })))(
		'rejects $name and names the field $path',
		({ mutate, path, message }) => {
			expectIssue(mutate, path, message);
		},
	);

	it('has at least 30 malformed cases', () => {
		expect(malformed.length).toBeGreaterThanOrEqual(30);
	});

	it('lists every issue in the description, not only the first', () => {
		const item = validShotItem() as any;
		item.shot.prompt = '';
		item.pipeline.spentUsd = -1;
		const error = (() => {
			try {
				parseShotItem(item, 7);
			} catch (e) {
				return e as ContractError;
			}
			throw new Error('expected a failure');
		})();
		expect(error.issues).toHaveLength(2);
		expect(error.message).toContain('(and 1 more)');
		expect(error.description).toContain('shot.prompt');
		expect(error.description).toContain('pipeline.spentUsd');
	});

	describe('readShotItemParts', () => {
		it('validates only the parts a node asks for', () => {
			const item = validShotItem() as any;
			item.pin.fingerprint = 'broken';
			expect(readShotItemParts(item, 0, ['pipeline', 'shot']).shot.id).toBe('shot-01');
			expect(() => readShotItemParts(item, 2, ['pipeline', 'pin'])).toThrow(
				/^Item 2: pin\.fingerprint:/,
			);
		});

		it('names a missing part as required', () => {
			expect(() => readShotItemParts({ pipeline: validShotItem().pipeline }, 5, ['shot'])).toThrow(
				'Item 5: shot: is required',
			);
		});

		it('rejects an item that is not an object', () => {
			expect(() => readShotItemParts([], 1, ['shot'])).toThrow(
				/Item 1: \(item\): must be an object, got an array/,
			);
		});
	});
});
