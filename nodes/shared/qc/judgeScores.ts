import type { RenderLayer, Verdict } from '../contract/schemas';
import type { QcThresholds } from './checks';

/** One frame's scores as the judge answers them (0..1; artifacts: 0 = clean). */
export interface FrameScores {
	atSeconds: number;
	colourScore: number;
	continuityScore: number;
	/** How well the previous accepted shot itself matches the pinned grade (1 when none is given). */
	previousColourScore?: number;
	promptAdherence: number;
	artifactScore: number;
	characters: Array<{ tag: string; referenceScore: number; anchorScore: number }>;
}

/** What one judge call was asked to compare, so only asked-for scores become verdicts. */
export interface JudgeAsk {
	/** Characters with reference images sent. */
	references: string[];
	/** Characters with an anchor clip sent, and a label for each (which take it is). */
	anchors: Array<{ tag: string; label: string }>;
	/** The palette colour the grade was judged against, when the pin has one. */
	palette?: string;
	/** A label for the previous accepted shot, when one was sent. */
	previous?: string;
}

type VisionCheck =
	| 'vision.identity'
	| 'vision.colour'
	| 'vision.continuity'
	| 'vision.adherence'
	| 'vision.artifacts';

/** One scored dimension across frames: a check, what it was judged against, a score per frame. */
export interface Dimension {
	key: string;
	check: VisionCheck;
	against: string;
	scores: number[];
	/** Continuity only: the previous shot's own match with the pinned grade, frame by frame. */
	previousOnGrade?: number[];
	/** Artifacts are the one score where lower is better. */
	lowerIsBetter?: boolean;
}

/** Evenly spaced interior frames of a clip: the judge sees the start, middle and end, never one frame. */
export function frameTimes(durationSeconds: number, count: number): number[] {
	const n = Math.max(1, Math.min(16, Math.round(count)));
	return Array.from(
		{ length: n },
		(_, i) => Math.round(((i + 0.5) / n) * durationSeconds * 10) / 10,
	);
}

export function dimensions(frames: FrameScores[], ask: JudgeAsk): Dimension[] {
	const per = (pick: (f: FrameScores) => number | undefined) =>
		frames.map(pick).map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : 0));
	const character = (tag: string, f: FrameScores) => f.characters?.find((c) => c.tag === tag);
	return [
		...ask.references.map(
			(tag): Dimension => ({
				key: `reference:${tag}`,
				check: 'vision.identity',
				against: `references of @${tag}`,
				scores: per((f) => character(tag, f)?.referenceScore),
			}),
		),
		...ask.anchors.map(
			({ tag, label }): Dimension => ({
				key: `anchor:${tag}`,
				check: 'vision.identity',
				against: `anchor of @${tag}: ${label}`,
				scores: per((f) => character(tag, f)?.anchorScore),
			}),
		),
		...(ask.palette
			? [
					{
						key: 'colour',
						check: 'vision.colour' as const,
						against: `pinned grade (${ask.palette})`,
						scores: per((f) => f.colourScore),
					},
				]
			: []),
		// Continuity holds a shot to the pinned grade as the previous accepted shot carried it; with no
		// grade pinned there is no colour contract, and shots of a run may differ in light on purpose.
		...(ask.previous && ask.palette
			? [
					{
						key: 'continuity',
						check: 'vision.continuity' as const,
						against: `previous accepted shot: ${ask.previous}`,
						scores: per((f) => f.continuityScore),
						previousOnGrade: frames.map((f) => f.previousColourScore ?? 1),
					},
				]
			: []),
		{
			key: 'adherence',
			check: 'vision.adherence',
			against: 'the shot prompt',
			scores: per((f) => f.promptAdherence),
		},
		{
			key: 'artifacts',
			check: 'vision.artifacts',
			against: 'a clean render',
			scores: per((f) => f.artifactScore),
			lowerIsBetter: true,
		},
	];
}

/** A clip is as good as its worst frame: a face that changes in one frame has drifted. */
export function worstFrame(dimension: Pick<Dimension, 'scores' | 'lowerIsBetter'>): number {
	if (!dimension.scores.length) return dimension.lowerIsBetter ? 1 : 0;
	return dimension.lowerIsBetter ? Math.max(...dimension.scores) : Math.min(...dimension.scores);
}

export function thresholdFor(check: VisionCheck, thresholds: QcThresholds): number {
	switch (check) {
		case 'vision.identity':
			return thresholds.identityMin;
		case 'vision.colour':
		case 'vision.continuity':
			return thresholds.colourMin;
		case 'vision.adherence':
			return thresholds.adherenceMin;
		case 'vision.artifacts':
			return thresholds.artifactsMax;
	}
}

