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
import { HostChannel } from './shared-channel.js';

/** A worker over its heap limit fails with this code, then exits. */
const WORKER_OOM = 'ERR_WORKER_OUT_OF_MEMORY';

export class ThreadEnvironment extends NodeEnvironment {
  #worker: Worker | undefined = undefined;
  #channel: HostChannel | undefined = undefined;
  #outOfMemory = false;

  protected launch(): boolean {
    const { fn, env } = this.options;
    // The time zone is process-wide: Lambda's (TZ=:UTC) becomes gatehouse's before the first worker.
    if (env['TZ'] !== undefined && process.env['TZ'] !== env['TZ']) process.env['TZ'] = env['TZ'];
    const channel = new HostChannel((data) => this.decoder.push(data));
    let worker: Worker;
    try {
      worker = new Worker(nodeWorkerScript, {
        env,
        workerData: { channel: channel.environmentEnd },
        transferList: [channel.environmentEnd.port],
        resourceLimits: { maxOldGenerationSizeMb: fn.memorySize },
        // The runtime sends every console and process.stdout/stderr write as frames.
        stdout: true,
        stderr: true,
      });
    } catch {
      channel.close();
      return false;
    }
    this.#worker = worker;
    this.#channel = channel;
    this.#passThrough(worker.stdout);
    this.#passThrough(worker.stderr);
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === WORKER_OOM) this.#outOfMemory = true;
    });
    worker.on('exit', (code) => {
      channel.close();
      this.exited({ kind: 'exit', code, signal: null, outOfMemory: this.#outOfMemory });
    });
    return true;
  }

  protected send(frame: Buffer): void {
    this.#channel?.send(frame);
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
