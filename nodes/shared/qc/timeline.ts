import type { ShotItem } from '../contract/schemas';

const FPS = 24;

function timecode(frames: number, fps = FPS): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	const f = frames % fps;
	const s = Math.floor(frames / fps) % 60;
	const m = Math.floor(frames / (fps * 60)) % 60;
	const h = Math.floor(frames / (fps * 3600));
	return `${pad(h)}:${pad(m)}:${pad(s)}:${pad(f)}`;
}

interface Clip {
	name: string;
	reel: string;
	frames: number;
	target: string;
}

function clipsOf(items: ShotItem[]): Clip[] {
	return items
		.slice()
		.sort((a, b) => a.shot.index - b.shot.index)
		.map((item) => {
			const take = [...item.takes].reverse().find((t) => t.status === 'succeeded');
			return {
				name: `${item.shot.id} ${item.shot.beat.label}`,
				reel:
					item.shot.id
						.replace(/[^A-Za-z0-9]/g, '')
						.slice(0, 8)
						.toUpperCase() || 'AX',
				frames: Math.round(item.shot.durationSeconds * FPS),
				target:
					take?.asset && take.asset.kind !== 'binary' ? take.asset.ref : `${item.shot.id}.mp4`,
			};
		});
}

/** The passed takes in shot order as an OpenTimelineIO timeline (one video track). */
export function otioTimeline(items: ShotItem[], name: string): Record<string, unknown> {
	const rate = FPS;
	return {
		OTIO_SCHEMA: 'Timeline.1',
		name,
		global_start_time: { OTIO_SCHEMA: 'RationalTime.1', rate, value: 0 },
		tracks: {
			OTIO_SCHEMA: 'Stack.1',
			name: 'tracks',
			children: [
				{
					OTIO_SCHEMA: 'Track.1',
					name: 'V1',
					kind: 'Video',
					children: clipsOf(items).map((clip) => ({
						OTIO_SCHEMA: 'Clip.2',
						name: clip.name,
						source_range: {
							OTIO_SCHEMA: 'TimeRange.1',
							start_time: { OTIO_SCHEMA: 'RationalTime.1', rate, value: 0 },
							duration: { OTIO_SCHEMA: 'RationalTime.1', rate, value: clip.frames },
						},
						media_references: {
							DEFAULT_MEDIA: {
								OTIO_SCHEMA: 'ExternalReference.1',
								target_url: clip.target,
								available_range: null,
							},
						},
						active_media_reference_key: 'DEFAULT_MEDIA',
					})),
				},
			],
		},
	};
}

/** The same cut as a CMX3600 EDL at 24 fps, non-drop frame. */
export function cmx3600(items: ShotItem[], title: string): string {
	const lines = [
		`TITLE: ${title.replace(/[^\x20-\x7e]/g, '').slice(0, 70)}`,
		'FCM: NON-DROP FRAME',
		'',
	];
	let record = 0;
	clipsOf(items).forEach((clip, index) => {
		const event = String(index + 1).padStart(3, '0');
		lines.push(
			`${event}  ${clip.reel.padEnd(8)} V     C        ${timecode(0)} ${timecode(clip.frames)} ${timecode(record)} ${timecode(record + clip.frames)}`,
		);
		lines.push(`* FROM CLIP NAME: ${clip.name.replace(/[^\x20-\x7e]/g, '')}`);
		lines.push('');
		record += clip.frames;
	});
	return lines.join('\n');
}
