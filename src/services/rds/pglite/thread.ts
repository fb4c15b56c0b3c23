/**
 * The main thread's handle on a PGlite worker thread: start it, send it requests, learn when it
 * ends. Only this module names the worker script, so PGlite is loaded when a database needs it,
 * never at gatehouse's start.
 */
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './messages.js';

const moduleDir = path.dirname(fileURLToPath(import.meta.url));
/** Beside this module, or dist/src/services/rds/pglite when running from the single-file bundle dist/gatehouse.mjs. */
const workerScript = path.join(path.basename(moduleDir) === 'pglite' ? moduleDir : path.join(moduleDir, 'src', 'services', 'rds', 'pglite'), 'worker.js');

type Pending = { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void };
/** A request without its id (TypeScript's Omit does not distribute over a union). */
type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

export class PgliteThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #ended: Error | null = null;
  /** Resolves with PGlite's ParameterStatus values once it is up. */
  readonly parameters: Promise<[string, string][]>;
  /** Resolves when the thread has ended, with the reason when it was not asked to. */
  readonly ended: Promise<Error | null>;

  constructor(setup: WorkerSetup) {
    this.#worker = new Worker(workerScript, { workerData: setup, stdout: true, stderr: true });
    // PGlite prints its own diagnostics; what matters reaches the clients as errors.
    this.#worker.stdout.resume();
    this.#worker.stderr.resume();
    this.parameters = new Promise((resolve, reject) => this.#pending.set(0, { resolve: (r) => resolve((r as { parameters: [string, string][] }).parameters), reject }));
    this.parameters.catch(() => {});
    this.#worker.on('message', (reply: WorkerReply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if ('error' in reply) pending?.reject(new Error(reply.error));
      else pending?.resolve(reply);
    });
    let failure: Error | null = null;
    this.#worker.on('error', (error) => (failure = new Error(`PGlite stopped: ${error.message}`)));
    this.ended = new Promise((resolve) =>
      this.#worker.once('exit', (code) => {
        this.#ended = failure ?? (code === 0 ? new Error('PGlite stopped') : new Error(`PGlite stopped (exit code ${code})`));
        for (const pending of this.#pending.values()) pending.reject(this.#ended);
        this.#pending.clear();
        resolve(failure ?? (code === 0 ? null : this.#ended));
      }),
    );
  }

  request(request: Request): Promise<WorkerReply> {
    if (this.#ended !== null) return Promise.reject(this.#ended);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // `frames` is a right-sized copy made by exchange(): it crosses without another copy.
      this.#worker.postMessage({ ...request, id }, 'frames' in request ? [request.frames.buffer as ArrayBuffer] : []);
    });
  }

  async exchange(frames: Uint8Array, role: string | null): Promise<Buffer> {
    const reply = (await this.request({ kind: 'exchange', frames: new Uint8Array(frames), role })) as { output: Uint8Array };
    return Buffer.from(reply.output.buffer, reply.output.byteOffset, reply.output.byteLength);
  }

  async query<Row = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<Row[]> {
    return ((await this.request({ kind: 'query', sql, params })) as { rows: Row[] }).rows;
  }

  /** Closes PGlite cleanly (its data folder stays consistent), then the thread ends. */
  async close(): Promise<void> {
    if (this.#ended === null) {
      await this.request({ kind: 'close' }).catch(() => this.#worker.terminate());
    }
    await this.ended;
  }
}
