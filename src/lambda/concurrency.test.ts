import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fn, json, runtime } from './fixture-support.js';

const rt = runtime(
  [
    fn('capped', { handler: 'counter.handler', reservedConcurrency: 2 }),
    fn('open', { handler: 'counter.handler' }),
    fn('throttled', { handler: 'counter.handler', reservedConcurrency: 0 }),
  ],
  { maxConcurrencyDefault: 3 },
);

after(() => rt.close());

describe('concurrency', () => {
  it('starts one environment per concurrent invocation up to the default limit', async () => {
    const results = await Promise.all([1, 2, 3].map(() => rt.invoke('open', '{"sleepMs":200}')));
    const environments = new Set(results.map((r) => json(r.payload).environment));
    assert.equal(environments.size, 3);
    assert.ok(results.every((r) => typeof r.initDurationMs === 'number'));
    // All three are warm now: a second wave reuses them.
    const again = await Promise.all([1, 2, 3].map(() => rt.invoke('open', '{"sleepMs":50}')));
    assert.ok(again.every((r) => r.initDurationMs === undefined && environments.has(json(r.payload).environment)));
  });

  it('queues requests beyond the reserved concurrency, first in first out', async () => {
    const results = await Promise.all([0, 1, 2, 3].map((i) => rt.invoke('capped', JSON.stringify({ sleepMs: 250, i }))));
    const bodies = results.map((r) => json(r.payload));
    assert.equal(new Set(bodies.map((b) => b.environment)).size, 2, 'never more environments than the limit');
    const firstDone = Math.min(bodies[0].invokedAt, bodies[1].invokedAt) + 250;
    assert.ok(bodies[2].invokedAt >= firstDone - 5, 'the third waited for an environment to free up');
    assert.ok(bodies[3].invokedAt >= bodies[2].invokedAt, 'queued requests run in arrival order');
    assert.equal(results[2]!.initDurationMs, undefined, 'a queued request takes a warm environment');
    assert.equal(results[3]!.initDurationMs, undefined);
  });

  it('throttles a function whose reserved concurrency is 0', async () => {
    await assert.rejects(rt.invoke('throttled', '{}'), { code: 'TooManyRequestsException', statusCode: 429 });
  });

  it('stops environments idle longer than idleTimeoutMs', async () => {
    const reaping = runtime([fn('reaped', { handler: 'counter.handler' })], { idleTimeoutMs: 100 });
    try {
      const first = await reaping.invoke('reaped', '{}');
      const warm = await reaping.invoke('reaped', '{}');
      assert.equal(warm.initDurationMs, undefined);
      await new Promise((resolve) => setTimeout(resolve, 250));
      const again = await reaping.invoke('reaped', '{}');
      assert.equal(typeof again.initDurationMs, 'number');
      assert.notEqual(json(again.payload).environment, json(first.payload).environment);
    } finally {
      await reaping.close();
    }
  });
});
