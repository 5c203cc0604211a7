import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { ContractError } from '../../../shared/errors';
import { uploadToRunway } from '../../../shared/vendors/runway/media';

const properties: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The binary field holding the image, video or audio to upload',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['asset'], operation: ['upload'] } },
	properties,
);

/** An ephemeral upload (24 h) for inputs above the 5 MB data-URI limit; outputs its runway:// URI. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const property = this.getNodeParameter('binaryPropertyName', itemIndex) as string;
	const input = this.getInputData()[itemIndex];
	const binary = input.binary?.[property];
	if (!binary)
		throw new ContractError(itemIndex, [
			{
				path: 'binaryPropertyName',
				message: `names binary field "${property}", which the item does not have`,
			},
		]);
	const bytes = await this.helpers.getBinaryDataBuffer(itemIndex, property);
	const uri = await uploadToRunway(
		this,
		itemIndex,
		bytes,
		binary.fileName ?? `${property}.${binary.fileExtension ?? 'bin'}`,
		binary.mimeType,
	);
	return [
		{
			json: { ...input.json, runwayUri: uri, expiresInHours: 24 },
			binary: input.binary,
			pairedItem: { item: itemIndex },
		},
	];
}
