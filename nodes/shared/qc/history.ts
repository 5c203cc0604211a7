import type { Qc, Take, Verdict } from '../contract/schemas';
import type { Route } from './decide';
import { isInFlight } from '../takes';

/**
 * The round's QC with every earlier ruling kept: a take sent back keeps why it went back and to
 * which layer, so the report can say it of each take, not only of the last one.
 */
export function withHistory(
	qc: Qc,
	previous: Qc | undefined,
	take: Take | undefined,
	route: Route,
	failed: Verdict[],
): Qc {
	const history = [...(previous?.history ?? [])];
	// A shot with no take, or a render still in flight, has no take to rule on yet.
	if (take && !isInFlight(take)) {
		const ruling = {
			jobId: take.jobId,
			attempt: take.attempt,
			route,
			failed: route === 'passed' ? [] : failed,
		};
		const index = history.findIndex((h) => h.jobId === take.jobId);
		if (index >= 0) history[index] = ruling;
		else history.push(ruling);
	}
	return history.length ? { ...qc, history } : qc;
}
