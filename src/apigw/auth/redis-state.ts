/**
 * The protect state in Redis, shared by every gatehouse process using the same Redis: each
 * operation is one Lua script on one key, so concurrent gateways never double count. Times are the
 * callers' clocks (`nowMs`), expiries are kept in the values and Redis TTLs only reclaim memory.
 * When Redis cannot answer, the state fails open — the request is let through, quotas are not
 * counted, the authorizer cache misses — and the connection logs it once: API Gateway itself treats
 * usage plan throttling and quotas as best-effort targets ("Usage plans and API keys for REST APIs":
 * "Usage plan throttling and quotas are not hard limits, and are applied on a best-effort basis"),
 * so a Redis outage degrades protection instead of taking the API down.
 */
import { luaScript, type RedisConnection } from '../../storage/redis.js';
import { DAY_MS, QUOTA_HISTORY_MS, type ProtectState, type QuotaResult, type QuotaUsage } from './state.js';

/** KEYS[1] bucket hash {t: tokens, u: updated ms}; ARGV rate, burst, now. Answers 1 (token taken) or 0. */
const TAKE_TOKEN = luaScript(`
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(b[1])
local updated = tonumber(b[2])
if tokens == nil or updated == nil then
  tokens = burst
  updated = now
end
if now > updated then
  tokens = math.min(burst, tokens + (now - updated) / 1000 * rate)
  updated = now
end
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(updated))
if rate > 0 then
  redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
end
return taken
`);

/**
 * KEYS[1] counter hash {n: used, e: period end ms, d<day>: requests that day}; ARGV limit, period end,
 * now, day number, history ms. Answers {allowed, used}.
 */
const COUNT_QUOTA = luaScript(`
local limit = tonumber(ARGV[1])
local ends = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local q = redis.call('HMGET', KEYS[1], 'n', 'e')
local used = tonumber(q[1])
local e = tonumber(q[2])
if used == nil or e == nil or e <= now then
  used = 0
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'n', 0, 'e', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], math.max(1, ends - now) + tonumber(ARGV[5]))
end
if used >= limit then
  return {0, used}
end
redis.call('HINCRBY', KEYS[1], 'd' .. ARGV[4], 1)
return {1, redis.call('HINCRBY', KEYS[1], 'n', 1)}
`);

/** KEYS[1] counter hash as above; ARGV used, period end, now, history ms. Sets n, starting a new period if needed. */
const SET_QUOTA_USED = luaScript(`
local e = tonumber(redis.call('HGET', KEYS[1], 'e'))
if e == nil or e <= tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'e', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(ARGV[2]) - tonumber(ARGV[3])) + tonumber(ARGV[4]))
end
redis.call('HSET', KEYS[1], 'n', ARGV[1])
return 1
`);

export class RedisProtectState implements ProtectState {
  readonly #redis: RedisConnection;

  constructor(redis: RedisConnection) {
    this.#redis = redis;
  }

  async takeToken(key: string, rate: number, burst: number, nowMs: number): Promise<boolean> {
    try {
      return (await this.#redis.run(TAKE_TOKEN, [this.#redis.key(key)], [rate, burst, nowMs])) === 1;
    } catch (error) {
      this.#redis.commandFailed('throttle', error);
      return true;
    }
  }

  async countQuota(key: string, limit: number, expiresAtMs: number, nowMs: number): Promise<QuotaResult> {
    try {
      const args = [limit, expiresAtMs, nowMs, Math.floor(nowMs / DAY_MS), QUOTA_HISTORY_MS];
      const [allowed, used] = (await this.#redis.run(COUNT_QUOTA, [this.#redis.key(key)], args)) as [number, number];
      return { allowed: allowed === 1, used };
    } catch (error) {
      this.#redis.commandFailed('quota', error);
      return { allowed: true, used: 0 };
    }
  }

  async quotaUsage(key: string, nowMs: number): Promise<QuotaUsage | null> {
    try {
      const fields = await this.#redis.client.hGetAll(this.#redis.key(key));
      const ends = Number(fields['e']);
      if (fields['n'] === undefined || !(ends + QUOTA_HISTORY_MS > nowMs)) return null;
      const days = new Map<number, number>();
      for (const [field, value] of Object.entries(fields)) if (field.startsWith('d')) days.set(Number(field.slice(1)), Number(value));
      return { used: Number(fields['n']), days };
    } catch (error) {
      this.#redis.commandFailed('quota usage', error);
      return null;
    }
  }

  async setQuotaUsed(key: string, used: number, expiresAtMs: number, nowMs: number): Promise<void> {
    // An update the caller asked for must not be lost silently: errors reach it (no fail-open here).
    await this.#redis.run(SET_QUOTA_USED, [this.#redis.key(key)], [used, expiresAtMs, nowMs, QUOTA_HISTORY_MS]);
  }

  async cacheGet(key: string, nowMs: number): Promise<unknown> {
    try {
      const stored = await this.#redis.client.get(this.#redis.key(key));
      if (stored == null) return undefined;
      const { e, v } = JSON.parse(stored) as { e: number; v: unknown };
      return e <= nowMs ? undefined : v;
    } catch (error) {
      this.#redis.commandFailed('cache read', error);
      return undefined;
    }
  }

  async cacheSet(key: string, value: unknown, ttlMs: number, nowMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    try {
      await this.#redis.client.set(this.#redis.key(key), JSON.stringify({ e: nowMs + ttlMs, v: value }), { PX: Math.ceil(ttlMs) });
    } catch (error) {
      this.#redis.commandFailed('cache write', error);
    }
  }

  /** The connection outlives the state (it is shared across reloads): its opener closes it. */
  async close(): Promise<void> {}
}
