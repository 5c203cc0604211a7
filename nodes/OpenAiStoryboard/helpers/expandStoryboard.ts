// A storyboard becomes one run per aspect ratio: its shots timed and laid out, its cost booked once.
import type { INodeExecutionData } from 'n8n-workflow';
import type { Shot } from '../../shared/contract/schemas';
import type { Storyboard } from './askStoryboard';
import type { ManifestRequest } from './manifestRequest';

export function expandStoryboard(
	request: ManifestRequest,
	itemIndex: number,
	variant: number,
	{ answer, durations, layers, ledger }: Storyboard,
): INodeExecutionData[] {
	const { ratios, heroRatios, variants, baseRunId, project, run, carried } = request;
	const output: INodeExecutionData[] = [];
	for (const [ratioIndex, aspectRatio] of ratios.entries()) {
		// One storyboard call serves every aspect ratio of the variant; its cost is booked once, on
		// the first ratio's run, so the runs' reports add up to what was paid.
		const booked = ratioIndex === 0 ? ledger : [];
		const layersHere = heroRatios.includes(aspectRatio)
			? layers
			: layers.map(() => 'broll' as const);
		const runId =
			variants === 1 && ratios.length === 1
				? baseRunId
				: `${baseRunId}-v${variant}-${aspectRatio.replace(':', 'x')}`;
		let start = 0;
		const shots: Shot[] = answer.shots.map((shot, index) => {
			const result: Shot = {
				id: `shot-${String(index + 1).padStart(2, '0')}`,
				index,
				beat: { label: shot.beat, startSeconds: start },
				prompt: shot.prompt,
				durationSeconds: durations![index],
				aspectRatio,
				resolution: run.resolution ?? '1080p',
				layer: layersHere[index],
				characters: shot.characters,
				needsAudio: layersHere[index] === 'hero',
				...(shot.dialogue ? { dialogue: shot.dialogue } : {}),
				...(shot.camera ? { camera: shot.camera } : {}),
			};
			start += durations![index];
			return result;
		});
		const spent = Math.round(booked.reduce((sum, entry) => sum + entry.usd, 0) * 1e6) / 1e6;
		const pipeline = {
			runId,
			project,
			variant: `v${variant}-${aspectRatio}`,
			shotCount: shots.length,
			spentUsd: spent,
			...(run.budgetUsd ? { budgetUsd: run.budgetUsd } : {}),
		};
		const manifest = { title: answer.title, characters: answer.characters, totalSeconds: start };
		if (request.outputShape === 'manifest') {
			output.push({
				json: { ...carried, pipeline, manifest, shots, ledger: booked },
				pairedItem: { item: itemIndex },
			});
		} else {
			for (const shot of shots)
				output.push({
					json: { ...carried, pipeline, shot, manifest, takes: [], ledger: booked },
					pairedItem: { item: itemIndex },
				});
		}
	}
	return output;
}
