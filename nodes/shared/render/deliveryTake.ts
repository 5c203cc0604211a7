import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Take, Vendor } from '../contract/schemas';
import { ContractError } from '../errors';
import { latestReferencedTake } from '../takes';
import { readShotContext } from './shotContext';

/** Where a download puts the file. */
export const outputFieldProperty: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	hint: 'The name of the output binary field to put the file in',
};

/** Shown with a download's "latest take of the item" source. */
export const otherVendorsProperty: INodeProperties = {
	displayName: 'When the Shot’s Latest Take Is Another Vendor’s',
	name: 'otherVendors',
	type: 'options',
	default: 'error',
	options: [
		{
			name: 'Download This Vendor’s Latest Take',
			value: 'error',
			description: 'Fail when the item has none',
		},
		{
			name: 'Pass the Item Through',
			value: 'passThrough',
			description:
				'Chain one download per vendor at delivery: each fetches only the shots whose final take is its own, and passes the rest on',
		},
	],
	displayOptions: { show: { source: ['take'] } },
};

/**
 * The take a download fetches from the vendor: this vendor's newest succeeded take that is not
 * already a binary. Undefined when the item passes through: its final take is another vendor's,
 * or it has none at all (a shot left for review), in a chain of downloads at delivery.
 */
export function takeToDownload(
	ctx: IExecuteFunctions,
	itemIndex: number,
	vendor: Vendor,
	label: string,
): Take | undefined {
	const takes = readShotContext(ctx.getInputData()[itemIndex].json, itemIndex).takes;
	const final = [...takes].reverse().find((take) => take.status === 'succeeded' && take.asset);
	if (
		final?.vendor !== vendor &&
		ctx.getNodeParameter('otherVendors', itemIndex, 'error') === 'passThrough'
	)
		return undefined;
	const take = latestReferencedTake(takes, vendor);
	if (!take)
		throw new ContractError(itemIndex, [
			{ path: 'takes', message: `has no succeeded ${label} take with a URL to download` },
		]);
	return take;
}
