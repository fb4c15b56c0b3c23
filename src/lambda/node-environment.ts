/**
 * A Node.js execution environment: init once, invoke many times, killed on timeout or crash
 * ("Understanding the Lambda execution environment lifecycle", lambda-runtime-environment.html).
 * The runtime (node/runtime.ts) exchanges frames (protocol.ts) with this host; where it runs is
 * the subclass's business: a worker thread (node-thread-environment.ts, the default) or a child
 * process (node-process-environment.ts, `--lambda-isolation process`).
 *
 * Why worker threads by default — measured on this machine (2 shared cores, Node 20, a trivial
 * async handler, 330-byte proxy event, closed loop; CPU = gatehouse + environments, per invoke):
 *                                         worker thread           child process (framed fd 3 pipe)
 *   10 environments, 32 in flight         13-24k inv/s, 64-98 us   4-10k inv/s, 160-310 us
 *   2 environments, 32 in flight          11-24k inv/s, 41-63 us   5-12k inv/s, 81-140 us
 *   1 environment, sequential             7-19k inv/s, 52-72 us    12k inv/s, 82-87 us
 *   memory per warm environment           +8.5 MB in gatehouse     43 MB RSS (13 MB PSS)
 *   cold start (spawn to first answer)    ~52 ms                   ~118 ms
 * End to end, `npm run bench` scenario `lambda` (32 connections, same run, CPU of the whole
 * process tree per request; the machine was shared, so compare within the run):
 *   gatehouse, worker threads      2134 req/s   377 us/req   8.0 MiB per warm environment   1st request 346 ms
 *   gatehouse, child processes      605 req/s   984 us/req  37.4 MiB per warm environment   1st request 494 ms
 *   serverless-offline 13            58 req/s (and 22 of 334 answers 504)
 *   handler called in-process      8032 req/s    37 us/req  (the limit)
 * Each invoke through a pipe wakes another process: with many warm environments on few cores the
 * context switches between processes (and their cold caches) dominate, 2-3x the CPU of waking a
 * thread of the same process (with child processes the parent's pipe writes were ~35% of its
 * CPU profile; with threads postMessage, the same wake-up, is ~20%).
 * What a thread gives up: its own working directory (process.cwd() answers the task root, but
 * relative fs paths resolve against gatehouse's), a per-function time zone (gatehouse runs in the
 * functions' UTC), and protection from process-wide actions (process.kill(process.pid),
 * process.abort(), a crashing native addon). Functions that need those run as child processes.
 * Both keep: their own process.env and module cache, a heap limit from MemorySize, timeout kill,
 * crash and out-of-memory recovery. A thread is also frozen between invocations, as Lambda does
 * (shared-channel.ts); a child process is not: stopping it (SIGSTOP) would leave it behind,
 * stopped, if gatehouse were killed.
 */
import type { FunctionDefinition } from '../definitions/model.js';
import {
  errorTypeOf,
  LineSplitter,
  type ExecutionEnvironment,
  type ExitOutcome,
  type InitOutcome,
  type InvocationOutcome,
  type InvocationRequest,
  type LineSink,
} from './environment.js';
import { encodeFrame, Frame, FrameDecoder } from './protocol.js';

const MB = 1024 * 1024;

export interface NodeEnvironmentOptions {
  fn: FunctionDefinition;
  codeDir: string;
  env: Record<string, string>;
  logStreamName: string;
  onLine: LineSink;
  /** The environment ended, whatever the reason (also when idle). */
  onExit: () => void;
}

export abstract class NodeEnvironment implements ExecutionEnvironment {
  readonly logStreamName: string;
  maxMemoryUsedMb = 0;
  protected readonly options: NodeEnvironmentOptions;
  protected alive = false;
  /** Resolves the pending start() or invoke(); one at a time. */
  #settle: ((outcome: InitOutcome | InvocationOutcome) => void) | null = null;
  readonly #logs: LineSplitter;
  protected readonly decoder: FrameDecoder;

  constructor(options: NodeEnvironmentOptions) {
    this.options = options;
    this.logStreamName = options.logStreamName;
    this.#logs = new LineSplitter(options.onLine);
    this.decoder = new FrameDecoder((type, meta, payload) => this.#onFrame(type, meta, payload));
  }

  start(): Promise<InitOutcome> {
    return new Promise<InitOutcome>((resolve) => {
      this.#settle = resolve as (outcome: InitOutcome | InvocationOutcome) => void;
      if (this.launch()) this.alive = true;
      else this.finish({ kind: 'exit', code: null, signal: null, outOfMemory: false });
    });
  }

  invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    return new Promise<InvocationOutcome>((resolve) => {
      if (!this.alive) {
        resolve({ kind: 'exit', code: null, signal: null, outOfMemory: false });
        return;
      }
      this.#settle = resolve as (outcome: InitOutcome | InvocationOutcome) => void;
      const meta = `${request.requestId}\0${request.deadlineMs}\0${request.invokedFunctionArn}\0${request.clientContext}\0${request.traceId}`;
      // One buffer per invoke: one message (or one write(2)) wakes the environment once.
      this.send(encodeFrame(Frame.Invoke, meta, request.payload));
    });
  }

  kill(): void {
    if (!this.alive) return;
    this.alive = false;
    this.stop();
  }

  abstract setActive(active: boolean): void;

  /** Starts the runtime; false when it could not even be started. */
  protected abstract launch(): boolean;
  protected abstract send(frame: Buffer): void;
  /** Ends the runtime at once. */
  protected abstract stop(): void;

  /** The runtime ended: settles what is pending with how it ended. */
  protected exited(outcome: ExitOutcome): void {
    this.alive = false;
    this.#logs.flush();
    this.options.onExit();
    this.finish(outcome);
  }

  protected get pending(): boolean {
    return this.#settle !== null;
  }

  protected finish(outcome: InitOutcome | InvocationOutcome): void {
    const settle = this.#settle;
    this.#settle = null;
    settle?.(outcome);
  }

  #noteMemory(bytesText: string): void {
    const mb = Math.round(Number(bytesText) / MB);
    if (mb > this.maxMemoryUsedMb) this.maxMemoryUsedMb = mb;
  }

  #onFrame(type: number, meta: string, payload: Buffer): void {
    switch (type) {
      case Frame.Log:
        this.#logs.push(payload.toString('utf8'));
        return;
      case Frame.Ready:
        this.#noteMemory(meta);
        this.finish({ kind: 'ready' });
        return;
      case Frame.InitError:
        this.#logs.flush();
        this.finish({ kind: 'error', payload, errorType: errorTypeOf(payload) });
        return;
      case Frame.Result:
        this.#noteMemory(meta);
        this.#logs.flush();
        this.finish({ kind: 'response', payload });
        return;
      case Frame.Error: {
        const [memory = '0', fatal] = meta.split('\0');
        this.#noteMemory(memory);
        this.#logs.flush();
        this.finish({ kind: 'error', payload, errorType: errorTypeOf(payload), fatal: fatal === '1' });
        return;
      }
      case Frame.InvalidEvent:
        this.finish({ kind: 'invalid-event', message: payload.toString('utf8') });
        return;
    }
  }
}
