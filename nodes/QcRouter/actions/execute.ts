import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { LedgerEntry, Qc, RenderLayer, ShotItem, Take, Verdict } from '../../shared/contract/schemas';
import { storedBinaryBytes } from '../../shared/binary';
import { BudgetTracker } from '../../shared/ledger';
import { errorJson, toNodeError } from '../../shared/nodeErrors';
import { contractVerdicts, DEFAULT_LAYER_MAP, DEFAULT_THRESHOLDS, layerFor, technicalVerdicts, type LayerMap, type QcThresholds } from '../../shared/qc/checks';
import { lastingAnchors, readAnchors } from '../../shared/qc/anchors';
import { withHistory } from '../../shared/qc/history';
import { decide, type Route } from '../../shared/qc/decide';
import { buildReport, reportHtml, type ShotOutcome } from '../../shared/qc/report';
import { cmx3600, otioTimeline } from '../../shared/qc/timeline';
import { readShotContext, type ShotContext } from '../../shared/render/shotContext';
import { settle } from '../../shared/runtime/concurrency';
import { probeTake } from '../helpers/probeTake';
import { VISUAL_CHECKS_OFF, visualChecksOff, visualVerdicts } from '../helpers/visualChecks';
import { learnAnchors, memoryFor, rememberAccepted, type RunMemory } from '../helpers/visualMemory';

const OUTPUT: Record<Route | 'done', number> = { passed: 0, narrative: 1, hero: 2, control: 3, needs_review: 4, done: 5 };

interface RunState {
	shotCount: number;
	final: Record<string, { json: IDataObject; item: ShotItem; binary?: INodeExecutionData['binary']; outcome: ShotOutcome['outcome']; reviewReason?: string }>;
	done: boolean;
	rounds: number;
}

/** The checks one shot gets, against its latest take. */
async function check(
	ctx: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	context: ShotContext,
	take: Take | undefined,
	thresholds: QcThresholds,
	map: LayerMap,
	memory: RunMemory,
): Promise<{ verdicts: Verdict[]; ledger: LedgerEntry[]; frames?: number[] }> {
	const { shot, pin } = context;
	const layer = (category: keyof LayerMap) => layerFor(map, category, take, shot);
	// A fresh shot (straight from Storyboard / Pin State) is dispatched to the layer its manifest chose.
	if (!take) return { verdicts: [{ check: 'take', value: null, threshold: 'a rendered take', pass: false, layer: shot.layer === 'hero' ? 'hero' : 'control' }], ledger: [] };
	if (take.status !== 'succeeded' || !take.asset) {
		return { verdicts: [{ check: 'take.status', value: take.status, threshold: 'succeeded', pass: false, layer: take.layer }, ...(take.failure ? [{ check: 'take.failure', value: take.failure.code ?? take.failure.message, threshold: null, pass: false, layer: take.layer } as Verdict] : [])], ledger: [] };
	}
	const verdicts = contractVerdicts(take, pin, shot, layer('contract'));
	let durationSeconds = shot.durationSeconds;
	if (take.asset.mimeType.startsWith('video/')) {
		const probed = await probeTake(ctx, item, take);
		if (probed.ok) durationSeconds = probed.probe.durationSeconds;
		if (probed.ok) verdicts.push(...technicalVerdicts(probed.probe, shot, take, thresholds, layer('technical')));
		else if ('invalid' in probed) verdicts.push({ check: 'container', value: probed.invalid, threshold: 'a complete MP4', pass: false, layer: layer('technical') });
		else verdicts.push({ check: 'probe', value: `skipped: ${probed.unavailable}`, threshold: null, pass: true, layer: layer('technical') });
	}
	if (!take.asset.mimeType.startsWith('video/')) return { verdicts, ledger: [] };
	const layers = { identity: layer('identity'), colour: layer('colour'), adherence: layer('adherence'), artifacts: layer('artifacts') };
	const judged = await visualVerdicts(ctx, itemIndex, { shot, pin, take, durationSeconds, thresholds, layers, memory });
	return { verdicts: [...verdicts, ...judged.verdicts], ledger: judged.ledger, frames: judged.frames };
}

function finalItems(state: RunState): INodeExecutionData[] {
	return Object.values(state.final).sort((a, b) => a.item.shot.index - b.item.shot.index).map((final) => ({ json: final.json, binary: final.binary }));
}

