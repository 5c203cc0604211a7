import type { Shot, Take } from '../../nodes/shared/contract';
import { DEFAULT_THRESHOLDS } from '../../nodes/shared/qc/checks';
import {
	anchorsFor,
	anchorsFromAccepted,
	lastingAnchors,
	mergeAnchors,
	readAnchors,
	type Anchor,
} from '../../nodes/shared/qc/anchors';
import {
	borderline,
	combine,
	dimensions,
	disagreeing,
	frameTimes,
	isBorderline,
	visionVerdicts,
	worstFrame,
	type FrameScores,
} from '../../nodes/shared/qc/judgeScores';
import { withHistory } from '../../nodes/shared/qc/history';
import { validShotItem } from '../fixtures/shotItem';

const item = validShotItem();
const shot: Shot = { ...item.shot, characters: ['mara', 'leo'] };
const take = item.takes[0] as Take;
const layers = { identity: 'hero', colour: 'hero', adherence: 'hero', artifacts: 'hero' } as const;
const frame = (over: Partial<FrameScores> = {}): FrameScores => ({
	atSeconds: 1,
	colourScore: 1,
	continuityScore: 1,
	promptAdherence: 1,
	artifactScore: 0,
	characters: [{ tag: 'mara', referenceScore: 1, anchorScore: 1 }],
	...over,
});
const video = { kind: 'url' as const, ref: 'https://cdn.example/a.mp4', mimeType: 'video/mp4' };

describe('anchors', () => {
	const first: Take = { ...take, jobId: 'job-1', asset: video };
	const anchors = anchorsFromAccepted([], 'run-1', shot, first, [1, 4, 7]);

	it('the first accepted take of each character becomes its anchor, with the take, its pin and the frames judged', () => {
		expect(anchors).toEqual([
			{
				tag: 'mara',
				runId: 'run-1',
				shotId: shot.id,
				jobId: 'job-1',
				pinFingerprint: first.pinFingerprint,
				asset: video,
				frames: [1, 4, 7],
				characters: ['mara', 'leo'],
			},
			{
				tag: 'leo',
				runId: 'run-1',
				shotId: shot.id,
				jobId: 'job-1',
				pinFingerprint: first.pinFingerprint,
				asset: video,
				frames: [1, 4, 7],
				characters: ['mara', 'leo'],
			},
		]);
		// A later accepted take never replaces an anchor; a new character gets one.
		const later = anchorsFromAccepted(
			anchors,
			'run-1',
			{ ...shot, id: 'shot-9', characters: ['leo', 'ana'] },
			{ ...first, jobId: 'job-9' },
			[2],
		);
		expect(later.map((a) => [a.tag, a.jobId])).toEqual([['ana', 'job-9']]);
		expect(mergeAnchors(anchors, [{ ...anchors[0], jobId: 'job-x' }]).map((a) => a.jobId)).toEqual([
			'job-1',
			'job-1',
		]);
	});

	it('judges a take against its characters’ anchors, never against the anchor it set itself', () => {
		expect(
			anchorsFor(anchors, { ...shot, characters: ['leo'] }, { ...first, jobId: 'job-2' }).map(
				(a) => a.tag,
			),
		).toEqual(['leo']);
		expect(anchorsFor(anchors, shot, first)).toEqual([]);
		// A still or a take without a clip anchors nothing; nor does a take judged on no frame.
		expect(
			anchorsFromAccepted(
				[],
				'r',
				shot,
				{ ...first, asset: { ...video, mimeType: 'image/png' } },
				[1],
			),
		).toEqual([]);
		expect(anchorsFromAccepted([], 'r', shot, first, [])).toEqual([]);
	});

	it('reads anchors from a run state, naming the field and item of a bad one', () => {
		expect(readAnchors(JSON.stringify(anchors), 0, 'anchors')).toEqual(anchors);
		expect(readAnchors('', 0, 'anchors')).toEqual([]);
		expect(() => readAnchors('{not json', 2, 'anchors')).toThrow('Item 2: anchors: must be JSON');
		expect(() => readAnchors([{ ...anchors[0], tag: 'x' }], 1, 'qcAnchors')).toThrow(
			/^Item 1: qcAnchors\.0\.tag: /,
		);
		expect(() => readAnchors([{ ...anchors[0], frames: [] }], 1, 'qcAnchors')).toThrow(
			/qcAnchors\.0\.frames/,
		);
	});

	it('hands on a binary anchor with the file its clip is kept in beside the run state', () => {
		const binary: Anchor = {
			...anchors[0],
			tag: 'ana',
			asset: { kind: 'binary', ref: 'data', mimeType: 'video/mp4' },
		};
		const lasting = lastingAnchors([...anchors, binary]);
		expect(lasting.slice(0, 2)).toEqual(anchors);
		expect(lasting[2]).toEqual({ ...binary, clipFile: `${binary.runId}-anchor-ana.mp4` });
		expect(readAnchors(lasting, 0, 'qcAnchors')).toEqual(lasting);
		// A clip file name never leaves the delivery folder.
		for (const clipFile of ['../etc/passwd', '/tmp/x.mp4', 'a/b.mp4'])
			expect(() => readAnchors([{ ...lasting[2], clipFile }], 3, 'qcAnchors')).toThrow(
				/^Item 3: qcAnchors\.0\.clipFile: /,
			);
	});
});

