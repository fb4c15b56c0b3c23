// The scenario list: each entry starts its targets, loads them one after another and compares the subject with its limit.
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { runLoad, type LoadResult } from './load.js';
import { memory } from './proc.js';
import { httpGet, startGatehouse, startSimpleServer, writeDefinition, StartFailure, TargetSkipped, type Running } from './servers.js';
import { rds, rdsPglite } from './rds.js';
import { protect } from './protect.js';
import { SERVERLESS_OFFLINE_LABEL, startServerlessOffline } from './serverless-offline.js';
import { HELLO_HANDLER, memoryPerEnvironment } from './lambda-probe.js';
import { OPERATION_SCENARIOS } from './operations.js';
import { median, type LoadScenarioReport, type Role, type ScenarioReport, type StartupScenarioReport, type TargetRow } from './report.js';

export interface BenchConfig {
  /** Project root: gatehouse is <root>/dist/gatehouse.mjs. */
  root: string;
  /** A fresh temporary directory for definitions and data dirs. */
  tmpDir: string;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  /** Measured rounds per target (targets alternate within a round); the median round is reported. */
  rounds: number;
  /** Gatehouse starts for the start-up scenario. */
  starts: number;
  startTimeoutMs: number;
  log: (line: string) => void;
}

export interface Scenario {
  name: string;
  title: string;
  run(config: BenchConfig): Promise<ScenarioReport>;
}

/** One target of a load scenario: how to start it and what to ask it. */
export interface TargetSpec {
  label: string;
  role: Role;
  start(): Promise<Running>;
  path: string;
  /** Measured once after the first request, before any load; returns report notes. */
  probe?(server: Running): Promise<string | null>;
  /** Sent with every request to this target, besides REQUEST_HEADERS (an API key, a token). */
  headers?: Record<string, string>;
  /** Replaces the HTTP preflight GET and load (AWS SDK operations: bench/operations.ts). */
  driver?: TargetDriver;
}

export interface TargetDriver {
  preflight(server: Running): Promise<NonNullable<TargetRow['preflight']>>;
  load(server: Running, config: BenchConfig): Promise<LoadResult & { operationNotes?: string[] }>;
}

export interface LoadScenarioSpec {
  name: string;
  title: string;
  /** subject req/s must be at least minRatio × the limit's req/s (null: no goal, measured for information). */
  minRatio: number | null;
  /** subject req/s must be at least this × the anchor's req/s (when there is an anchor). */
  minAnchorFactor?: number;
  /** What one request is called in the report ('op' for AWS operations); default 'req'. */
  unit?: 'req' | 'op';
  /** Starts what the targets share (an upstream, a definition file) and describes the targets. */
  setup(config: BenchConfig): Promise<{ targets: TargetSpec[]; teardown(): Promise<void>; notes?: string[] }>;
}

/** Sent with every request (a proxy has headers to forward). */
const REQUEST_HEADERS = { accept: 'application/json', 'user-agent': 'gatehouse-bench/1' };

/** Other processes' CPU use (cores) above which a scenario's req/s figures are flagged as unreliable. */
const NOISY_CORES = 0.15;

const PET_BODY = '{"id": 1, "name": "pet-1"}';
/** Port 9 (discard) on loopback: nothing listens; for definitions whose proxy route is never called. */
const NO_UPSTREAM = 'http://127.0.0.1:9';

function gatehouseLauncher(config: BenchConfig, name: string, upstream: string): () => Promise<Running> {
  const dir = join(config.tmpDir, name);
  mkdirSync(dir, { recursive: true });
  const definition = join(dir, 'openapi.json');
  writeDefinition(definition, upstream);
  return () => startGatehouse({ root: config.root, definition, dataDir: join(dir, 'data'), startTimeoutMs: config.startTimeoutMs });
}