/** All Done: every shot of the run, in order, with the report; the first item carries the report and timeline files. */
async function allDone(ctx: IExecuteFunctions, state: RunState, pairedItem: number, visual: { memory: RunMemory; off?: string }): Promise<INodeExecutionData[]> {
	const outcomes: ShotOutcome[] = Object.values(state.final).map((f) => ({ item: f.item, outcome: f.outcome, reviewReason: f.reviewReason }));
	const thumbnails: Record<string, string> = {};
	for (const final of Object.values(state.final)) {
		const still = [...final.item.takes].reverse().find((t) => t.status === 'succeeded')?.thumbnail;
		const binary = still?.kind === 'binary' ? final.binary?.[still.ref] : undefined;
		if (!binary) continue;
		const bytes = await storedBinaryBytes(ctx, binary);
		if (bytes.length <= 512 * 1024) thumbnails[final.item.shot.id] = `data:${binary.mimeType};base64,${bytes.toString('base64')}`;
	}
	const report = buildReport(outcomes, new Date(), thumbnails, { anchors: visual.memory.anchors, visualChecksOff: visual.off });
	const items = finalItems(state);
	const lasting = lastingAnchors(visual.memory.anchors);
	const passed = outcomes.filter((o) => o.outcome === 'passed').map((o) => o.item);
	const title = `${report.project} ${report.runId}`;
	const files = {
		qc_report_json: await ctx.helpers.prepareBinaryData(Buffer.from(JSON.stringify({ ...report, rounds: state.rounds }, null, 2)), `${report.runId}-qc-report.json`, 'application/json'),
		qc_report_html: await ctx.helpers.prepareBinaryData(Buffer.from(reportHtml(report)), `${report.runId}-qc-report.html`, 'text/html'),
		timeline_otio: await ctx.helpers.prepareBinaryData(Buffer.from(JSON.stringify(otioTimeline(passed, title), null, 2)), `${report.runId}.otio`, 'application/json'),
		timeline_edl: await ctx.helpers.prepareBinaryData(Buffer.from(cmx3600(passed, title)), `${report.runId}.edl`, 'text/plain'),
		// Every shot's contract as delivered: what a reshoot (or an audit) starts from.
		// Anchors too, on the run and on each shot: a reshoot or a later run of the brand is judged against them.
		run_state_json: await ctx.helpers.prepareBinaryData(Buffer.from(JSON.stringify({ runId: report.runId, anchors: lasting, shots: items.map((item) => ({ ...item.json, qcAnchors: lasting })) }, null, 2)), `${report.runId}-run-state.json`, 'application/json'),
	};
	return items.map((item, index) => ({
		json: { ...item.json, qcAnchors: lasting as unknown as IDataObject[], qcReport: { ...report, rounds: state.rounds } },
		binary: index === 0 ? { ...(item.binary ?? {}), ...files } : item.binary,
		pairedItem: { item: pairedItem },
	}));
}

