import type { VendorName } from './context';
export interface BillingEntry {
	vendor: VendorName;
	model: string;
	jobId: string;
	/** Seconds of output (video) or images. */
	units: number;
	unit: 'second' | 'image' | 'token';
	usd: number;
	/** Runway bills in credits. */
	credits?: number;
	/** SHA-256 of the canonical request: the same request paid twice shows up as a duplicate. */
	requestFingerprint: string;
	at: string;
}

/** Every paid job, in the order the vendor charged it. */
export class BillingLedger {
	readonly entries: BillingEntry[] = [];

	charge(entry: Omit<BillingEntry, 'at'>): void {
		this.entries.push({ ...entry, at: new Date().toISOString() });
	}

	summary() {
		const byVendor: Record<string, number> = {};
		const fingerprints = new Map<string, number>();
		for (const entry of this.entries) {
			byVendor[entry.vendor] = Math.round(((byVendor[entry.vendor] ?? 0) + entry.usd) * 1e6) / 1e6;
			fingerprints.set(
				entry.requestFingerprint,
				(fingerprints.get(entry.requestFingerprint) ?? 0) + 1,
			);
		}
		const duplicates = [...fingerprints.entries()]
			.filter(([, count]) => count > 1)
			.map(([fingerprint, count]) => ({ fingerprint, count }));
		const totalUsd =
			Math.round(this.entries.reduce((sum, entry) => sum + entry.usd, 0) * 1e6) / 1e6;
		return { entries: this.entries, totalUsd, byVendor, duplicates };
	}

	clear(): void {
		this.entries.length = 0;
	}
}