describe('frames and second opinions', () => {
	it('spreads the judged frames over the clip', () => {
		expect(frameTimes(8, 3)).toEqual([1.3, 4, 6.7]);
		expect(frameTimes(4, 1)).toEqual([2]);
		expect(frameTimes(8, 40)).toHaveLength(16);
	});

	it('counts a clip by its worst frame', () => {
		expect(worstFrame({ scores: [1, 0.2, 0.9] })).toBe(0.2);
		expect(worstFrame({ scores: [0, 0.5], lowerIsBetter: true })).toBe(0.5);
		expect(worstFrame({ scores: [] })).toBe(0);
	});

	it.each([
		[0.79, 0.8, 0.15, false, true],
		[0.51, 0.8, 0.15, false, true],
		[0.5, 0.8, 0.15, false, false],
		[0, 0.8, 0.15, false, false],
		[0.94, 0.8, 0.15, false, true],
		[0.95, 0.8, 0.15, false, false],
		[1, 0.8, 0.15, false, false],
		[0.79, 0.8, 0, false, false],
		[0.5, 0.3, 0.15, true, true],
		[0.2, 0.3, 0.15, true, true],
		[0, 0.3, 0.15, true, false],
	])(
		'score %d against threshold %d, margin %d (lower is better: %s): borderline %s',
		(score, threshold, margin, lowerIsBetter, expected) => {
			expect(isBorderline(score, threshold, margin, lowerIsBetter)).toBe(expected);
		},
	);

	const ask = {
		references: ['mara'],
		anchors: [{ tag: 'mara', label: 'shot-1, take job-1' }],
		palette: '#335577',
		previous: 'shot-1, take job-1',
	};

	it('asks a second opinion only on the borderline dimensions', () => {
		const dims = dimensions(
			[
				frame({
					colourScore: 0.72,
					characters: [{ tag: 'mara', referenceScore: 1, anchorScore: 0.1 }],
				}),
			],
			ask,
		);
		expect(dims.map((d) => d.key)).toEqual([
			'reference:mara',
			'anchor:mara',
			'colour',
			'continuity',
			'adherence',
			'artifacts',
		]);
		expect(borderline(dims, DEFAULT_THRESHOLDS, 0.15).map((d) => d.key)).toEqual(['colour']);
		// Far below the threshold is a clear fail: no second opinion is bought for it.
		expect(
			borderline(dimensions([frame({ colourScore: 0.3 })], ask), DEFAULT_THRESHOLDS, 0.15),
		).toEqual([]);
		// A character the judge left out scores 0 for it: not answered is not passed.
		expect(dimensions([frame({ characters: [] })], ask)[0].scores).toEqual([0]);
	});

	it('averages two opinions that agree, and lets a third decide when they do not: one wrong answer alone passes nothing and fails nothing', () => {
		expect(combine([0.7, 0.6], [1, 1])).toEqual([0.85, 0.8]);
		expect(combine([0.52, 0.9], [1, 0], [1, 0.1])).toEqual([1, 0.1]);
		const context = {
			model: 'gemini-3.1-flash-lite',
			frames: [1],
			thresholds: DEFAULT_THRESHOLDS,
			layers,
		};
		// A clean take flagged by the first answer: the second disagrees, the third breaks the tie.
		const falseFlag = dimensions(
			[frame({ characters: [{ tag: 'mara', referenceScore: 0.52, anchorScore: 1 }] })],
			ask,
		);
		const second = dimensions([frame()], ask).filter((d) => d.key === 'reference:mara');
		expect(disagreeing(falseFlag, second, DEFAULT_THRESHOLDS).map((d) => d.key)).toEqual([
			'reference:mara',
		]);
		const [identity] = visionVerdicts(falseFlag, second, second, context);
		expect(identity).toEqual({
			check: 'vision.identity',
			value: 1,
			threshold: 0.8,
			pass: true,
			layer: 'hero',
			judge: {
				model: 'gemini-3.1-flash-lite',
				frames: [1],
				scores: [0.52],
				secondOpinion: [1],
				thirdOpinion: [1],
				against: 'references of @mara',
			},
		});
		// A drift the first answer missed (unsure): caught by the other two.
		const missed = dimensions(
			[frame({ characters: [{ tag: 'mara', referenceScore: 1, anchorScore: 0.9 }] })],
			ask,
		);
		const caught = dimensions(
			[frame({ characters: [{ tag: 'mara', referenceScore: 1, anchorScore: 0 }] })],
			ask,
		).filter((d) => d.key === 'anchor:mara');
		expect(
			visionVerdicts(missed, caught, caught, context).find((v) =>
				v.judge?.against.startsWith('anchor'),
			),
		).toMatchObject({ value: 0, pass: false, judge: { secondOpinion: [0], thirdOpinion: [0] } });
		// Two that agree need no third.
		expect(
			disagreeing(
				missed,
				dimensions(
					[frame({ characters: [{ tag: 'mara', referenceScore: 1, anchorScore: 0.85 }] })],
					ask,
				),
				DEFAULT_THRESHOLDS,
			),
		).toEqual([]);
	});

	it('does not re-render a take on the grade for breaking from a previous shot that left it', () => {
		const offGradeBefore = dimensions(
			[frame({ continuityScore: 0.4, previousColourScore: 0.45 })],
			ask,
		);
		const continuity = visionVerdicts(offGradeBefore, undefined, undefined, {
			model: 'm',
			frames: [1],
			thresholds: DEFAULT_THRESHOLDS,
			layers,
		}).find((v) => v.check === 'vision.continuity')!;
		expect(continuity).toMatchObject({
			value: 0.4,
			pass: true,
			judge: {
				against:
					'previous accepted shot: shot-1, take job-1 (that shot is off the pinned grade; this one is on it)',
			},
		});
		// Both on the grade, yet apart: this take broke continuity.
		const broke = visionVerdicts(
			dimensions([frame({ continuityScore: 0.4, previousColourScore: 1 })], ask),
			undefined,
			undefined,
			{ model: 'm', frames: [1], thresholds: DEFAULT_THRESHOLDS, layers },
		);
		expect(broke.find((v) => v.check === 'vision.continuity')!.pass).toBe(false);
	});

	it.each([
		[{ colourScore: 0.69 }, ['vision.colour']],
		[{ continuityScore: 0.69 }, ['vision.continuity']],
		[{ promptAdherence: 0.59 }, ['vision.adherence']],
		[{ artifactScore: 0.31 }, ['vision.artifacts']],
		[{ colourScore: 0.7, continuityScore: 0.7, promptAdherence: 0.6, artifactScore: 0.3 }, []],
	])('thresholds %j', (over, expected) => {
		const verdicts = visionVerdicts(dimensions([frame(over)], ask), undefined, undefined, {
			model: 'm',
			frames: [1],
			thresholds: DEFAULT_THRESHOLDS,
			layers,
		});
		expect(verdicts.filter((v) => !v.pass).map((v) => v.check)).toEqual(expected);
	});
});

describe('QC history', () => {
	const qc = {
		attempts: { narrative: 0, hero: 1, control: 0 },
		verdicts: [],
		status: 'retry' as const,
	};
	const failed = [
		{ check: 'vision.identity', value: 0, threshold: 0.8, pass: false, layer: 'hero' as const },
	];

	it('keeps why each take went back, and to which layer', () => {
		const first = withHistory(qc, undefined, { ...take, jobId: 'a', attempt: 1 }, 'hero', failed);
		const second = withHistory(
			{ ...qc, status: 'passed' },
			first,
			{ ...take, jobId: 'b', attempt: 2 },
			'passed',
			[],
		);
		expect(second.history).toEqual([
			{ jobId: 'a', attempt: 1, route: 'hero', failed },
			{ jobId: 'b', attempt: 2, route: 'passed', failed: [] },
		]);
		// A render still in flight is not ruled on; no take, no history.
		expect(
			withHistory(qc, undefined, { ...take, status: 'running', asset: undefined }, 'hero', failed)
				.history,
		).toBeUndefined();
		expect(withHistory(qc, undefined, undefined, 'hero', failed)).toEqual(qc);
	});
});