/**
 * Near enough to the threshold that one noisy answer should not decide. On the failing side the
 * band is twice as wide: that answer would spend money on a re-render; on the passing side it is
 * `margin`, so a lucky answer does not pass a drift alone.
 */
export function isBorderline(
	score: number,
	threshold: number,
	margin: number,
	lowerIsBetter = false,
): boolean {
	if (margin <= 0) return false;
	const failingBy = lowerIsBetter ? score - threshold : threshold - score;
	// Scores are answered to three decimals: compare bands to that precision, not to float noise.
	const within = (distance: number, band: number) =>
		Math.round(distance * 1e6) < Math.round(band * 1e6);
	return failingBy > 0 ? within(failingBy, 2 * margin) : within(-failingBy, margin);
}

/** The borderline dimensions of a first opinion: these get a second one. */
export function borderline(
	dims: Dimension[],
	thresholds: QcThresholds,
	margin: number,
): Dimension[] {
	return dims.filter((d) =>
		isBorderline(worstFrame(d), thresholdFor(d.check, thresholds), margin, d.lowerIsBetter),
	);
}

/**
 * Opinions on a frame, combined: two that agree are averaged; when a third was asked (the first
 * two disagreed), the median, so the majority decides and one wrong answer alone passes or fails
 * nothing.
 */
export function combine(first: number[], second: number[], third?: number[]): number[] {
	return first.map((score, i) => {
		const b = second[i] ?? score;
		if (!third) return Math.round(((score + b) / 2) * 1000) / 1000;
		return [score, b, third[i] ?? b].sort((x, y) => x - y)[1];
	});
}

const passes = (
	d: Pick<Dimension, 'scores' | 'lowerIsBetter' | 'check'>,
	thresholds: QcThresholds,
) => {
	const value = worstFrame(d);
	const threshold = thresholdFor(d.check, thresholds);
	return d.lowerIsBetter ? value <= threshold : value >= threshold;
};

/** The dimensions on which two opinions disagree (one passes, one fails): these get a third. */
export function disagreeing(
	first: Dimension[],
	second: Dimension[],
	thresholds: QcThresholds,
): Dimension[] {
	const byKey = new Map(first.map((d) => [d.key, d]));
	return second.filter(
		(d) => byKey.has(d.key) && passes(byKey.get(d.key)!, thresholds) !== passes(d, thresholds),
	);
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Verdicts from the judged dimensions, each recording the model, frames, scores and any second opinion. */
export function visionVerdicts(
	first: Dimension[],
	second: Dimension[] | undefined,
	third: Dimension[] | undefined,
	context: {
		model: string;
		frames: number[];
		thresholds: QcThresholds;
		layers: Record<'identity' | 'colour' | 'adherence' | 'artifacts', RenderLayer>;
	},
): Verdict[] {
	const secondByKey = new Map((second ?? []).map((d) => [d.key, d]));
	const thirdByKey = new Map((third ?? []).map((d) => [d.key, d]));
	return first.map((d) => {
		const again = secondByKey.get(d.key);
		const tiebreak = thirdByKey.get(d.key);
		const scores = again ? combine(d.scores, again.scores, tiebreak?.scores) : d.scores;
		const value = round3(worstFrame({ scores, lowerIsBetter: d.lowerIsBetter }));
		const threshold = thresholdFor(d.check, context.thresholds);
		let pass = d.lowerIsBetter ? value <= threshold : value >= threshold;
		let against = d.against;
		// A take on the pinned grade that breaks from the previous shot, when that shot is off the grade:
		// the previous shot drifted, and re-rendering this one would only copy its drift.
		const onGrade = first.find((c) => c.key === 'colour');
		if (
			!pass &&
			d.previousOnGrade &&
			onGrade &&
			worstFrame(onGrade) >= threshold &&
			worstFrame({ scores: d.previousOnGrade }) < threshold
		) {
			pass = true;
			against = `${d.against} (that shot is off the pinned grade; this one is on it)`;
		}
		const layer =
			d.check === 'vision.identity'
				? context.layers.identity
				: d.check === 'vision.adherence'
					? context.layers.adherence
					: d.check === 'vision.artifacts'
						? context.layers.artifacts
						: context.layers.colour;
		return {
			check: d.check,
			value,
			threshold,
			pass,
			layer,
			judge: {
				model: context.model,
				frames: context.frames,
				scores: d.scores,
				...(again ? { secondOpinion: again.scores } : {}),
				...(tiebreak ? { thirdOpinion: tiebreak.scores } : {}),
				against,
			},
		};
	});
}
