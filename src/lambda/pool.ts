/**
 * The execution environments of one function: warm reuse, one invocation per environment at a
 * time, new environments up to the concurrency limit, a FIFO queue beyond it; timeouts, crashes
 * and out-of-memory end an environment and the next request gets a fresh one.
 * AWS docs: "Understanding Lambda function scaling" (lambda-concurrency.html), "Understanding the
 * Lambda execution environment lifecycle" (lambda-runtime-environment.html), "Configure Lambda
 * function timeout" (configuration-timeout.html), "Working with Lambda function logs" (monitoring-cloudwatchlogs.html).
 */
import type { FunctionDefinition } from '../definitions/model.js';
import { codeDirOf, removeInlineCode, runtimeDir } from './code.js';
import { lambdaEnvironment } from './env-vars.js';
import {
  errorTypeOf,
  type ExecutionEnvironment,
  type ExitOutcome,
  type InitOutcome,
  type InvocationOutcome,
  type InvocationRequest,
} from './environment.js';
import {
  exitPayload,
  exitReason,
  initErrorPayload,
  invalidRequestContent,
  LambdaServiceError,
  MAX_RESPONSE_BYTES,
  responseTooLargePayload,
  runtimeClosed,
  timeoutLogLine,
  timeoutPayload,
} from './errors.js';
import { ProcessEnvironment } from './node-process-environment.js';
import { ThreadEnvironment } from './node-thread-environment.js';
import { endLine, initReportLine, logStreamName, reportLine, startLine, traceHeader } from './report.js';
import { RuntimeApiEnvironment } from './runtime-api-environment.js';

export interface InvokeResult {
  /** The function's response payload (JSON text as AWS returns it), or the error object JSON. */
  payload: Buffer;
  /** As X-Amz-Function-Error: errors thrown, timeouts and crashes are all 'Unhandled' in today's runtimes. */
  functionError?: 'Unhandled' | 'Handled';
  /** The invocation's log lines (init lines on a cold start, START/END/REPORT included), newline-terminated. */
  logTail: string;
  requestId: string;
  durationMs: number;
  /** Set on a cold start. */
  initDurationMs?: number;
}

export interface PoolOptions {
  region: string;
  awsEndpoint: string;
  /** Concurrent environments allowed (reserved concurrency, else the default). */
  maxConcurrency: number;
  /** Idle environments older than this are stopped; undefined = kept while gatehouse runs. */
  idleTimeoutMs: number | undefined;
  logSink: ((line: string, functionName: string) => void) | undefined;
  /** Where Node.js functions run (node-environment.ts explains the choice). */
  isolation: NodeIsolation;
}

export type NodeIsolation = 'thread' | 'process';

/**
 * Lambda gives init 10 s, then retries it inside the invocation under the function timeout
 * (lambda-runtime-environment.html#runtimes-lifecycle-ib); one limit of both here.
 */
const INIT_LIMIT_MS = 10_000;

interface Slot {
  env: ExecutionEnvironment;
  /** Lines of the invocation running in this environment (null when idle). */
  tail: string[] | null;
  /** START is written with the first line of the invocation, so a refused event leaves no trace. */
  pendingStart: string | null;
  idleTimer: NodeJS.Timeout | null;
}

interface Lease {
  slot: Slot;
  cold: boolean;
}

interface Waiter {
  resolve(lease: Lease): void;
  reject(error: Error): void;
}

