import type { Pin, Shot } from '../../shared/contract/schemas';
import { pickReferences } from '../../shared/render/prompt';

/** What each vendor will be sent for this shot: up to 3 Veo reference images, and the Runway @tags. */
export function pinnedReferences(pin: Pin, shot: Shot) {
	return {
		veo: pickReferences(pin, shot, 3).map(({ tag, asset }) => ({ tag, ref: asset.ref })),
		runwayTags: pickReferences(pin, shot, 3).map(({ tag }) => `@${tag}`),
		missing: shot.characters.filter((tag) => !pin.characters.some((c) => c.tag === tag)),
	};
}
