/**
 * A Node.js execution environment in its own child process (`--lambda-isolation process`): its own
 * cwd (the code folder), TZ, heap limit and RSS, and nothing it does can take gatehouse down.
 * Frames travel over a duplex pipe on fd 3; function output that bypasses console and
 * process.stdout (native code, V8 fatal errors) arrives on stdout/stderr and is passed through.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { nodeChildScript } from './code.js';
import { LineSplitter } from './environment.js';
import { NodeEnvironment } from './node-environment.js';

/** V8's message when a heap limit is hit; the process then aborts. */
const HEAP_OOM = /heap out of memory|Reached heap limit/;

export class ProcessEnvironment extends NodeEnvironment {
  #child: ChildProcess | undefined = undefined;
  #channel: Socket | undefined = undefined;
  #sawHeapOom = false;

  protected launch(): boolean {
    const { fn, codeDir, env } = this.options;
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [`--max-old-space-size=${fn.memorySize}`, nodeChildScript], {
        cwd: codeDir,
        env,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      });
    } catch {
      return false;
    }
    this.#child = child;
    const channel = child.stdio[3] as Socket;
    this.#channel = channel;
    channel.on('data', (chunk: Buffer) => this.decoder.push(chunk));
    channel.on('error', () => {});
    this.#pipeOutput(child.stdout, false);
    this.#pipeOutput(child.stderr, true);
    child.on('error', () => this.#onExit(null, null));
    child.on('exit', (code, signal) => this.#onExit(code, signal));
    return true;
  }

  protected send(frame: Buffer): void {
    this.#channel?.write(frame);
  }

  protected stop(): void {
    this.#child?.kill('SIGKILL');
  }

  setActive(active: boolean): void {
    const child = this.#child;
    if (child === undefined || !this.alive) return;
    for (const handle of [child, this.#channel, child.stdout as Socket | null, child.stderr as Socket | null]) {
      if (handle === undefined || handle === null) continue;
      if (active) handle.ref();
      else handle.unref();
    }
  }

  #pipeOutput(stream: Readable | null, isStderr: boolean): void {
    if (stream === null) return;
    stream.setEncoding('utf8');
    const lines = new LineSplitter((line) => {
      if (isStderr && HEAP_OOM.test(line)) this.#sawHeapOom = true;
      this.options.onLine(line);
    });
    stream.on('data', (text: string) => lines.push(text));
    stream.on('end', () => lines.flush());
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const wasKilled = !this.alive;
    const report = (): void => this.exited({ kind: 'exit', code, signal, outOfMemory: this.#sawHeapOom });
    // V8's out-of-memory message can still be in the stderr pipe when 'exit' fires.
    const stderr = this.#child?.stderr;
    if (!this.pending || wasKilled || stderr === null || stderr === undefined || stderr.readableEnded) report();
    else {
      this.alive = false;
      const timer = setTimeout(report, 100);
      stderr.once('end', () => {
        clearTimeout(timer);
        report();
      });
    }
  }
}
