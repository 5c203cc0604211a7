import { readFileSync } from 'node:fs';
import type { SandboxContext } from '../context';
import type { SandboxJob } from '../jobs';
import { sha256 } from '../random';

/** Content hash of each finished still's file, worked out once (files never change after rendering). */
const fileHashes = new WeakMap<SandboxJob, string>();

/**
 * The sandbox still whose file has this content hash, however it came back (data URI, upload,
 * URL): a clip animated from it shows what the still shows, as an image-to-video model keeps the
 * faces of its first frame.
 */
export function stillWithHash(ctx: SandboxContext, hash: string): SandboxJob | undefined {
	for (const job of ctx.jobs.jobs.values()) {
		if (job.state !== 'succeeded' || job.spec.kind !== 'image' || !job.file) continue;
		let fileHash = fileHashes.get(job);
		if (!fileHash) {
			fileHash = sha256(readFileSync(job.file));
			fileHashes.set(job, fileHash);
		}
		if (fileHash === hash) return job;
	}
	return undefined;
}

/**
 * The drift a clip inherits from the still it animates: a still that ignored the pin makes a clip
 * that ignores it too, so the ground truth (which jobs really drifted) names the clip as well.
 */
export function inheritedDrift(still: SandboxJob | undefined): Record<string, unknown> | undefined {
	const drift = still?.extra.drift as Record<string, unknown> | undefined;
	return drift ? { ...drift, inheritedFrom: still!.id } : undefined;
}