const mock: LoadScenarioSpec = {
  name: 'mock',
  title: 'MOCK route GET /dev/pets/1 (response template) vs a bare node:http server with the same JSON body',
  minRatio: 0.6,
  async setup(config) {
    return {
      targets: [
        { label: 'node:http', role: 'limit', path: '/dev/pets/1', start: () => startSimpleServer('node:http', { kind: 'json', body: PET_BODY }) },
        { label: 'gatehouse', role: 'subject', path: '/dev/pets/1', start: gatehouseLauncher(config, 'mock', NO_UPSTREAM) },
      ],
      teardown: async () => {},
    };
  },
};

const proxy: LoadScenarioSpec = {
  name: 'proxy',
  title: 'HTTP_PROXY route GET /dev/proxy/hello vs a minimal undici proxy, and the upstream called directly',
  minRatio: 0.8,
  async setup(config) {
    const upstream = await startSimpleServer('upstream', { kind: 'upstream' });
    return {
      targets: [
        { label: 'upstream direct', role: 'reference', path: '/hello', start: async () => ({ ...upstream, stop: async () => {} }) }, // stopped by teardown
        {
          label: 'undici proxy',
          role: 'limit',
          path: '/dev/proxy/hello',
          start: () => startSimpleServer('undici proxy', { kind: 'undici-proxy', upstream: upstream.origin, stripPrefix: '/dev/proxy' }),
        },
        { label: 'gatehouse', role: 'subject', path: '/dev/proxy/hello', start: gatehouseLauncher(config, 'proxy', upstream.origin) },
      ],
      teardown: () => upstream.stop(),
    };
  },
};

const HELLO_TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      CodeUri: .
      Handler: hello.handler
      Events:
        Get: {Type: Api, Properties: {Path: /hello, Method: get}}
