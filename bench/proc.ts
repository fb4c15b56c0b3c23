// Reads a process's CPU time and memory from /proc (Linux only; every reader returns null elsewhere).
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticksPerSecond: number | undefined;

/** Clock ticks per second for /proc/<pid>/stat (`getconf CLK_TCK`, almost always 100). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticksPerSecond = Number.isFinite(value) && value > 0 ? value : 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU time of the process (all its threads) in milliseconds, or null if unreadable. */
export function cpuTimeMs(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2 (comm) is parenthesised and may hold spaces: split after the last ')'.
  // What follows starts at field 3 (state); utime and stime are fields 14 and 15.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return ((utime + stime) * 1000) / clockTicks();
}

export interface Memory {
  /** Resident set size now, in MiB. */
  rssMiB: number;
  /** Peak resident set size ("high water mark"), in MiB. */
  peakRssMiB: number;
}

/** VmRSS and VmHWM of the process from /proc/<pid>/status, or null if unreadable. */
export function memory(pid: number): Memory | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kib = (field: string): number | null => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) : null;
  };
  const rss = kib('VmRSS');
  const peak = kib('VmHWM');
  if (rss === null) return null;
  return { rssMiB: rss / 1024, peakRssMiB: (peak ?? rss) / 1024 };
}

/** CPU time every process on the machine has used since boot (all cores, ms), from /proc/stat; null if unreadable. */
export function machineBusyMs(): number | null {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  // First line: "cpu  user nice system idle iowait irq softirq steal guest guest_nice" (guest is inside user).
  const fields = text.slice(0, text.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  if (user === undefined || system === undefined) return null;
  const busy = user + (nice ?? 0) + system + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return (busy * 1000) / clockTicks();
}

/** The process and all its descendants (child processes found via /proc/<pid>/task/<tid>/children). */
export function processTree(pid: number): number[] {
  const tree = [pid];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return tree;
  }
  for (const tid of tasks) {
    try {
      const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      for (const child of children) tree.push(...processTree(Number(child)));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return tree;
}

/** VmRSS of the process and all its descendants, in MiB, or null. */
export function treeRssMiB(pid: number): number | null {
  if (memory(pid) === null) return null;
  return processTree(pid).reduce((sum, p) => sum + (memory(p)?.rssMiB ?? 0), 0);
}

/**
 * CPU time of the process and its descendants (ms): a server that hands work to child processes
 * is charged for it. Children that exited meanwhile are not counted.
 */
export function treeCpuTimeMs(pid: number): number | null {
  if (cpuTimeMs(pid) === null) return null;
  return processTree(pid).reduce((sum, p) => sum + (cpuTimeMs(p) ?? 0), 0);
}
