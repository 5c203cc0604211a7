import { z } from 'zod/v4';
import { characterTagSchema, type Shot } from '../../shared/contract/schemas';

/**
 * What the model must answer: strict structured output (every property required, nullable
 * where optional, no extra keys), generated from this one schema.
 */
export const storyboardAnswerSchema = z
	.object({
		title: z.string().min(1).max(200),
		characters: z
			.array(
				z
					.object({
						tag: characterTagSchema.describe(
							'3-16 letters, digits or _, starting with a letter; used as @tag',
						),
						description: z
							.string()
							.min(1)
							.max(600)
							.describe('Locked visual description: face, hair, age, wardrobe, props'),
					})
					.strict(),
			)
			.max(8),
		shots: z
			.array(
				z
					.object({
						beat: z.string().min(1).max(120).describe('Story beat this shot carries'),
						prompt: z.string().min(1).max(1200).describe('What the camera sees, as a video prompt'),
						durationSeconds: z.number().min(1).max(20),
						layer: z
							.enum(['hero', 'broll'])
							.describe('hero: characters, dialogue, product; broll: cutaways and texture'),
						characters: z.array(z.string()).max(8).describe('Tags of the characters in frame'),
						dialogue: z.string().nullable(),
						camera: z.string().nullable(),
					})
					.strict(),
			)
			.min(1)
			.max(60),
	})
	.strict();
export type StoryboardAnswer = z.infer<typeof storyboardAnswerSchema>;

export const storyboardJsonSchema = z.toJSONSchema(storyboardAnswerSchema) as Record<
	string,
	unknown
>;

export type LayerPolicy = 'model' | 'dialogueHero' | 'allHero' | 'allBroll';

export interface TimingRules {
	targetSeconds: number;
	toleranceSeconds: number;
	/** Durations a hero shot may have (the hero model's), ascending. */
	heroDurations: number[];
	brollMin: number;
	brollMax: number;
}

/** Problems that make an answer unusable, phrased so the model can fix them on a retry. */
export function answerProblems(answer: StoryboardAnswer, shotList: string[]): string[] {
	const problems: string[] = [];
	const tags = new Set(answer.characters.map((c) => c.tag));
	if (tags.size !== answer.characters.length) problems.push('character tags must be unique');
	answer.shots.forEach((shot, index) => {
		for (const tag of shot.characters)
			if (!tags.has(tag))
				problems.push(`shots[${index}].characters names "${tag}", which is not in characters`);
	});
	if (shotList.length && answer.shots.length !== shotList.length)
		problems.push(
			`the shot list has ${shotList.length} shots; answer exactly one shot per line, in order (got ${answer.shots.length})`,
		);
	return problems;
}

function assignLayer(shot: StoryboardAnswer['shots'][number], policy: LayerPolicy): Shot['layer'] {
	if (policy === 'allHero') return 'hero';
	if (policy === 'allBroll') return 'broll';
	if (policy === 'dialogueHero') return shot.dialogue || shot.characters.length ? 'hero' : 'broll';
	return shot.layer;
}

const nearest = (value: number, allowed: number[]) =>
	allowed.reduce(
		(best, candidate) => (Math.abs(candidate - value) < Math.abs(best - value) ? candidate : best),
		allowed[0],
	);

/**
 * Fits shot durations to the target: models are poor at arithmetic, so the manifest scales the
 * answer's durations to the target, snaps each to what its layer's model can render, and nudges
 * shots one step at a time until the total is within the tolerance. Returns undefined when the
 * target cannot be reached with that many shots.
 */
export function fitDurations(
	layers: Array<Shot['layer']>,
	proposed: number[],
	rules: TimingRules,
): number[] | undefined {
	const total = proposed.reduce((sum, d) => sum + d, 0) || 1;
	const heroSteps = rules.heroDurations;
	const snap = (layer: Shot['layer'], value: number) =>
		layer === 'hero'
			? nearest(value, heroSteps)
			: Math.min(rules.brollMax, Math.max(rules.brollMin, Math.round(value)));
	const durations = proposed.map((d, i) => snap(layers[i], (d * rules.targetSeconds) / total));
	for (let guard = 0; guard < 400; guard++) {
		const diff = rules.targetSeconds - durations.reduce((sum, d) => sum + d, 0);
		if (Math.abs(diff) <= rules.toleranceSeconds) return durations;
		// Prefer b-roll (1 s steps) before hero shots (model steps), longest/shortest first.
		const order = durations
			.map((d, i) => ({ i, d }))
			.sort((a, b) =>
				layers[a.i] === layers[b.i]
					? diff > 0
						? a.d - b.d
						: b.d - a.d
					: layers[a.i] === 'broll'
						? -1
						: 1,
			);
		let moved = false;
		for (const { i } of order) {
			const current = durations[i];
			let next: number;
			if (layers[i] === 'broll')
				next = Math.min(rules.brollMax, Math.max(rules.brollMin, current + Math.sign(diff)));
			else {
				const index = heroSteps.indexOf(current) + Math.sign(diff);
				next = heroSteps[Math.max(0, Math.min(heroSteps.length - 1, index))];
			}
			if (next !== current && Math.abs(diff - (next - current)) < Math.abs(diff)) {
				durations[i] = next;
				moved = true;
				break;
			}
		}
		if (!moved) return undefined;
	}
	return undefined;
}

export { assignLayer };
