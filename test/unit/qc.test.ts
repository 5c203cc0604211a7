import type { Take } from '../../nodes/shared/contract';
import type { ProbeResult } from '../../nodes/shared/mp4';
import {
	contractVerdicts,
	DEFAULT_LAYER_MAP,
	DEFAULT_THRESHOLDS,
	layerFor,
	technicalVerdicts,
} from '../../nodes/shared/qc/checks';
import { decide } from '../../nodes/shared/qc/decide';
import { buildReport, reportHtml } from '../../nodes/shared/qc/report';
import { cmx3600, otioTimeline } from '../../nodes/shared/qc/timeline';
import { validShotItem } from '../fixtures/shotItem';

const item = validShotItem();
const take = item.takes[0] as Take;
const probe = (
	over: Partial<ProbeResult> & { width?: number; height?: number; fps?: number } = {},
): ProbeResult => {
	const { width = 1920, height = 1080, fps = 24, ...rest } = over;
	return {
		brand: 'isom',
		compatibleBrands: [],
		durationSeconds: 8,
		fragmented: false,
		moovOffset: 0,
		moovBeforeMdat: true,
		tracks: [],
		video: {
			id: 1,
			kind: 'video',
			handler: 'vide',
			codec: 'avc1',
			codecString: 'avc1',
			timescale: 12288,
			durationSeconds: 8,
			endSeconds: 8,
			mediaDurationSeconds: 8,
			startSeconds: 0,
			sampleCount: 192,
			width,
			height,
			fps,
		},
		hasAudio: true,
		avSkewSeconds: 0,
		bytesRead: 1000,
		...rest,
	};
};
const failedChecks = (
	p: ProbeResult,
	shot = item.shot,
	t = take,
	thresholds = DEFAULT_THRESHOLDS,
) =>
	technicalVerdicts(p, shot, t, thresholds, 'hero')
		.filter((v) => !v.pass)
		.map((v) => v.check);

describe('QC technical checks at their thresholds', () => {
	it.each([
		[8.5, []],
		[8.51, ['duration']],
		[7.5, []],
		[7.49, ['duration']],
	])('duration %s s against 8±0.5', (durationSeconds, expected) => {
		expect(failedChecks(probe({ durationSeconds: durationSeconds as number }))).toEqual(expected);
	});

	it.each([
		[{ width: 1920, height: 1080 }, []],
		[{ width: 1958, height: 1080 }, []],
		[{ width: 1960, height: 1080 }, ['aspectRatio']],
		[{ width: 1280, height: 720 }, ['resolution']],
		[{ fps: 22.99 }, []],
		[{ fps: 22.98 }, ['fps']],
		[{ hasAudio: false }, ['audio']],
		[{ avSkewSeconds: 0.25 }, []],
		[{ avSkewSeconds: -0.26 }, ['avSkew']],
	])('%j', (over, expected) => {
		expect(failedChecks(probe(over as never))).toEqual(expected);
	});

	it('does not ask control takes for the hero resolution, nor extensions for the beat duration', () => {
		expect(
			failedChecks(probe({ width: 1280, height: 720 }), item.shot, { ...take, layer: 'control' }),
		).toEqual([]);
		expect(
			failedChecks(probe({ durationSeconds: 15 }), item.shot, { ...take, operation: 'extend' }),
		).toEqual([]);
	});

	it('checks the pin fingerprint and that the pinned references were sent', () => {
		expect(contractVerdicts(take, item.pin, item.shot, 'hero').every((v) => v.pass)).toBe(true);
		const other = contractVerdicts(
			{ ...take, pinFingerprint: 'f'.repeat(64), refsSent: ['mara'] },
			item.pin,
			item.shot,
			'hero',
		);
		expect(other.filter((v) => !v.pass).map((v) => v.check)).toEqual([
			'pin.fingerprint',
			'pin.references',
		]);
		expect(
			contractVerdicts(
				{ ...take, layer: 'control', refsSent: ['mara'] },
				item.pin,
				item.shot,
				'control',
			).every((v) => v.pass),
		).toBe(true);
	});

	it('maps failures to layers, with the take’s own layer as the default', () => {
		expect(layerFor(DEFAULT_LAYER_MAP, 'identity', take, item.shot)).toBe('hero');
		expect(layerFor(DEFAULT_LAYER_MAP, 'colour', take, item.shot)).toBe('hero');
		expect(layerFor({ ...DEFAULT_LAYER_MAP, colour: 'control' }, 'colour', take, item.shot)).toBe(
			'control',
		);
		expect(
			layerFor({ ...DEFAULT_LAYER_MAP, technical: 'narrative' }, 'technical', take, item.shot),
		).toBe('narrative');
		expect(
			layerFor(DEFAULT_LAYER_MAP, 'contract', undefined, { ...item.shot, layer: 'broll' }),
		).toBe('control');
	});
});

