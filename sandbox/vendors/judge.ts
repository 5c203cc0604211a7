import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { colourDistance, hexToRgb, sampleFrame } from '../media/frames';
import { swatchColours } from '../media/render';
import { sha256 } from '../random';
import { instanceFor } from '../schemaInstance';

export interface JudgeInput {
	/** Path of the clip to judge. */
	clip?: string;
	/** Path of the previous shot, for colour continuity. */
	previous?: string;
	/** Content hashes of the reference images sent with it. */
	referenceHashes: string[];
	text: string;
}

export interface JudgeScores {
	identity: number;
	colour: number;
	/** Background colour match with the previous shot (1 when there is none). */
	continuity: number;
	adherence: number;
	artifacts: number;
	issues: string[];
}

/** Identity swatches decode within this RGB distance of what the reference implies (H.264 error included). */
const MATCH_DISTANCE = 40;

/**
 * Scores a clip against its references by reading pixels back: each reference implies an
 * identity swatch colour, the grade's first palette colour (given as #RRGGBB in the prompt) the
 * background. A render that ignored the pin scores measurably lower.
 */
export async function judge(input: JudgeInput): Promise<JudgeScores> {
	if (!input.clip)
		return {
			identity: 0,
			colour: 0,
			continuity: 0,
			adherence: 0,
			artifacts: 1,
			issues: ['no video was provided'],
		};
	const frame = await sampleFrame(input.clip);
	const issues: string[] = [];
	let matched = 0;
	for (const ref of input.referenceHashes) {
		const expected = swatchColours(ref).map(hexToRgb);
		if (
			frame.slots.some((slot) =>
				slot.every(
					(colour, quadrant) => colourDistance(colour, expected[quadrant]) <= MATCH_DISTANCE,
				),
			)
		)
			matched++;
		else issues.push(`reference ${ref.slice(0, 8)} is not recognisable in the clip`);
	}
	const identity = input.referenceHashes.length ? matched / input.referenceHashes.length : 1;
	const palette = /#[0-9a-fA-F]{6}/.exec(input.text)?.[0];
	let colour = 1;
	if (palette) {
		const distance = colourDistance(frame.background, hexToRgb(palette));
		colour = Math.max(0, Math.round((1 - distance / 150) * 1000) / 1000);
		if (colour < 0.7) issues.push(`background drifted from the graded palette ${palette}`);
	}
	let continuity = 1;
	if (input.previous) {
		const previous = await sampleFrame(input.previous);
		continuity = Math.max(
			0,
			Math.round((1 - colourDistance(frame.background, previous.background) / 150) * 1000) / 1000,
		);
		if (continuity < 0.7) issues.push('colour does not continue from the previous shot');
	}
	return {
		identity,
		colour,
		continuity,
		adherence: Math.round(((identity + colour) / 2) * 1000) / 1000,
		artifacts: 0,
		issues,
	};
}

type Schema = Record<string, unknown>;

/** Fills the caller's response schema with the scores, by what each property is called. */
export function scoresToSchema(schema: Schema, scores: JudgeScores, text: string): unknown {
	const base = instanceFor(schema, text) as Record<string, unknown>;
	const properties = (schema.properties ?? {}) as Record<string, Schema>;
	for (const [name, prop] of Object.entries(properties)) {
		const type = String(prop.type ?? '').toLowerCase();
		const lower = name.toLowerCase();
		if (type === 'number' || type === 'integer') {
			const value = /identity|character|likeness|face/.test(lower)
				? scores.identity
				: /continuity|previous/.test(lower)
					? scores.continuity
					: /colou?r|palette|grade/.test(lower)
						? scores.colour
						: /artifact|glitch/.test(lower)
							? scores.artifacts
							: /prompt|adherence/.test(lower)
								? scores.adherence
								: /overall|score|quality/.test(lower)
									? Math.min(scores.identity, scores.colour)
									: undefined;
			if (value !== undefined) {
				const max = Number(prop.maximum ?? 1);
				base[name] =
					type === 'integer' ? Math.round(value * max) : Math.round(value * max * 1000) / 1000;
			}
		} else if (type === 'array' && /issue|problem|finding/.test(lower)) {
			base[name] = scores.issues;
		} else if (type === 'boolean' && /pass|ok|acceptable/.test(lower)) {
			base[name] = scores.identity >= 0.99 && scores.colour >= 0.7;
		}
	}
	return base;
}

/** Inline video bytes are written to a temp file for ffmpeg. */
export function clipFromBytes(bytes: Buffer): string {
	const file = path.join(tmpdir(), `vp-judge-${sha256(bytes).slice(0, 24)}.mp4`);
	writeFileSync(file, bytes);
	return file;
}
