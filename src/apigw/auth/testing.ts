/** Test support: the contract every ProtectState implementation is checked against. */
import assert from 'node:assert/strict';
import { DAY_MS, QUOTA_HISTORY_MS, type ProtectState } from './state.js';

/** The contract every ProtectState honours (memory and Redis). */
export async function stateContract(make: () => ProtectState): Promise<void> {
  const state = make();
  const t0 = 1_000_000;
  // A new bucket is full: `burst` requests pass at once, the next one is refused.
  assert.equal(await state.takeToken('b', 2, 3, t0), true);
  assert.equal(await state.takeToken('b', 2, 3, t0), true);
  assert.equal(await state.takeToken('b', 2, 3, t0), true);
  assert.equal(await state.takeToken('b', 2, 3, t0), false);
  // 2 tokens per second: one token after 500 ms, not two.
  assert.equal(await state.takeToken('b', 2, 3, t0 + 500), true);
  assert.equal(await state.takeToken('b', 2, 3, t0 + 500), false);
  // Refilling never exceeds the burst.
  for (let i = 0; i < 3; i++) assert.equal(await state.takeToken('b', 2, 3, t0 + 60_000), true);
  assert.equal(await state.takeToken('b', 2, 3, t0 + 60_000), false);
  // A burst of 0 refuses everything.
  assert.equal(await state.takeToken('zero', 10, 0, t0), false);

  assert.deepEqual(await state.countQuota('q', 2, t0 + 1000, t0), { allowed: true, used: 1 });
  assert.deepEqual(await state.countQuota('q', 2, t0 + 1000, t0), { allowed: true, used: 2 });
  assert.deepEqual(await state.countQuota('q', 2, t0 + 1000, t0), { allowed: false, used: 2 });
  // Usage per UTC day: t0 is in day 0; a refused request is not counted.
  assert.deepEqual(await state.quotaUsage('q', t0), { used: 2, days: new Map([[0, 2]]) });
  assert.equal(await state.quotaUsage('never-counted', t0), null);
  // UpdateUsage: the counter moves (below zero grants more than the limit); the daily counts stay.
  await state.setQuotaUsed('q', -1, t0 + 1000, t0);
  assert.deepEqual(await state.countQuota('q', 2, t0 + 1000, t0), { allowed: true, used: 0 });
  assert.deepEqual(await state.quotaUsage('q', t0), { used: 0, days: new Map([[0, 3]]) });
  // A finished period stays readable for the history, then is gone.
  assert.deepEqual(await state.quotaUsage('q', t0 + 1000), { used: 0, days: new Map([[0, 3]]) });
  assert.equal(await state.quotaUsage('q', t0 + 1000 + QUOTA_HISTORY_MS), null);
  // Counting or setting after the period ends starts the counter over.
  assert.deepEqual(await state.countQuota('q', 2, t0 + DAY_MS * 2, t0 + DAY_MS), { allowed: true, used: 1 });
  assert.deepEqual(await state.quotaUsage('q', t0 + DAY_MS), { used: 1, days: new Map([[1, 1]]) });
  await state.setQuotaUsed('fresh', 5, t0 + 1000, t0);
  assert.deepEqual(await state.quotaUsage('fresh', t0), { used: 5, days: new Map() });

  await state.cacheSet('c', { principalId: 'p' }, 1000, t0);
  assert.deepEqual(await state.cacheGet('c', t0 + 999), { principalId: 'p' });
  assert.equal(await state.cacheGet('c', t0 + 1000), undefined);
  await state.cacheSet('zero-ttl', 1, 0, t0);
  assert.equal(await state.cacheGet('zero-ttl', t0), undefined);
  await state.close();
}
