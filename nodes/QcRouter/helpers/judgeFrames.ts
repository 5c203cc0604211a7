import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type {
	AssetRef,
	LedgerEntry,
	Pin,
	Shot,
	Take,
	Verdict,
} from '../../shared/contract/schemas';
import { getModel, tokenCost } from '../../shared/registry/registry';
import { assetBytes } from '../../shared/render/assets';
import type { QcThresholds } from '../../shared/qc/checks';
import type { Anchor } from '../../shared/qc/anchors';
import {
	borderline,
	dimensions,
	disagreeing,
	visionVerdicts,
	type FrameScores,
	type JudgeAsk,
} from '../../shared/qc/judgeScores';
import { googleEndpoint, googleRequest } from '../../shared/vendors/google/transport';
import { VendorHttpError } from '../../shared/errors';
import { systemClock } from '../../shared/runtime/clock';
import { settle } from '../../shared/runtime/concurrency';

/** Judge calls a quota refusal (429) may cost before the take is left unchecked. */
const JUDGE_ATTEMPTS = 3;

/**
 * A judge call the vendor refused with 429 was not answered, so not billed: it is asked again after
 * the vendor's hint (or a few seconds), a couple of times. Left unchecked, a take is never Passed
 * and QC pays for a re-render instead, so a busy quota must not be read as a failed judgement.
 */
async function refusedAgain<T>(ctx: IExecuteFunctions, call: () => Promise<T>): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		const answered = await settle(call);
		if (answered.ok) return answered.value;
		const { error } = answered;
		const refused = error instanceof VendorHttpError && error.statusCode === 429;
		if (!refused || attempt >= JUDGE_ATTEMPTS) throw error;
		const waitMs = Math.min(30_000, error.retryAfterMs ?? 2000 * attempt);
		await systemClock.sleep(waitMs, ctx.getExecutionCancelSignal());
	}
}

/** The cheap judge every template and the node default to (Gemini Flash-Lite pricing). */
export const DEFAULT_JUDGE_MODEL = 'gemini-3.1-flash-lite';

const SCORE = { type: 'number', minimum: 0, maximum: 1 };
const RESPONSE_SCHEMA = {
	type: 'object',
	properties: {
		frames: {
			type: 'array',
			description: 'One entry per requested time, in order',
			items: {
				type: 'object',
				properties: {
					atSeconds: { type: 'number' },
					colourScore: {
						...SCORE,
						description: 'How well the grade matches the pinned palette and look',
					},
					continuityScore: {
						...SCORE,
						description:
							'How well colour and light continue from the previous accepted shot (1 when none is given)',
					},
					previousColourScore: {
						...SCORE,
						description:
							'How well the previous accepted shot itself matches the pinned palette and look (1 when none is given)',
					},
					promptAdherence: SCORE,
					artifactScore: { ...SCORE, description: '0 = clean, 1 = severe artifacts' },
					characters: {
						type: 'array',
						items: {
							type: 'object',
							properties: {
								tag: { type: 'string' },
								referenceScore: {
									...SCORE,
									description: 'Same person as the reference images (1 when none are given)',
								},
								anchorScore: {
									...SCORE,
									description:
										'Same person as in the anchor clip at the same time (1 when none is given)',
								},
							},
							required: ['tag', 'referenceScore', 'anchorScore'],
						},
					},
				},
				required: [
					'atSeconds',
					'colourScore',
					'continuityScore',
					'previousColourScore',
					'promptAdherence',
					'artifactScore',
					'characters',
				],
			},
		},
		issues: { type: 'array', items: { type: 'string' } },
	},
	required: ['frames', 'issues'],
};

/** A clip the judge compares with: where it is, and its bytes when it is an n8n binary. */
export interface JudgeMedia {
	asset: AssetRef;
	bytes?: Buffer;
	label: string;
}

export interface JudgeRequest {
	itemIndex: number;
	shot: Shot;
	pin: Pin | undefined;
	take: Take;
	model: string;
	/** Seconds into the clip of each frame to score. */
	frames: number[];
	/** The anchors of this shot's characters, with their clips (undefined = not reachable). */
	anchors: Array<{ anchor: Anchor; media?: JudgeMedia; unreachable?: string }>;
	previous?: JudgeMedia & { frames: number[] };
	thresholds: QcThresholds;
	/** Scores this close to a threshold get a second opinion. */
	borderlineMargin: number;
	layers: Record<'identity' | 'colour' | 'adherence' | 'artifacts', Verdict['layer']>;
}

