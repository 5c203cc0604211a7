/** The sandbox's own copy of Runway's model contracts (SDK 4.20.1) and credit prices. */
export const I2V_RATIOS = ['1280:720', '720:1280', '1104:832', '832:1104', '960:960', '1584:672'];
export const VEO_RATIOS = ['1280:720', '720:1280', '1080:1920', '1920:1080'];
export const IMAGE_RATIOS = [
	'1024:1024',
	'1080:1080',
	'1168:880',
	'1360:768',
	'1440:1080',
	'1080:1440',
	'1808:768',
	'1920:1080',
	'1080:1920',
	'2112:912',
	'1280:720',
	'720:1280',
	'720:720',
	'960:720',
	'720:960',
	'1680:720',
];
export const ACT_TWO_RATIOS = [
	'1280:720',
	'720:1280',
	'960:960',
	'1104:832',
	'832:1104',
	'1584:672',
];
export const ALEPH_ASPECTS = ['16:9', '4:3', '3:2', '1:1', '2:3', '3:4', '9:16', '21:9'];
export const ALEPH_FORMATS = ['mp4', 'prores', 'png_sequence', 'sdr_rec709_10bit'];
export const UPSCALE_RESOLUTIONS: Record<string, number> = {
	'720p': 720,
	'1k': 1080,
	'2k': 1440,
	'4k': 2160,
};
export const FRAME_RATES = ['24', '25', '30', '48', '50', '60', '120', '23_98', '29_97', '59_94'];

export interface VideoModelContract {
	ratios: string[];
	durations: { min: number; max: number } | number[];
	durationRequired: boolean;
	promptTextRequired: boolean;
	audio: boolean;
	/** Credits per second: (audio) -> credits. */
	credits(audio: boolean): number;
}

export const IMAGE_TO_VIDEO: Record<string, VideoModelContract> = {
	gen4_turbo: {
		ratios: I2V_RATIOS,
		durations: { min: 2, max: 10 },
		durationRequired: false,
		promptTextRequired: false,
		audio: false,
		credits: () => 5,
	},
	'gen4.5': {
		ratios: I2V_RATIOS,
		durations: { min: 2, max: 10 },
		durationRequired: true,
		promptTextRequired: true,
		audio: false,
		credits: () => 12,
	},
	'veo3.1': {
		ratios: VEO_RATIOS,
		durations: [4, 6, 8],
		durationRequired: false,
		promptTextRequired: false,
		audio: true,
		credits: (audio) => (audio ? 40 : 20),
	},
	'veo3.1_fast': {
		ratios: VEO_RATIOS,
		durations: [4, 6, 8],
		durationRequired: false,
		promptTextRequired: false,
		audio: true,
		credits: (audio) => (audio ? 15 : 10),
	},
};

export const TEXT_TO_VIDEO: Record<string, VideoModelContract> = {
	'gen4.5': {
		ratios: ['1280:720', '720:1280'],
		durations: { min: 2, max: 10 },
		durationRequired: true,
		promptTextRequired: true,
		audio: false,
		credits: () => 12,
	},
	'veo3.1': {
		ratios: VEO_RATIOS,
		durations: [4, 6, 8],
		durationRequired: false,
		promptTextRequired: true,
		audio: true,
		credits: (audio) => (audio ? 40 : 20),
	},
	'veo3.1_fast': {
		ratios: VEO_RATIOS,
		durations: [4, 6, 8],
		durationRequired: false,
		promptTextRequired: true,
		audio: true,
		credits: (audio) => (audio ? 15 : 10),
	},
};

export const TEXT_TO_IMAGE: Record<
	string,
	{ minRefs: number; maxRefs: number; credits(ratio: string): number }
> = {
	gen4_image: {
		minRefs: 0,
		maxRefs: 3,
		credits: (ratio) => (Math.max(...ratio.split(':').map(Number)) >= 1920 ? 8 : 5),
	},
	gen4_image_turbo: { minRefs: 1, maxRefs: 3, credits: () => 2 },
};

export const CREDITS_PER_SECOND: Record<string, number> = {
	aleph2: 15,
	magnific_video_upscaler_creative: 24,
	enhance_frame_rate: 10,
	act_two: 5,
};

/** Models Runway no longer serves, with what the API answers. */
export const RETIRED_RUNWAY: Record<string, string> = {
	gen4_aleph: 'aleph2',
	upscale_v1: 'magnific_video_upscaler_creative',
	veo3: 'veo3.1',
	gen3a_turbo: 'gen4_turbo',
};

export const DATA_URI_LIMIT = 5 * 1024 * 1024;
export const UPLOAD_LIMIT = 200 * 1024 * 1024;
