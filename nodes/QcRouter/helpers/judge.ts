import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { AssetRef, LedgerEntry, Pin, Shot, Take } from '../../shared/contract/schemas';
import { redactSecrets } from '../../shared/redact';
import { getModel, tokenCost } from '../../shared/registry/registry';
import { assetBytes } from '../../shared/render/assets';
import { pickReferences } from '../../shared/render/prompt';
import type { JudgeScores } from '../../shared/qc/checks';
import { googleEndpoint, googleRequest } from '../../GoogleVeo/transport';

const RESPONSE_SCHEMA = {
	type: 'object',
	properties: {
		identityScore: { type: 'number', minimum: 0, maximum: 1, description: 'How well every character matches its reference images' },
		colourScore: { type: 'number', minimum: 0, maximum: 1, description: 'How well the grade matches the pinned palette and look' },
		promptAdherence: { type: 'number', minimum: 0, maximum: 1 },
		artifactScore: { type: 'number', minimum: 0, maximum: 1, description: '0 = clean, 1 = severe artifacts' },
		continuityScore: { type: 'number', minimum: 0, maximum: 1, description: 'How well colour and light continue from the previous shot (1 when none is given)' },
		issues: { type: 'array', items: { type: 'string' } },
	},
	required: ['identityScore', 'colourScore', 'promptAdherence', 'artifactScore', 'continuityScore', 'issues'],
};

interface GenerateContentResponse {
	responseId?: string;
	candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }>;
	usageMetadata?: { promptTokenCount?: number; candidatesTokenCount?: number };
}

/**
 * Asks Gemini to score the clip against the pinned references and grade, with a JSON response
 * schema. Small binaries go inline; URLs and gs:// objects by reference.
 */
export async function visionJudge(
	ctx: IExecuteFunctions,
	itemIndex: number,
	shot: Shot,
	pin: Pin | undefined,
	take: Take,
	model: string,
	previous?: { asset: AssetRef; bytes?: Buffer },
): Promise<{ scores: JudgeScores; issues: string[]; ledger: LedgerEntry }> {
	const asset = take.asset!;
	const parts: IDataObject[] = [
		{
			text: `Quality-check this shot. Prompt: ${shot.prompt}. ${pin ? `Graded look: ${pin.grade.look}; palette ${pin.grade.palette.join(', ')}.` : ''} The images after the video are the locked character references; score identity against them.`,
		},
	];
	if (asset.kind === 'binary') {
		const bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, asset.ref);
		parts.push({ inlineData: { mimeType: asset.mimeType, data: bytes.toString('base64') } });
	} else {
		parts.push({ fileData: { mimeType: asset.mimeType, fileUri: asset.ref } });
	}
	if (previous) {
		parts.push({ text: 'The next video is the previous shot of the same spot; score colour continuity against it.' });
		parts.push(previous.bytes ? { inlineData: { mimeType: previous.asset.mimeType, data: previous.bytes.toString('base64') } } : { fileData: { mimeType: previous.asset.mimeType, fileUri: previous.asset.ref } });
		parts.push({ text: 'The images that follow are the character references.' });
	}
	for (const [index, reference] of pickReferences(pin, shot, 3).entries()) {
		const bytes = await assetBytes(ctx, itemIndex, reference.asset, `pin.characters.refs (reference ${index + 1})`);
		if (bytes) parts.push({ inlineData: { mimeType: reference.asset.mimeType, data: bytes.toString('base64') } });
	}
	const endpoint = await googleEndpoint(ctx);
	const { body } = await googleRequest<GenerateContentResponse>(ctx, {
		method: 'POST',
		url: `${endpoint.modelUrl(model)}:generateContent`,
		operation: 'Vision judge',
		itemIndex,
		body: { contents: [{ role: 'user', parts }], generationConfig: { responseMimeType: 'application/json', responseJsonSchema: RESPONSE_SCHEMA } },
	});
	const text = body.candidates?.[0]?.content?.parts?.map((p) => p.text ?? '').join('') ?? '{}';
	const answer = JSON.parse(text) as { identityScore?: number; colourScore?: number; promptAdherence?: number; artifactScore?: number; continuityScore?: number; issues?: string[] };
	const spec = getModel(model) ?? getModel('gemini-3.5-flash')!;
	const cost = tokenCost(spec, body.usageMetadata?.promptTokenCount ?? 0, body.usageMetadata?.candidatesTokenCount ?? 0);
	return {
		scores: { identity: answer.identityScore, colour: answer.colourScore, adherence: answer.promptAdherence, artifacts: answer.artifactScore, ...(previous ? { continuity: answer.continuityScore } : {}) },
		// What the judge writes becomes verdicts and the QC report: no credential value may ride along.
		issues: (answer.issues ?? []).map((issue) => redactSecrets(String(issue))),
		ledger: { layer: 'qc', vendor: 'google', model, unit: 'token', units: cost.units, unitPriceUsd: cost.unitPriceUsd, usd: Math.round(cost.units * cost.unitPriceUsd * 1e6) / 1e6, jobId: body.responseId ?? `judge-${take.jobId}`, estimated: false },
	};
}