const seconds = (frames: number[]) => frames.map((t) => `${t.toFixed(1)} s`).join(', ');

function mediaPart(asset: AssetRef, bytes?: Buffer): IDataObject {
	return bytes
		? { inlineData: { mimeType: asset.mimeType, data: bytes.toString('base64') } }
		: { fileData: { mimeType: asset.mimeType, fileUri: asset.ref } };
}

async function requestParts(
	ctx: IExecuteFunctions,
	request: JudgeRequest,
	candidate: Buffer | undefined,
): Promise<{ parts: IDataObject[]; ask: JudgeAsk }> {
	const { shot, pin, take } = request;
	const palette = pin?.grade.palette[0];
	const parts: IDataObject[] = [
		{
			text: [
				`Quality-check this shot against its pinned state. Prompt: ${shot.prompt}.`,
				shot.characters.length
					? `Characters in the clip, left to right: ${shot.characters.join(', ')}.`
					: 'No pinned characters are in the clip.',
				pin
					? `Graded look: ${pin.grade.look}${pin.grade.palette.length ? `; palette ${pin.grade.palette.join(', ')}` : ''}.`
					: '',
				`Score the clip at ${seconds(request.frames)} (one entry per time in frames).`,
			]
				.filter(Boolean)
				.join(' '),
		},
		mediaPart(take.asset!, candidate),
	];
	const references: string[] = [];
	for (const tag of shot.characters) {
		const character = pin?.characters.find((c) => c.tag === tag);
		const refs = (character?.refs ?? []).slice(0, 3);
		const images: IDataObject[] = [];
		for (const [index, ref] of refs.entries()) {
			const bytes = await assetBytes(
				ctx,
				request.itemIndex,
				ref,
				`pin.characters.${tag}.refs[${index}]`,
			);
			images.push(
				bytes
					? { inlineData: { mimeType: ref.mimeType, data: bytes.toString('base64') } }
					: { fileData: { mimeType: ref.mimeType, fileUri: ref.ref } },
			);
		}
		if (!images.length) continue;
		parts.push(
			{
				text: `References of @${tag} (images follow): score referenceScore for @${tag} against them.`,
			},
			...images,
		);
		references.push(tag);
	}
	const anchors: JudgeAsk['anchors'] = [];
	for (const { anchor, media } of request.anchors) {
		if (!media) continue;
		parts.push(
			{
				text: `Anchor of @${anchor.tag}: ${media.label}. Its characters, left to right: ${anchor.characters.join(', ')}. Compare with its frames at ${seconds(anchor.frames)}; score anchorScore for @${anchor.tag}.`,
			},
			mediaPart(media.asset, media.bytes),
		);
		anchors.push({ tag: anchor.tag, label: media.label });
	}
	if (request.previous) {
		parts.push(
			{
				text: `Previous accepted shot (${request.previous.label}): score continuityScore against its frames at ${seconds(request.previous.frames)}, and previousColourScore: how well that shot itself matches the pinned grade.`,
			},
			mediaPart(request.previous.asset, request.previous.bytes),
		);
	}
	return { parts, ask: { references, anchors, palette, previous: request.previous?.label } };
}

