// Load generator: a child process that keeps N keep-alive connections busy on one URL (undici Pool) and reports req/s, latency and errors.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { machineBusyMs, treeCpuTimeMs } from './proc.js';

export interface LoadOptions {
  /** 'http://127.0.0.1:port' */
  origin: string;
  /** Path and query, e.g. '/dev/pets/1'. */
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Concurrent keep-alive connections, each with one request in flight (closed loop). */
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** The server under test: its CPU time and its child processes' (/proc/<pid>/stat) are read at the start and end of the measured phase. */
  serverPid?: number;
}

export interface LoadResult {
  /** Responses completed inside the measured window. */
  requests: number;
  /** Of those, 2xx responses. */
  okRequests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyMs: { min: number; mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  /** Non-2xx responses and failed requests, warm-up included: anything but 0 fails the scenario. */
  errors: number;
  statuses: Record<string, number>;
  transportErrors: number;
  firstError: string | null;
  warmupRequests: number;
  /** First response seen, for the report. */
  sample: { status: number; body: string } | null;
  responseBytes: number;
  /** CPU time the server process spent per measured request, in µs (null without /proc). */
  serverCpuUsPerRequest: number | null;
  /** The server's CPU use over the window in cores (1.0 = one core busy). */
  serverCpuCores: number | null;
  /** CPU the load generator itself spent per measured request, in µs. */
  loaderCpuUsPerRequest: number;
  /** The load generator's CPU use over the window, in cores. */
  loaderCpuCores: number;
  /**
   * CPU used over the window by everything except the server and the load generator, in cores
   * (/proc/stat): other work on a shared machine. Much above 0.1 and the req/s figures are unreliable.
   */
  otherCpuCores: number | null;
}

/** Runs one load in a fresh child process, so the generator never shares an event loop with the parent or the target. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const child = fork(fileURLToPath(import.meta.url), ['--load-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const limitMs = (options.warmupSeconds + options.seconds) * 1000 + 30_000;
  return new Promise<LoadResult>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, result?: LoadResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (error) reject(error);
      else resolve(result!);
    };
    const timer = setTimeout(() => finish(new Error(`load generator did not finish within ${limitMs} ms`)), limitMs);
    child.once('message', (message) => finish(null, message as LoadResult));
    child.once('error', (error) => finish(error));
    child.once('exit', (code, signal) => finish(new Error(`load generator exited (${signal ?? code}) without a result`)));
    child.send(options);
  });
}

/**
 * Latency histogram in microseconds, log-linear: exact below 128 µs, then 64 sub-buckets per power
 * of two (under 1.6% error), so memory stays fixed however long the run is.
 */
export class Histogram {
  private readonly counts = new Float64Array(128 + 25 * 64);
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;

  record(us: number): void {
    const v = Math.min(Math.max(Math.round(us), 0), 2 ** 31 - 1);
    this.counts[Histogram.index(v)]! += 1;
    this.count++;
    this.sum += us;
    if (us < this.min) this.min = us;
    if (us > this.max) this.max = us;
  }

  /** Non-empty buckets only, to send between processes. */
  snapshot(): HistogramSnapshot {
    const buckets: [number, number][] = [];
    this.counts.forEach((count, i) => count > 0 && buckets.push([i, count]));
    return { buckets, count: this.count, sum: this.sum, min: this.min, max: this.max };
  }

  add(other: HistogramSnapshot): void {
    for (const [i, count] of other.buckets) this.counts[i]! += count;
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /** Quantiles in ms, as LoadResult reports them. */
  summary(): LoadResult['latencyMs'] {
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      min: ms(this.count ? this.min : 0),
      mean: ms(this.count ? this.sum / this.count : 0),
      p50: ms(this.quantile(0.5)),
      p90: ms(this.quantile(0.9)),
      p99: ms(this.quantile(0.99)),
      p999: ms(this.quantile(0.999)),
      max: ms(this.max),
    };
  }

  private static index(v: number): number {
    if (v < 128) return v;
    const shift = 31 - Math.clz32(v) - 6; // >= 1
    return 128 + (shift - 1) * 64 + ((v >>> shift) - 64);
  }

  /** Middle of the bucket at index i. */
  private static value(i: number): number {
    if (i < 128) return i;
    const shift = Math.floor((i - 128) / 64) + 1;
    const mantissa = ((i - 128) % 64) + 64;
    return (mantissa << shift) + (1 << shift) / 2;
  }

