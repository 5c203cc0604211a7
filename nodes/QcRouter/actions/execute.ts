import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import {
	renderErrorSchema,
	type LedgerEntry,
	type Qc,
	type RenderError,
	type RenderLayer,
	type ShotItem,
	type Take,
	type Verdict,
} from '../../shared/contract/schemas';
import { storedBinaryBytes } from '../../shared/binary';
import { failedItem, throwUnlessCarried } from '../../shared/nodeErrors';
import {
	contractVerdicts,
	DEFAULT_LAYER_MAP,
	DEFAULT_THRESHOLDS,
	layerFor,
	technicalVerdicts,
	type LayerMap,
	type QcThresholds,
} from '../../shared/qc/checks';
import { anchorClipProperty, lastingAnchors, readAnchors } from '../../shared/qc/anchors';
import { withHistory } from '../../shared/qc/history';
import { decide, decideRenderError, type Decision, type Route } from '../../shared/qc/decide';
import {
	grantAllowances,
	newRunMoney,
	observeShot,
	remainingUsd,
	type RunMoney,
} from '../../shared/qc/allowance';
import { buildReport, reportHtml, type ShotOutcome } from '../../shared/qc/report';
import { cmx3600, otioTimeline } from '../../shared/qc/timeline';
import { readShotContext, type ShotContext } from '../../shared/render/shotContext';
import { mapWithConcurrency, settle, type Settled } from '../../shared/runtime/concurrency';
import { withoutFields } from '../../shared/itemJson';
import { entryKey } from '../../shared/ledger';
import { isInFlight } from '../../shared/takes';
import { probeTake } from '../helpers/probeTake';
import { VISUAL_CHECKS_OFF, visualChecksOff, visualVerdicts } from '../helpers/visualChecks';
import {
	anchorClip,
	learnAnchors,
	memoryFor,
	rememberAccepted,
	type RunMemory,
} from '../helpers/visualMemory';
import {
	engineFor,
	outputIndex,
	readRouting,
	unroutable,
	type Routing,
} from '../helpers/engineRoutes';
import type { OutputKey } from '../helpers/outputs';
import { capsField, capsFor, newRunCaps, takeInCaps, type RunCaps } from '../helpers/learnedCaps';

const isRenderRoute = (route: Route): route is RenderLayer =>
	route === 'narrative' || route === 'hero' || route === 'control';

/**
 * The output a decision leads to. Per Engine, a re-render goes to the engine route that rendered
 * the shot on that layer; one no route leads to goes to Needs Review instead, before any
 * allowance is granted for it.
 */
function toOutput(
	routing: Routing,
	context: ShotContext,
	decision: Decision,
): { decision: Decision; output: OutputKey } {
	const route = decision.route;
	if (!routing.engines || (route !== 'hero' && route !== 'control'))
		return { decision, output: route === 'needs_review' ? 'needs_review' : route };
	const engine = engineFor(routing.engines, route, context.takes, context.renderError);
	if ('unroutable' in engine)
		return {
			decision: unroutable(decision, context.qc, engine.unroutable),
			output: 'needs_review',
		};
	return { decision, output: `engine:${engine.index}` };
}

/**
 * What a render node said it could not finish: its render error, or the bare `error` n8n's
 * continue-on-fail puts on an item (named for the layer the shot belongs to).
 */
function renderErrorOf(item: INodeExecutionData, context: ShotContext): RenderError | undefined {
	if (context.renderError) return context.renderError;
	const message = item.json.error;
	if (typeof message !== 'string' || !message) return undefined;
	const layer = context.takes.at(-1)?.layer ?? (context.shot.layer === 'hero' ? 'hero' : 'control');
	return renderErrorSchema.parse({ layer, code: 'vendor', message });
}

/**
 * What a shot's next render is known to cost: nothing for a job still in flight (it is collected,
 * and what it holds is counted already), the last paid take of the layer for a re-render, or
 * undefined when nothing tells (a first render: it gets a share).
 */
