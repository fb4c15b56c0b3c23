/**
 * Load generator for AWS operations: child processes that prepare one operation on one endpoint
 * with the SDK v3 client and together keep N of them in flight (closed loop), measured like the
 * HTTP load. The SDK costs hundreds of µs of CPU per call, more than a fast server: several
 * processes (BENCH_CLIENT_PROCESSES) keep the client from being the bottleneck.
 *
 * The warm-up lasts until every process has made WARMUP_CALLS calls (at least warmupSeconds, at
 * most WARMUP_MAX_SECONDS), then all measure over the same window. V8 optimises a function after
 * thousands of calls, not after some time: a fresh process spends 3-10 times more CPU per SDK call
 * over its first few thousand calls than once warm, so a warm-up by time alone measures a cold
 * client against a fast target and a warm one only where the target answers fast enough.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OPERATIONS, type OperationName, type PreparedOperation } from './aws-operations.js';
import { closedLoop, describe, mergeLoads, type HistogramSnapshot, type LoadResult } from './load.js';

export interface OperationsLoadOptions {
  operation: OperationName;
  /** The AWS endpoint, 'http://127.0.0.1:port'. */
  endpoint: string;
  /** Operations in flight over all processes (one keep-alive socket each). */
  inFlight: number;
  /** Client processes sharing the operations in flight. */
  processes: number;
  warmupSeconds: number;
  seconds: number;
  serverPid?: number;
}

export interface OperationsLoadResult extends LoadResult {
  /** What the operation had to do besides itself (queue refills ...). */
  operationNotes: string[];
}

type ChildResult = LoadResult & { histogram?: HistogramSnapshot; operationNotes: string[] };

const FLAG = '--operations-child';
/** Calls each load process makes before measuring (the SDK's code is optimised by then). */
const WARMUP_CALLS = 3000;
/** A slow target gets no longer warm-up than this. */
const WARMUP_MAX_SECONDS = 10;
// The SDK warns once per process that Node 20 support ends in 2027: noise in the bench output.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

/** Runs the load in `processes` children that prepare first, then measure over the same window. */
export async function runOperationsLoad(options: OperationsLoadOptions): Promise<OperationsLoadResult> {
  const count = Math.max(1, Math.min(options.processes, options.inFlight));
  const children: ChildProcess[] = [];
  const limitMs = (Math.max(options.warmupSeconds, WARMUP_MAX_SECONDS) + options.seconds) * 1000 + 120_000;
  const timer = setTimeout(() => children.forEach((child) => child.kill('SIGKILL')), limitMs);
  try {
    const messages = Array.from({ length: count }, (_, i) => {
      const child = fork(fileURLToPath(import.meta.url), [FLAG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      const share = Math.floor(options.inFlight / count) + (i < options.inFlight % count ? 1 : 0);
      child.send({ ...options, inFlight: share, prefill: i === 0 });
      return messagesOf(child);
    });
    // Everyone prepared (queues filled, items written) before anyone measures.
    for (const next of messages) await next();
    for (const child of children) child.send('go');
    // Warm: every process has made its calls (or the time is up); all measure from now on.
    for (const next of messages) await next();
    for (const child of children) child.send('measure');
    const results = (await Promise.all(messages.map((next) => next()))) as ChildResult[];
    return { ...mergeLoads(results), operationNotes: results.flatMap((r) => r.operationNotes) };
  } finally {
    clearTimeout(timer);
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** The child's messages in order; rejects when it exits first. */
function messagesOf(child: ChildProcess): () => Promise<unknown> {
  const queue: unknown[] = [];
  const waiting: { resolve: (m: unknown) => void; reject: (e: Error) => void }[] = [];
  let exited: Error | null = null;
  child.on('message', (message) => {
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(message);
    else queue.push(message);
  });
  child.once('exit', (code, signal) => {
    exited = new Error(`load generator exited (${signal ?? code}) without a result`);
    for (const waiter of waiting.splice(0)) waiter.reject(exited);
  });
  return () => {
    if (queue.length > 0) return Promise.resolve(queue.shift());
    if (exited) return Promise.reject(exited);
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };
}

/** One call of the operation (after preparing it), to check the target answers before loading it. */
export async function preflightOperation(operation: OperationName, endpoint: string): Promise<number> {
  const prepared = await OPERATIONS[operation](endpoint, 1, true);
  try {
    return await prepared.run();
  } finally {
    prepared.close();
  }
}

/** The child's warm-up: WARMUP_CALLS calls (within the time bounds), then 'warm' to the parent and its 'measure' back. */
async function warmup(calls: () => number, options: OperationsLoadOptions): Promise<void> {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await sleep(options.warmupSeconds * 1000);
  while (calls() < WARMUP_CALLS && elapsed() < WARMUP_MAX_SECONDS) await sleep(50);
  const go = new Promise((resolve) => process.once('message', resolve));
  process.send!('warm');
  await go;
}

async function measure(prepared: PreparedOperation, options: OperationsLoadOptions): Promise<ChildResult> {
  const result = await closedLoop(async () => ({ status: await prepared.run(), bytes: 0 }), {
    connections: options.inFlight,
    warmupSeconds: options.warmupSeconds,
    seconds: options.seconds,
    keepHistogram: true,
    warmup: (calls) => warmup(calls, options),
    ...(options.serverPid === undefined ? {} : { serverPid: options.serverPid }),
  });
  return { ...result, operationNotes: prepared.notes() };
}

// Child side: prepare, say so, measure on 'go', send the result.
if (process.argv.includes(FLAG) && process.send !== undefined) {
  process.once('disconnect', () => process.exit(0)); // the bench went away
  const fail = (error: unknown) => {
    process.stderr.write(`load generator failed: ${describe(error)}\n`);
    process.exit(1);
  };
  process.once('message', (message) => {
    const options = message as OperationsLoadOptions & { prefill: boolean };
    OPERATIONS[options.operation](options.endpoint, options.inFlight, options.prefill).then((prepared) => {
      process.once('message', () => {
        measure(prepared, options).then((result) => {
          prepared.close();
          process.send!(result, () => process.exit(0));
        }, fail);
      });
      process.send!('ready');
    }, fail);
  });
}
