// Result shapes of the bench and their rendering as plain-text tables (the same objects are written as JSON).
import type { LoadResult } from './load.js';

export type Role = 'subject' | 'limit' | 'anchor' | 'reference';

export interface TargetRow {
  target: string;
  /** subject: what the target is about; limit: what it is compared with; anchor: the tool users would use instead; reference: shown for context only. */
  role: Role;
  /** Null when the target did not start. */
  requestsPerSecond: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Server CPU time per request (µs), the steadier figure on shared cores. */
  cpuUsPerRequest: number | null;
  /** Server CPU use during the measured phase, in cores. */
  serverCpuCores: number | null;
  /** CPU used by other processes during the measured phase, in cores (noise indicator). */
  otherCpuCores: number | null;
  /** The load generator's CPU per request (µs) and use (cores): near 1 core, the client is the bottleneck. */
  clientCpuUsPerRequest: number | null;
  clientCpuCores: number | null;
  /** VmRSS / VmHWM of the server process after its load. */
  rssMiB: number | null;
  peakRssMiB: number | null;
  startMs: number | null;
  /** The first request after start (a cold start where the target starts things lazily), in ms. */
  firstRequestMs: number | null;
  /** Non-2xx responses and failed requests over all rounds (warm-up included). */
  errors: number;
  /** req/s relative to the limit target's req/s. */
  ratio: number | null;
  /** CPU µs/req of the limit divided by this target's (1.0 = as cheap; higher is better). */
  cpuRatio: number | null;
  /** Only for the subject: ratio >= the goal. */
  met: boolean | null;
  failure: string | null;
  /** First response of the preflight GET. */
  preflight: { status: number; contentType: string | null; body: string } | null;
  /** Every measured round, as the load generator reported it. */
  rounds: LoadResult[];
}

export interface LoadScenarioReport {
  kind: 'load';
  name: string;
  title: string;
  /** minRatio null: no goal, the ratio is shown for information. */
  goal: { subject: string; limit: string; minRatio: number | null; anchor?: string; minAnchorFactor?: number };
  /** 'req' for HTTP loads, 'op' for AWS SDK operations. */
  unit: 'req' | 'op';
  ratio: number | null;
  /** subject req/s divided by the anchor's. */
  anchorFactor?: number | null;
  cpuRatio: number | null;
  met: boolean | null;
  /** False when a target failed to start or a load had errors. */
  ok: boolean;
  rows: TargetRow[];
  notes: string[];
}

export interface StartupScenarioReport {
  kind: 'startup';
  name: string;
  title: string;
  ok: boolean;
  /** Spawn to GET /_gatehouse/health == 200, one per start. */
  samplesMs: number[];
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  /** VmRSS right after becoming healthy (median). */
  idleRssMiB: number | null;
  notes: string[];
}

export type ScenarioReport = LoadScenarioReport | StartupScenarioReport;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function fixed(value: number | null, digits: number): string {
  return value === null || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

function table(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function renderScenario(report: ScenarioReport): string {
  const out: string[] = [];
  out.push(`== ${report.name}: ${report.title}`);
  if (report.kind === 'load') {
    const u = report.unit;
    const header = [
      'target', `${u}/s`, 'p50 ms', 'p99 ms', 'max ms', `CPU µs/${u}`, 'cores', 'client µs/' + u, 'client cores', 'other', 'RSS MiB', '1st ms', 'errors', 'vs limit', 'CPU vs limit', 'target met',
    ];
    const rows = report.rows.map((r) => [
      `${r.target}${r.role === 'subject' ? '' : ` (${r.role === 'reference' ? 'ref' : r.role})`}`,
      fixed(r.requestsPerSecond, 0),
      fixed(r.p50Ms, 2),
      fixed(r.p99Ms, 2),
      fixed(r.maxMs, 1),
      fixed(r.cpuUsPerRequest, 1),
      fixed(r.serverCpuCores, 2),
      fixed(r.clientCpuUsPerRequest, 1),
      fixed(r.clientCpuCores, 2),
      fixed(r.otherCpuCores, 2),
      fixed(r.rssMiB, 1),
      fixed(r.firstRequestMs, 1),
      r.failure !== null ? (r.failure.startsWith('skipped') ? 'skipped' : 'FAILED') : String(r.errors),
      r.ratio === null ? '-' : `${(r.ratio * 100).toFixed(1)}%`,
      r.cpuRatio === null ? '-' : `${(r.cpuRatio * 100).toFixed(1)}%`,
      r.met === null ? '' : r.met ? 'yes' : 'NO',
    ]);
    out.push(table(header, rows, [false, ...header.slice(1, -1).map(() => true), false]));
    const goal =
      report.goal.minRatio === null
        ? `no goal: ${report.goal.subject} ${fixed(report.ratio === null ? null : report.ratio * 100, 1)}% of ${report.goal.limit} ${u}/s`
        : `goal: ${report.goal.subject} >= ${(report.goal.minRatio * 100).toFixed(0)}% of ${report.goal.limit} ${u}/s`;
    if (!report.ok) out.push(`${goal} -> SCENARIO FAILED (a target did not start or had errors)`);
    else if (report.goal.minRatio === null) out.push(goal);
    else if (report.met === null) out.push(`${goal} -> not measured`);
    else out.push(`${goal} -> ${report.met ? 'met' : 'MISSED'} (${fixed(report.ratio === null ? null : report.ratio * 100, 1)}%; CPU per request ${fixed(report.cpuRatio === null ? null : report.cpuRatio * 100, 1)}% as cheap)`);
    const { anchor, minAnchorFactor } = report.goal;
    if (anchor !== undefined && minAnchorFactor !== undefined) {
      const factor = report.anchorFactor ?? null;
      const anchorRate = report.rows.find((r) => r.role === 'anchor')?.requestsPerSecond ?? null;
      const verdict =
        factor !== null
          ? `${factor >= minAnchorFactor ? 'met' : 'MISSED'} (${factor.toFixed(1)}x)`
          : anchorRate === 0 && (report.ratio ?? 0) > 0
            ? `met (${anchor} answered no request with a 2xx under this load)`
            : 'not measured';
      out.push(`goal: ${report.goal.subject} >= ${minAnchorFactor}x ${anchor} req/s -> ${verdict}`);
    }
  } else {
    const header = ['target', 'starts', 'median ms', 'min ms', 'max ms', 'idle RSS MiB'];
    const rows = [
      ['gatehouse', String(report.samplesMs.length), fixed(report.medianMs, 0), fixed(report.minMs, 0), fixed(report.maxMs, 0), fixed(report.idleRssMiB, 1)],
    ];
    out.push(table(header, rows, [false, true, true, true, true, true]));
    if (!report.ok) out.push('SCENARIO FAILED (gatehouse did not start)');
  }
  for (const note of report.notes) out.push(`  note: ${note}`);
  return out.join('\n');
}
