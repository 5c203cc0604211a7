import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { ContractError } from '../../../shared/errors';
import {
	otherVendorsProperty,
	outputFieldProperty,
	takeToDownload,
} from '../../../shared/render/deliveryTake';
import { assertCredentialTarget } from '../../../shared/http/request';
import { settle } from '../../../shared/runtime/concurrency';
import {
	GOOGLE_CREDENTIAL,
	googleDownload,
	googleEndpoint,
} from '../../../shared/vendors/google/transport';
import { stringParameter } from '../../../shared/parameters';

const properties: INodeProperties[] = [
	{
		displayName: 'Video',
		name: 'source',
		type: 'options',
		default: 'take',
		options: [
			{ name: 'Latest Veo Take of the Item', value: 'take' },
			{ name: 'URI', value: 'uri' },
		],
	},
	{
		displayName: 'URI',
		name: 'uri',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'gs://bucket/renders/sample_0.mp4',
		description: 'A gs:// object (Vertex AI) or a Gemini API file download URL',
		displayOptions: { show: { source: ['uri'] } },
	},
	otherVendorsProperty,
	outputFieldProperty,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['download'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const input = this.getInputData()[itemIndex];
	const property = this.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string;
	let uri: string;
	let jobId: string | undefined;
	let field = 'uri';
	if (this.getNodeParameter('source', itemIndex, 'take') === 'uri') {
		uri = stringParameter(this, 'uri', itemIndex);
		if (!/^(gs|https?):\/\//.test(uri))
			throw new ContractError(itemIndex, [
				{ path: 'uri', message: 'must be a gs:// URI or an http(s) URL' },
			]);
	} else {
		const take = takeToDownload(this, itemIndex, 'google', 'Veo');
		if (!take) return [{ ...input, pairedItem: { item: itemIndex } }];
		uri = take.asset!.ref;
		jobId = take.jobId;
		field = 'takes.asset.ref';
	}
	const endpoint = await googleEndpoint(this);
	const url = uri.startsWith('gs://') ? endpoint.gcsMediaUrl(uri) : uri;
	// The Google key goes only to Google's hosts (or the configured ones): anything else is refused by field.
	const allowed = await settle(
		async () => await assertCredentialTarget(this, GOOGLE_CREDENTIAL, url, 'the URL'),
	);
	if (!allowed.ok)
		throw new ContractError(itemIndex, [
			{ path: field, message: (allowed.error as Error).message },
		]);
	const binary = await googleDownload(this, {
		url,
		itemIndex,
		jobId,
		fileName:
			uri
				.split('/')
				.pop()
				?.split('?')[0]
				?.replace(/:download$/, '') || 'veo.mp4',
		mimeType: 'video/mp4',
	});
	return [
		{
			json: { ...input.json, download: { uri, bytes: binary.bytes ?? null } },
			binary: { ...(input.binary ?? {}), [property]: binary },
			pairedItem: { item: itemIndex },
		},
	];
}
