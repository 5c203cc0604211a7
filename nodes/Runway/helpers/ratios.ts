import type { AspectRatio, Resolution } from '../../shared/contract/schemas';

/** Runway takes pixel ratios; the contract speaks aspect ratios. The nearest ratio a model offers wins. */
const CANDIDATES: Record<AspectRatio, string[]> = {
	'16:9': ['1920:1080', '1280:720', '1360:768'],
	'9:16': ['1080:1920', '720:1280'],
	'1:1': ['1080:1080', '1024:1024', '960:960', '720:720'],
	'4:3': ['1440:1080', '1104:832', '960:720', '1168:880'],
	'3:4': ['1080:1440', '832:1104', '720:960'],
	'21:9': ['2112:912', '1584:672', '1808:768', '1680:720'],
};

export function runwayRatio(
	aspectRatio: AspectRatio,
	resolution: Resolution,
	offered: readonly string[] | undefined,
): string | undefined {
	const candidates = CANDIDATES[aspectRatio].filter((ratio) => !offered || offered.includes(ratio));
	const large = candidates.find((ratio) => Math.min(...ratio.split(':').map(Number)) >= 1080);
	const small = candidates.find((ratio) => Math.min(...ratio.split(':').map(Number)) < 1080);
	return (resolution === '720p' ? (small ?? large) : (large ?? small)) ?? candidates[0];
}
