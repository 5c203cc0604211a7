import { ContractError } from '../../nodes/shared/errors';
import { parseShotItem, readShotItemParts, shotItemSchema } from '../../nodes/shared/contract';
import { validShotItem } from '../fixtures/shotItem';

type Mutation = (item: any) => void;

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

	const malformed: Array<[string, Mutation, string, RegExp?]> = [
		['missing pipeline', (i) => delete i.pipeline, 'pipeline', /required/],
		['empty run id', (i) => (i.pipeline.runId = ''), 'pipeline.runId'],
		['run id with spaces', (i) => (i.pipeline.runId = 'run 1'), 'pipeline.runId', /letters, digits/],
		['zero shot count', (i) => (i.pipeline.shotCount = 0), 'pipeline.shotCount'],
		['fractional shot count', (i) => (i.pipeline.shotCount = 2.5), 'pipeline.shotCount'],
		['negative budget', (i) => (i.pipeline.budgetUsd = -1), 'pipeline.budgetUsd'],
		['spent as string', (i) => (i.pipeline.spentUsd = '1.25'), 'pipeline.spentUsd', /expected number, got "1.25"/],
		['unknown pipeline field', (i) => (i.pipeline.budget = 3), 'pipeline.budget', /unknown field/],
		['missing shot id', (i) => delete i.shot.id, 'shot.id', /required/],
		['negative shot index', (i) => (i.shot.index = -1), 'shot.index'],
		['shot index past shot count', (i) => (i.shot.index = 4), 'shot.index', /below pipeline.shotCount/],
		['beat without label', (i) => delete i.shot.beat.label, 'shot.beat.label'],
		['empty prompt', (i) => (i.shot.prompt = ''), 'shot.prompt'],
		['zero duration', (i) => (i.shot.durationSeconds = 0), 'shot.durationSeconds'],
		['duration as text', (i) => (i.shot.durationSeconds = 'eight'), 'shot.durationSeconds'],
		['unknown aspect ratio', (i) => (i.shot.aspectRatio = '2:1'), 'shot.aspectRatio'],
		['unknown resolution', (i) => (i.shot.resolution = '8k'), 'shot.resolution'],
		['unknown layer', (i) => (i.shot.layer = 'cgi'), 'shot.layer'],
		['bad character tag', (i) => (i.shot.characters = ['mara', '9lives']), 'shot.characters[1]', /starting with a letter/],
		['tag too short', (i) => (i.shot.characters = ['ab']), 'shot.characters[0]'],
		['pin fingerprint not hex', (i) => (i.pin.fingerprint = 'xyz'), 'pin.fingerprint', /SHA-256/],
		['duplicate character tag', (i) => (i.pin.characters[1].tag = 'mara'), 'pin.characters[1].tag', /duplicate/],
		['character without description', (i) => (i.pin.characters[0].description = ''), 'pin.characters[0].description'],
		['reference that is not an image', (i) => (i.pin.characters[0].refs[0].mimeType = 'video/mp4'), 'pin.characters[0].refs[0].mimeType', /images/],
		['url reference that is not a URL', (i) => (i.pin.characters[0].refs[0].ref = 'cdn/mara.png'), 'pin.characters[0].refs[0].ref', /http\(s\) URL/],
		['gcs reference without gs://', (i) => (i.pin.grade.lut.ref = 'acme-looks/spring.cube'), 'pin.grade.lut.ref', /gs:\/\//],
		['unknown asset kind', (i) => (i.pin.characters[1].refs[0].kind = 'ftp'), 'pin.characters[1].refs[0].kind'],
		['bad sha256 on asset', (i) => (i.pin.characters[0].refs[0].sha256 = 'B'.repeat(64)), 'pin.characters[0].refs[0].sha256'],
		['palette colour without #', (i) => (i.pin.grade.palette = ['f4e3c1']), 'pin.grade.palette[0]', /#RRGGBB/],
		['loudness above -5 LUFS', (i) => (i.pin.audioBed.loudnessLufs = 0), 'pin.audioBed.loudnessLufs'],
		['dialogue language not BCP 47', (i) => (i.pin.audioBed.dialogueLanguage = 'English'), 'pin.audioBed.dialogueLanguage', /BCP 47/],
		['seed out of uint32', (i) => (i.pin.seed.base = 2 ** 32), 'pin.seed.base'],
		['unknown seed policy', (i) => (i.pin.seed.policy = 'sometimes'), 'pin.seed.policy'],
		['take with unknown vendor', (i) => (i.takes[0].vendor = 'pika'), 'takes[0].vendor'],
		['succeeded take without asset', (i) => delete i.takes[0].asset, 'takes[0].asset', /carry its asset/],
		['take finished before it started', (i) => (i.takes[0].finishedAt = '2026-11-24T00:00:00.000Z'), 'takes[0].finishedAt', /before startedAt/],
		['take start not ISO', (i) => (i.takes[0].startedAt = 'yesterday'), 'takes[0].startedAt'],
		['take attempt zero', (i) => (i.takes[0].attempt = 0), 'takes[0].attempt'],
		['take with negative cost', (i) => (i.takes[0].costUsd = -0.01), 'takes[0].costUsd'],
		['qc status unknown', (i) => (i.qc.status = 'ok'), 'qc.status'],
		['verdict layer unknown', (i) => (i.qc.verdicts[0].layer = 'pin'), 'qc.verdicts[0].layer'],
		['qc attempts missing layer', (i) => delete i.qc.attempts.control, 'qc.attempts.control', /required/],
		['ledger usd inconsistent', (i) => (i.ledger[0].usd = 5), 'ledger[0].usd', /units x unitPriceUsd/],
		['ledger entry without job id', (i) => (i.ledger[0].jobId = ''), 'ledger[0].jobId'],
		['ledger unit unknown', (i) => (i.ledger[0].unit = 'minute'), 'ledger[0].unit'],
		['takes not an array', (i) => (i.takes = {}), 'takes', /expected array, got an object/],
	];

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
			expect(() => readShotItemParts(item, 2, ['pipeline', 'pin'])).toThrow(/^Item 2: pin\.fingerprint:/);
		});

		it('names a missing part as required', () => {
			expect(() => readShotItemParts({ pipeline: validShotItem().pipeline }, 5, ['shot'])).toThrow('Item 5: shot: is required');
		});

		it('rejects an item that is not an object', () => {
			expect(() => readShotItemParts([], 1, ['shot'])).toThrow(/Item 1: \(item\): must be an object, got an array/);
		});
	});
});
