import type { AssetRef, Take, Vendor } from './contract/schemas';
import type { JobStatus } from './runtime/jobRunner';

const IN_FLIGHT: ReadonlySet<Take['status']> = new Set(['submitted', 'queued', 'running']);

/** True while the vendor still holds the take's job unfinished: nothing to rule on or pay for yet, only to collect. */
export function isInFlight(take: Take): boolean {
	return IN_FLIGHT.has(take.status);
}

/**
 * The take for `jobId` with what the vendor just said about it (and where its output is, once
 * there is one). Takes of other jobs are left as they are.
 */
export function withTakeStatus(
	takes: Take[],
	jobId: string,
	status: JobStatus,
	now: Date,
	asset?: AssetRef,
): Take[] {
	return takes.map((take) => {
		if (take.jobId !== jobId) return take;
		// Job phases are take statuses by the same names.
		const next: Take = { ...take, status: status.phase };
		if (status.progress !== undefined) next.progress = status.progress;
		if (status.phase === 'succeeded' || status.phase === 'failed' || status.phase === 'cancelled')
			next.finishedAt ??= now.toISOString();
		if (status.failure) next.failure = { ...status.failure };
		if (asset) next.asset = asset;
		return next;
	});
}

/** The newest take of a vendor that finished with an output the vendor still holds (not yet in a binary field). */
export function latestReferencedTake(takes: Take[], vendor: Vendor): Take | undefined {
	return [...takes]
		.reverse()
		.find(
			(take) =>
				take.vendor === vendor &&
				take.status === 'succeeded' &&
				take.asset &&
				take.asset.kind !== 'binary',
		);
}
