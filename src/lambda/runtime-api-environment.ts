/**
 * An execution environment for runtimes other than Node.js: the runtime's own process (a
 * `provided.*` function's `bootstrap`, or gatehouse's stdlib-only Python bootstrap) polling a
 * Runtime API served on a loopback port.
 * AWS docs: "Building a custom runtime for AWS Lambda" (runtimes-custom.html),
 * "Using the Lambda runtime API for custom runtimes" (runtimes-api.html).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { FunctionDefinition } from '../definitions/model.js';
import { pythonBootstrapPath } from './code.js';
import { initErrorPayload } from './errors.js';
import {
  errorTypeOf,
  LineSplitter,
  type ExecutionEnvironment,
  type InitOutcome,
  type InvocationOutcome,
  type InvocationRequest,
  type LineSink,
} from './environment.js';
import { RuntimeApiServer } from './runtime-api.js';

export interface RuntimeApiEnvironmentOptions {
  fn: FunctionDefinition;
  codeDir: string;
  /** Environment variables without AWS_LAMBDA_RUNTIME_API (added once the port is known). */
  env: Record<string, string>;
  logStreamName: string;
  onLine: LineSink;
  /** The process ended, whatever the reason (also when idle). */
  onExit: () => void;
}

/** Placeholder in an entrypoint for the resolved Python interpreter. */
const PYTHON = 'python3';

/** Interpreter path per code folder (version managers such as pyenv pick the version by folder). */
const pythonByDir = new Map<string, Promise<string>>();

/**
 * `python3` is often a version-manager shim costing ~300 ms per start: ask it once for the real
 * interpreter (`sys.executable`) and start that directly afterwards.
 */
function resolvePython(codeDir: string, env: Record<string, string>): Promise<string> {
  let found = pythonByDir.get(codeDir);
  if (found === undefined) {
    found = new Promise<string>((resolve) => {
      execFile(PYTHON, ['-c', 'import sys; print(sys.executable)'], { cwd: codeDir, env, timeout: 15_000 }, (error, stdout) => {
        const executable = String(stdout).trim();
        resolve(error === null && executable !== '' ? executable : PYTHON);
      });
    });
    pythonByDir.set(codeDir, found);
  }
  return found;
}

/** The command that starts the runtime, or an init error payload when there is none to start. */
function entrypoint(fn: FunctionDefinition, codeDir: string): { command: string; args: string[] } | { error: Buffer } {
  if (fn.runtime.startsWith('python')) {
    const bootstrap = pythonBootstrapPath();
    if (bootstrap === undefined) return { error: initErrorPayload('Runtime.InvalidEntrypoint', 'gatehouse Python bootstrap.py not found') };
    // `-u`: unbuffered, so print() lines reach the log before the response does.
    return { command: PYTHON, args: ['-u', bootstrap] };
  }
  // provided.*: the code's bootstrap, else a layer's (Lambda looks in /var/task then /opt).
  const candidates = [path.join(codeDir, 'bootstrap'), ...fn.layers.map((dir) => path.join(dir, 'bootstrap'))];
  const found = candidates.find((file) => fs.existsSync(file));
  if (found === undefined) {
    return {
      error: initErrorPayload('Runtime.InvalidEntrypoint', `Couldn't find valid bootstrap(s): [${candidates.join(' ')}]`),
    };
  }
  return { command: found, args: [] };
}

export class RuntimeApiEnvironment implements ExecutionEnvironment {
  readonly logStreamName: string;
  maxMemoryUsedMb = 0;
  readonly #options: RuntimeApiEnvironmentOptions;
  readonly #api: RuntimeApiServer;
  #child: ChildProcess | undefined = undefined;
  #alive = false;
  #settle: ((outcome: InitOutcome | InvocationOutcome) => void) | null = null;

