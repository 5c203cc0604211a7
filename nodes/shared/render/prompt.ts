import { createHash } from 'crypto';
import type { AssetRef, Pin, PinCharacter, RetryHint, Shot } from '../contract/schemas';

/**
 * The one prompt every vendor gets for a shot: the shot's action, then the pinned characters,
 * camera and dialogue, then the locked look, so drift is not invited by wording that differs
 * between vendors.
 */
export function composePrompt(
	shot: Shot,
	pin: Pin | undefined,
	options: { hint?: RetryHint; tagMentions?: boolean; maxLength?: number } = {},
): string {
	const parts: string[] = [shot.prompt.trim().replace(/[.\s]+$/, '') + '.'];
	const characters = charactersOf(shot, pin);
	if (characters.length) {
		const described = characters.map(
			(c) => `${options.tagMentions ? `@${c.tag}` : c.tag}: ${c.description}`,
		);
		parts.push(`Characters: ${described.join('; ')}.`);
	}
	if (shot.camera) parts.push(`Camera: ${shot.camera}.`);
	if (shot.dialogue) parts.push(`Dialogue: "${shot.dialogue}"`);
	if (pin) {
		if (pin.style) parts.push(`Style: ${pin.style}.`);
		const palette = pin.grade.palette.length ? `; palette ${pin.grade.palette.join(', ')}` : '';
		parts.push(`Look: ${pin.grade.look}${palette}.`);
		if (shot.needsAudio !== false && pin.audioBed.mood)
			parts.push(
				`Sound: ${pin.audioBed.mood}${pin.audioBed.tempoBpm ? `, ${pin.audioBed.tempoBpm} bpm` : ''}${pin.audioBed.key ? `, ${pin.audioBed.key}` : ''}.`,
			);
	}
	if (options.hint?.reinforceReferences && characters.length)
		parts.push(
			'Keep every character exactly as in the reference images: same face, hair and wardrobe.',
		);
	if (options.hint?.note) parts.push(options.hint.note);
	const prompt = parts.join(' ');
	return options.maxLength && prompt.length > options.maxLength
		? prompt.slice(0, options.maxLength)
		: prompt;
}

function charactersOf(shot: Shot, pin: Pin | undefined): PinCharacter[] {
	if (!pin) return [];
	return shot.characters
		.map((tag) => pin.characters.find((c) => c.tag === tag))
		.filter((c): c is PinCharacter => Boolean(c));
}

/** The seed a take renders with, from the pin's policy; a retry asking for a new seed gets one. */
export function seedFor(
	pin: Pin | undefined,
	shot: Shot,
	attempt: number,
	hint?: RetryHint,
): number | undefined {
	if (!pin) return undefined;
	let seed: number;
	if (pin.seed.policy === 'fixed') seed = pin.seed.base;
	else if (pin.seed.policy === 'per_shot') seed = pin.seed.base + shot.index;
	else
		seed = parseInt(
			createHash('sha256')
				.update(`${pin.fingerprint}|${shot.id}|${attempt}`)
				.digest('hex')
				.slice(0, 8),
			16,
		);
	if (hint?.newSeed) seed += attempt * 7919;
	return seed % 4294967296;
}

export interface PickedReference {
	tag: string;
	asset: AssetRef;
}

/**
 * At most `max` reference images for a shot: the first reference of each character in the shot
 * (in shot order), then further references while room is left.
 */
export function pickReferences(pin: Pin | undefined, shot: Shot, max: number): PickedReference[] {
	const characters = charactersOf(shot, pin);
	const picked: PickedReference[] = [];
	for (let round = 0; picked.length < max; round++) {
		let added = false;
		for (const character of characters) {
			const asset = character.refs[round];
			if (asset && picked.length < max) {
				picked.push({ tag: character.tag, asset });
				added = true;
			}
		}
		if (!added) break;
	}
	return picked;
}
