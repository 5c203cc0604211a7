import { readFileSync } from 'node:fs';
import { colourDistance, hexToRgb, sampleFrames, type Rgb } from '../media/frames';
import { swatchColours } from '../media/render';
import { seededRandom, sha256 } from '../random';

/**
 * The sandbox's answer to the QC Router's frame-by-frame judge request: it reads the pixels the
 * renders encode (identity swatches, graded background) at the times asked, per character against
 * its reference images and against its anchor clip, and colour against the pinned palette and the
 * previous shot. Then it is wrong as often as it is told to be (seeded), so QC is tested against a
 * judge that is no oracle.
 */

export interface JudgeNoiseSettings {
	/** Chance that a call about a drifted clip answers as if nothing drifted. */
	falseNegativeRate: number;
	/** Chance that a call about a clean clip flags one thing that did not drift. */
	falsePositiveRate: number;
	seed: number;
}

export interface JudgeCall {
	at: number;
	/** Whether the clip really matched everything it was judged against. */
	clean: boolean;
	noise: 'false_positive' | 'false_negative' | null;
	frames: number[];
	/** What the clip was judged against: each character's reference images and anchor clip, by content hash. */
	against: {
		references: Record<string, string[]>;
		anchors: Record<string, string>;
	};
}

export class JudgeNoise {
	private random: () => number;
	readonly calls: JudgeCall[] = [];

	constructor(public settings: JudgeNoiseSettings) {
		this.random = seededRandom(settings.seed);
	}

	configure(settings: Partial<JudgeNoiseSettings>): void {
		this.settings = { ...this.settings, ...settings };
		this.random = seededRandom(this.settings.seed);
		this.calls.length = 0;
	}

	draw(): number {
		return this.random();
	}
}

/** One section of the request: what the parts after a label text are. */
interface Sections {
	text: string;
	clip?: string;
	order: string[];
	times: number[];
	references: Map<string, string[]>;
	anchors: Map<string, { clip: string; order: string[]; times: number[] }>;
	previous?: { clip: string; times: number[] };
}

export interface MediaPart {
	kind: 'text' | 'video' | 'image';
	text?: string;
	/** Local file of a video part. */
	file?: string;
	/** Content hash of an image part. */
	hash?: string;
}

const list = (text: string) =>
	(/left to right: ([^.]+)\./i.exec(text)?.[1] ?? '')
		.split(',')
		.map((s) => s.trim().replace(/^@/, ''))
		.filter(Boolean);
const times = (text: string) => {
	const at = /at ((?:\d+(?:\.\d+)? s(?:, )?)+)/i.exec(text)?.[1] ?? '';
	return [...at.matchAll(/(\d+(?:\.\d+)?) s/g)].map((m) => Number(m[1]));
};

export function readSections(parts: MediaPart[]): Sections {
	const sections: Sections = {
		text: '',
		order: [],
		times: [],
		references: new Map(),
		anchors: new Map(),
	};
	let label:
		| { kind: 'clip' }
		| { kind: 'references' | 'anchor'; tag: string; text: string }
		| { kind: 'previous'; text: string } = { kind: 'clip' };
	for (const part of parts) {
		if (part.kind === 'text') {
			const text = part.text ?? '';
			const references = /^References of @([A-Za-z0-9_]+)/.exec(text);
			const anchor = /^Anchor of @([A-Za-z0-9_]+)/.exec(text);
			if (references) label = { kind: 'references', tag: references[1], text };
			else if (anchor) label = { kind: 'anchor', tag: anchor[1], text };
			else if (/^Previous accepted shot/.test(text)) label = { kind: 'previous', text };
			else if (!sections.text && !/^Second opinion/.test(text)) {
				sections.text = text;
				sections.order = list(text);
				sections.times = times(text);
			}
			continue;
		}
		if (part.kind === 'image' && label.kind === 'references') {
			sections.references.set(label.tag, [
				...(sections.references.get(label.tag) ?? []),
				part.hash!,
			]);
		} else if (part.kind === 'video') {
			if (label.kind === 'anchor')
				sections.anchors.set(label.tag, {
					clip: part.file!,
					order: list(label.text),
					times: times(label.text),
				});
			else if (label.kind === 'previous')
				sections.previous = { clip: part.file!, times: times(label.text) };
			else sections.clip ??= part.file;
		}
	}
	return sections;
}

/** Identity swatches decode within this RGB distance of what they encode (H.264 error included). */
const MATCH_DISTANCE = 40;
const sameSwatch = (a: Rgb[] | undefined, b: Rgb[] | undefined) =>
	Boolean(
		a && b && a.every((colour, quadrant) => colourDistance(colour, b[quadrant]) <= MATCH_DISTANCE),
	);
const closeness = (a: Rgb, b: Rgb) =>
	Math.max(0, Math.round((1 - colourDistance(a, b) / 150) * 1000) / 1000);

interface FrameScores {
	atSeconds: number;
	colourScore: number;
	continuityScore: number;
	previousColourScore: number;
	promptAdherence: number;
	artifactScore: number;
	characters: Array<{ tag: string; referenceScore: number; anchorScore: number }>;
}

/** A dimension of the answer the noise can flip: one character's identity against one source, or colour. */
type Dimension =
	| { kind: 'reference' | 'anchor'; tag: string }
	| { kind: 'colourScore' | 'continuityScore' };

