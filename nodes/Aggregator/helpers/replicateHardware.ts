/**
 * Replicate bills a model that is not an official one for the seconds it ran on its hardware
 * (`metrics.predict_time` on the prediction), at the hardware's published price; its API reports
 * neither the hardware of a public model nor a price, so the operator names the hardware (shown
 * on the model's page). Official models are billed by their output instead (seconds of video)
 * and their price is not in the API at all. Prices: replicate.com/docs/billing.
 */
export const REPLICATE_HARDWARE = {
	cpu: { name: 'CPU', usdPerSecond: 0.0001 },
	t4: { name: 'Nvidia T4 GPU', usdPerSecond: 0.000225 },
	a40: { name: 'Nvidia A40 GPU', usdPerSecond: 0.000575 },
	a40Large: { name: 'Nvidia A40 (Large) GPU', usdPerSecond: 0.000725 },
	a100: { name: 'Nvidia A100 (40GB) GPU', usdPerSecond: 0.00115 },
	a100Large: { name: 'Nvidia A100 (80GB) GPU', usdPerSecond: 0.0014 },
	a40Large8x: { name: '8x Nvidia A40 (Large) GPU', usdPerSecond: 0.0058 },
} as const;

export type ReplicateHardware = keyof typeof REPLICATE_HARDWARE;

/** The option list: official models first (priced by output), then each hardware by price. */
export const replicateBillingOptions = [
	{
		name: 'Official Model (Billed by Output)',
		value: 'output',
		description:
			'Priced per second of video: the registry’s figure or Price per Second, booked as an estimate',
	},
	...Object.entries(REPLICATE_HARDWARE).map(([value, hardware]) => ({
		name: `${hardware.name} ($${hardware.usdPerSecond}/s)`,
		value,
		description: `Billed for the seconds the prediction ran (its metrics.predict_time) at ${hardware.name}'s price`,
	})),
];

export const hardwarePrice = (value: string | undefined): number | undefined =>
	value && value in REPLICATE_HARDWARE
		? REPLICATE_HARDWARE[value as ReplicateHardware].usdPerSecond
		: undefined;