describe('QC routing decisions', () => {
	const fail = (check: string, layer: 'hero' | 'control' | 'narrative' = 'hero') => ({
		check,
		value: 1,
		threshold: 2,
		pass: false,
		layer,
	});
	const budgets = { retries: { narrative: 1, hero: 2, control: 2 } };

	it('passes a shot with no failed check', () => {
		expect(
			decide(item.shot, take, undefined, [{ ...fail('x'), pass: true }], budgets),
		).toMatchObject({ route: 'passed', qc: { status: 'passed' } });
	});

	it('sends a failure back to the owning layer with a hint, counting the attempt', () => {
		const decision = decide(
			item.shot,
			take,
			undefined,
			[fail('duration'), fail('vision.colour', 'control')],
			budgets,
		);
		expect(decision).toMatchObject({
			route: 'hero',
			qc: { status: 'retry', attempts: { hero: 1, control: 0 } },
			retryHint: { layer: 'hero', newSeed: true, durationSeconds: 8 },
		});
		expect(
			decide(item.shot, take, undefined, [fail('pin.references')], budgets).retryHint,
		).toMatchObject({ reinforceReferences: true });
	});

	it('stops at the retry budget, at the run budget, and at unrecoverable failures', () => {
		const spent = {
			attempts: { narrative: 0, hero: 2, control: 0 },
			verdicts: [],
			status: 'retry' as const,
		};
		expect(decide(item.shot, take, spent, [fail('duration')], budgets)).toMatchObject({
			route: 'needs_review',
			reviewReason: 'hero retry budget (2) spent',
		});
		expect(
			decide(item.shot, take, undefined, [fail('duration')], { ...budgets, remainingUsd: 3.19 })
				.route,
		).toBe('needs_review');
		expect(
			decide(item.shot, take, undefined, [fail('duration')], { ...budgets, remainingUsd: 3.2 })
				.route,
		).toBe('hero');
		const blocked: Take = {
			...take,
			status: 'failed',
			failure: { code: 'SAFETY.INPUT.TEXT', message: 'flagged', retryable: false },
		};
		expect(decide(item.shot, blocked, undefined, [fail('take.status')], budgets)).toMatchObject({
			route: 'needs_review',
			reviewReason: 'unrecoverable: SAFETY.INPUT.TEXT',
		});
	});

	it('sends a shot whose anchor clip is out of reach to review, without a paid re-render', () => {
		const decision = decide(
			item.shot,
			take,
			undefined,
			[fail('vision.anchor'), fail('vision.colour', 'control')],
			budgets,
		);
		expect(decision).toMatchObject({ route: 'needs_review', qc: { status: 'needs_review' } });
		expect(decision.reviewReason).toMatch(/^unrecoverable: vision\.anchor/);
	});

	it('sends an unfinished take back to be collected without spending an attempt', () => {
		const running: Take = { ...take, status: 'running', asset: undefined };
		expect(decide(item.shot, running, undefined, [fail('take.status')], budgets)).toMatchObject({
			route: 'hero',
			qc: { attempts: { hero: 0 } },
			retryHint: { newSeed: false },
		});
	});
});

describe('QC report and timeline', () => {
	const passed = {
		...validShotItem(),
		qc: {
			attempts: { narrative: 0, hero: 1, control: 0 },
			verdicts: [],
			status: 'passed' as const,
		},
	};
	const second = {
		...validShotItem(),
		shot: {
			...validShotItem().shot,
			id: 'shot-02',
			index: 1,
			beat: { label: 'Payoff', startSeconds: 8 },
		},
		ledger: [...validShotItem().ledger.map((e) => ({ ...e, jobId: 'op-2' }))],
	};

	it('totals shots, renders and cost per layer and vendor, counting shared ledger entries once', () => {
		const report = buildReport(
			[
				{ item: passed, outcome: 'passed' },
				{ item: second, outcome: 'needs_review', reviewReason: 'hero retry budget (2) spent' },
			],
			new Date('2026-11-24T12:00:00Z'),
		);
		expect(report.totals).toEqual({
			shots: 2,
			passed: 1,
			needsReview: 1,
			renders: 2,
			rerenders: 0,
			stills: 0,
		});
		const keyframed = {
			...passed,
			takes: [
				{
					...passed.takes[0],
					jobId: 'still-1',
					operation: 'textToImage',
					asset: { kind: 'url' as const, ref: 'https://x/still.png', mimeType: 'image/png' },
				},
				...passed.takes,
			],
		};
		expect(buildReport([{ item: keyframed, outcome: 'passed' }], new Date()).totals).toMatchObject({
			renders: 1,
			rerenders: 0,
			stills: 1,
		});
		expect(report.cost).toEqual({
			totalUsd: 6.4,
			byLayer: { hero: 6.4 },
			byVendor: { google: 6.4 },
			budgetUsd: 40,
			budgetUsedPct: 16,
		});
		const html = reportHtml(report);
		expect(html).toContain('1 of 2 passed, 1 need review');
		expect(html).not.toMatch(/<script|https?:\/\/(?!cdn\.example)/);
	});

	it('writes the passed takes in shot order as OTIO and CMX3600', () => {
		const otio = otioTimeline([second, passed], 'Spot') as any;
		expect(otio.tracks.children[0].children.map((c: any) => c.name)).toEqual([
			'shot-01 Hook',
			'shot-02 Payoff',
		]);
		expect(otio.tracks.children[0].children[0].source_range.duration).toEqual({
			OTIO_SCHEMA: 'RationalTime.1',
			rate: 24,
			value: 192,
		});
		const edl = cmx3600([passed, second], 'Spot');
		expect(edl.split('\n').filter((line) => /^\d{3} /.test(line))).toEqual([
			'001  SHOT01   V     C        00:00:00:00 00:00:08:00 00:00:00:00 00:00:08:00',
			'002  SHOT02   V     C        00:00:00:00 00:00:08:00 00:00:08:00 00:00:16:00',
		]);
	});
});
