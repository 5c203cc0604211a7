import {
	updateDisplayOptions,
	type IBinaryKeyData,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import {
	characterReferencesSchema,
	pinSchema,
	type AssetRef,
	type Pin,
	type PinCharacter,
} from '../../../shared/contract/schemas';
import { parseWith } from '../../../shared/contract/validate';
import { ContractError } from '../../../shared/errors';
import { parseCube } from '../../../shared/pin/cubeLut';
import { pinFingerprint, sha256Hex } from '../../../shared/pin/fingerprint';
import { assetBytes } from '../../../shared/render/assets';
import { settle } from '../../../shared/runtime/concurrency';
import { uploadToRunway } from '../../../shared/vendors/runway/media';
import { pinnedReferences } from '../../helpers/apply';

const properties: INodeProperties[] = [
	{
		displayName: 'One Pin Per',
		name: 'pinPer',
		type: 'options',
		default: 'input',
		options: [
			{
				name: 'Input',
				value: 'input',
				description: 'Every item shares one pin, built from the first item',
			},
			{
				name: 'Group Key',
				value: 'groupKey',
				description:
					'Items with the same key (such as a brand) share a pin, built from the first item of that group',
			},
		],
	},
	{
		displayName: 'Group Key',
		name: 'groupKey',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.brand }}',
		description:
			'Items with the same value share one pin; expressions in the fields below are read from the first item of each group',
		displayOptions: { show: { pinPer: ['groupKey'] } },
	},
	{
		displayName: 'Characters',
		name: 'characters',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Character',
		default: {},
		options: [
			{
				displayName: 'Character',
				name: 'character',
				values: [
					{
						displayName: 'Tag',
						name: 'tag',
						type: 'string',
						default: '',
						placeholder: 'mara',
						description:
							'3-16 letters, digits or _, starting with a letter (used as @tag on Runway)',
					},
					{
						displayName: 'Description',
						name: 'description',
						type: 'string',
						typeOptions: { rows: 2 },
						default: '',
						description: 'Locked look; empty takes it from the storyboard manifest',
					},
					{
						displayName: 'Reference URLs',
						name: 'referenceUrls',
						type: 'string',
						default: '',
						description: 'Image URLs, one per line or comma-separated',
					},
					{
						displayName: 'Reference Binary Fields',
						name: 'referenceBinaries',
						type: 'string',
						default: '',
						description:
							'Binary fields of the first item holding reference images, comma-separated',
					},
				],
			},
		],
	},
	{
		displayName: 'Use Manifest Characters',
		name: 'useManifestCharacters',
		type: 'boolean',
		default: true,
		description:
			'Whether characters the storyboard listed but that are not set above join the pin (description only)',
	},
	{
		displayName: 'Character References',
		name: 'characterReferences',
		type: 'json',
		default: '[]',
		placeholder: '={{ $json.characters }}',
		description:
			'Reference images per character from a brief, such as [{ "tag": "mara", "referenceUrls": ["https://…/mara.png"] }]; each is pinned onto the character with the same tag (set above or from the storyboard)',
	},
	{
		displayName: 'Colour Grade',
		name: 'grade',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'LUT Binary Field',
				name: 'lutBinary',
				type: 'string',
				default: '',
				description: 'A .cube LUT in a binary field of the first item',
			},
			{
				displayName: 'LUT URL',
				name: 'lutUrl',
				type: 'string',
				default: '',
				description: 'URL of a .cube LUT',
			},
			{
				displayName: 'Look',
				name: 'look',
				type: 'string',
				default: 'natural, soft contrast',
				description: 'Words for the look every shot is told to match',
			},
			{
				displayName: 'Palette',
				name: 'palette',
				type: 'string',
				default: '',
				placeholder: '#F4E3C1, #2E5E4E',
				description: 'Key colours as #RRGGBB, comma-separated',
			},
		],
	},
	{
		displayName: 'Audio Bed',
		name: 'audioBed',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Dialogue Language',
				name: 'dialogueLanguage',
				type: 'string',
				default: 'en',
				description: 'BCP 47 tag, such as en or en-US',
			},
			{ displayName: 'Key', name: 'key', type: 'string', default: '' },
			{ displayName: 'Loudness Target (LUFS)', name: 'loudnessLufs', type: 'number', default: -14 },
			{ displayName: 'Mood', name: 'mood', type: 'string', default: 'warm, optimistic' },
			{
				displayName: 'Music URL',
				name: 'musicUrl',
				type: 'string',
				default: '',
				description: 'Licensed music bed; empty for none',
			},
			{
				displayName: 'Tempo (BPM)',
				name: 'tempoBpm',
				type: 'number',
				default: 0,
				description: '0 = not set',
			},
		],
	},
	{
		displayName: 'Style',
		name: 'style',
		type: 'string',
		default: 'photoreal, 35mm, natural light',
	},
	{
		displayName: 'Negative Prompt',
		name: 'negativePrompt',
		type: 'string',
		default: 'text, watermark, logo distortion, extra fingers',
	},
	{
		displayName: 'Seed Policy',
		name: 'seedPolicy',
		type: 'options',
		default: 'per_shot',
		options: [
			{ name: 'Fixed (Same Seed for Every Shot)', value: 'fixed' },
			{ name: 'Per Shot (Base + Shot Index)', value: 'per_shot' },
			{ name: 'Random (Derived From Pin and Shot)', value: 'random' },
		],
	},
	{
		displayName: 'Seed Base',
		name: 'seedBase',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 4294967295 },
		default: 1000,
	},
	{
		displayName: 'Upload References To',
		name: 'uploadReferencesTo',
		type: 'options',
		default: 'none',
		options: [
			{ name: 'None', value: 'none', description: 'Each render sends the references itself' },
			{
				name: 'Runway (Once per Run)',
				value: 'runway',
				description:
					'Upload each reference once; Runway renders then use its runway:// URI (valid 24 h)',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['pin'], operation: ['create'] } },
	properties,
);