/**
 * One round of QC: check every item, route each to Passed, a Re-render output or Needs Review,
 * and fire All Done once per run when every shot of the run is final. The barrier's state lives
 * in the node's execution context, so a loop through the render nodes back into this node over
 * several rounds still completes once, and nothing is kept between executions.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const outputs: INodeExecutionData[][] = [[], [], [], [], [], []];
	const retries = { narrative: 1, hero: 2, control: 2, ...((this.getNodeParameter('retries', 0, {}) ?? {}) as Partial<Record<RenderLayer, number>>) };
	const thresholds: QcThresholds = { ...DEFAULT_THRESHOLDS, ...((this.getNodeParameter('thresholds', 0, {}) ?? {}) as Partial<QcThresholds>) };
	const map: LayerMap = { ...DEFAULT_LAYER_MAP, ...((this.getNodeParameter('layerMap', 0, {}) ?? {}) as Partial<LayerMap>) };
	const perItem = this.getNodeParameter('barrier', 0, 'run') === 'item';
	const store = this.getContext('node') as { runs?: Record<string, RunState>; visual?: Record<string, RunMemory> };
	store.runs ??= {};
	const runs = store.runs;

	const contexts = items.map((item, index) => settle(async () => readShotContext(item.json, index)));
	const parsed = await Promise.all(contexts);
	const tracker = BudgetTracker.fromItems(parsed.filter((p) => p.ok).map((p) => (p as { value: ShotContext }).value));
	const touched = new Map<string, number>();

	for (const [itemIndex, item] of items.entries()) {
		const context = parsed[itemIndex];
		if (!context.ok) {
			if (this.continueOnFail()) {
				outputs[OUTPUT.needs_review].push({ json: { ...item.json, ...errorJson(context.error) }, pairedItem: { item: itemIndex } });
				continue;
			}
			throw toNodeError(this.getNode(), context.error, itemIndex);
		}
		const shotContext = context.value;
		const take = shotContext.takes.at(-1);
		const memory = memoryFor(store, shotContext.pipeline.runId);
		const checked = await settle(async () => {
			// Anchors from a run state (a reshoot) or an earlier run of the brand join the run's before judging.
			learnAnchors(memory, [...readAnchors(this.getNodeParameter('anchors', itemIndex, '') as unknown, itemIndex, 'anchors'), ...readAnchors(item.json.qcAnchors, itemIndex, 'qcAnchors')]);
			return await check(this, itemIndex, item, shotContext, take, thresholds, map, memory);
		});
		if (!checked.ok) {
			if (this.continueOnFail()) {
				outputs[OUTPUT.needs_review].push({ json: { ...item.json, ...errorJson(checked.error) }, pairedItem: { item: itemIndex } });
				continue;
			}
			throw toNodeError(this.getNode(), checked.error, itemIndex);
		}
		const runId = shotContext.pipeline.runId;
		const decision = decide(shotContext.shot, take, shotContext.qc, checked.value.verdicts, { retries, remainingUsd: tracker.remaining(runId) });
		const ledger = [...shotContext.ledger, ...checked.value.ledger];
		// The previous round's hint is spent; only this round's decision may carry one.
		const rest: IDataObject = { ...item.json };
		delete rest.retryHint;
		const qc: Qc = withHistory(decision.qc, shotContext.qc, take, decision.route, decision.reasons);
		if (decision.route === 'passed' && take?.asset) rememberAccepted(memory, runId, shotContext.shot, take, take.asset.kind === 'binary' ? item.binary?.[take.asset.ref] : undefined, checked.value.frames ?? []);
		const json: IDataObject = {
			...rest,
			qc: qc as unknown as IDataObject,
			ledger: ledger as unknown as IDataObject[],
			...(decision.retryHint ? { retryHint: decision.retryHint as IDataObject } : {}),
			...(decision.reviewReason ? { reviewReason: decision.reviewReason } : {}),
			qcReasons: decision.reasons.map((v) => ({ check: v.check, value: v.value, threshold: v.threshold, layer: v.layer })),
		};
		const reportItem: ShotItem = { pipeline: shotContext.pipeline, shot: shotContext.shot, ...(shotContext.pin ? { pin: shotContext.pin } : {}), takes: shotContext.takes, qc, ledger };
		outputs[OUTPUT[decision.route]].push({ json, binary: item.binary, pairedItem: { item: itemIndex } });

		if (decision.route === 'passed' || decision.route === 'needs_review') {
			const key = perItem ? `${runId}#${shotContext.shot.id}#${itemIndex}` : runId;
			const state = (runs[key] ??= { shotCount: perItem ? 1 : shotContext.pipeline.shotCount, final: {}, done: false, rounds: 0 });
			state.final[shotContext.shot.id] = { json, item: reportItem, binary: item.binary, outcome: decision.route, reviewReason: decision.reviewReason };
			touched.set(key, itemIndex);
		} else {
			// A shot sent back still belongs to its run: the run's rounds count from its first pass.
			if (!perItem) runs[runId] ??= { shotCount: shotContext.pipeline.shotCount, final: {}, done: false, rounds: 0 };
			touched.set(runId, touched.get(runId) ?? itemIndex);
		}
	}

	// Said where the user looks, not only in the verdicts: nothing was judged for identity or colour.
	const off = items.length ? visualChecksOff(this, 0) : undefined;
	if (off && off !== VISUAL_CHECKS_OFF.disabled) this.addExecutionHints({ message: `Visual checks are ${off}. Add a Google credential to the QC Router to turn them on.`, location: 'outputPane' });

	// A round counts for the runs whose shots came through this time.
	for (const key of touched.keys()) if (runs[key]) runs[key].rounds++;
	for (const [key, itemIndex] of touched) {
		const state = runs[key];
		if (!state || state.done || Object.keys(state.final).length < state.shotCount) continue;
		state.done = true;
		const runId = Object.values(state.final)[0]?.item.pipeline.runId ?? key;
		outputs[OUTPUT.done].push(...(await allDone(this, state, itemIndex, { memory: memoryFor(store, runId), off: visualChecksOff(this, itemIndex) })));
	}
	return outputs;
}
