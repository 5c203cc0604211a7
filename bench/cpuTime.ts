import { readFileSync } from 'node:fs';

/** Linux's clock ticks per second for /proc/<pid>/stat (USER_HZ; 100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds a process has used (user + system), and those of its children it has waited for
 * (the sandbox's ffmpeg runs), from /proc. Undefined where /proc is not there or the process is gone.
 */
export function cpuSeconds(pid: number): { own: number; children: number } | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name (field 2) may hold spaces; the fields after it are space-separated.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
		return {
			own: (utime + stime) / TICKS_PER_SECOND,
			children: (cutime + cstime) / TICKS_PER_SECOND,
		};
	} catch {
		return undefined;
	}
}
