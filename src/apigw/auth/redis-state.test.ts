/**
 * The Redis protect state against a real redis-server: the same contract as the memory state, one
 * bucket shared by two connections (two gateways), and failing open while Redis is down.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../core/log.js';
import { RedisConnection } from '../../storage/redis.js';
import { redisMissing, startRedisServer, type RedisServer } from '../../../test/support/redis.js';
import { RedisProtectState } from './redis-state.js';
import { stateContract } from './testing.js';

const skip = redisMissing() ?? false;
let redis: RedisServer;
let prefix = 0;

before(async () => {
  if (skip === false) redis = await startRedisServer();
});

const connections: RedisConnection[] = [];
after(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await redis?.stop();
});

async function connect(lines: string[], keyPrefix = `t${prefix++}:`): Promise<RedisConnection> {
  const connection = await RedisConnection.open({ url: redis.url, log: createLogger('info', (l) => lines.push(l)), keyPrefix });
  connections.push(connection);
  return connection;
}

async function state(lines: string[] = []): Promise<RedisProtectState> {
  return new RedisProtectState(await connect(lines));
}

test('redis state honours the state contract', { skip }, async () => {
  const s = await state();
  await stateContract(() => s);
});

test('two connections share one token bucket and one quota exactly', { skip }, async () => {
  const lines: string[] = [];
  const [sa, sb] = [new RedisProtectState(await connect(lines, 'shared:')), new RedisProtectState(await connect(lines, 'shared:'))];
  const t0 = Date.now();
  // 10 tokens of burst, taken concurrently by both: exactly 10 succeed.
  const takes = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? sa : sb).takeToken('bucket', 1, 10, t0)));
  assert.equal(takes.filter(Boolean).length, 10);
  const counts = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? sa : sb).countQuota('quota', 7, t0 + 60_000, t0)));
  assert.equal(counts.filter((c) => c.allowed).length, 7);
  assert.equal((await sb.quotaUsage('quota', t0))?.used, 7);
  assert.deepEqual(lines, []);
});

test('while Redis is down the state fails open, logs once, and recovers', { skip }, async () => {
  const lines: string[] = [];
  const s = await state(lines);
  const t0 = Date.now();
  assert.equal(await s.takeToken('b', 1, 1, t0), true);
  assert.equal(await s.takeToken('b', 1, 1, t0), false);
  await redis.down();
  try {
    await waitFor(() => lines.some((l) => l.includes('unreachable')));
    assert.equal(await s.takeToken('b', 1, 1, t0), true, 'throttle fails open');
    assert.deepEqual(await s.countQuota('q', 0, t0 + 1000, t0), { allowed: true, used: 0 }, 'quota fails open');
    assert.equal(await s.cacheGet('c', t0), undefined, 'cache misses');
    await s.cacheSet('c', 1, 1000, t0);
    assert.equal(lines.filter((l) => l.includes('unreachable')).length, 1, 'logged once');
    assert.match(lines.find((l) => l.includes('unreachable'))!, /fail open/);
  } finally {
    await redis.up();
  }
  await waitFor(() => lines.some((l) => l.includes('reachable again')));
  // A fresh Redis (nothing persisted): the bucket starts full again; scripts are reloaded after NOSCRIPT.
  assert.equal(await s.takeToken('b', 1, 1, t0), true);
  assert.equal(await s.takeToken('b', 1, 1, t0), false);
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}
