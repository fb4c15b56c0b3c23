/**
 * The memory state store: token buckets (AWS docs "Throttle requests to your REST APIs": the bucket
 * holds `burst` tokens and refills at `rate` per second), quota counters and the authorizer cache.
 * Every store implementation should pass the same contract (`stateContract`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, MemoryProtectState, refill } from './state.js';
import { dailyUsage, setRemaining } from './usage.js';
import { stateContract } from './testing.js';
import { quotaKeyPrefix, quotaPeriod, generatedKeyValue } from './api-keys.js';
import { limitOf, methodSettingsKey, methodSettingFor } from './throttle.js';
import type { Route } from '../../definitions/model.js';

test('memory state honours the state contract', async () => {
  await stateContract(() => new MemoryProtectState());
});

test('memory state answers synchronously (a cached request never awaits)', () => {
  const state = new MemoryProtectState();
  assert.equal(state.takeToken('k', 1, 1, 0), true);
  assert.equal(state.cacheGet('k', 0), undefined);
});

test('the authorizer cache is bounded, dropping the oldest entries', () => {
  const state = new MemoryProtectState({ maxCacheEntries: 2 });
  state.cacheSet('a', 1, 1000, 0);
  state.cacheSet('b', 2, 1000, 0);
  state.cacheSet('c', 3, 1000, 0);
  assert.equal(state.cacheGet('a', 1), undefined);
  assert.equal(state.cacheGet('c', 1), 3);
});

test('refill is linear in time and capped at the burst', () => {
  assert.equal(refill(0, 0, 250, 4, 10), 1);
  assert.equal(refill(9, 0, 10_000, 4, 10), 10);
  assert.equal(refill(5, 100, 50, 4, 10), 5);
});

// CloudFormation AWS::ApiGateway::UsagePlan QuotaSettings: Offset is the day a period starts
// ("with a time period of WEEK, an offset of 0 starts on Sunday, and an offset of 1 starts on Monday").
test('quota periods: UTC day, week from the offset weekday, month from the offset day', () => {
  const wed = Date.UTC(2024, 4, 15, 13, 30); // Wednesday 15 May 2024
  assert.deepEqual(quotaPeriod({ limit: 1, period: 'DAY', offset: 0 }, wed), { start: Date.UTC(2024, 4, 15), end: Date.UTC(2024, 4, 16) });
  assert.deepEqual(quotaPeriod({ limit: 1, period: 'WEEK', offset: 0 }, wed), { start: Date.UTC(2024, 4, 12), end: Date.UTC(2024, 4, 19) });
  assert.deepEqual(quotaPeriod({ limit: 1, period: 'WEEK', offset: 1 }, wed), { start: Date.UTC(2024, 4, 13), end: Date.UTC(2024, 4, 20) });
  assert.deepEqual(quotaPeriod({ limit: 1, period: 'MONTH', offset: 0 }, wed), { start: Date.UTC(2024, 4, 1), end: Date.UTC(2024, 5, 1) });
  assert.deepEqual(quotaPeriod({ limit: 1, period: 'MONTH', offset: 19 }, wed), { start: Date.UTC(2024, 3, 20), end: Date.UTC(2024, 4, 20) });
  assert.deepEqual(quotaPeriod({ limit: 1, period: 'MONTH', offset: 19 }, Date.UTC(2024, 0, 3)), { start: Date.UTC(2023, 11, 20), end: Date.UTC(2024, 0, 20) });
});

test('generated API key values are stable and 40 characters long', () => {
  assert.equal(generatedKeyValue('stack', 'Key'), generatedKeyValue('stack', 'Key'));
  assert.notEqual(generatedKeyValue('stack', 'Key'), generatedKeyValue('stack', 'Other'));
  assert.match(generatedKeyValue('stack', 'Key'), /^[A-Za-z0-9]{40}$/);
});

// Model: stage method settings keyed `~1pets~1{id}/GET`, `*/*` for every method (CloudFormation MethodSetting).
test('method settings: the most specific key wins; -1 or nothing set means no throttle', () => {
  const route = { path: '/pets/{id}', method: 'GET' } as Route;
  assert.equal(methodSettingsKey(route), '~1pets~1{id}/GET');
  assert.equal(methodSettingsKey({ path: '/', method: 'POST' } as Route), '~1/POST');
  assert.equal(methodSettingsKey({ path: '$default', method: 'ANY' } as Route), '$default/ANY');
  const settings = { '*/*': { throttlingRateLimit: 1 }, '~1pets~1{id}/GET': { throttlingRateLimit: 5, throttlingBurstLimit: 2 } };
  assert.deepEqual(methodSettingFor(settings, route), { throttlingRateLimit: 5, throttlingBurstLimit: 2 });
  assert.deepEqual(methodSettingFor(settings, { path: '/pets', method: 'GET' } as Route), { throttlingRateLimit: 1 });
  assert.deepEqual(limitOf(1, undefined), { rate: 1, burst: 5000 });
  assert.equal(limitOf(-1, -1), null);
  assert.equal(limitOf(undefined, undefined), null);
});

// API reference "GetUsage": one [used quota, remaining quota] per day; within a WEEK period the
// remaining quota of a day is what was left at its end.
test('daily usage of a WEEK quota: used per day, remaining at the end of each day', async () => {
  const state = new MemoryProtectState();
  const plan = { id: 'p', name: 'p', throttle: null, stages: [], quota: { limit: 10, period: 'WEEK' as const, offset: 0 } };
  const monday = Date.UTC(2024, 4, 13, 12);
  const { start, end } = quotaPeriod(plan.quota, monday);
  const key = quotaKeyPrefix('p', 'k') + start;
  for (let i = 0; i < 3; i++) state.countQuota(key, 10, end, monday);
  for (let i = 0; i < 2; i++) state.countQuota(key, 10, end, monday + DAY_MS);
  const sunday = Math.floor(start / DAY_MS);
  // Sunday (nothing), Monday 3, Tuesday 2, Wednesday (after the last request), read on Wednesday.
  assert.deepEqual(await dailyUsage(state, plan, 'k', sunday, sunday + 3, monday + 2 * DAY_MS), [
    [0, 10],
    [3, 7],
    [2, 5],
    [0, 5],
  ]);
  // UpdateUsage moves what is left now; the days keep their counts.
  await setRemaining(state, plan, 'k', 8, monday + 2 * DAY_MS);
  assert.deepEqual(await dailyUsage(state, plan, 'k', sunday + 2, sunday + 3, monday + 2 * DAY_MS), [
    [2, 8],
    [0, 8],
  ]);
  // Another key's counters are its own; a period out of reach (the week before) reports the whole quota.
  assert.deepEqual(await dailyUsage(state, plan, 'other', sunday - 1, sunday, monday), [
    [0, 10],
    [0, 10],
  ]);
});
