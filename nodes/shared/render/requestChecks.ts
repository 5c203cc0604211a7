import { ContractError, type ContractIssue } from '../errors';
import type { ModelSpec } from '../registry/schema';
import { checkRenderRequest } from '../registry/registry';
import type { ShotContext } from './shotContext';

/**
 * The registry's objections to a render request, as a ContractError that names the item's field
 * (shot.durationSeconds on pipeline items, durationSeconds on manual ones).
 */
export function assertRenderable(
	spec: ModelSpec | undefined,
	context: ShotContext,
	itemIndex: number,
	request: Parameters<typeof checkRenderRequest>[1],
): void {
	if (!spec) return;
	const issues: ContractIssue[] = checkRenderRequest(spec, request).map((problem) => {
		const field = problem.split(' ')[0];
		const known = ['durationSeconds', 'resolution', 'aspectRatio'].includes(field)
			? field
			: 'characters';
		return { path: context.fromContract ? `shot.${known}` : known, message: problem };
	});
	if (issues.length) throw new ContractError(itemIndex, issues);
}