interface CharacterInput {
	tag?: string;
	description?: string;
	referenceUrls?: string;
	referenceBinaries?: string;
}

const list = (value: string | undefined) =>
	(value ?? '')
		.split(/[\n,]/)
		.map((entry) => entry.trim())
		.filter(Boolean);

function imageMime(bytes: Buffer): string | undefined {
	if (bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return 'image/png';
	if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
	if (
		bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
		bytes.subarray(8, 12).toString('latin1') === 'WEBP'
	)
		return 'image/webp';
	return undefined;
}

/** A reference with the hash of its bytes (what the fingerprint covers); refuses anything that is not an image. */
async function hashedReference(
	ctx: IExecuteFunctions,
	itemIndex: number,
	asset: AssetRef,
	path: string,
): Promise<AssetRef> {
	const fetched = await settle(async () => await assetBytes(ctx, itemIndex, asset, path));
	if (!fetched.ok) {
		// The shared reader already names the field, the item and the host.
		if (fetched.error instanceof ContractError) throw fetched.error;
		throw new ContractError(itemIndex, [
			{ path, message: `could not be read: ${(fetched.error as Error).message}` },
		]);
	}
	const bytes = fetched.value!;
	const mimeType = imageMime(bytes);
	if (!mimeType)
		throw new ContractError(itemIndex, [{ path, message: 'is not a PNG, JPEG or WebP image' }]);
	return { ...asset, mimeType, bytes: bytes.length, sha256: sha256Hex(bytes) };
}

/** Uploads each distinct reference once, so no render re-sends its bytes. */
async function uploadReferences(
	ctx: IExecuteFunctions,
	itemIndex: number,
	characters: PinCharacter[],
): Promise<Record<string, string>> {
	const uploaded: Record<string, string> = {};
	for (const [index, character] of characters.entries()) {
		for (const [n, asset] of character.refs.entries()) {
			if (uploaded[asset.ref] || asset.kind === 'runway') continue;
			const bytes = (await assetBytes(ctx, itemIndex, asset, `characters[${index}].refs[${n}]`))!;
			const extension = asset.mimeType.split('/')[1] ?? 'png';
			uploaded[asset.ref] = await uploadToRunway(
				ctx,
				itemIndex,
				bytes,
				`${character.tag}-${n + 1}.${extension}`,
				asset.mimeType,
			);
		}
	}
	return uploaded;
}

/** The items that share a pin: all of them, or one group per distinct Group Key, in first-seen order. */
function pinGroups(ctx: IExecuteFunctions, items: INodeExecutionData[]): number[][] {
	if (!items.length) return [];
	if (ctx.getNodeParameter('pinPer', 0, 'input') !== 'groupKey')
		return [items.map((_, index) => index)];
	const groups = new Map<string, number[]>();
	for (const index of items.keys()) {
		const key = String(ctx.getNodeParameter('groupKey', index, '') ?? '').trim();
		if (!key)
			throw new ContractError(index, [
				{
					path: 'groupKey',
					message: 'is empty; every item needs the key its pin is shared by (such as the brand)',
				},
			]);
		groups.set(key, [...(groups.get(key) ?? []), index]);
	}
	return [...groups.values()];
}

/** The brief's references per tag: a JSON string or the array an expression gave, checked by the contract. */
async function briefReferences(ctx: IExecuteFunctions, at: number): Promise<Map<string, string[]>> {
	const raw = ctx.getNodeParameter('characterReferences', at, '[]');
	const parsed =
		typeof raw === 'string'
			? await settle(async () => JSON.parse(raw.trim() || '[]') as unknown)
			: { ok: true as const, value: raw as unknown };
	if (!parsed.ok)
		throw new ContractError(at, [
			{
				path: 'characterReferences',
				message: `is not valid JSON (${(parsed.error as Error).message}); give [{ "tag": "mara", "referenceUrls": ["https://…"] }] or an expression such as {{ $json.characters }}`,
			},
		]);
	const value = parsed.value ?? [];
	const references = parseWith(characterReferencesSchema, value, at, ['characterReferences']);
	return new Map(references.map((c) => [c.tag, c.referenceUrls]));
}

/** Builds one pin per group (its parameters read at the group's first item) and applies it to every shot item of the group. */
export async function executeBatch(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const output: INodeExecutionData[] = new Array(items.length);
	for (const group of pinGroups(this, items)) {
		for (const result of await pinGroup(this, items, group))
			output[result.pairedItem.item] = result;
	}
	return output;
}

async function pinGroup(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	group: number[],
): Promise<Array<INodeExecutionData & { pairedItem: { item: number } }>> {
	const at = group[0];
	const first = items[at];
	const manifestCharacters =
		(
			first?.json.manifest as
				| { characters?: Array<{ tag: string; description: string }> }
				| undefined
		)?.characters ?? [];
	const given =
		(ctx.getNodeParameter('characters', at, {}) as { character?: CharacterInput[] }).character ??
		[];
	const characters: PinCharacter[] = [];
	for (const [index, input] of given.entries()) {
		const path = `characters[${index}]`;
		const tag = String(input.tag ?? '').trim();
		const description =
			String(input.description ?? '').trim() ||
			manifestCharacters.find((c) => c.tag === tag)?.description ||
			'';
		const refs: AssetRef[] = [];
		for (const [n, url] of list(input.referenceUrls).entries())
			refs.push(
				await hashedReference(
					ctx,
					at,
					{ kind: 'url', ref: url, mimeType: 'image/png' },
					`${path}.referenceUrls[${n}]`,
				),
			);
		for (const [n, property] of list(input.referenceBinaries).entries())
			refs.push(
				await hashedReference(
					ctx,
					at,
					{
						kind: 'binary',
						ref: property,
						mimeType: first?.binary?.[property]?.mimeType ?? 'image/png',
					},
					`${path}.referenceBinaries[${n}]`,
				),
			);
		characters.push({ tag, description, refs });
	}
	if (ctx.getNodeParameter('useManifestCharacters', at, true)) {
		for (const character of manifestCharacters)
			if (!characters.some((c) => c.tag === character.tag))
				characters.push({ tag: character.tag, description: character.description, refs: [] });
	}
	const fromBrief = await briefReferences(ctx, at);
	for (const [tag, urls] of fromBrief) {
		const character = characters.find((c) => c.tag === tag);
		// A reference for nobody in the pin would be paid for by no render: say so rather than drop it.
		if (!character)
			throw new ContractError(at, [
				{
					path: `characterReferences[${[...fromBrief.keys()].indexOf(tag)}].tag`,
					message: `names ${tag}, who is neither set above nor in the storyboard (${characters.map((c) => c.tag).join(', ') || 'no characters'})`,
				},
			]);
		const index = [...fromBrief.keys()].indexOf(tag);
		for (const [n, url] of urls.entries())
			character.refs.push(
				await hashedReference(
					ctx,
					at,
					{ kind: 'url', ref: url, mimeType: 'image/png' },
					`characterReferences[${index}].referenceUrls[${n}]`,
				),
			);
	}

	const grade = (ctx.getNodeParameter('grade', at, {}) ?? {}) as {
		lutBinary?: string;
		lutUrl?: string;
		look?: string;
		palette?: string;
	};
	let lut: AssetRef | undefined;
	const lutSource: AssetRef | undefined = grade.lutBinary
		? { kind: 'binary', ref: grade.lutBinary, mimeType: 'text/plain' }
		: grade.lutUrl
			? { kind: 'url', ref: grade.lutUrl, mimeType: 'text/plain' }
			: undefined;
	if (lutSource) {
		const path = grade.lutBinary ? 'grade.lutBinary' : 'grade.lutUrl';
		const bytes = (await assetBytes(ctx, at, lutSource, path))!;
		const parsed = await settle(async () => parseCube(bytes.toString('utf8')));
		if (!parsed.ok)
			throw new ContractError(at, [
				{ path, message: `is not a valid .cube LUT: ${(parsed.error as Error).message}` },
			]);
		lut = { ...lutSource, bytes: bytes.length, sha256: sha256Hex(bytes) };
	}
	const audio = (ctx.getNodeParameter('audioBed', at, {}) ?? {}) as {
		dialogueLanguage?: string;
		key?: string;
		loudnessLufs?: number;
		mood?: string;
		musicUrl?: string;
		tempoBpm?: number;
	};
	const draft = {
		characters,
		grade: {
			...(lut ? { lut } : {}),
			palette: list(grade.palette).map((c) => c.toLowerCase()),
			look: grade.look || 'natural, soft contrast',
		},
		audioBed: {
			mood: audio.mood || 'warm, optimistic',
			...(audio.tempoBpm ? { tempoBpm: audio.tempoBpm } : {}),
			...(audio.key ? { key: audio.key } : {}),
			music: audio.musicUrl
				? { kind: 'url' as const, ref: audio.musicUrl, mimeType: 'audio/mpeg' }
				: null,
			dialogueLanguage: audio.dialogueLanguage || 'en',
			loudnessLufs: audio.loudnessLufs ?? -14,
		},
		style: ctx.getNodeParameter('style', at, '') as string,
		negativePrompt: ctx.getNodeParameter('negativePrompt', at, '') as string,
		seed: {
			policy: ctx.getNodeParameter('seedPolicy', at, 'per_shot') as Pin['seed']['policy'],
			base: Number(ctx.getNodeParameter('seedBase', at, 1000)),
		},
	};
	const uploads =
		ctx.getNodeParameter('uploadReferencesTo', at, 'none') === 'runway'
			? { runway: await uploadReferences(ctx, at, characters) }
			: undefined;
	const pin: Pin = parseWith(
		pinSchema,
		{ ...draft, fingerprint: pinFingerprint(draft), ...(uploads ? { uploads } : {}) },
		at,
		['pin'],
	);

	// Binary references travel with every shot, so each render node can read them from its own item.
	const referenceBinaries: IBinaryKeyData = {};
	for (const property of [...characters.flatMap((c) => c.refs), ...(lut ? [lut] : [])]
		.filter((r) => r.kind === 'binary')
		.map((r) => r.ref)) {
		if (first?.binary?.[property]) referenceBinaries[property] = first.binary[property];
	}
	return group.map((itemIndex) => ({
		json: {
			...items[itemIndex].json,
			pin,
			...(items[itemIndex].json.shot
				? { pinnedRefs: pinnedReferences(pin, items[itemIndex].json.shot as never) }
				: {}),
		},
		binary: { ...referenceBinaries, ...(items[itemIndex].binary ?? {}) },
		pairedItem: { item: itemIndex },
	}));
}
