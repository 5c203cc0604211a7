/**
 * Executes workflow JSON with n8n's real engine (n8n-core WorkflowExecute) in-process, loading this
 * package's built nodes and credentials from dist/ the way n8n's package loader does, with
 * binary data stored on disk (filesystem mode) as a default n8n install does.
 */
import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

process.env.NODE_ENV = 'test';
process.env.N8N_USER_FOLDER ??= mkdtempSync(path.join(tmpdir(), 'vp-n8n-user-'));

import { Container } from '@n8n/di';
import {
	BinaryDataService,
	ExecutionLifecycleHooks,
	LoadOptionsContext,
	PackageDirectoryLoader,
	WorkflowExecute,
} from 'n8n-core';
import {
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IConnections,
	type IDataObject,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
	type IWorkflowSettings,
} from 'n8n-workflow';

export const PACKAGE_ROOT = path.resolve(__dirname, '../..');
export const PACKAGE_NAME = 'n8n-nodes-video-pipeline';

export interface WorkflowJson {
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
}

let loaderPromise: Promise<PackageDirectoryLoader> | undefined;
let binaryPromise: Promise<BinaryDataService> | undefined;

/** Loads dist/ through n8n's PackageDirectoryLoader (as a community package is loaded). */
export async function packageLoader(): Promise<PackageDirectoryLoader> {
	loaderPromise ??= (async () => {
		const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
		await loader.loadAll();
		return loader;
	})();
	return await loaderPromise;
}

/** Real filesystem binary storage under N8N_USER_FOLDER. */
export async function binaryDataService(): Promise<BinaryDataService> {
	binaryPromise ??= (async () => {
		const storagePath = path.join(process.env.N8N_USER_FOLDER!, '.n8n', 'storage');
		const noop = () => undefined;
		const logger = { error: noop, warn: noop, info: noop, debug: noop, scoped: () => logger };
		const service = new BinaryDataService(
			{
				mode: 'filesystem',
				availableModes: ['filesystem'],
				localStoragePath: storagePath,
				signingSecret: 'test-signing-secret',
				dbMaxFileSize: 512,
			} as never,
			{ error: noop, warn: noop, info: noop } as never,
			logger as never,
		);
		await service.init();
		Container.set(BinaryDataService, service);
		return service;
	})();
	return await binaryPromise;
}

function nodeTypes(
	loader: PackageDirectoryLoader,
	extra: Record<string, INodeType> = {},
): INodeTypes {
	const get = (type: string): INodeType | IVersionedNodeType => {
		if (extra[type]) return extra[type];
		const [pkg, name] = type.split('.');
		if (pkg !== PACKAGE_NAME)
			throw new Error(`Unrecognized node type: ${type} (the harness loads only ${PACKAGE_NAME})`);
		return loader.getNode(name).type;
	};
	return {
		getByName: get,
		getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(get(type), version),
		getKnownTypes: () => ({}),
	} as INodeTypes;
}

/**
 * Credentials as the n8n CLI resolves them: generic `authenticate` values are expressions over
 * `$credentials`; function authenticators are called; preAuthentication runs when the expirable
 * property is empty or the vendor answered 401, and its result is kept like the CLI persists it.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	readonly preAuthCalls: string[] = [];

	constructor(
		private readonly loader: PackageDirectoryLoader,
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
	}

	private type(name: string): ICredentialType {
		return this.loader.getCredential(name).type;
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(type: string) {
		return this.type(type).properties;
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.data[type];
		if (!stored) throw new Error(`No test credentials of type ${type}`);
		const defaults = Object.fromEntries(this.type(type).properties.map((p) => [p.name, p.default]));
		return { ...defaults, ...stored } as ICredentialDataDecryptedObject;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const authenticate = this.type(typeName).authenticate;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (!authenticate) return requestOptions;
		const options = requestOptions as unknown as Record<string, IDataObject>;
		for (const [outer, values] of Object.entries(authenticate.properties ?? {})) {
			options[outer] ??= {};
			for (const [key, value] of Object.entries(values as IDataObject)) {
				const resolved = workflow.expression.getSimpleParameterValue(
					node,
					value as string,
					'internal',
					{ $credentials: credentials },
					undefined,
					'',
				);
				if (resolved !== undefined && resolved !== '' && resolved !== 'undefined')
					options[outer][key] = String(resolved);
			}
		}
		return requestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		const expirable = type.properties.find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		this.preAuthCalls.push(typeName);
		const output = await type.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		Object.assign(this.data[typeName], output);
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		return typeof type.preAuthentication === 'function'
			? ((await type.preAuthentication.call(
					helpers,
					credentials,
				)) as ICredentialDataDecryptedObject)
			: undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('getCredentials is not used by the engine harness');
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}
}

export interface RunOptions {
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Name of the node to start at (default: the first node without incoming connections). */
	startNode?: string;
	/** Items handed to the start node. */
	input?: INodeExecutionData[];
	/** Node types from outside this package, by full type name (baselines in the benchmarks). */
	extraNodeTypes?: Record<string, INodeType>;
}

export interface RunResult {
	run: IRun;
	/** Output items of a node's last run, first output unless `output` says otherwise. */
	output(nodeName: string, output?: number): INodeExecutionData[];
	/** Every run of a node (loops run a node several times). */
	runs(nodeName: string): INodeExecutionData[][][];
	executionOrder: string[];
	credentialsHelper: TestCredentialsHelper;
	error?: Error;
}