function knownNeed(
	context: ShotContext,
	take: Take | undefined,
	layer: RenderLayer,
): number | undefined {
	if (take && isInFlight(take)) return 0;
	const last = [...context.takes].reverse().find((t) => t.layer === layer && t.costUsd > 0);
	if (!last) return undefined;
	// A layer may render a shot in several steps (a keyframe still, then the clip): the whole last
	// attempt's cost, with room for a vendor's figure above the estimate it replaced.
	return attemptCost(context.takes, layer, last.attempt) * ESTIMATE_HEADROOM;
}

/** What one attempt of a layer cost: every take of it (each step of a chain). */
const attemptCost = (takes: Take[], layer: RenderLayer, attempt: number) =>
	takes
		.filter((t) => t.layer === layer && t.attempt === attempt)
		.reduce((sum, t) => sum + t.costUsd, 0);

/** Registry estimates and vendors' own figures differ by a few percent; an allowance keeps this much room. */
const ESTIMATE_HEADROOM = 1.25;

/**
 * Runs whose shots are checked at once: each holds one judge call and one probe in flight, so a
 * batch of many runs is not judged one shot at a time.
 */
const RUNS_JUDGED_AT_ONCE = 8;

interface Routed {
	itemIndex: number;
	context: ShotContext;
	decision: Decision;
	output: OutputKey;
	ledger: LedgerEntry[];
}

interface RunState {
	shotCount: number;
	final: Record<
		string,
		{
			json: IDataObject;
			item: ShotItem;
			binary?: INodeExecutionData['binary'];
			outcome: ShotOutcome['outcome'];
			reviewReason?: string;
		}
	>;
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
	if (!take)
		return {
			verdicts: [
				{
					check: 'take',
					value: null,
					threshold: 'a rendered take',
					pass: false,
					layer: shot.layer === 'hero' ? 'hero' : 'control',
				},
			],
			ledger: [],
		};
	if (take.status !== 'succeeded' || !take.asset) {
		return {
			verdicts: [
				{
					check: 'take.status',
					value: take.status,
					threshold: 'succeeded',
					pass: false,
					layer: take.layer,
				},
				...(take.failure
					? [
							{
								check: 'take.failure',
								value: take.failure.code ?? take.failure.message,
								threshold: null,
								pass: false,
								layer: take.layer,
							} as Verdict,
						]
					: []),
			],
			ledger: [],
		};
	}
	const verdicts = contractVerdicts(take, pin, shot, layer('contract'));
	let durationSeconds = shot.durationSeconds;
	// QC fails closed: a take that is not a video, or that could not be read, is never Passed.
	if (!take.asset.mimeType.startsWith('video/')) {
		verdicts.push({
			check: 'container',
			value: take.asset.mimeType,
			threshold: 'a video (video/*)',
			pass: false,
			layer: layer('technical'),
		});
	} else {
		const probed = await probeTake(ctx, item, take);
		if (probed.ok) durationSeconds = probed.probe.durationSeconds;
		if (probed.ok)
			verdicts.push(...technicalVerdicts(probed.probe, shot, take, thresholds, layer('technical')));
		else if ('invalid' in probed)
			verdicts.push({
				check: 'container',
				value: probed.invalid,
				threshold: 'a complete MP4',
				pass: false,
				layer: layer('technical'),
			});
		else if ('unconfigured' in probed)
			verdicts.push({
				check: 'probe.credential',
				value: probed.unconfigured,
				threshold: 'a credential that can read the clip',
				pass: false,
				layer: layer('technical'),
			});
		else
			verdicts.push({
				check: 'probe',
				value: `unreadable: ${probed.unavailable}`,
				threshold: 'a readable clip',
				pass: false,
				layer: layer('technical'),
			});
	}
	if (!take.asset.mimeType.startsWith('video/')) return { verdicts, ledger: [] };
	const layers = {
		identity: layer('identity'),
		colour: layer('colour'),
		adherence: layer('adherence'),
		artifacts: layer('artifacts'),
	};
	const judged = await visualVerdicts(ctx, itemIndex, {
		shot,
		pin,
		take,
		durationSeconds,
		thresholds,
		layers,
		memory,
	});
	return {
		verdicts: [...verdicts, ...judged.verdicts],
		ledger: judged.ledger,
		frames: judged.frames,
	};
}

