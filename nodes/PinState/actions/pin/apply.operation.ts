import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { pinSchema } from '../../../shared/contract/schemas';
import { parseWith } from '../../../shared/contract/validate';
import { ContractError } from '../../../shared/errors';
import { pinFingerprint } from '../../../shared/pin/fingerprint';
import { settle } from '../../../shared/runtime/concurrency';
import { pinnedReferences } from '../../helpers/apply';

const properties: INodeProperties[] = [
	{
		displayName: 'Pin',
		name: 'pinJson',
		type: 'json',
		default: '={{ $json.pin }}',
		description:
			'The pin to apply (for example a stored brand pin); by default the pin the first item carries',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['pin'], operation: ['apply'] } },
	properties,
);

/** Puts one pin on every shot item and says which references each vendor will get for that shot. */
export async function executeBatch(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const raw = this.getNodeParameter('pinJson', 0);
	const parsed =
		typeof raw === 'string'
			? await settle(async () => JSON.parse(raw || 'null') as unknown)
			: { ok: true as const, value: raw as unknown };
	if (!parsed.ok)
		throw new ContractError(0, [
			{
				path: 'pinJson',
				message: `is not valid JSON (${(parsed.error as Error).message}); give the pin object, or an expression such as {{ $json.pin }}`,
			},
		]);
	const value = parsed.value;
	if (!value)
		throw new ContractError(0, [
			{
				path: 'pinJson',
				message: 'is empty: give a pin, or put Pin State > Create Pin before this node',
			},
		]);
	const pin = parseWith(pinSchema, value, 0, ['pin']);
	if (pinFingerprint(pin) !== pin.fingerprint) {
		throw new ContractError(0, [
			{
				path: 'pin.fingerprint',
				message: 'does not match the pin’s content: the pin was edited without being pinned again',
			},
		]);
	}
	return this.getInputData().map((item, itemIndex) => ({
		json: {
			...item.json,
			pin,
			...(item.json.shot ? { pinnedRefs: pinnedReferences(pin, item.json.shot as never) } : {}),
		},
		binary: item.binary,
		pairedItem: { item: itemIndex },
	}));
}