function firstNode(workflow: WorkflowJson): string {
	const targets = new Set<string>();
	for (const outputs of Object.values(workflow.connections)) {
		for (const connections of Object.values(outputs)) {
			for (const list of connections ?? [])
				for (const connection of list ?? []) targets.add(connection.node);
		}
	}
	const start = workflow.nodes.find((node) => !targets.has(node.name));
	if (!start) throw new Error('the workflow has no node without incoming connections');
	return start.name;
}

async function prepare(
	json: WorkflowJson,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	extraNodeTypes?: Record<string, INodeType>,
) {
	const loader = await packageLoader();
	await binaryDataService();
	const credentialsHelper = new TestCredentialsHelper(loader, structuredClone(credentials));
	const workflow = new Workflow({
		id: 'test-workflow',
		name: json.name ?? 'test',
		nodes: json.nodes,
		connections: json.connections,
		nodeTypes: nodeTypes(loader, extraNodeTypes),
		settings: { binaryMode: 'separate', ...(json.settings ?? {}) },
		active: false,
	});
	return { loader, credentialsHelper, workflow };
}

/** Calls a node's loadOptions method the way the editor does, with real credentials and HTTP. */
export async function loadOptions(
	json: WorkflowJson,
	nodeName: string,
	method: string,
	credentials: Record<string, ICredentialDataDecryptedObject> = {},
) {
	const { loader, credentialsHelper, workflow } = await prepare(json, credentials);
	const node = workflow.getNode(nodeName)!;
	const type = loader.getNode(node.type.split('.')[1]).type as INodeType;
	const additionalData = {
		credentialsHelper,
		executionId: 'load-options',
		currentNodeParameters: node.parameters,
		encryptedRunnerIdentity: undefined,
		variables: {},
		restApiUrl: 'http://localhost/rest',
		instanceBaseUrl: 'http://localhost/',
	} as unknown as IWorkflowExecuteAdditionalData;
	const context = new LoadOptionsContext(workflow, node, additionalData, 'parameters.model');
	return await type.methods!.loadOptions![method].call(context);
}

/** Calls a node's listSearch method (a resource locator's list) the way the editor does. */
export async function listSearch(
	json: WorkflowJson,
	nodeName: string,
	method: string,
	credentials: Record<string, ICredentialDataDecryptedObject> = {},
	filter?: string,
) {
	const { loader, credentialsHelper, workflow } = await prepare(json, credentials);
	const node = workflow.getNode(nodeName)!;
	const type = loader.getNode(node.type.split('.')[1]).type as INodeType;
	const additionalData = {
		credentialsHelper,
		executionId: 'list-search',
		currentNodeParameters: node.parameters,
		encryptedRunnerIdentity: undefined,
		variables: {},
		restApiUrl: 'http://localhost/rest',
		instanceBaseUrl: 'http://localhost/',
	} as unknown as IWorkflowExecuteAdditionalData;
	const context = new LoadOptionsContext(workflow, node, additionalData, 'parameters.model');
	return await type.methods!.listSearch![method].call(context, filter);
}

export async function runWorkflow(
	json: WorkflowJson,
	options: RunOptions = {},
): Promise<RunResult> {
	const { credentialsHelper, workflow } = await prepare(
		json,
		options.credentials ?? {},
		options.extraNodeTypes,
	);
	const executionOrder: string[] = [];
	const hooks = new ExecutionLifecycleHooks('manual', `exec-${Date.now()}`, workflow as never);
	hooks.addHandler('nodeExecuteBefore', (nodeName: string) => {
		executionOrder.push(nodeName);
	});
	let resolveRun!: (run: IRun) => void;
	const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
	hooks.addHandler('workflowExecuteAfter', (run: IRun) => resolveRun(run));

	const additionalData = {
		credentialsHelper,
		executionId: hooks.executionId,
		hooks,
		webhookWaitingBaseUrl: 'http://localhost/waiting-webhook',
		webhookBaseUrl: 'http://localhost/webhook',
		webhookTestBaseUrl: 'http://localhost/webhook-test',
		restApiUrl: 'http://localhost/rest',
		instanceBaseUrl: 'http://localhost/',
		formWaitingBaseUrl: 'http://localhost/form-waiting',
		variables: {},
		currentNodeParameters: undefined,
		encryptedRunnerIdentity: undefined,
		userId: 'test-user',
		setExecutionStatus: () => undefined,
	} as unknown as IWorkflowExecuteAdditionalData;

	const start = workflow.getNode(options.startNode ?? firstNode(json));
	if (!start) throw new Error(`no node named ${options.startNode}`);
	const execute = new WorkflowExecute(additionalData, 'manual', {
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			waitingExecution: {},
			waitingExecutionSource: null,
			nodeExecutionStack: [
				{ node: start, data: { main: [options.input ?? [{ json: {} }]] }, source: null },
			],
		},
	} as never);
	await execute.processRunExecutionData(workflow);
	const run = await finished;
	const runData = run.data.resultData.runData;
	return {
		run,
		executionOrder,
		credentialsHelper,
		error: run.data.resultData.error as Error | undefined,
		runs: (nodeName) =>
			(runData[nodeName] ?? []).map((task) => (task.data?.main ?? []).map((items) => items ?? [])),
		output: (nodeName, output = 0) => {
			const tasks = runData[nodeName];
			if (!tasks?.length)
				throw new Error(`node "${nodeName}" did not run (ran: ${Object.keys(runData).join(', ')})`);
			return tasks[tasks.length - 1].data?.main?.[output] ?? [];
		},
	};
}

/** Streams a stored binary back from n8n's binary store. */
export async function readBinary(id: string): Promise<Buffer> {
	const service = await binaryDataService();
	const stream = await service.getAsStream(id);
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}
