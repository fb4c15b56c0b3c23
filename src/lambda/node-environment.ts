/**
 * A Node.js execution environment: one child process running `node/child.js`, talking over a
 * framed duplex pipe (fd 3). Follows "Understanding the Lambda execution environment lifecycle"
 * (lambda-runtime-environment.html): init once, invoke many times, killed on timeout or crash.
 *
 * Why a child process and not a worker_thread — measured on this machine (2 cores, Node 20.20,
 * 20 000 sequential invokes of a trivial async handler, 180-byte event):
 *   warm invoke round trip   worker_thread postMessage 40-41 us | child, framed fd 3: 45-46 us | child, IPC JSON: 46 us
 *   memory per environment   worker_thread +8.5 MB process RSS   | child 43 MB RSS, 13 MB PSS (node's pages are shared)
 *   cold start (to first reply) worker ~52 ms                    | child ~118 ms
 * Latency is a wash (both far under 1 ms), memory is close once shared pages are counted, and only
 * a process gives Lambda's isolation: its own cwd (= code dir; workers cannot chdir), TZ=:UTC
 * (the timezone is process-wide), a heap limit plus a real RSS to measure, and a function that
 * calls process.kill(process.pid), process.abort() or crashes a native addon cannot take gatehouse down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { FunctionDefinition } from '../definitions/model.js';
import { nodeChildScript } from './code.js';
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
import { Frame, FrameDecoder, writeFrame } from './protocol.js';

const MB = 1024 * 1024;
/** V8's message when a heap limit is hit; the process then aborts. */
const HEAP_OOM = /heap out of memory|Reached heap limit/;

export interface NodeEnvironmentOptions {
  fn: FunctionDefinition;
  codeDir: string;
  env: Record<string, string>;
  logStreamName: string;
  onLine: LineSink;
  /** The process ended, whatever the reason (also when idle). */
  onExit: () => void;
}

export class NodeEnvironment implements ExecutionEnvironment {
  readonly logStreamName: string;
  maxMemoryUsedMb = 0;
  readonly #options: NodeEnvironmentOptions;
  #child: ChildProcess | undefined = undefined;
  #channel: Socket | undefined = undefined;
  #alive = false;
  #sawHeapOom = false;
  /** Resolves the pending start() or invoke(); one at a time. */
  #settle: ((outcome: InitOutcome | InvocationOutcome) => void) | null = null;
  readonly #logs: LineSplitter;
  readonly #decoder: FrameDecoder;

  constructor(options: NodeEnvironmentOptions) {
    this.#options = options;
    this.logStreamName = options.logStreamName;
    this.#logs = new LineSplitter(options.onLine);
    this.#decoder = new FrameDecoder((type, meta, payload) => this.#onFrame(type, meta, payload));
  }

  start(): Promise<InitOutcome> {
    const { fn, codeDir, env } = this.#options;
    return new Promise<InitOutcome>((resolve) => {
      this.#settle = resolve as (outcome: InitOutcome | InvocationOutcome) => void;
      let child: ChildProcess;
      try {
        child = spawn(process.execPath, [`--max-old-space-size=${fn.memorySize}`, nodeChildScript], {
          cwd: codeDir,
          env,
          stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
        });
      } catch {
        this.#finish({ kind: 'exit', code: null, signal: null, outOfMemory: false });
        return;
      }
      this.#child = child;
      this.#alive = true;
      const channel = child.stdio[3] as Socket;
      this.#channel = channel;
      channel.on('data', (chunk: Buffer) => this.#decoder.push(chunk));
      channel.on('error', () => {});
      this.#pipeOutput(child.stdout, false);
      this.#pipeOutput(child.stderr, true);
      child.on('error', () => this.#onExit(null, null));
      child.on('exit', (code, signal) => this.#onExit(code, signal));
    });
  }

  invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    return new Promise<InvocationOutcome>((resolve) => {
      if (!this.#alive || this.#channel === undefined) {
        resolve({ kind: 'exit', code: null, signal: null, outOfMemory: false });
        return;
      }
      this.#settle = resolve as (outcome: InitOutcome | InvocationOutcome) => void;
      const meta = `${request.requestId}\0${request.deadlineMs}\0${request.invokedFunctionArn}\0${request.clientContext}\0${request.traceId}`;
      writeFrame(this.#channel, Frame.Invoke, meta, request.payload);
    });
  }

  kill(): void {
    if (!this.#alive) return;
    this.#alive = false;
    this.#child?.kill('SIGKILL');
  }

  setActive(active: boolean): void {
    const child = this.#child;
    if (child === undefined || !this.#alive) return;
    for (const handle of [child, this.#channel, child.stdout as Socket | null, child.stderr as Socket | null]) {
      if (handle === undefined || handle === null) continue;
      if (active) handle.ref();
      else handle.unref();
    }
  }

  #finish(outcome: InitOutcome | InvocationOutcome): void {
    const settle = this.#settle;
    this.#settle = null;
    settle?.(outcome);
  }

  #noteMemory(rssText: string): void {
    const mb = Math.round(Number(rssText) / MB);
    if (mb > this.maxMemoryUsedMb) this.maxMemoryUsedMb = mb;
  }

  #onFrame(type: number, meta: string, payload: Buffer): void {
    switch (type) {
      case Frame.Log:
        this.#logs.push(payload.toString('utf8'));
        return;
      case Frame.Ready:
        this.#noteMemory(meta);
        this.#finish({ kind: 'ready' });
        return;
      case Frame.InitError:
        this.#logs.flush();
        this.#finish({ kind: 'error', payload, errorType: errorTypeOf(payload) });
        return;
      case Frame.Result:
        this.#noteMemory(meta);
        this.#logs.flush();
        this.#finish({ kind: 'response', payload });
        return;
      case Frame.Error: {
        const [rss = '0', fatal] = meta.split('\0');
        this.#noteMemory(rss);
        this.#logs.flush();
        this.#finish({ kind: 'error', payload, errorType: errorTypeOf(payload), fatal: fatal === '1' });
        return;
      }
      case Frame.InvalidEvent:
        this.#finish({ kind: 'invalid-event', message: payload.toString('utf8') });
        return;
    }
  }

  #pipeOutput(stream: Readable | null, isStderr: boolean): void {
    if (stream === null) return;
    stream.setEncoding('utf8');
    // Output that bypasses console/process.stdout (native code, V8 fatal errors) is passed through as-is.
    const lines = new LineSplitter((line) => {
      if (isStderr && HEAP_OOM.test(line)) this.#sawHeapOom = true;
      this.#options.onLine(line);
    });
    stream.on('data', (text: string) => lines.push(text));
    stream.on('end', () => lines.flush());
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const wasKilled = !this.#alive;
    this.#alive = false;
    this.#logs.flush();
    this.#options.onExit();
    if (this.#settle === null) return;
    const report = (): void => {
      const outcome: ExitOutcome = { kind: 'exit', code, signal, outOfMemory: this.#sawHeapOom };
      this.#finish(outcome);
    };
    // V8's out-of-memory message can still be in the stderr pipe when 'exit' fires.
    const stderr = this.#child?.stderr;
    if (wasKilled || stderr === null || stderr === undefined || stderr.readableEnded) report();
    else {
      const timer = setTimeout(report, 100);
      stderr.once('end', () => {
        clearTimeout(timer);
        report();
      });
    }
  }
}
