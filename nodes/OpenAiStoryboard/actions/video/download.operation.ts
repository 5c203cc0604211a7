import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import {
	otherVendorsProperty,
	outputFieldProperty,
	takeToDownload,
} from '../../../shared/render/deliveryTake';
import { openAiDownload } from '../../../shared/vendors/openai/transport';
import { readVideoId, videoIdProperty } from '../descriptions';

const VARIANT_MIME: Record<string, { mimeType: string; extension: string }> = {
	video: { mimeType: 'video/mp4', extension: 'mp4' },
	thumbnail: { mimeType: 'image/webp', extension: 'webp' },
	spritesheet: { mimeType: 'image/jpeg', extension: 'jpg' },
};

const properties: INodeProperties[] = [
	{
		displayName: 'Video',
		name: 'source',
		type: 'options',
		default: 'id',
		options: [
			{ name: 'By Video ID', value: 'id' },
			{ name: 'Latest Videos API Take of the Item', value: 'take' },
		],
	},
	{
		...videoIdProperty('The job ID of a completed render'),
		displayOptions: { show: { source: ['id'] } },
	},
	otherVendorsProperty,
	{
		displayName: 'Variant',
		name: 'variant',
		type: 'options',
		default: 'video',
		options: [
			{ name: 'Video (MP4)', value: 'video' },
			{ name: 'Thumbnail (WebP)', value: 'thumbnail' },
			{ name: 'Spritesheet (JPEG)', value: 'spritesheet' },
		],
	},
	outputFieldProperty,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['download'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const input = this.getInputData()[itemIndex];
	let jobId: string;
	if (this.getNodeParameter('source', itemIndex, 'id') === 'take') {
		const take = takeToDownload(this, itemIndex, 'openai', 'Videos API');
		if (!take) return [{ ...input, pairedItem: { item: itemIndex } }];
		jobId = take.jobId;
	} else {
		jobId = readVideoId(this, itemIndex);
	}
	const variant = this.getNodeParameter('variant', itemIndex, 'video') as string;
	const binaryPropertyName = this.getNodeParameter(
		'binaryPropertyName',
		itemIndex,
		'data',
	) as string;
	const { mimeType, extension } = VARIANT_MIME[variant] ?? VARIANT_MIME.video;
	const binary = await openAiDownload(this, `/videos/${encodeURIComponent(jobId)}/content`, {
		qs: { variant },
		itemIndex,
		jobId,
		fileName: `${jobId}.${extension}`,
		mimeType,
	});
	return [
		{
			json: {
				...input.json,
				jobId,
				download: {
					variant,
					fileName: binary.fileName ?? null,
					mimeType: binary.mimeType,
					bytes: binary.bytes ?? null,
				},
			},
			binary: { ...(input.binary ?? {}), [binaryPropertyName]: binary },
			pairedItem: { item: itemIndex },
		},
	];
}
