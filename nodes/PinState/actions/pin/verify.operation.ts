import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { pinSchema, takeSchema } from '../../../shared/contract/schemas';
import { ContractError } from '../../../shared/errors';
import { pinFingerprint } from '../../../shared/pin/fingerprint';
import { stringParameter } from '../../../shared/parameters';

const properties: INodeProperties[] = [
	{
		displayName: 'Expected Fingerprint',
		name: 'expectedFingerprint',
		type: 'string',
		default: '',
		description: 'Empty = the fingerprint of the first item’s pin',
	},
	{
		displayName: 'Fail on Drift',
		name: 'failOnDrift',
		type: 'boolean',
		default: false,
		description: 'Whether to stop the workflow when any item drifted, instead of marking it',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['pin'], operation: ['verify'] } },
	properties,
);

/**
 * Checks that every item carries the same pin, that the pin still matches its fingerprint, and
 * that every take was rendered with it. Each item gets a pinCheck; drifted items are listed.
 */
export async function executeBatch(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const firstPin = pinSchema.safeParse(items.find((item) => item.json.pin)?.json.pin);
	const expected =
		stringParameter(this, 'expectedFingerprint', 0) ||
		(firstPin.success ? firstPin.data.fingerprint : '');
	const drifted: Array<{ itemIndex: number; reasons: string[] }> = [];
	const output = items.map((item, itemIndex) => {
		const reasons: string[] = [];
		const pin = pinSchema.safeParse(item.json.pin);
		if (!pin.success) reasons.push('the item has no valid pin');
		else {
			if (pin.data.fingerprint !== expected)
				reasons.push(
					`pin fingerprint ${pin.data.fingerprint.slice(0, 12)}… is not the expected ${expected.slice(0, 12)}…`,
				);
			if (pinFingerprint(pin.data) !== pin.data.fingerprint)
				reasons.push('the pin was edited after it was fingerprinted');
		}
		const takes = Array.isArray(item.json.takes) ? item.json.takes : [];
		takes.forEach((raw, index) => {
			const take = takeSchema.safeParse(raw);
			if (
				take.success &&
				take.data.pinFingerprint !== null &&
				take.data.pinFingerprint !== expected
			)
				reasons.push(`takes[${index}] (${take.data.jobId}) was rendered with another pin`);
		});
		if (reasons.length) drifted.push({ itemIndex, reasons });
		return {
			json: { ...item.json, pinCheck: { ok: reasons.length === 0, expected, reasons } },
			binary: item.binary,
			pairedItem: { item: itemIndex },
		};
	});
	if (drifted.length && this.getNodeParameter('failOnDrift', 0, false)) {
		throw new ContractError(
			drifted[0].itemIndex,
			drifted.map((d) => ({ path: `items[${d.itemIndex}].pin`, message: d.reasons.join('; ') })),
		);
	}
	return output;
}
