import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { execute } from './actions/execute';
import { properties } from './actions/properties';
import { OUTPUTS_EXPRESSION } from './helpers/outputs';

export class QcRouter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'QC Router',
		name: 'qcRouter',
		icon: { light: 'file:../../icons/qcRouter.svg', dark: 'file:../../icons/qcRouter.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ "QC" + ($parameter["visionJudge"] ? " + vision judge" : "") }}',
		description:
			'Scores every shot and sends only the failing shot back to the layer that drifted, with retry budgets, a completion barrier and a QC report',
		defaults: { name: 'QC Router' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Per Layer (the default) or one Re-render output per engine route: derived from one list.
		outputs: OUTPUTS_EXPRESSION,
		// Both optional: Google for the vision judge and for Veo clips kept by reference (gs:// or
		// Gemini file URIs), OpenAI for Videos API clips kept by reference.
		credentials: [
			{ name: 'googleVideoPipelineApi', required: false },
			{ name: 'openAiVideoPipelineApi', required: false },
		],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await execute.call(this);
	}
}