/** An environment that cannot start (no local code): every init fails the same way. */
class UnavailableEnvironment implements ExecutionEnvironment {
  readonly maxMemoryUsedMb = 0;
  readonly logStreamName: string;
  readonly #payload: Buffer;
  constructor(streamName: string, payload: Buffer) {
    this.logStreamName = streamName;
    this.#payload = payload;
  }
  start(): Promise<InitOutcome> {
    return Promise.resolve({ kind: 'error', payload: this.#payload, errorType: errorTypeOf(this.#payload) });
  }
  invoke(): Promise<InvocationOutcome> {
    return Promise.resolve({ kind: 'exit', code: null, signal: null, outOfMemory: false });
  }
  kill(): void {}
  setActive(): void {}
}

export class FunctionPool {
  readonly fn: FunctionDefinition;
  readonly #options: PoolOptions;
  readonly #codeDir: string | undefined;
  readonly #isNode: boolean;
  readonly #idle: Slot[] = [];
  readonly #live = new Set<Slot>();
  readonly #waiters: Waiter[] = [];
  #closed = false;

  constructor(fn: FunctionDefinition, options: PoolOptions) {
    // Lambda's defaults (3 s, 128 MB) when a definition carries none.
    this.fn = { ...fn, timeout: fn.timeout > 0 ? fn.timeout : 3, memorySize: fn.memorySize > 0 ? fn.memorySize : 128 };
    this.#options = options;
    this.#isNode = fn.runtime.startsWith('nodejs');
    this.#codeDir = codeDirOf(this.fn);
  }

  /** Environments alive now (starting, busy or idle). */
  get size(): number {
    return this.#live.size;
  }

  /** Requests waiting for an environment. */
  get queued(): number {
    return this.#waiters.length;
  }

  async invoke(requestId: string, payload: Buffer, invokedFunctionArn: string, clientContext: string): Promise<InvokeResult> {
    if (this.#closed) throw runtimeClosed();
    if (this.#options.maxConcurrency <= 0) {
      throw new LambdaServiceError('TooManyRequestsException', 'Rate Exceeded.', 429);
    }
    const { slot, cold } = await this.#acquire();
    const tail: string[] = [];
    slot.tail = tail;
    slot.env.setActive(true);

    let initDurationMs: number | undefined;
    if (cold) {
      const started = performance.now();
      const init = await this.#withLimit(slot.env.start(), INIT_LIMIT_MS + this.fn.timeout * 1000);
      initDurationMs = performance.now() - started;
      if (init === 'timeout' || init.kind !== 'ready') return this.#initFailed(slot, requestId, init, initDurationMs, tail);
    }

    slot.pendingStart = startLine(requestId);
    const timeoutMs = this.fn.timeout * 1000;
    const request: InvocationRequest = {
      requestId,
      payload,
      deadlineMs: Date.now() + timeoutMs,
      invokedFunctionArn,
      clientContext,
      traceId: traceHeader(),
    };
    const started = performance.now();
    const outcome = await this.#withLimit(slot.env.invoke(request), timeoutMs);
    const durationMs = performance.now() - started;

    if (outcome !== 'timeout' && outcome.kind === 'invalid-event') {
      slot.pendingStart = null;
      this.#release(slot);
      throw invalidRequestContent(outcome.message);
    }
    this.#flushStart(slot);

    let result: Buffer;
    let keep = true;
    let status: 'timeout' | 'error' | undefined;
    let errorType: string | undefined;
    let failed = true;
    let memoryUsedMb = slot.env.maxMemoryUsedMb;
    if (outcome === 'timeout') {
      slot.env.kill();
      keep = false;
      status = 'timeout';
      this.#line(slot, timeoutLogLine(requestId, this.fn.timeout));
      result = timeoutPayload(requestId, this.fn.timeout);
    } else if (outcome.kind === 'exit' || slot.env.maxMemoryUsedMb > this.fn.memorySize) {
      // An environment over its memory size is stopped by Lambda whatever the handler returned.
      const outOfMemory = outcome.kind !== 'exit' || outcome.outOfMemory;
      const code = outcome.kind === 'exit' ? outcome.code : null;
      const signal = outcome.kind === 'exit' ? outcome.signal : null;
      slot.env.kill();
      keep = false;
      status = 'error';
      errorType = outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
      if (outOfMemory) memoryUsedMb = this.fn.memorySize;
      this.#line(slot, `RequestId: ${requestId} Error: ${outOfMemory ? exitReason(null, 'SIGKILL') : exitReason(code, signal)}`);
      this.#line(slot, errorType);
      result = exitPayload(requestId, code, signal, outOfMemory);
    } else if (outcome.kind === 'error') {
      result = outcome.payload;
      if (outcome.fatal) {
        slot.env.kill();
        keep = false;
        status = 'error';
        errorType = outcome.errorType;
      }
    } else if (outcome.payload.length > MAX_RESPONSE_BYTES) {
      result = responseTooLargePayload();
    } else {
      result = outcome.payload;
      failed = false;
    }

    this.#line(slot, endLine(requestId));
    this.#line(
      slot,
      reportLine({
        requestId,
        durationMs,
        memorySizeMb: this.fn.memorySize,
        maxMemoryUsedMb: memoryUsedMb,
        initDurationMs,
        status,
        errorType,
      }),
    );
    if (keep) this.#release(slot);
    else this.#discard(slot);
    return {
      payload: result,
      functionError: failed ? 'Unhandled' : undefined,
      logTail: tail.join('\n') + '\n',
      requestId,
      durationMs,
      initDurationMs,
    };
  }

  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(runtimeClosed());
    for (const slot of this.#live) {
      if (slot.idleTimer !== null) clearTimeout(slot.idleTimer);
      slot.env.kill();
    }
    this.#live.clear();
    this.#idle.length = 0;
    if (this.#codeDir !== undefined) removeInlineCode(this.#codeDir);
  }

  #initFailed(
    slot: Slot,
    requestId: string,
    init: Exclude<InitOutcome, { kind: 'ready' }> | 'timeout',
    initDurationMs: number,
    tail: string[],
  ): InvokeResult {
    let payload: Buffer;
    let errorType: string;
    if (init === 'timeout') {
      this.#line(slot, timeoutLogLine(requestId, this.fn.timeout));
      payload = timeoutPayload(requestId, this.fn.timeout);
      errorType = 'Sandbox.Timedout';
    } else if (init.kind === 'error') {
      payload = init.payload;
      errorType = init.errorType;
    } else {
      this.#line(slot, `RequestId: ${requestId} Error: ${exitReason(init.code, init.signal)}`);
      payload = exitPayload(requestId, init.code, init.signal, init.outOfMemory);
      errorType = init.outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
    }
    this.#line(slot, initReportLine(initDurationMs, errorType));
    this.#line(slot, startLine(requestId));
    this.#line(slot, endLine(requestId));
    this.#line(slot, reportLine({ requestId, durationMs: 0, memorySizeMb: this.fn.memorySize, maxMemoryUsedMb: slot.env.maxMemoryUsedMb, initDurationMs: undefined, status: 'error', errorType }));
    this.#discard(slot);
    return { payload, functionError: 'Unhandled', logTail: tail.join('\n') + '\n', requestId, durationMs: 0, initDurationMs };
  }

  #acquire(): Lease | Promise<Lease> {
    const slot = this.#idle.pop();
    if (slot !== undefined) {
      if (slot.idleTimer !== null) clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
      return { slot, cold: false };
    }
    if (this.#live.size < this.#options.maxConcurrency) return { slot: this.#create(), cold: true };
    return new Promise<Lease>((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  #release(slot: Slot): void {
    slot.tail = null;
    if (this.#closed) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve({ slot, cold: false });
      return;
    }
    slot.env.setActive(false);
    // Most recently used first, so a few warm environments serve a light load.
    this.#idle.push(slot);
    const idleMs = this.#options.idleTimeoutMs;
    if (idleMs !== undefined) {
      slot.idleTimer = setTimeout(() => this.#reap(slot), idleMs);
      slot.idleTimer.unref();
    }
  }

  #reap(slot: Slot): void {
    const at = this.#idle.indexOf(slot);
    if (at === -1) return;
    this.#idle.splice(at, 1);
    slot.idleTimer = null;
    this.#discard(slot);
  }

  #discard(slot: Slot): void {
    slot.tail = null;
    slot.env.kill();
    this.#live.delete(slot);
    if (this.#closed) return;
    // Capacity freed: the next queued request starts a fresh environment.
    if (this.#waiters.length > 0 && this.#live.size < this.#options.maxConcurrency) {
      this.#waiters.shift()!.resolve({ slot: this.#create(), cold: true });
    }
  }

  /** An environment that died on its own while idle (a late crash): it is simply forgotten. */
  #onExit(slot: Slot): void {
    const at = this.#idle.indexOf(slot);
    if (at === -1) return;
    this.#idle.splice(at, 1);
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    this.#live.delete(slot);
  }

  #create(): Slot {
    const slot: Slot = { env: undefined as unknown as ExecutionEnvironment, tail: null, pendingStart: null, idleTimer: null };
    const streamName = logStreamName();
    const onLine = (line: string): void => this.#line(slot, line);
    const onExit = (): void => this.#onExit(slot);
    const codeDir = this.#codeDir;
    if (codeDir === undefined) {
      const payload = initErrorPayload('Runtime.ImportModuleError', `Error: function ${this.fn.name} has no local code (CodeUri or Code.ZipFile)`);
      slot.env = new UnavailableEnvironment(streamName, payload);
    } else {
      const env = lambdaEnvironment(this.fn, {
        region: this.#options.region,
        awsEndpoint: this.#options.awsEndpoint,
        codeDir,
        runtimeDir,
        logStreamName: streamName,
      });
      const options = { fn: this.fn, codeDir, env, logStreamName: streamName, onLine, onExit };
      if (!this.#isNode) slot.env = new RuntimeApiEnvironment(options);
      else slot.env = this.#options.isolation === 'process' ? new ProcessEnvironment(options) : new ThreadEnvironment(options);
    }
    this.#live.add(slot);
    return slot;
  }

  #flushStart(slot: Slot): void {
    const start = slot.pendingStart;
    if (start === null) return;
    slot.pendingStart = null;
    this.#emit(slot, start);
  }

  #line(slot: Slot, line: string): void {
    if (slot.pendingStart !== null) this.#flushStart(slot);
    this.#emit(slot, line);
  }

  #emit(slot: Slot, line: string): void {
    slot.tail?.push(line);
    const sink = this.#options.logSink;
    if (sink === undefined) return;
    try {
      sink(line, this.fn.name);
    } catch {
      // A failing sink must not break the environment's output handling.
    }
  }

  /**
   * The outcome, or 'timeout' once `ms` have passed (the caller then kills the environment).
   * An environment that throws instead of reporting counts as a process that died.
   */
  #withLimit<T>(work: Promise<T>, ms: number): Promise<T | 'timeout' | ExitOutcome> {
    return new Promise<T | 'timeout' | ExitOutcome>((resolve) => {
      const timer = setTimeout(resolve, ms, 'timeout');
      work.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        () => {
          clearTimeout(timer);
          resolve({ kind: 'exit', code: null, signal: null, outOfMemory: false });
        },
      );
    });
  }
}
