/**
 * A Node.js execution environment in a worker thread of gatehouse (the default; see
 * node-environment.ts for the measurements). The worker gets the function's environment variables
 * as its own process.env, its own module cache, and a heap limit of MemorySize; terminate() stops
 * even a synchronous loop.
 */
import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import { nodeWorkerScript } from './code.js';
import { LineSplitter } from './environment.js';
import { NodeEnvironment } from './node-environment.js';
import { postBytes } from './protocol.js';

/** A worker over its heap limit fails with this code, then exits. */
const WORKER_OOM = 'ERR_WORKER_OUT_OF_MEMORY';

export class ThreadEnvironment extends NodeEnvironment {
  #worker: Worker | undefined = undefined;
  #outOfMemory = false;

  protected launch(): boolean {
    const { fn, env } = this.options;
    // The time zone is process-wide: Lambda's (TZ=:UTC) becomes gatehouse's before the first worker.
    if (env['TZ'] !== undefined && process.env['TZ'] !== env['TZ']) process.env['TZ'] = env['TZ'];
    let worker: Worker;
    try {
      worker = new Worker(nodeWorkerScript, {
        env,
        resourceLimits: { maxOldGenerationSizeMb: fn.memorySize },
        // The runtime sends every console and process.stdout/stderr write as frames.
        stdout: true,
        stderr: true,
      });
    } catch {
      return false;
    }
    this.#worker = worker;
    this.#passThrough(worker.stdout);
    this.#passThrough(worker.stderr);
    worker.on('message', (data: Uint8Array) => this.decoder.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === WORKER_OOM) this.#outOfMemory = true;
    });
    worker.on('exit', (code) => this.exited({ kind: 'exit', code, signal: null, outOfMemory: this.#outOfMemory }));
    return true;
  }

  protected send(frame: Buffer): void {
    if (this.#worker) postBytes(this.#worker, frame);
  }

  protected stop(): void {
    void this.#worker?.terminate();
  }

  /** Output that bypasses the runtime's console and process.stdout (native code) is passed through as-is. */
  #passThrough(stream: Readable): void {
    stream.setEncoding('utf8');
    const lines = new LineSplitter(this.options.onLine);
    stream.on('data', (text: string) => lines.push(text));
    stream.on('end', () => lines.flush());
  }

  setActive(active: boolean): void {
    if (!this.alive) return;
    if (active) this.#worker?.ref();
    else this.#worker?.unref();
  }
}
