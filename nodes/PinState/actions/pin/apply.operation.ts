import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { pinSchema } from '../../../shared/contract/schemas';
import { parseWith } from '../../../shared/contract/validate';
import { ContractError } from '../../../shared/errors';
import { pinFingerprint } from '../../../shared/pin/fingerprint';
import { pinnedReferences } from '../../helpers/apply';

const properties: INodeProperties[] = [
	{
		displayName: 'Pin',
		name: 'pinJson',
		type: 'json',
		default: '={{ $json.pin }}',
		description: 'The pin to apply (for example a stored brand pin); by default the pin the first item carries',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['pin'], operation: ['apply'] } }, properties);

/** Puts one pin on every shot item and says which references each vendor will get for that shot. */
export async function executeBatch(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const raw = this.getNodeParameter('pinJson', 0);
	let value: unknown = raw;
	if (typeof raw === 'string') {
		try {
			value = JSON.parse(raw || 'null');
		} catch (error) {
			throw new ContractError(0, [{ path: 'pinJson', message: `is not valid JSON (${(error as Error).message}); give the pin object, or an expression such as {{ $json.pin }}` }]);
		}
	}
	if (!value) throw new ContractError(0, [{ path: 'pinJson', message: 'is empty: give a pin, or put Pin State > Create Pin before this node' }]);
	const pin = parseWith(pinSchema, value, 0, ['pin']);
	if (pinFingerprint(pin) !== pin.fingerprint) {
		throw new ContractError(0, [{ path: 'pin.fingerprint', message: 'does not match the pin’s content: the pin was edited without being pinned again' }]);
	}
	return this.getInputData().map((item, itemIndex) => ({
		json: { ...item.json, pin, ...(item.json.shot ? { pinnedRefs: pinnedReferences(pin, item.json.shot as never) } : {}) },
		binary: item.binary,
		pairedItem: { item: itemIndex },
	}));
}
