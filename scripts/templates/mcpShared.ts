// What the MCP server and the MCP tools workflow share: the spend cap, the tables and the settings.
import type { Columns } from './lib/dataTables';
import { BUDGET_CAP, DELIVERY_ROOT } from './lib/settings';

export const MCP_RUNS_TABLE = 'video_mcp_runs';
export const PINS_TABLE = 'video_pins';

export const MCP_RUN_COLUMNS: Columns = [
	['runId', 'string'],
	['kind', 'string'],
	['status', 'string'],
	['brand', 'string'],
	['project', 'string'],
	['budgetUsd', 'number'],
	['request', 'string'],
	['summary', 'string'],
	['error', 'string'],
	['requestedAt', 'string'],
	['finishedAt', 'string'],
];

export const PIN_COLUMNS: Columns = [
	['brand', 'string'],
	['fingerprint', 'string'],
	['runId', 'string'],
	['pin', 'string'],
	['pinnedAt', 'string'],
];

export const MCP_SETTINGS = {
	maxBudgetUsd: BUDGET_CAP,
	maxTargetSeconds: 60,
	defaultWaitSeconds: 45,
	maxWaitSeconds: 50,
	pollSeconds: 3,
	deliveryRoot: DELIVERY_ROOT,
};