`;

const lambda: LoadScenarioSpec = {
  name: 'lambda',
  title: 'Lambda proxy route GET /Prod/hello (trivial handler, warm environments) vs calling the handler in-process, and serverless-offline',
  minRatio: 0.5,
  minAnchorFactor: 10,
  async setup(config) {
    const dir = join(config.tmpDir, 'lambda');
    mkdirSync(dir, { recursive: true });
    const handlerFile = join(dir, 'hello.mjs');
    writeFileSync(handlerFile, HELLO_HANDLER);
    const definition = join(dir, 'template.yaml');
    writeFileSync(definition, HELLO_TEMPLATE);
    return {
      targets: [
        { label: 'in-process handler', role: 'limit', path: '/Prod/hello', start: () => startSimpleServer('in-process handler', { kind: 'lambda-in-process', handlerFile }) },
        {
          label: 'gatehouse',
          role: 'subject',
          path: '/Prod/hello',
          start: () => startGatehouse({ root: config.root, definition, dataDir: join(dir, 'data'), startTimeoutMs: config.startTimeoutMs }),
          probe: (server) => memoryPerEnvironment(server, '/Prod/hello'),
        },
        {
          label: 'gatehouse, process isolation',
          role: 'reference',
          path: '/Prod/hello',
          start: () =>
            startGatehouse({ root: config.root, definition, dataDir: join(dir, 'data-process'), startTimeoutMs: config.startTimeoutMs, extraArgs: ['--lambda-isolation', 'process'] }),
          probe: (server) => memoryPerEnvironment(server, '/Prod/hello'),
        },
        {
          label: SERVERLESS_OFFLINE_LABEL,
          role: 'anchor',
          path: '/Prod/hello',
          start: () => startServerlessOffline({ dir, handler: 'hello.handler', path: '/hello', stage: 'Prod', startTimeoutMs: 180_000, log: config.log }),
        },
      ],
      teardown: async () => {},
    };
  },
};

function emptyRow(spec: TargetSpec): TargetRow {
  return {
    target: spec.label,
    role: spec.role,
    requestsPerSecond: null,
    p50Ms: null,
    p99Ms: null,
    maxMs: null,
    cpuUsPerRequest: null,
    serverCpuCores: null,
    otherCpuCores: null,
    clientCpuUsPerRequest: null,
    clientCpuCores: null,
    rssMiB: null,
    peakRssMiB: null,
    startMs: null,
    firstRequestMs: null,
    errors: 0,
    ratio: null,
    cpuRatio: null,
    met: null,
    failure: null,
    preflight: null,
    rounds: [],
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Turns a LoadScenarioSpec into a runnable scenario. */
export function loadScenario(spec: LoadScenarioSpec): Scenario {
  return {
    name: spec.name,
    title: spec.title,
    async run(config) {
      const notes: string[] = [];
      const report: LoadScenarioReport = {
        kind: 'load',
        name: spec.name,
        title: spec.title,
        goal: { subject: '?', limit: '?', minRatio: spec.minRatio, ...(spec.minAnchorFactor === undefined ? {} : { minAnchorFactor: spec.minAnchorFactor }) },
        unit: spec.unit ?? 'req',
        ratio: null,
        cpuRatio: null,
        met: null,
        ok: true,
        rows: [],
        notes,
      };
      let setup: Awaited<ReturnType<LoadScenarioSpec['setup']>>;
      try {
        setup = await spec.setup(config);
      } catch (error) {
        report.ok = false;
        notes.push(`setup failed: ${errorText(error)}`);
        return report;
      }
      const targets = setup.targets;
      notes.push(...(setup.notes ?? []));
      report.goal.subject = targets.find((t) => t.role === 'subject')?.label ?? '?';
      report.goal.limit = targets.find((t) => t.role === 'limit')?.label ?? '?';
      const anchorTarget = targets.find((t) => t.role === 'anchor');
      if (anchorTarget !== undefined) report.goal.anchor = anchorTarget.label;
      const rows = targets.map(emptyRow);
      report.rows = rows;
      const started: (Running | null)[] = [];
      try {
        // Start every target (idle servers cost nothing) and check each answers 2xx before loading it.
        for (const [i, target] of targets.entries()) {
          const row = rows[i]!;
          try {
            const server = await target.start();
            started.push(server);
            row.startMs = server.startMs;
            const asked = performance.now();
            if (target.driver) {
              row.preflight = await target.driver.preflight(server);
            } else {
              const answer = await httpGet(server.origin + target.path, 30_000, { ...REQUEST_HEADERS, ...target.headers });
              const contentType = answer.headers['content-type'];
              row.preflight = { status: answer.status, contentType: typeof contentType === 'string' ? contentType : null, body: answer.body.slice(0, 500) };
            }
            row.firstRequestMs = performance.now() - asked;
            config.log(`  ${target.label} ready in ${server.startMs.toFixed(0)} ms (pid ${server.pid}); first ${target.path} in ${row.firstRequestMs.toFixed(1)} ms -> ${row.preflight.status} ${row.preflight.body.slice(0, 80)}`);
            const probed = await target.probe?.(server);
            if (probed) {
              notes.push(`${target.label}: ${probed}`);
              config.log(`  ${target.label}: ${probed}`);
            }
          } catch (error) {
            started.push(null);
            if (error instanceof TargetSkipped) {
              row.failure = `skipped: ${error.message}`;
              notes.push(`${target.label} skipped: ${error.message}`);
              config.log(`  ${target.label} skipped: ${error.message}`);
              continue;
            }
            row.failure = errorText(error);
            report.ok = false;
            config.log(`  ${target.label} FAILED: ${row.failure}`);
          }
        }
        // Load the targets one at a time; with several rounds they alternate, so drift hits all alike.
        for (let round = 0; round < config.rounds; round++) {
          for (const [i, target] of targets.entries()) {
            const server = started[i];
            const row = rows[i]!;
            if (!server || row.failure !== null) continue;
            const linesBefore = server.outputLines();
            let result: LoadResult & { operationNotes?: string[] };
            try {
              result = target.driver ? await target.driver.load(server, config) : await runLoad({
                origin: server.origin,
                path: target.path,
                method: 'GET',
                headers: { ...REQUEST_HEADERS, ...target.headers },
                connections: config.connections,
                warmupSeconds: config.warmupSeconds,
                seconds: config.seconds,
                serverPid: server.pid,
              });
            } catch (error) {
              row.failure = `load failed: ${errorText(error)}`;
              report.ok = false;
              continue;
            }
            const { operationNotes, ...measured } = result;
            for (const note of operationNotes ?? []) notes.push(`${target.label}${config.rounds > 1 ? ` round ${round + 1}` : ''}: ${note}`);
            // An anchor's failures are a finding about the anchor: its rate counts 2xx answers only.
            if (target.role === 'anchor') measured.requestsPerSecond = measured.okRequests / measured.durationSeconds;
            row.rounds.push(measured);
            row.errors += result.errors;
            const mem = memory(server.pid);
            if (mem) {
              row.rssMiB = mem.rssMiB;
              row.peakRssMiB = mem.peakRssMiB;
            }
            config.log(
              `  ${target.label}${config.rounds > 1 ? ` round ${round + 1}` : ''}: ${result.requestsPerSecond.toFixed(0)} ${report.unit}/s, ` +
                `p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms, ` +
                `CPU ${result.serverCpuUsPerRequest?.toFixed(1) ?? '-'} µs/${report.unit} (${result.serverCpuCores?.toFixed(2) ?? '-'} cores; ` +
                `load generator ${result.loaderCpuCores.toFixed(2)}, others ${result.otherCpuCores?.toFixed(2) ?? '-'}), errors ${result.errors}`,
            );
            if (result.errors > 0) {
              if (target.role !== 'anchor') report.ok = false;
              notes.push(`${target.label}: ${result.errors} errors (statuses ${JSON.stringify(result.statuses)}, transport ${result.transportErrors}); first: ${result.firstError}`);
            }
            const lines = server.outputLines() - linesBefore;
            if (lines > 0) notes.push(`${target.label} wrote ${lines} line(s) of output under load; last:\n${server.output()}`);
            if (!server.alive()) {
              row.failure = `exited during the load\n${server.output()}`;
              report.ok = false;
            }
          }
        }
      } finally {
        for (const server of started.reverse()) if (server) await server.stop();
        await setup.teardown();
      }

      // Each row reports its median round (by req/s); CPU per request is the median over rounds.
      for (const row of rows) {
        if (row.rounds.length === 0) continue;
        const byRate = [...row.rounds].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
        const mid = byRate[Math.floor((byRate.length - 1) / 2)]!;
        row.requestsPerSecond = median(row.rounds.map((r) => r.requestsPerSecond));
        row.p50Ms = mid.latencyMs.p50;
        row.p99Ms = mid.latencyMs.p99;
        row.maxMs = Math.max(...row.rounds.map((r) => r.latencyMs.max));
        row.cpuUsPerRequest = median(row.rounds.flatMap((r) => (r.serverCpuUsPerRequest === null ? [] : [r.serverCpuUsPerRequest])));
        row.serverCpuCores = median(row.rounds.flatMap((r) => (r.serverCpuCores === null ? [] : [r.serverCpuCores])));
        row.otherCpuCores = median(row.rounds.flatMap((r) => (r.otherCpuCores === null ? [] : [r.otherCpuCores])));
        row.clientCpuUsPerRequest = median(row.rounds.map((r) => r.loaderCpuUsPerRequest));
        row.clientCpuCores = median(row.rounds.map((r) => r.loaderCpuCores));
      }
      const limit = rows.find((r) => r.role === 'limit');
      for (const row of rows) {
        if (limit?.requestsPerSecond && row.requestsPerSecond !== null) row.ratio = row.requestsPerSecond / limit.requestsPerSecond;
        if (limit?.cpuUsPerRequest && row.cpuUsPerRequest) row.cpuRatio = limit.cpuUsPerRequest / row.cpuUsPerRequest;
        if (row.role === 'subject') {
          report.ratio = row.ratio;
          report.cpuRatio = row.cpuRatio;
          if (row.ratio !== null && spec.minRatio !== null) row.met = report.met = row.ratio >= spec.minRatio;
        }
      }
      const anchorRow = rows.find((r) => r.role === 'anchor');
      const subjectRate = rows.find((r) => r.role === 'subject')?.requestsPerSecond ?? null;
      if (anchorRow !== undefined) report.anchorFactor = anchorRow.requestsPerSecond && subjectRate !== null ? subjectRate / anchorRow.requestsPerSecond : null;

      // Things worth a look: bodies that differ from the limit's, latency outliers.
      const subject = rows.find((r) => r.role === 'subject');
      if (subject?.preflight && limit?.preflight && subject.preflight.body !== limit.preflight.body) {
        notes.push(`${subject.target} and ${limit.target} answer different bodies: ${JSON.stringify(subject.preflight.body)} vs ${JSON.stringify(limit.preflight.body)}`);
      }
      const busiest = Math.max(0, ...rows.map((r) => r.otherCpuCores ?? 0));
      if (busiest > NOISY_CORES) {
        notes.push(
          `other processes used up to ${busiest.toFixed(2)} cores while measuring: req/s ratios are unreliable; ` +
            `trust CPU µs/req more, or rerun on a quiet machine (BENCH_ROUNDS=3 alternates targets and takes medians)`,
        );
      }
      for (const row of rows) {
        if (row.maxMs !== null && row.p99Ms !== null && row.maxMs > Math.max(50, 10 * row.p99Ms)) {
          notes.push(`${row.target}: latency outlier, max ${row.maxMs.toFixed(1)} ms vs p99 ${row.p99Ms.toFixed(2)} ms`);
        }
      }
      return report;
    },
  };
}

/** Gatehouse start-up: spawn to healthy, several times; the median is reported. */
const STARTUP_TITLE = 'gatehouse start-up time (spawn to GET /_gatehouse/health == 200)';
const startup: Scenario = {
  name: 'startup',
  title: STARTUP_TITLE,
  async run(config) {
    const report: StartupScenarioReport = {
      kind: 'startup',
      name: 'startup',
      title: STARTUP_TITLE,
      ok: true,
      samplesMs: [],
      medianMs: null,
      minMs: null,
      maxMs: null,
      idleRssMiB: null,
      notes: [],
    };
    const launch = gatehouseLauncher(config, 'startup', NO_UPSTREAM);
    const rss: number[] = [];
    for (let i = 0; i < config.starts; i++) {
      let server: Running;
      try {
        server = await launch();
      } catch (error) {
        report.ok = false;
        report.notes.push(errorText(error));
        if (error instanceof StartFailure) break;
        throw error;
      }
      report.samplesMs.push(server.startMs);
      const mem = memory(server.pid);
      if (mem) rss.push(mem.rssMiB);
      await server.stop();
    }
    config.log(`  start-up samples: ${report.samplesMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    report.medianMs = median(report.samplesMs);
    report.minMs = report.samplesMs.length ? Math.min(...report.samplesMs) : null;
    report.maxMs = report.samplesMs.length ? Math.max(...report.samplesMs) : null;
    report.idleRssMiB = median(rss);
    return report;
  },
};

/** Every scenario, in run order; BENCH_SCENARIOS selects by name. Add a scenario here. */
export const SCENARIOS: Scenario[] = [loadScenario(mock), loadScenario(proxy), loadScenario(lambda), loadScenario(rds), loadScenario(rdsPglite), loadScenario(protect), startup, ...OPERATION_SCENARIOS.map(loadScenario)];
