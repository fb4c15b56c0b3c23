// `npm run bench`: runs the selected scenarios one after another, prints a table per scenario and writes dist/bench-results.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderScenario, type ScenarioReport } from './report.js';
import { SCENARIOS, type BenchConfig } from './scenarios.js';

const USAGE = `npm run bench   (node dist/bench/run.js)

Environment:
  BENCH_SCENARIOS    comma-separated scenarios to run (default: all = ${SCENARIOS.map((s) => s.name).join(',')})
  BENCH_SECONDS      measured seconds per target and round (default 5)
  BENCH_WARMUP       warm-up seconds before each measurement (default 1; the AWS operation scenarios
                     warm up until each load process has made 3000 calls too, 10 s at most)
  BENCH_CONNECTIONS  keep-alive connections of the load generator (default 32)
  BENCH_ROUNDS       measured rounds per target, alternating targets; the median is reported (default 1)
  BENCH_CLIENT_PROCESSES  AWS SDK load processes sharing the operations in flight (operation scenarios; default 2)
  BENCH_CPU_PROF     a folder: gatehouse writes a V8 CPU profile there per operation scenario
  BENCH_STARTS       gatehouse starts in the start-up scenario (default 5)
  BENCH_OUT          where to write the JSON results (default <root>/dist/bench-results.json)
  GATEHOUSE_ROOT     project root holding dist/gatehouse.mjs (default: two levels above this file)

Exit status: 0 when every scenario ran without errors (a missed speed target is printed, not fatal);
1 when a target failed to start or a load had errors; 2 on bad settings.`;

function numberSetting(name: string, fallback: number, min: number): number {
  const text = process.env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number >= ${min}, got ${JSON.stringify(text)}`);
  return value;
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const root = resolve(process.env['GATEHOUSE_ROOT'] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
  const out = resolve(process.env['BENCH_OUT'] ?? join(root, 'dist', 'bench-results.json'));
  let settings: Omit<BenchConfig, 'root' | 'tmpDir' | 'log'>;
  let selected = SCENARIOS;
  try {
    settings = {
      seconds: numberSetting('BENCH_SECONDS', 5, 0.1),
      warmupSeconds: numberSetting('BENCH_WARMUP', 1, 0),
      connections: Math.round(numberSetting('BENCH_CONNECTIONS', 32, 1)),
      rounds: Math.round(numberSetting('BENCH_ROUNDS', 1, 1)),
      starts: Math.round(numberSetting('BENCH_STARTS', 5, 1)),
      startTimeoutMs: 30_000,
    };
    const names = process.env['BENCH_SCENARIOS']?.split(',').map((s) => s.trim()).filter(Boolean);
    if (names?.length) {
      const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
      if (unknown.length) throw new Error(`BENCH_SCENARIOS: unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
      selected = SCENARIOS.filter((s) => names.includes(s.name));
    }
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }

  const tmpDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  // Also on Ctrl-C (servers.ts turns SIGINT/SIGTERM into process.exit).
  process.on('exit', () => rmSync(tmpDir, { recursive: true, force: true }));
  const config: BenchConfig = { ...settings, root, tmpDir, log: (line) => process.stdout.write(line + '\n') };
  const machine = { node: process.version, platform: `${process.platform} ${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', loadavg: loadavg() };
  process.stdout.write(
    `gatehouse bench: ${machine.node}, ${machine.cpus} CPU(s) (${machine.cpuModel}), load ${machine.loadavg.map((l) => l.toFixed(2)).join(' ')}\n` +
      `${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured per target` +
      `${settings.rounds > 1 ? ` × ${settings.rounds} rounds` : ''}; scenarios: ${selected.map((s) => s.name).join(', ')}\n` +
      `Absolute numbers depend on the machine; compare the ratios (same run), and CPU µs/req (steadier on shared cores).\n\n`,
  );

  const reports: ScenarioReport[] = [];
  const startedAt = new Date();
  for (const scenario of selected) {
    process.stdout.write(`-- ${scenario.name}\n`);
    const report = await scenario.run(config);
    reports.push(report);
    process.stdout.write('\n' + renderScenario(report) + '\n\n');
  }

  const ok = reports.every((r) => r.ok);
  const missed = reports.filter((r) => r.kind === 'load' && r.met === false).map((r) => r.name);
  const results = { startedAt: startedAt.toISOString(), durationSeconds: (Date.now() - startedAt.getTime()) / 1000, machine, settings, ok, missed, scenarios: reports };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');

  const summary = reports.map((r) => {
    if (!r.ok) return `${r.name}: FAILED`;
    if (r.kind === 'startup') return `${r.name}: median ${r.medianMs?.toFixed(0)} ms`;
    const ratio = `${r.ratio === null ? '-' : (r.ratio * 100).toFixed(1) + '%'} of ${r.goal.limit}`;
    if (r.goal.minRatio === null) return `${r.name}: ${r.rows.find((row) => row.role === 'subject')?.requestsPerSecond?.toFixed(0) ?? '-'} ${r.unit}/s, ${ratio} (no goal)`;
    const anchor = r.goal.anchor === undefined ? '' : `, ${r.anchorFactor ? r.anchorFactor.toFixed(1) + 'x' : '-'} ${r.goal.anchor} (goal ${r.goal.minAnchorFactor}x)`;
    return `${r.name}: ${ratio} (goal ${(r.goal.minRatio * 100).toFixed(0)}%) ${r.met ? 'met' : 'MISSED'}${anchor}`;
  });
  process.stdout.write(`summary: ${summary.join('; ')}\nresults written to ${out}\n`);
  if (missed.length) process.stdout.write(`SPEED TARGET MISSED: ${missed.join(', ')}\n`);
  if (!ok) process.stdout.write(`BENCH FAILED: ${reports.filter((r) => !r.ok).map((r) => r.name).join(', ')} (see above)\n`);
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