  constructor(options: RuntimeApiEnvironmentOptions) {
    this.#options = options;
    this.logStreamName = options.logStreamName;
    this.#api = new RuntimeApiServer({
      onFirstNext: () => {
        this.#noteMemory();
        this.#finish({ kind: 'ready' });
      },
      onInitError: (body, errorType) => {
        this.#finish({ kind: 'error', payload: body, errorType });
        this.kill();
      },
      onResponse: (body) => this.#finishAfterLogs({ kind: 'response', payload: body }),
      onError: (body, errorType) => this.#finishAfterLogs({ kind: 'error', payload: body, errorType, fatal: false }),
    });
  }

  async start(): Promise<InitOutcome> {
    const { fn, codeDir, env } = this.#options;
    const entry = entrypoint(fn, codeDir);
    if ('error' in entry) return { kind: 'error', payload: entry.error, errorType: errorTypeOf(entry.error) };
    if (entry.command === PYTHON) entry.command = await resolvePython(codeDir, env);
    let runtimeApi: string;
    try {
      runtimeApi = await this.#api.listen();
    } catch {
      return { kind: 'exit', code: null, signal: null, outOfMemory: false };
    }
    return new Promise<InitOutcome>((resolve) => {
      this.#settle = resolve as (outcome: InitOutcome | InvocationOutcome) => void;
      let child: ChildProcess;
      try {
        child = spawn(entry.command, entry.args, {
          cwd: codeDir,
          env: { ...env, AWS_LAMBDA_RUNTIME_API: runtimeApi },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch {
        this.#api.close();
        this.#finish({ kind: 'exit', code: null, signal: null, outOfMemory: false });
        return;
      }
      this.#child = child;
      this.#alive = true;
      this.#pipeOutput(child.stdout);
      this.#pipeOutput(child.stderr);
      child.on('error', (error: NodeJS.ErrnoException) => {
        this.#alive = false;
        this.#api.close();
        // What Lambda says when the bootstrap cannot be executed.
        const reason = error.code === 'EACCES' ? 'permission denied' : error.code === 'ENOENT' ? 'no such file or directory' : error.message;
        const payload = initErrorPayload('Runtime.InvalidEntrypoint', `Error: fork/exec ${entry.command}: ${reason}`);
        this.#finish({ kind: 'error', payload, errorType: 'Runtime.InvalidEntrypoint' });
      });
      child.on('exit', (code, signal) => this.#onExit(code, signal));
    });
  }

  invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    return new Promise<InvocationOutcome>((resolve) => {
      if (!this.#alive) {
        resolve({ kind: 'exit', code: null, signal: null, outOfMemory: false });
        return;
      }
      this.#settle = resolve as (outcome: InitOutcome | InvocationOutcome) => void;
      this.#api.deliver(request);
    });
  }

  kill(): void {
    this.#api.close();
    if (!this.#alive) return;
    this.#alive = false;
    this.#child?.kill('SIGKILL');
  }

  setActive(active: boolean): void {
    const child = this.#child;
    if (child === undefined || !this.#alive) return;
    this.#api.setActive(active);
    for (const handle of [child, child.stdout as Socket | null, child.stderr as Socket | null]) {
      if (handle === null) continue;
      if (active) handle.ref();
      else handle.unref();
    }
  }

  #finish(outcome: InitOutcome | InvocationOutcome): void {
    const settle = this.#settle;
    this.#settle = null;
    settle?.(outcome);
  }

  /**
   * The runtime flushed its output before posting; by the next check phase the event loop has
   * read those pipe bytes too, so the invocation's log lines are complete.
   */
  #finishAfterLogs(outcome: InvocationOutcome): void {
    this.#noteMemory();
    setImmediate(() => this.#finish(outcome));
  }

  /** Peak RSS of the runtime process (VmHWM), Linux only. */
  #noteMemory(): void {
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match !== null) this.maxMemoryUsedMb = Math.max(this.maxMemoryUsedMb, Math.round(Number(match[1]) / 1024));
    } catch {
      // Not Linux, or the process is gone: keep the last value.
    }
  }

  #pipeOutput(stream: Readable | null): void {
    if (stream === null) return;
    stream.setEncoding('utf8');
    const lines = new LineSplitter(this.#options.onLine);
    stream.on('data', (text: string) => lines.push(text));
    stream.on('end', () => lines.flush());
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.#alive = false;
    this.#api.close();
    this.#options.onExit();
    if (this.#settle === null) return;
    // Let the last output lines arrive before the pool writes END/REPORT.
    setImmediate(() => this.#finish({ kind: 'exit', code, signal, outOfMemory: false }));
  }
}