  /** The q-quantile (0..1) in µs. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(Math.max(Histogram.value(i), this.min), this.max);
    }
    return this.max;
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: string }).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

async function generate(options: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(options.origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const request: Dispatcher.DispatchOptions = {
    path: options.path,
    method: options.method,
    headers: options.headers,
    ...(options.body === undefined ? {} : { body: options.body }),
  };

  // Pool.dispatch with a bare handler: no response stream and one promise per request, about
  // 20-30% less load-generator CPU per request than Pool.request (which the server shares cores with).
  let sample: LoadResult['sample'] = null;
  const send = (): Promise<Outcome> =>
    new Promise((resolve, reject) => {
      let status = 0;
      let bytes = 0;
      let chunks: Buffer[] | null = null;
      pool.dispatch(request, {
        // Its presence tells undici this is a new-style (controller) handler.
        onRequestStart() {},
        onResponseStart(_controller, statusCode) {
          status = statusCode;
          if (sample === null && chunks === null) chunks = [];
        },
        onResponseData(_controller, chunk) {
          bytes += chunk.length;
          chunks?.push(chunk);
        },
        onResponseEnd() {
          if (chunks !== null && sample === null) sample = { status, body: Buffer.concat(chunks).toString('utf8').slice(0, 500) };
          chunks = null;
          resolve({ status, bytes });
        },
        onResponseError(_controller, error) {
          reject(error);
        },
      });
    });
  try {
    const result = await closedLoop(send, options);
    return { ...result, sample };
  } finally {
    await pool.close();
  }
}

/** What one request (or operation) of a closed loop ended with. */
export interface Outcome {
  status: number;
  bytes: number;
}

export interface ClosedLoopOptions {
  /** Workers, each with one request in flight. */
  connections: number;
  warmupSeconds: number;
  seconds: number;
  serverPid?: number;
  /** Return the latency buckets too (loads split over several processes are merged by mergeLoads). */
  keepHistogram?: boolean;
  /** Ends the warm-up instead of a wait of warmupSeconds; gets the number of calls completed so far. */
  warmup?: (calls: () => number) => Promise<void>;
}

export interface HistogramSnapshot {
  buckets: [number, number][];
  count: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * One result from loads that ran side by side in several processes over the same window (each
 * with keepHistogram): rates and counts add up, latencies merge, the server's CPU is read once.
 */
export function mergeLoads(parts: (LoadResult & { histogram?: HistogramSnapshot })[]): LoadResult {
  const first = parts[0]!;
  if (parts.length === 1) {
    const { histogram: _, ...result } = first;
    return result;
  }
  const histogram = new Histogram();
  for (const part of parts) if (part.histogram) histogram.add(part.histogram);
  const sum = (pick: (r: LoadResult) => number) => parts.reduce((total, r) => total + pick(r), 0);
  const requests = sum((r) => r.requests);
  const durationSeconds = Math.max(...parts.map((r) => r.durationSeconds));
  const statuses: Record<string, number> = {};
  for (const part of parts) for (const [status, n] of Object.entries(part.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  const loaderCpuCores = sum((r) => r.loaderCpuCores);
  // Each process counted the others' CPU as "other"; the server's CPU is what one of them read.
  const serverCores = first.serverCpuCores;
  return {
    requests,
    okRequests: sum((r) => r.okRequests),
    durationSeconds,
    requestsPerSecond: sum((r) => r.requestsPerSecond),
    latencyMs: histogram.summary(),
    errors: sum((r) => r.errors),
    statuses,
    transportErrors: sum((r) => r.transportErrors),
    firstError: parts.find((r) => r.firstError !== null)?.firstError ?? null,
    warmupRequests: sum((r) => r.warmupRequests),
    sample: first.sample,
    responseBytes: sum((r) => r.responseBytes),
    serverCpuUsPerRequest: serverCores === null || requests === 0 ? null : (serverCores * durationSeconds * 1e6) / requests,
    serverCpuCores: serverCores,
    loaderCpuUsPerRequest: requests === 0 ? 0 : (loaderCpuCores * durationSeconds * 1e6) / requests,
    loaderCpuCores,
    otherCpuCores: first.otherCpuCores === null ? null : Math.max(0, first.otherCpuCores - (loaderCpuCores - first.loaderCpuCores)),
  };
}

/**
 * Keeps `connections` calls of `send` in flight (closed loop) through a warm-up and a measured
 * window; measures rate, latency, errors (non-2xx or a rejection) and the CPU of the server, of
 * this process and of everything else. Shared by the HTTP load and the SDK operations load.
 */
export async function closedLoop(send: () => Promise<Outcome>, options: ClosedLoopOptions): Promise<LoadResult> {
  const histogram = new Histogram();
  const statuses: Record<string, number> = {};
  let phase: 'warmup' | 'measure' | 'stop' = 'warmup';
  let errors = 0;
  let transportErrors = 0;
  let firstError: string | null = null;
  let warmupRequests = 0;
  let requests = 0;
  let okRequests = 0;
  let responseBytes = 0;
  const worker = async (): Promise<void> => {
    while (phase !== 'stop') {
      const started = performance.now();
      let status: number;
      let bytes: number;
      try {
        ({ status, bytes } = await send());
      } catch (error) {
        errors++;
        transportErrors++;
        firstError ??= describe(error);
        // A refused or reset connection fails at once: do not spin.
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      const latencyUs = (performance.now() - started) * 1000;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status < 200 || status > 299) {
        errors++;
        firstError ??= `HTTP ${status}`;
      }
      if (phase === 'measure') {
        requests++;
        if (status >= 200 && status <= 299) okRequests++;
        responseBytes += bytes;
        histogram.record(latencyUs);
      } else if (phase === 'warmup') {
        warmupRequests++;
      }
    }
  };

  let t0 = 0;
  let t1 = 0;
  let serverCpu0: number | null = null;
  let serverCpu1: number | null = null;
  let loaderCpu0 = process.cpuUsage();
  let loaderCpuUs = 0;
  const workers = Array.from({ length: options.connections }, () => worker());
  if (options.warmup) await options.warmup(() => warmupRequests);
  else await new Promise((resolve) => setTimeout(resolve, options.warmupSeconds * 1000));
  serverCpu0 = options.serverPid === undefined ? null : treeCpuTimeMs(options.serverPid);
  const machine0 = machineBusyMs();
  loaderCpu0 = process.cpuUsage();
  t0 = performance.now();
  phase = 'measure';
  await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
  phase = 'stop';
  t1 = performance.now();
  serverCpu1 = options.serverPid === undefined ? null : treeCpuTimeMs(options.serverPid);
  const machine1 = machineBusyMs();
  const loaderCpu = process.cpuUsage(loaderCpu0);
  loaderCpuUs = loaderCpu.user + loaderCpu.system;
  await Promise.all(workers);

  const durationSeconds = (t1 - t0) / 1000;
  const serverCpuMs = serverCpu0 !== null && serverCpu1 !== null ? serverCpu1 - serverCpu0 : null;
  return {
    ...(options.keepHistogram ? { histogram: histogram.snapshot() } : {}),
    requests,
    okRequests,
    durationSeconds,
    requestsPerSecond: requests / durationSeconds,
    latencyMs: histogram.summary(),
    errors,
    statuses,
    transportErrors,
    firstError,
    warmupRequests,
    sample: null,
    responseBytes,
    serverCpuUsPerRequest: serverCpuMs === null || requests === 0 ? null : (serverCpuMs * 1000) / requests,
    serverCpuCores: serverCpuMs === null ? null : serverCpuMs / (t1 - t0),
    loaderCpuUsPerRequest: requests === 0 ? 0 : loaderCpuUs / requests,
    loaderCpuCores: loaderCpuUs / 1000 / (t1 - t0),
    otherCpuCores:
      machine0 === null || machine1 === null || serverCpuMs === null
        ? null
        : Math.max(0, (machine1 - machine0 - serverCpuMs - loaderCpuUs / 1000) / (t1 - t0)),
  };
}

// Child side: started by runLoad() with an IPC channel; runs one load and sends the result back.
if (process.argv.includes('--load-child') && process.send !== undefined) {
  process.once('disconnect', () => process.exit(0)); // the bench went away
  process.once('message', (options) => {
    generate(options as LoadOptions).then(
      (result) => process.send!(result, () => process.exit(0)),
      (error: unknown) => {
        process.stderr.write(`load generator failed: ${describe(error)}\n`);
        process.exit(1);
      },
    );
  });
}
