// Settings every template shares.

export const PKG = 'n8n-nodes-video-pipeline';

export const CRED = {
	openai: { openAiVideoPipelineApi: { id: 'vpSandboxOpenAi', name: 'Sandbox OpenAI' } },
	vertex: {
		googleVideoPipelineApi: {
			id: 'vpSandboxVertex',
			name: 'Sandbox Google (Vertex AI service account)',
		},
	},
	runway: { runwayVideoPipelineApi: { id: 'vpSandboxRunway', name: 'Sandbox Runway' } },
	fal: { falVideoPipelineApi: { id: 'vpSandboxFal', name: 'Sandbox fal' } },
};

/**
 * Render options of every template's render nodes. Concurrent Renders is the upper limit (the
 * node's own default): within it each node learns the vendor account's cap. No poll interval, so
 * polling follows the render (first check from the model's typical render time, then from the
 * times the run observes). Ten minutes of render time (time queued behind the account's cap does
 * not count) is what Runway's SDK waits by default and well past Veo's typical one to six minutes;
 * a render still going then is stuck far more often than slow, and holds its run's delivery.
 */
export const RENDER = { timeoutMinutes: 10, concurrency: 20 };

/**
 * Render nodes whose output goes to QC Router: a render still running four times the model's
 * expected time is handed on with its job ID, so one stuck job does not hold the step (and every
 * other shot of the round) until the timeout; QC Router sends it back to be collected in the next
 * pass, and the passes share the one timeout.
 */
export const RENDER_TO_QC = { ...RENDER, handOnAfter: 4 };

/**
 * Runway nodes also cancel a task still unfinished at the timeout: Runway refunds a cancelled task,
 * and a stuck one would hold a place in the account's concurrency for the rest of the night.
 */
export const RUNWAY_RENDER = { ...RENDER, cancelAtTimeout: true };
export const RUNWAY_RENDER_TO_QC = { ...RENDER_TO_QC, cancelAtTimeout: true };

/** Where every template delivers: a setting of each template (never a field of a request). */
export const DELIVERY_ROOT = '/home/node/.n8n-files/video-deliveries';

/** The most one brief or reshoot may spend, in USD: the same on the webhooks, the form and MCP. */
export const BUDGET_CAP = 50;

export const INTAKE_AUTH = {
	httpHeaderAuth: { id: 'vpBriefWebhookAuth', name: 'Brief webhook header' },
};
export const FORM_AUTH = { httpBasicAuth: { id: 'vpBriefFormAuth', name: 'Brief form login' } };
export const MCP_AUTH = { httpHeaderAuth: { id: 'vpMcpServerAuth', name: 'MCP server header' } };

/** Every QC Router checks identity and colour with a cheap judge; its Google credential is what turns the checks on. */
export const JUDGE = { visionJudge: true, judgeModel: 'gemini-3.1-flash-lite' };

/** The settings every pipeline workflow shares: execution order v1 and the error reporter. */
export const PIPELINE_SETTINGS = { executionOrder: 'v1', errorWorkflow: 'vpErrorReporter' };

/** Where the bundled sample briefs' reference images live: the `npm run sandbox` asset host, by default. */
export const SAMPLE_REFERENCES_URL = 'http://127.0.0.1:8787/assets/samples';
