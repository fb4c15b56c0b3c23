/**
 * Usage of an API key in a usage plan, read from the same quota counters the API key step counts
 * (GetUsage), and the remaining quota of the current period moved (UpdateUsage).
 * AWS docs: API Gateway API reference "GetUsage" / "UpdateUsage" (the Usage shape: "daily logs of used
 * and remaining quotas ... [used quota, remaining quota]", indexed by API key ID).
 */
import { quotaKeyPrefix, quotaPeriod, type QuotaSettings, type UsagePlanRecord } from './api-keys.js';
import { DAY_MS, QUOTA_HISTORY_MS, type ProtectState, type QuotaUsage } from './state.js';

/** One `[used, remaining]` entry per UTC day from `firstDay` to `lastDay` (day numbers), both included. */
export async function dailyUsage(state: ProtectState, plan: UsagePlanRecord & { quota: QuotaSettings }, keyId: string, firstDay: number, lastDay: number, nowMs: number): Promise<[number, number][]> {
  const prefix = quotaKeyPrefix(plan.id, keyId);
  const counters = new Map<number, Promise<QuotaUsage | null>>();
  const days: { day: number; start: number }[] = [];
  for (let day = firstDay; day <= lastDay; day++) {
    const { start, end } = quotaPeriod(plan.quota, day * DAY_MS);
    // Periods not begun yet, or out of the kept history, have no counter: no need to ask the state.
    const readable = start <= nowMs && end + QUOTA_HISTORY_MS > nowMs;
    if (!counters.has(start)) counters.set(start, readable ? Promise.resolve(state.quotaUsage(prefix + start, nowMs)) : Promise.resolve(null));
    days.push({ day, start });
  }
  const usage = new Map<number, QuotaUsage | null>();
  for (const [start, counter] of counters) usage.set(start, await counter);
  return days.map(({ day, start }) => {
    const counter = usage.get(start) ?? null;
    if (counter === null) return [0, plan.quota.limit];
    // The period's counter at the end of this day: what was counted after it had not happened yet.
    let usedByThen = counter.used;
    for (const [later, count] of counter.days) if (later > day) usedByThen -= count;
    return [counter.days.get(day) ?? 0, Math.max(0, plan.quota.limit - usedByThen)];
  });
}

/** Sets what is left of the current period's quota for the key: the counter becomes limit - remaining. */
export async function setRemaining(state: ProtectState, plan: UsagePlanRecord & { quota: QuotaSettings }, keyId: string, remaining: number, nowMs: number): Promise<void> {
  const period = quotaPeriod(plan.quota, nowMs);
  await state.setQuotaUsed(quotaKeyPrefix(plan.id, keyId) + period.start, plan.quota.limit - remaining, period.end, nowMs);
}
