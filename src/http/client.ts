/**
 * Upstream HTTP client: one keep-alive undici Pool per origin (measured here 1.5-2x less CPU per
 * request than node:http.request; `fetch` is 5x slower), with a per-request timeout.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher, Pool } from 'undici';

// undici costs ~160 ms to import: loaded on the first upstream call, not at start-up.
let undici: Promise<typeof import('undici')> | null = null;

export interface UpstreamRequest {
  /** 'http://host:port' */
  origin: string;
  /** Path and query ('/a/b?x=1'). */
  path: string;
  method: string;
  headers: [string, string][];
  body: Buffer | null;
  timeoutMs: number;
  rejectUnauthorized?: boolean;
}

export interface UpstreamResponse {
  statusCode: number;
  /** Raw header pairs in arrival order. */
  rawHeaders: [string, string][];
  body: Buffer;
}

/** Why an upstream call failed, in the terms the gateway maps to responses. */
export class UpstreamError extends Error {
  constructor(
    readonly kind: 'timeout' | 'connect' | 'protocol',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamError';
  }
}

export class HttpClient {
  readonly #pools = new Map<string, Pool>();

  async #createPool(key: string, origin: string, rejectUnauthorized: boolean): Promise<Pool> {
    const { Pool } = await (undici ??= import('undici'));
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: 128,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        connect: rejectUnauthorized ? undefined : { rejectUnauthorized: false },
      });
      this.#pools.set(key, pool);
    }
    return pool;
  }

  async request(req: UpstreamRequest): Promise<UpstreamResponse> {
    const rejectUnauthorized = req.rejectUnauthorized ?? true;
    const key = rejectUnauthorized ? req.origin : `${req.origin}#insecure`;
    const pool = this.#pools.get(key) ?? (await this.#createPool(key, req.origin, rejectUnauthorized));
    return new Promise<UpstreamResponse>((resolve, reject) => {
      pool.dispatch(
        { path: req.path, method: req.method as Dispatcher.HttpMethod, headers: req.headers.flat(), body: req.body },
        new ResponseCollector(req.timeoutMs, resolve, reject),
      );
    });
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.close().catch(() => pool.destroy())));
  }
}

/**
 * One upstream exchange through undici's dispatch interface, the response collected whole. Cheaper
 * than `pool.request`, which wraps the body in a stream and needs an AbortSignal for a deadline:
 * measured on the bench's HTTP_PROXY route, that was ~15% of gatehouse's CPU per request.
 * The integration timeout covers the whole exchange, queueing for a connection included
 * (undici's own timeouts are per phase and coarse).
 */
class ResponseCollector implements Dispatcher.DispatchHandler {
  readonly #resolve: (response: UpstreamResponse) => void;
  readonly #reject: (error: UpstreamError) => void;
  readonly #timer: NodeJS.Timeout;
  readonly #timeoutMs: number;
  #controller: Dispatcher.DispatchController | null = null;
  #settled = false;
  #statusCode = 0;
  #headers: IncomingHttpHeaders = {};
  readonly #chunks: Buffer[] = [];

  constructor(timeoutMs: number, resolve: (response: UpstreamResponse) => void, reject: (error: UpstreamError) => void) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#timeoutMs = timeoutMs;
    this.#timer = setTimeout(() => this.#timeout(), timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // A request still queued when the deadline passed is dropped as soon as it starts.
    if (this.#settled) controller.abort(new Error('integration timeout'));
    else this.#controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx informational answers precede the response.
    if (statusCode < 200) return;
    this.#statusCode = statusCode;
    this.#headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (!this.#finish()) return;
    const body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    this.#resolve({ statusCode: this.#statusCode, rawHeaders: pairs(this.#headers), body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#finish()) this.#reject(classify(error));
  }

  #timeout(): void {
    if (!this.#finish()) return;
    this.#reject(new UpstreamError('timeout', `upstream did not answer within ${this.#timeoutMs} ms`));
    this.#controller?.abort(new Error('integration timeout'));
  }

  /** Settles once: false when the exchange already ended (answered, failed or timed out). */
  #finish(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    clearTimeout(this.#timer);
    return true;
  }
}

function pairs(headers: IncomingHttpHeaders): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.push([name, v]);
    else out.push([name, value]);
  }
  return out;
}

function classify(error: unknown): UpstreamError {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new UpstreamError('timeout', `upstream timed out (${code})`, { cause: error });
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ECONNRESET' || code === 'EAI_AGAIN') {
    return new UpstreamError('connect', `upstream unreachable (${code})`, { cause: error });
  }
  return new UpstreamError('protocol', `upstream failed: ${(error as Error).message ?? String(error)}`, { cause: error });
}
