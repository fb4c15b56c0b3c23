/**
 * The protect stage's shared state behind one interface: throttle token buckets, usage plan quota
 * counters and the authorizer result cache. Every operation is one atomic step on one key, so a
 * Redis implementation (one Lua script per operation) can share the state between gateway processes
 * exactly; the memory implementation answers synchronously, so a cached request never awaits.
 * AWS docs: "Throttle requests to your REST APIs for better throughput" (token bucket),
 * "Usage plans and API keys" (quotas), "Configure a Lambda authorizer" (result caching).
 */

export type MaybePromise<T> = T | Promise<T>;

export interface QuotaResult {
  /** False when the limit was already reached; the request was then not counted. */
  allowed: boolean;
  /** Requests counted in the period, this one included when allowed. */
  used: number;
}

export interface QuotaUsage {
  /** The period's counter, compared with the limit: requests counted, unless UpdateUsage moved it. */
  used: number;
  /** Requests counted per UTC day of the period: day number (epoch ms / DAY_MS) -> count. */
  days: Map<number, number>;
}

export const DAY_MS = 86_400_000;

/** How long a finished period's counter stays readable for GetUsage (gatehouse's choice). */
export const QUOTA_HISTORY_MS = 90 * DAY_MS;

export interface ProtectState {
  /**
   * Token bucket of `burst` tokens refilled at `rate` tokens per second, full when first seen:
   * takes one token and answers true, or answers false when the bucket is empty.
   */
  takeToken(key: string, rate: number, burst: number, nowMs: number): MaybePromise<boolean>;
  /**
   * Counts one request under `key` (which names the quota period) unless `limit` is reached.
   * The counter may be dropped after `expiresAtMs`, the end of the period.
   */
  countQuota(key: string, limit: number, expiresAtMs: number, nowMs: number): MaybePromise<QuotaResult>;
  /**
   * What was counted under `key` (GetUsage), without counting; null when nothing was. Counters stay
   * readable for QUOTA_HISTORY_MS after their period ends, so past days can be reported.
   */
  quotaUsage(key: string, nowMs: number): MaybePromise<QuotaUsage | null>;
  /** Sets the period's counter to `used` (UpdateUsage grants more remaining quota by lowering it, even below 0). */
  setQuotaUsed(key: string, used: number, expiresAtMs: number, nowMs: number): MaybePromise<void>;
  /** A cached JSON-compatible value, or undefined when absent or expired. */
  cacheGet(key: string, nowMs: number): MaybePromise<unknown>;
  cacheSet(key: string, value: unknown, ttlMs: number, nowMs: number): MaybePromise<void>;
  close(): Promise<void>;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

interface Expiring<T> {
  value: T;
  expiresAtMs: number;
}

interface QuotaCounter extends QuotaUsage {
  expiresAtMs: number;
}

/** Tokens after refilling a bucket from `updatedMs` to `nowMs` (pure; shared with other stores and tests). */
export function refill(tokens: number, updatedMs: number, nowMs: number, rate: number, burst: number): number {
  const elapsed = Math.max(0, nowMs - updatedMs) / 1000;
  return Math.min(burst, tokens + elapsed * rate);
}

/** One process's state; bounded so a flood of distinct identities cannot grow it without end. */
export class MemoryProtectState implements ProtectState {
  readonly #buckets = new Map<string, Bucket>();
  readonly #quotas = new Map<string, QuotaCounter>();
  readonly #cache = new Map<string, Expiring<unknown>>();
  readonly #maxCacheEntries: number;

  constructor(options: { maxCacheEntries?: number } = {}) {
    this.#maxCacheEntries = options.maxCacheEntries ?? 10_000;
  }

  takeToken(key: string, rate: number, burst: number, nowMs: number): boolean {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: burst, updatedMs: nowMs };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = refill(bucket.tokens, bucket.updatedMs, nowMs, rate, burst);
      bucket.updatedMs = nowMs;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  countQuota(key: string, limit: number, expiresAtMs: number, nowMs: number): QuotaResult {
    let entry = this.#quotas.get(key);
    if (entry === undefined || entry.expiresAtMs <= nowMs) entry = this.#newCounter(key, expiresAtMs, nowMs);
    if (entry.used >= limit) return { allowed: false, used: entry.used };
    entry.used += 1;
    const day = Math.floor(nowMs / DAY_MS);
    entry.days.set(day, (entry.days.get(day) ?? 0) + 1);
    return { allowed: true, used: entry.used };
  }

  quotaUsage(key: string, nowMs: number): QuotaUsage | null {
    const entry = this.#quotas.get(key);
    if (entry === undefined || entry.expiresAtMs + QUOTA_HISTORY_MS <= nowMs) return null;
    return { used: entry.used, days: new Map(entry.days) };
  }

  setQuotaUsed(key: string, used: number, expiresAtMs: number, nowMs: number): void {
    let entry = this.#quotas.get(key);
    if (entry === undefined || entry.expiresAtMs <= nowMs) entry = this.#newCounter(key, expiresAtMs, nowMs);
    entry.used = used;
  }

  cacheGet(key: string, nowMs: number): unknown {
    const entry = this.#cache.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.#cache.delete(key);
      return undefined;
    }
    return entry.value;
  }

  cacheSet(key: string, value: unknown, ttlMs: number, nowMs: number): void {
    if (ttlMs <= 0) return;
    this.#cache.delete(key);
    // Maps iterate in insertion order: the first entries are the oldest.
    while (this.#cache.size >= this.#maxCacheEntries) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, { value, expiresAtMs: nowMs + ttlMs });
  }

  async close(): Promise<void> {
    this.#buckets.clear();
    this.#quotas.clear();
    this.#cache.clear();
  }

  #newCounter(key: string, expiresAtMs: number, nowMs: number): QuotaCounter {
    this.#quotas.delete(key);
    this.#sweepQuotas(nowMs);
    const entry: QuotaCounter = { used: 0, days: new Map(), expiresAtMs };
    this.#quotas.set(key, entry);
    return entry;
  }

  /** Periods roll over: drop those out of history now and then (only when a new period starts). */
  #sweepQuotas(nowMs: number): void {
    if (this.#quotas.size < 1024) return;
    for (const [key, entry] of this.#quotas) if (entry.expiresAtMs + QUOTA_HISTORY_MS <= nowMs) this.#quotas.delete(key);
  }
}
