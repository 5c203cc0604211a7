import type { ServerResponse } from 'node:http';
import type { SandboxConfig } from './config';
import type { FaultInjector } from './faults';
import type { SandboxRequest } from './http';
import type { JobEngine, JobFailure, SandboxJob } from './jobs';
import type { RenderSpec } from './media/render';
import { driftedSpec } from './vendors/drift';
import type { BillingLedger } from './ledger';
import type { TestServiceAccount } from './serviceAccount';
import type { RunwayState } from './vendors/runway';
import type { JudgeNoise } from './vendors/judgeFrames';

/** Google-side state: the test service account, issued tokens, stored files and GCS objects. */
export interface GoogleState {
	projectId: string;
	serviceAccount: TestServiceAccount;
	tokens: Map<string, { expiresAt: number }>;
	/** Gemini Files API objects and generated files, by id. */
	files: Map<
		string,
		{
			name: string;
			displayName?: string;
			mimeType: string;
			path?: string;
			bytes?: Buffer;
			createdAt: number;
			expiresAt?: number;
			activeAt: number;
		}
	>;
	uploads: Map<string, { displayName?: string; mimeType: string; size: number; chunks: Buffer[] }>;
	/** gs://bucket/object -> local file */
	gcs: Map<string, string>;
	/** predictLongRunning timestamps per project, for the per-minute limit. */
	requestLog: Map<string, number[]>;
}

export interface SandboxContext {
	config: SandboxConfig;
	google: GoogleState;
	runway: RunwayState;
	openai: {
		characters: Map<
			string,
			{ id: string; name: string; account: string; createdAt: number; hash: string }
		>;
	};
	/** fal and Replicate: webhooks sent (for tests) and Replicate's signing secret. */
	aggregators: {
		webhooks: Array<{
			vendor: string;
			url: string;
			body: unknown;
			headers: Record<string, string>;
			status: number;
		}>;
		replicateWebhookSecret: string;
	};
	jobs: JobEngine;
	ledger: BillingLedger;
	faults: FaultInjector;
	/** The vision judge's seeded error rates and what it answered. */
	judge: JudgeNoise;
	/** Requests served per `vendor:op` (submit, poll, download, other), for polling measurements. */
	traffic: Map<string, number>;
	/** Output URLs the sandbox serves (without query) -> local file, so any vendor can read another's output. */
	media: Map<string, string>;
	/** Base URL of the running server, e.g. http://127.0.0.1:8787 */
	origin(): string;
}

export type VendorName = 'openai' | 'google' | 'runway' | 'fal' | 'replicate';

export interface VendorHandler {
	vendor: VendorName;
	/** Which fault class a request belongs to, and the model it names when known. */
	classify(req: SandboxRequest): { op: 'submit' | 'poll' | 'download' | 'other'; model?: string };
	/** The vendor's own error envelope for a status. */
	errorBody(
		status: number,
		message: string,
		extra?: { code?: string; retryAfterSeconds?: number },
	): { body: unknown; headers: Record<string, string> };
	handle(ctx: SandboxContext, req: SandboxRequest, res: ServerResponse): Promise<void>;
}

export interface PlannedJob {
	spec: RenderSpec;
	outcome: SandboxJob['outcome'];
	/** The drift parameters when the render ignores the pin, for /_sandbox/jobs. */
	drift?: Record<string, unknown>;
}

/**
 * Draws the job-level fault for a new job (failed, stuck or drifted) and says how the job will
 * render and end; `failure` is the vendor's usual failure when the rule does not name one.
 */
export function planJob(
	ctx: SandboxContext,
	vendor: VendorName,
	model: string,
	spec: RenderSpec,
	failure: JobFailure,
): PlannedJob {
	const fault = ctx.faults.draw(
		vendor,
		'submit',
		model,
		['job_failed', 'stuck', 'drift'],
		spec.prompt,
	);
	switch (fault?.fault) {
		case 'job_failed':
			return {
				spec,
				outcome: {
					kind: 'fail',
					failure: {
						code: String(fault.params?.code ?? failure.code),
						message: String(fault.params?.message ?? failure.message),
					},
				},
			};
		case 'stuck':
			return {
				spec,
				outcome: {
					kind: 'stuck',
					...(fault.params?.finishesOnCancel === true ? { finishesOnCancel: true } : {}),
				},
			};
		case 'drift':
			return {
				spec: driftedSpec(spec, fault.params),
				outcome: { kind: 'success' },
				drift: fault.params ?? {},
			};
		default:
			return { spec, outcome: { kind: 'success' } };
	}
}