async function askJudge(
	ctx: IExecuteFunctions,
	request: JudgeRequest,
	parts: IDataObject[],
	opinion: 'first' | 'second' | 'third',
): Promise<{ frames: FrameScores[]; ledger: LedgerEntry }> {
	const endpoint = await googleEndpoint(ctx);
	// A further opinion is a fresh, independent look, said so in the prompt (and so never the same paid request twice).
	const asked =
		opinion === 'first'
			? parts
			: [
					{
						text: `Second opinion${opinion === 'third' ? ' (tie-break)' : ''}: judge independently of any earlier answer.`,
					},
					...parts,
				];
	const { body } = await refusedAgain(
		ctx,
		async () =>
			await googleRequest<{
				responseId?: string;
				candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }>;
				usageMetadata?: { promptTokenCount?: number; candidatesTokenCount?: number };
			}>(ctx, {
				method: 'POST',
				url: `${endpoint.modelUrl(request.model)}:generateContent`,
				operation: opinion === 'first' ? 'Vision judge' : `Vision judge (${opinion} opinion)`,
				itemIndex: request.itemIndex,
				body: {
					contents: [{ role: 'user', parts: asked }],
					generationConfig: {
						responseMimeType: 'application/json',
						responseJsonSchema: RESPONSE_SCHEMA,
					},
				},
			}),
	);
	const text = body.candidates?.[0]?.content?.parts?.map((p) => p.text ?? '').join('') ?? '';
	let answer: { frames?: FrameScores[] };
	try {
		answer = JSON.parse(text) as { frames?: FrameScores[] };
	} catch {
		answer = {};
	}
	const spec = getModel(request.model) ?? getModel(DEFAULT_JUDGE_MODEL)!;
	const cost = tokenCost(
		spec,
		body.usageMetadata?.promptTokenCount ?? 0,
		body.usageMetadata?.candidatesTokenCount ?? 0,
	);
	return {
		frames: Array.isArray(answer.frames) ? answer.frames : [],
		ledger: {
			layer: 'qc',
			vendor: 'google',
			model: request.model,
			unit: 'token',
			units: cost.units,
			unitPriceUsd: cost.unitPriceUsd,
			usd: Math.round(cost.units * cost.unitPriceUsd * 1e6) / 1e6,
			jobId: body.responseId ?? `judge-${opinion}-${request.take.jobId}`,
			estimated: false,
		},
	};
}

/**
 * Judges a take frame by frame against its characters' references and anchors, the pinned grade
 * and the previous accepted shot. A borderline first opinion gets a second before QC spends
 * money on a re-render (or passes a take on one lucky answer), and a third when the two disagree. A judge that answered for fewer
 * frames than asked scores the missing ones 0: a take that was not fully checked does not pass.
 */
export async function judgeTake(
	ctx: IExecuteFunctions,
	request: JudgeRequest,
): Promise<{ verdicts: Verdict[]; ledger: LedgerEntry[] }> {
	const asset = request.take.asset!;
	const candidate =
		asset.kind === 'binary'
			? await ctx.helpers.getBinaryDataBuffer(request.itemIndex, asset.ref)
			: undefined;
	const { parts, ask } = await requestParts(ctx, request, candidate);
	const pad = (frames: FrameScores[]) =>
		request.frames.map(
			(atSeconds, i) =>
				frames[i] ?? {
					atSeconds,
					colourScore: 0,
					continuityScore: 0,
					promptAdherence: 0,
					artifactScore: 1,
					characters: [],
				},
		);
	const first = await askJudge(ctx, request, parts, 'first');
	const firstDims = dimensions(pad(first.frames), ask);
	const ledger = [first.ledger];
	let secondDims;
	let thirdDims;
	const unsure = borderline(firstDims, request.thresholds, request.borderlineMargin);
	if (unsure.length) {
		const second = await askJudge(ctx, request, parts, 'second');
		ledger.push(second.ledger);
		const keys = new Set(unsure.map((d) => d.key));
		secondDims = dimensions(pad(second.frames), ask).filter((d) => keys.has(d.key));
		const split = disagreeing(firstDims, secondDims, request.thresholds);
		if (split.length) {
			const third = await askJudge(ctx, request, parts, 'third');
			ledger.push(third.ledger);
			const tie = new Set(split.map((d) => d.key));
			thirdDims = dimensions(pad(third.frames), ask).filter((d) => tie.has(d.key));
		}
	}
	const verdicts = visionVerdicts(firstDims, secondDims, thirdDims, {
		model: request.model,
		frames: request.frames,
		thresholds: request.thresholds,
		layers: request.layers,
	});
	// An anchor whose clip is out of reach leaves that character unchecked against it: said, and not
	// passed. Its own check (`vision.anchor`) sends the shot to review: re-rendering cannot bring the clip back.
	for (const { anchor, unreachable } of request.anchors) {
		if (unreachable && !ask.references.includes(anchor.tag))
			verdicts.push({
				check: 'vision.anchor',
				value: `not checked: ${unreachable}`,
				threshold: `anchor of @${anchor.tag}`,
				pass: false,
				layer: request.layers.identity,
			});
	}
	return { verdicts, ledger };
}
