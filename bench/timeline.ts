import { writeFileSync } from 'node:fs';

/** What a render was doing: waiting for its submit, at the vendor, finished but not yet noticed, being downloaded. */
export type Phase = 'queued' | 'rendering' | 'detected' | 'downloaded';

export interface Lane {
	label: string;
	/** Milliseconds from the start of the group's run. */
	segments: Array<{ phase: Phase; start: number; end: number }>;
}

export interface LaneGroup {
	title: string;
	lanes: Lane[];
}

const COLOURS: Record<Phase, string> = {
	queued: '#c8ccd2',
	rendering: '#3b7dd8',
	detected: '#f0a030',
	downloaded: '#3fa34d',
};
const LEGEND: Record<Phase, string> = {
	queued: 'queued (before the vendor took the submit)',
	rendering: 'rendering at the vendor',
	detected: 'finished, not yet noticed by the node',
	downloaded: 'noticed, output being collected',
};

const escape = (text: string) =>
	text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The lanes of a run in order, each phase built from the times it started and ended (missing ends are skipped). */
export function lane(
	label: string,
	times: Array<[Phase, number | undefined, number | undefined]>,
): Lane {
	return {
		label,
		segments: times
			.filter(([, start, end]) => start !== undefined && end !== undefined && end >= start)
			.map(([phase, start, end]) => ({ phase, start: start!, end: end! })),
	};
}

/**
 * One lane per render on a shared time axis (seconds from each group's start), so an operator
 * sees where the time went: waiting for room, rendering, noticing, collecting.
 */
export function writeTimelineSvg(file: string, heading: string, groups: LaneGroup[]): void {
	const laneHeight = 6;
	const gap = 2;
	const left = 150;
	const width = 1000;
	const span = Math.max(
		1,
		...groups.flatMap((g) => g.lanes.flatMap((l) => l.segments.map((s) => s.end))),
	);
	const x = (ms: number) => left + (ms / span) * width;
	const parts: string[] = [];
	let y = 40;
	parts.push(`<text x="10" y="22" font-size="15" font-weight="bold">${escape(heading)}</text>`);
	for (const group of groups) {
		y += 18;
		const end = Math.max(0, ...group.lanes.flatMap((l) => l.segments.map((s) => s.end)));
		parts.push(
			`<text x="10" y="${y}" font-size="12" font-weight="bold">${escape(group.title)} — ${(end / 1000).toFixed(1)} s</text>`,
		);
		y += 6;
		const top = y;
		for (const { label, segments } of group.lanes) {
			parts.push(
				`<text x="${left - 6}" y="${y + laneHeight - 1}" font-size="6" text-anchor="end" fill="#555">${escape(label)}</text>`,
			);
			for (const segment of segments) {
				const w = Math.max(0.5, x(segment.end) - x(segment.start));
				parts.push(
					`<rect x="${x(segment.start).toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${laneHeight}" fill="${COLOURS[segment.phase]}"><title>${escape(`${label}: ${segment.phase} ${(segment.start / 1000).toFixed(2)}–${(segment.end / 1000).toFixed(2)} s`)}</title></rect>`,
				);
			}
			y += laneHeight + gap;
		}
		parts.push(
			`<line x1="${x(end)}" y1="${top - 4}" x2="${x(end)}" y2="${y}" stroke="#222" stroke-dasharray="3,2"/>`,
		);
		y += 6;
	}
	const step =
		[1, 2, 5, 10, 15, 30, 60, 120, 300, 600].map((s) => s * 1000).find((s) => span / s <= 12) ??
		1_200_000;
	y += 4;
	parts.push(`<line x1="${left}" y1="${y}" x2="${left + width}" y2="${y}" stroke="#222"/>`);
	for (let t = 0; t <= span; t += step) {
		parts.push(
			`<line x1="${x(t)}" y1="${y}" x2="${x(t)}" y2="${y + 4}" stroke="#222"/><text x="${x(t)}" y="${y + 14}" font-size="10" text-anchor="middle">${t / 1000} s</text>`,
		);
	}
	y += 30;
	let lx = left;
	for (const phase of Object.keys(COLOURS) as Phase[]) {
		parts.push(
			`<rect x="${lx}" y="${y - 9}" width="10" height="10" fill="${COLOURS[phase]}"/><text x="${lx + 14}" y="${y}" font-size="10">${escape(LEGEND[phase])}</text>`,
		);
		lx += 14 + LEGEND[phase].length * 5.2 + 16;
	}
	y += 12;
	const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 20}" height="${y}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
	writeFileSync(file, svg);
}