export async function judgeFrames(
	sections: Sections,
	noise: JudgeNoise,
): Promise<{ frames: FrameScores[]; issues: string[] }> {
	const issues: string[] = [];
	if (!sections.clip) return { frames: [], issues: ['no video was provided'] };
	const at = sections.times.length ? sections.times : [undefined];
	const palette = /#[0-9a-fA-F]{6}/.exec(sections.text)?.[0];
	// Every frame the answer reads, one decode per clip: the clip's, its anchors', the shot before's
	// (an anchor or the shot before is read at its own times, else at the clip's).
	const timesOf = (times: number[]) => at.map((time, index) => times[index] ?? time);
	const [clipFrames, anchorFrames, previousFrames] = await Promise.all([
		sampleFrames(sections.clip, at),
		Promise.all(
			sections.order.map(async (tag) => {
				const anchor = sections.anchors.get(tag);
				return anchor ? await sampleFrames(anchor.clip, timesOf(anchor.times)) : undefined;
			}),
		),
		sections.previous
			? sampleFrames(sections.previous.clip, timesOf(sections.previous.times))
			: undefined,
	]);
	const frames: FrameScores[] = [];
	for (const [index, time] of at.entries()) {
		const frame = clipFrames[index];
		const characters = [];
		for (const [slot, tag] of sections.order.entries()) {
			const refs = sections.references.get(tag) ?? [];
			const referenceScore = refs.length
				? refs.some((ref) =>
						frame.slots.some((s) => sameSwatch(s, swatchColours(ref).map(hexToRgb))),
					)
					? 1
					: 0
				: 1;
			const anchor = sections.anchors.get(tag);
			const anchorFrame = anchorFrames[slot]?.[index];
			const anchorScore =
				anchor && anchorFrame
					? sameSwatch(frame.slots[slot], anchorFrame.slots[anchor.order.indexOf(tag)])
						? 1
						: 0
					: 1;
			characters.push({ tag, referenceScore, anchorScore });
		}
		const colourScore = palette ? closeness(frame.background, hexToRgb(palette)) : 1;
		const previous = previousFrames?.[index];
		const continuityScore = previous ? closeness(frame.background, previous.background) : 1;
		const previousColourScore =
			previous && palette ? closeness(previous.background, hexToRgb(palette)) : 1;
		frames.push({
			atSeconds: time ?? frame.durationSeconds / 2,
			colourScore,
			continuityScore,
			previousColourScore,
			promptAdherence: 1,
			artifactScore: 0,
			characters,
		});
	}
	const failing = dimensions(sections).filter((d) => frames.some((f) => score(f, d) < 0.7));
	const clean = failing.length === 0;
	let flipped: 'false_positive' | 'false_negative' | null = null;
	if (clean && dimensions(sections).length && noise.draw() < noise.settings.falsePositiveRate) {
		// A clean clip flagged: one dimension gets an unsure failing score, as a real model's mistakes are.
		const all = dimensions(sections);
		const wrong = all[Math.floor(noise.draw() * all.length)];
		const value = 0.5 + noise.draw() * 0.28;
		for (const frame of frames) setScore(frame, wrong, value);
		flipped = 'false_positive';
	} else if (!clean && noise.draw() < noise.settings.falseNegativeRate) {
		const value = 0.82 + noise.draw() * 0.18;
		for (const frame of frames) for (const d of failing) setScore(frame, d, value);
		flipped = 'false_negative';
	}
	noise.calls.push({
		at: Date.now(),
		clean,
		noise: flipped,
		frames: frames.map((f) => f.atSeconds),
		against: {
			references: Object.fromEntries(sections.references),
			anchors: Object.fromEntries(
				[...sections.anchors].map(([tag, anchor]) => [tag, sha256(readFileSync(anchor.clip))]),
			),
		},
	});
	for (const d of dimensions(sections)) {
		if (frames.some((f) => score(f, d) < 0.7))
			issues.push(
				d.kind === 'reference' || d.kind === 'anchor'
					? `@${d.tag} does not match its ${d.kind === 'reference' ? 'reference images' : 'anchor'}`
					: d.kind === 'colourScore'
						? `the grade drifted from ${palette}`
						: 'colour does not continue from the previous shot',
			);
	}
	return { frames, issues };
}

function dimensions(sections: Sections): Dimension[] {
	return [
		...sections.order.flatMap((tag): Dimension[] => [
			...(sections.references.get(tag)?.length ? [{ kind: 'reference' as const, tag }] : []),
			...(sections.anchors.has(tag) ? [{ kind: 'anchor' as const, tag }] : []),
		]),
		...(/#[0-9a-fA-F]{6}/.test(sections.text) ? [{ kind: 'colourScore' as const }] : []),
		...(sections.previous ? [{ kind: 'continuityScore' as const }] : []),
	];
}

function score(frame: FrameScores, d: Dimension): number {
	if (d.kind === 'reference' || d.kind === 'anchor') {
		const character = frame.characters.find((c) => c.tag === d.tag);
		return character
			? d.kind === 'reference'
				? character.referenceScore
				: character.anchorScore
			: 1;
	}
	return frame[d.kind];
}

function setScore(frame: FrameScores, d: Dimension, value: number): void {
	const rounded = Math.round(value * 1000) / 1000;
	if (d.kind === 'reference' || d.kind === 'anchor') {
		const character = frame.characters.find((c) => c.tag === d.tag);
		if (character) character[d.kind === 'reference' ? 'referenceScore' : 'anchorScore'] = rounded;
	} else frame[d.kind] = rounded;
}

/** Whether a response schema asks for frame-by-frame scores (the QC Router's judge request). */
export function asksForFrames(schema: Record<string, unknown> | undefined): boolean {
	const frames = (
		schema?.properties as
			| Record<string, { type?: string; items?: { properties?: Record<string, unknown> } }>
			| undefined
	)?.frames;
	return (
		String(frames?.type ?? '').toLowerCase() === 'array' &&
		Boolean(frames?.items?.properties?.characters)
	);
}
