/**
 * Where the stage cache keeps endpoint responses: in the process, bounded by the stage's cache
 * capacity (`CacheClusterSize`, in GB) with the least recently used entries dropped first, or in the
 * shared protect state (Redis), where every gatehouse process sees the same entries.
 * AWS docs: "Cache settings for REST APIs in API Gateway" (capacity, TTL, 1,048,576-byte entries).
 */
import type { MaybePromise, ProtectState } from '../auth/state.js';

/** An endpoint response as stored: status, headers as [name, value, ...], body, selection input. */
export interface CachedResponse {
  statusCode: number;
  headers: string[];
  body: Buffer;
  selectionInput: string | undefined;
  isProxyResponse: boolean;
}

export interface ResponseCacheStore {
  get(key: string, nowMs: number): MaybePromise<CachedResponse | undefined>;
  set(key: string, response: CachedResponse, ttlMs: number, nowMs: number): MaybePromise<void>;
}

/** Bytes a response counts for against the 1,048,576-byte entry limit: its body and header text. */
export function responseBytes(response: CachedResponse): number {
  let size = response.body.length;
  for (const part of response.headers) size += part.length;
  return size;
}

interface MemoryEntry {
  response: CachedResponse;
  expiresAtMs: number;
  size: number;
}

export class MemoryResponseCache implements ResponseCacheStore {
  readonly #entries = new Map<string, MemoryEntry>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get(key: string, nowMs: number): CachedResponse | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAtMs <= nowMs) {
      this.#bytes -= entry.size;
      return undefined;
    }
    // Re-inserted: Map order is then least recently used first.
    this.#entries.set(key, entry);
    return entry.response;
  }

  set(key: string, response: CachedResponse, ttlMs: number, nowMs: number): void {
    const size = key.length + responseBytes(response);
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= old.size;
    }
    if (ttlMs <= 0 || size > this.#maxBytes) return;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes + size <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.size;
    }
    this.#entries.set(key, { response, expiresAtMs: nowMs + ttlMs, size });
    this.#bytes += size;
  }

  /** Bytes held now (tests, diagnostics). */
  get bytes(): number {
    return this.#bytes;
  }
}

interface StoredResponse {
  s: number;
  h: string[];
  b: string;
  i: string | null;
  p: boolean;
}

/** Entries in the shared state's cache (JSON values, the body base64), so every process shares them. */
export class StateResponseCache implements ResponseCacheStore {
  readonly #state: ProtectState;

  constructor(state: ProtectState) {
    this.#state = state;
  }

  async get(key: string, nowMs: number): Promise<CachedResponse | undefined> {
    const stored = (await this.#state.cacheGet(key, nowMs)) as StoredResponse | undefined;
    if (stored === undefined || typeof stored !== 'object' || stored === null) return undefined;
    return { statusCode: stored.s, headers: stored.h, body: Buffer.from(stored.b, 'base64'), selectionInput: stored.i ?? undefined, isProxyResponse: stored.p };
  }

  async set(key: string, response: CachedResponse, ttlMs: number, nowMs: number): Promise<void> {
    const stored: StoredResponse = {
      s: response.statusCode,
      h: response.headers,
      b: response.body.toString('base64'),
      i: response.selectionInput ?? null,
      p: response.isProxyResponse,
    };
    await this.#state.cacheSet(key, stored, ttlMs, nowMs);
  }
}
