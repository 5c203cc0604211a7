import type { RenderSpec } from '../media/render';
import { sha256 } from '../random';

export type DriftKind = 'character' | 'colour' | 'audio' | 'duration';

/** A render that ignores the pin in one way, so QC has something real to catch. */
export function driftedSpec(spec: RenderSpec, params: Record<string, unknown> = {}): RenderSpec {
	const kind = (params.drift as DriftKind | undefined) ?? 'character';
	switch (kind) {
		case 'character': {
			const other = (ref: string) => sha256(`other-character:${ref}`);
			if (spec.cast?.length)
				return { ...spec, references: spec.references.map(other), cast: spec.cast.map(other) };
			return {
				...spec,
				references: (spec.references.length ? spec.references : ['none']).map(other),
			};
		}
		case 'colour':
			return {
				...spec,
				palette: [`#${sha256(`shifted:${spec.palette?.[0] ?? spec.prompt}`).slice(0, 6)}`],
			};
		case 'audio':
			return { ...spec, audio: false };
		case 'duration':
			return { ...spec, durationSeconds: Math.max(1, Math.round(spec.durationSeconds * 0.5)) };
	}
	return spec;
}