function finalItems(state: RunState): INodeExecutionData[] {
	return Object.values(state.final)
		.sort((a, b) => a.item.shot.index - b.item.shot.index)
		.map((final) => ({ json: final.json, binary: final.binary }));
}

/** All Done: every shot of the run, in order, with the report; the first item carries the report and timeline files. */
async function allDone(
	ctx: IExecuteFunctions,
	state: RunState,
	pairedItem: number,
	visual: { memory: RunMemory; off?: string },
	caps: RunCaps,
): Promise<INodeExecutionData[]> {
	const outcomes: ShotOutcome[] = Object.values(state.final).map((f) => ({
		item: f.item,
		outcome: f.outcome,
		reviewReason: f.reviewReason,
	}));
	const thumbnails: Record<string, string> = {};
	for (const final of Object.values(state.final)) {
		const still = [...final.item.takes].reverse().find((t) => t.status === 'succeeded')?.thumbnail;
		const binary = still?.kind === 'binary' ? final.binary?.[still.ref] : undefined;
		if (!binary) continue;
		const bytes = await storedBinaryBytes(ctx, binary);
		if (bytes.length <= 512 * 1024)
			thumbnails[final.item.shot.id] = `data:${binary.mimeType};base64,${bytes.toString('base64')}`;
	}
	const report = buildReport(outcomes, new Date(), thumbnails, {
		anchors: visual.memory.anchors,
		visualChecksOff: visual.off,
	});
	const items = finalItems(state);
	const lasting = lastingAnchors(visual.memory.anchors);
	const passed = outcomes.filter((o) => o.outcome === 'passed').map((o) => o.item);
	const title = `${report.project} ${report.runId}`;
	const files = {
		qc_report_json: await ctx.helpers.prepareBinaryData(
			Buffer.from(JSON.stringify({ ...report, rounds: state.rounds }, null, 2)),
			`${report.runId}-qc-report.json`,
			'application/json',
		),
		qc_report_html: await ctx.helpers.prepareBinaryData(
			Buffer.from(reportHtml(report)),
			`${report.runId}-qc-report.html`,
			'text/html',
		),
		timeline_otio: await ctx.helpers.prepareBinaryData(
			Buffer.from(JSON.stringify(otioTimeline(passed, title), null, 2)),
			`${report.runId}.otio`,
			'application/json',
		),
		timeline_edl: await ctx.helpers.prepareBinaryData(
			Buffer.from(cmx3600(passed, title)),
			`${report.runId}.edl`,
			'text/plain',
		),
		// Every shot's contract as delivered: what a reshoot (or an audit) starts from.
		// Anchors too, on the run and on each shot: a reshoot or a later run of the brand is judged against them.
		run_state_json: await ctx.helpers.prepareBinaryData(
			Buffer.from(
				JSON.stringify(
					{
						runId: report.runId,
						anchors: lasting,
						shots: items.map((item) => ({ ...item.json, qcAnchors: lasting })),
					},
					null,
					2,
				),
			),
			`${report.runId}-run-state.json`,
			'application/json',
		),
	};
	// The clips of anchors kept as n8n binaries go out beside the run state (`anchor_<tag>`, named
	// as the anchor's clipFile), for the template to keep: a reshoot or a later run is judged against them.
	const anchorClips: Record<string, IBinaryData> = {};
	for (const anchor of lasting) {
		const clip = anchor.clipFile ? anchorClip(visual.memory, anchor) : undefined;
		if (clip) anchorClips[anchorClipProperty(anchor.tag)] = { ...clip, fileName: anchor.clipFile };
	}
	return items.map((item, index) => ({
		json: {
			...item.json,
			// What the run's render nodes learned, whichever shot last saw it: the batch keeps it for the next night.
			...(capsField(caps) as IDataObject),
			qcAnchors: lasting as unknown as IDataObject[],
			qcReport: { ...report, rounds: state.rounds },
		},
		binary: index === 0 ? { ...(item.binary ?? {}), ...anchorClips, ...files } : item.binary,
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
	const routing = readRouting(this);
	const outputs: INodeExecutionData[][] = routing.outputs.map(() => []);
	const NEEDS_REVIEW = outputIndex(routing, 'needs_review');
	const retries = {
		narrative: 1,
		hero: 2,
		control: 2,
		...((this.getNodeParameter('retries', 0, {}) ?? {}) as Partial<Record<RenderLayer, number>>),
	};
	const thresholds: QcThresholds = {
		...DEFAULT_THRESHOLDS,
		...((this.getNodeParameter('thresholds', 0, {}) ?? {}) as Partial<QcThresholds>),
	};
	const map: LayerMap = {
		...DEFAULT_LAYER_MAP,
		...((this.getNodeParameter('layerMap', 0, {}) ?? {}) as Partial<LayerMap>),
	};
	const perItem = this.getNodeParameter('barrier', 0, 'run') === 'item';
	const store = this.getContext('node') as {
		runs?: Record<string, RunState>;
		money?: Record<string, RunMoney>;
		visual?: Record<string, RunMemory>;
		caps?: Record<string, RunCaps>;
	};
	store.runs ??= {};
	const runs = store.runs;
	const caps = (store.caps ??= {});

	const contexts = items.map((item, index) =>
		settle(async () => readShotContext(item.json, index)),
	);
	const parsed = await Promise.all(contexts);
	const touched = new Map<string, number>();

	// The run's money is seen whole: every shot this round brings back is counted before any is
	// sent out again, and what remains is handed out as allowances (see qc/allowance.ts).
	const money = (store.money ??= {});
	const budgets = new Map<string, number>();
	for (const result of parsed) {
		if (!result.ok) continue;
		const { pipeline } = result.value;
		observeShot((money[pipeline.runId] ??= newRunMoney()), result.value);
		if (pipeline.budgetUsd !== undefined)
			budgets.set(
				pipeline.runId,
				Math.min(budgets.get(pipeline.runId) ?? Infinity, pipeline.budgetUsd),
			);
	}
	// The account caps the render nodes learned come in before any shot goes out again with them.
	const arriving = new Map<string, Array<{ shotId: string; carried: unknown }>>();
	for (const [itemIndex, result] of parsed.entries()) {
		if (!result.ok) continue;
		const { runId } = result.value.pipeline;
		if (!arriving.has(runId)) arriving.set(runId, []);
		arriving.get(runId)!.push({
			shotId: result.value.shot.id,
			carried: items[itemIndex].json.learnedConcurrency,
		});
	}
	for (const [runId, shots] of arriving) takeInCaps((caps[runId] ??= newRunCaps()), shots);

	const remainingOf = (runId: string) =>
		budgets.has(runId) ? remainingUsd(money[runId], budgets.get(runId)!) : undefined;

	const routed: Routed[] = [];
	// Shots of one run are judged in order (an accepted take anchors the next shot's characters);
	// runs share nothing, so their judge calls and probes overlap.
	const byRun = new Map<string, number[]>();
	const handled: Array<Settled<Routed | undefined>> = new Array(items.length);
	for (const [itemIndex, context] of parsed.entries()) {
		if (!context.ok) handled[itemIndex] = context;
		else
			byRun.set(context.value.pipeline.runId, [
				...(byRun.get(context.value.pipeline.runId) ?? []),
				itemIndex,
			]);
	}
	const routeShot = async (itemIndex: number, shotContext: ShotContext): Promise<Routed> => {
		const item = items[itemIndex];
		const runId = shotContext.pipeline.runId;
		const renderError = renderErrorOf(item, shotContext);
		if (renderError) {
			const { decision, output } = toOutput(
				routing,
				shotContext,
				decideRenderError(
					renderError,
					shotContext.qc,
					remainingOf(runId),
					shotContext.allowance?.usd,
				),
			);
			// The refused step and the steps of its attempt already taken (a keyframe still) go again together.
			const chain =
				(renderError.neededUsd ?? 0) +
				attemptCost(
					shotContext.takes,
					renderError.layer,
					(shotContext.qc?.attempts[renderError.layer] ?? 0) + 1,
				);
			if (isRenderRoute(decision.route))
				grantAllowances(money[runId], budgets.get(runId)!, [
					{
						shotId: shotContext.shot.id,
						durationSeconds: shotContext.shot.durationSeconds,
						needUsd: chain * ESTIMATE_HEADROOM,
					},
				]);
			return { itemIndex, context: shotContext, decision, output, ledger: shotContext.ledger };
		}
		const take = shotContext.takes.at(-1);
		const memory = memoryFor(store, runId);
		// Anchors from a run state (a reshoot) or an earlier run of the brand join the run's before judging.
		learnAnchors(
			memory,
			[
				...readAnchors(
					this.getNodeParameter('anchors', itemIndex, '') as unknown,
					itemIndex,
					'anchors',
				),
				...readAnchors(item.json.qcAnchors, itemIndex, 'qcAnchors'),
			],
			item.binary,
		);
		const checked = await check(this, itemIndex, item, shotContext, take, thresholds, map, memory);
		const ledger = [...shotContext.ledger, ...checked.ledger];
		for (const entry of checked.ledger) money[runId].ledger[entryKey(entry)] = entry;
		const { decision, output } = toOutput(
			routing,
			shotContext,
			decide(shotContext.shot, take, shotContext.qc, checked.verdicts, {
				retries,
				remainingUsd: remainingOf(runId),
			}),
		);
		// A re-render of known cost takes its allowance now, so the next shot's decision sees it spent.
		const need = isRenderRoute(decision.route)
			? knownNeed(shotContext, take, decision.route)
			: undefined;
		if (need !== undefined && budgets.has(runId))
			grantAllowances(money[runId], budgets.get(runId)!, [
				{
					shotId: shotContext.shot.id,
					durationSeconds: shotContext.shot.durationSeconds,
					needUsd: need,
				},
			]);
		// An accepted take anchors its characters at once, so the next shot of this round is judged against it.
		if (decision.route === 'passed' && take?.asset)
			rememberAccepted(
				memory,
				runId,
				shotContext.shot,
				take,
				take.asset.kind === 'binary' ? item.binary?.[take.asset.ref] : undefined,
				checked.frames ?? [],
			);
		return { itemIndex, context: shotContext, decision, output, ledger };
	};
	await mapWithConcurrency([...byRun.values()], RUNS_JUDGED_AT_ONCE, async (indexes) => {
		for (const itemIndex of indexes) {
			const context = parsed[itemIndex];
			if (context.ok)
				handled[itemIndex] = await settle(async () => await routeShot(itemIndex, context.value));
		}
	});
	// Outputs keep the input order, and the first item that fails (in that order) fails the node.
	for (const [itemIndex, result] of handled.entries()) {
		if (result.ok) {
			if (result.value) routed.push(result.value);
			continue;
		}
		throwUnlessCarried(this, result.error, itemIndex);
		outputs[NEEDS_REVIEW].push(failedItem(items[itemIndex], result.error, itemIndex));
	}

	// First renders share what is left by duration (shots of the run not seen yet keep their share).
	for (const [runId, budgetUsd] of budgets) {
		const first = routed.filter(
			(r) =>
				r.context.pipeline.runId === runId &&
				isRenderRoute(r.decision.route) &&
				money[runId].granted[r.context.shot.id] === undefined,
		);
		if (!first.length) continue;
		const seen = new Set([
			...Object.keys(money[runId].held),
			...Object.values(runs[runId]?.final ?? {}).map((f) => f.item.shot.id),
		]);
		const unseen = Math.max(0, first[0].context.pipeline.shotCount - seen.size);
		const meanSeconds =
			first.reduce((sum, r) => sum + r.context.shot.durationSeconds, 0) / first.length;
		grantAllowances(
			money[runId],
			budgetUsd,
			first.map((r) => ({
				shotId: r.context.shot.id,
				durationSeconds: r.context.shot.durationSeconds,
			})),
			unseen * meanSeconds,
		);
	}

	for (const { itemIndex, context: shotContext, decision, output, ledger } of routed) {
		const item = items[itemIndex];
		const runId = shotContext.pipeline.runId;
		// The previous round's hint and render error are answered; only this round's decision may carry new ones.
		const rest = withoutFields(item.json, [
			'retryHint',
			'renderError',
			'error',
			'allowance',
			'learnedConcurrency',
		]);
		const take = shotContext.takes.at(-1);
		const qc: Qc = withHistory(decision.qc, shotContext.qc, take, decision.route, decision.reasons);
		const granted =
			isRenderRoute(decision.route) && budgets.has(runId)
				? money[runId].granted[shotContext.shot.id]
				: undefined;
		const json: IDataObject = {
			...rest,
			...(capsFor(caps[runId], shotContext.shot.id) as IDataObject),
			qc: qc as unknown as IDataObject,
			ledger: ledger as unknown as IDataObject[],
			...(decision.retryHint ? { retryHint: decision.retryHint as IDataObject } : {}),
			...(granted !== undefined ? { allowance: { usd: granted, grantedBy: 'qc' } } : {}),
			...(decision.reviewReason ? { reviewReason: decision.reviewReason } : {}),
			qcReasons: decision.reasons.map((v) => ({
				check: v.check,
				value: v.value,
				threshold: v.threshold,
				layer: v.layer,
			})),
		};
		const reportItem: ShotItem = {
			pipeline: shotContext.pipeline,
			shot: shotContext.shot,
			...(shotContext.pin ? { pin: shotContext.pin } : {}),
			takes: shotContext.takes,
			qc,
			ledger,
		};
		outputs[outputIndex(routing, output)].push({
			json,
			binary: item.binary,
			pairedItem: { item: itemIndex },
		});

		if (decision.route === 'passed' || decision.route === 'needs_review') {
			const key = perItem ? `${runId}#${shotContext.shot.id}#${itemIndex}` : runId;
			const state = (runs[key] ??= {
				shotCount: perItem ? 1 : shotContext.pipeline.shotCount,
				final: {},
				done: false,
				rounds: 0,
			});
			state.final[shotContext.shot.id] = {
				json,
				item: reportItem,
				binary: item.binary,
				outcome: decision.route,
				reviewReason: decision.reviewReason,
			};
			touched.set(key, itemIndex);
		} else {
			// A shot sent back still belongs to its run: the run's rounds count from its first pass.
			if (!perItem)
				runs[runId] ??= {
					shotCount: shotContext.pipeline.shotCount,
					final: {},
					done: false,
					rounds: 0,
				};
			touched.set(runId, touched.get(runId) ?? itemIndex);
		}
	}

	// Said where the user looks, not only in the verdicts: nothing was judged for identity or colour.
	const off = items.length ? visualChecksOff(this, 0) : undefined;
	if (off && off !== VISUAL_CHECKS_OFF.disabled)
		this.addExecutionHints({
			message: `Visual checks are ${off}. Add a Google credential to the QC Router to turn them on.`,
			location: 'outputPane',
		});

	// A round counts for the runs whose shots came through this time.
	for (const key of touched.keys()) if (runs[key]) runs[key].rounds++;
	for (const [key, itemIndex] of touched) {
		const state = runs[key];
		if (!state || state.done || Object.keys(state.final).length < state.shotCount) continue;
		state.done = true;
		const runId = Object.values(state.final)[0]?.item.pipeline.runId ?? key;
		outputs[outputIndex(routing, 'done')].push(
			...(await allDone(
				this,
				state,
				itemIndex,
				{
					memory: memoryFor(store, runId),
					off: visualChecksOff(this, itemIndex),
				},
				(caps[runId] ??= newRunCaps()),
			)),
		);
	}
	return outputs;
}
