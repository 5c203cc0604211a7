import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import type { Capability } from '../../shared/registry/schema';
import { modelOptions } from '../../shared/registry/registry';

const CUSTOM = { name: 'Custom Model ID', value: 'custom', description: 'A model released after this node' };

const forCapability = (capability: Capability) => async function (this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return [...modelOptions({ vendor: 'runway', capability, backend: 'runway' }), CUSTOM];
};

export const imageToVideoModels = forCapability('image_to_video');
export const textToVideoModels = forCapability('text_to_video');
export const textToImageModels = forCapability('text_to_image');
export const videoToVideoModels = forCapability('video_to_video');
export const upscaleModels = async function (this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return [...modelOptions({ vendor: 'runway', capability: 'upscale', backend: 'runway' }), ...modelOptions({ vendor: 'runway', capability: 'frame_interpolation', backend: 'runway' }), CUSTOM];
};
