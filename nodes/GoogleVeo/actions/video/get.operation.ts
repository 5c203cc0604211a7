import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { readShotItemParts } from '../../../shared/contract/validate';
import { ContractError } from '../../../shared/errors';
import { withTakeStatus } from '../../../shared/takes';
import { samplesOf, veoJobStatus, type VeoOperation } from '../../helpers/operation';
import { googleEndpoint, googleRequest } from '../../../shared/vendors/google/transport';
import { stringParameter } from '../../../shared/parameters';

const properties: INodeProperties[] = [
	{
		displayName: 'Operation Name',
		name: 'operationName',
		type: 'string',
		required: true,
		default: '={{ $json.jobId }}',
		placeholder:
			'projects/p/locations/us-central1/publishers/google/models/veo-3.1-generate-001/operations/123',
		description: 'The job ID a submit returned',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['get'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const name = stringParameter(this, 'operationName', itemIndex);
	if (!/\/operations\/[^/]+$/.test(name))
		throw new ContractError(itemIndex, [
			{ path: 'operationName', message: 'must be a Veo operation name (…/operations/<id>)' },
		]);
	const endpoint = await googleEndpoint(this);
	const { body } = await googleRequest<VeoOperation>(this, {
		...endpoint.pollRequest(name),
		operation: 'Get Veo operation',
		itemIndex,
		jobId: name,
	});
	const status = veoJobStatus(body);
	const samples = samplesOf(body).map((sample) => ({
		uri: sample.uri ?? sample.gcsUri ?? null,
		inline: Boolean(sample.base64),
		mimeType: sample.mimeType,
	}));
	const input = this.getInputData()[itemIndex].json;
	const first = samplesOf(body)[0];
	const asset =
		status.phase === 'succeeded' && (first?.gcsUri || first?.uri)
			? {
					kind: first.gcsUri ? ('gcs' as const) : ('url' as const),
					ref: (first.gcsUri ?? first.uri)!,
					mimeType: first.mimeType,
				}
			: undefined;
	const takes = Array.isArray(input.takes)
		? {
				takes: withTakeStatus(
					readShotItemParts(input, itemIndex, ['takes']).takes,
					name,
					status,
					new Date(),
					asset,
				),
			}
		: {};
	return [
		{
			json: {
				...input,
				...takes,
				jobId: name,
				status: status.phase,
				vendorStatus: status.vendorStatus,
				failure: status.failure ?? null,
				samples,
			},
			pairedItem: { item: itemIndex },
		},
	];
}
