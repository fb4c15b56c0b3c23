/**
 * Usage plan operations over the gateway's key registry and protect state: plans read and changed
 * (a changed throttle or quota applies to the next request), keys added to and removed from plans,
 * and usage read from (GetUsage) or granted to (UpdateUsage) the quota counters the gateway counts.
 * AWS docs: API Gateway API reference "CreateUsagePlan", "GetUsagePlans", "GetUsagePlan", "DeleteUsagePlan", "UpdateUsagePlan" (AWS CLI
 * examples: replace /quota/period, /quota/limit, /throttle/rateLimit, /throttle/burstLimit),
 * "CreateUsagePlanKey", "GetUsagePlanKeys", "DeleteUsagePlanKey", "GetUsage" (values per key ID, one
 * `[used, remaining]` per day), "UpdateUsage" (AWS CLI example: `op="replace",path="/remaining",value="50"`).
 */
import { randomBytes } from 'node:crypto';
import { planFromProperties, type ApiKeyRecord, type ApiKeyRegistry, type QuotaPeriod, type QuotaSettings, type UsagePlanRecord, type UsagePlanStage } from '../../apigw/auth/api-keys.js';
import type { ProtectServices } from '../../apigw/auth/services.js';
import { DAY_MS } from '../../apigw/auth/state.js';
import { ACCOUNT_BURST_LIMIT, ACCOUNT_RATE_LIMIT, type ThrottleLimit } from '../../apigw/auth/throttle.js';
import { dailyUsage, setRemaining } from '../../apigw/auth/usage.js';
import { AwsServiceError } from '../protocol/errors.js';
import { badRequest, invalidPatchPath, notFound, patchNumber, patchOperations, patchValue, pointerSegment, type PatchOperation } from './patch.js';

/** Whether an API stage exists (AWS refuses to add an unknown stage to a plan). */
export type StageExists = (apiId: string, stage: string) => boolean;

export function findPlan(registry: ApiKeyRegistry, id: string): UsagePlanRecord {
  const plan = registry.plan(id);
  if (plan === undefined) throw notFound('Invalid Usage Plan ID specified');
  return plan;
}

export function keysOfPlan(registry: ApiKeyRegistry, planId: string): ApiKeyRecord[] {
  return [...registry.keys()].filter((k) => registry.plansOfKey(k.id).has(planId)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * CreateUsagePlan: the input in CloudFormation's spelling goes through the template loader, so a plan
 * made here and one from the template are read the same way.
 */
export function createUsagePlan(registry: ApiKeyRegistry, input: Record<string, unknown>, stageExists: StageExists): UsagePlanRecord {
  if (typeof input['name'] !== 'string' || input['name'] === '') throw badRequest('Usage Plan name must be non-empty');
  const limits = (t: unknown) => {
    const o = (t ?? {}) as Record<string, unknown>;
    return { RateLimit: o['rateLimit'], BurstLimit: o['burstLimit'] };
  };
  const stages = Array.isArray(input['apiStages']) ? (input['apiStages'] as Record<string, unknown>[]) : [];
  for (const s of stages) {
    if (!stageExists(String(s?.['apiId']), String(s?.['stage']))) throw notFound(`API Stage not found: ${String(s?.['apiId'])}:${String(s?.['stage'])}`);
  }
  const quota = input['quota'] as Record<string, unknown> | undefined;
  const properties = {
    UsagePlanName: input['name'],
    ...(typeof input['description'] === 'string' && { Description: input['description'] }),
    ...(input['throttle'] !== undefined && { Throttle: limits(input['throttle']) }),
    ...(quota !== undefined && { Quota: { Limit: quota['limit'], Period: quota['period'], Offset: quota['offset'] } }),
    ApiStages: stages.map((s) => ({
      ApiId: s['apiId'],
      Stage: s['stage'],
      Throttle: Object.fromEntries(Object.entries((s['throttle'] ?? {}) as Record<string, unknown>).map(([method, t]) => [method, limits(t)])),
    })),
  };
  const report = { generated: [], problems: [] as string[] };
  const plan = planFromProperties(randomBytes(3).toString('hex'), String(input['name']), properties, report);
  if (report.problems.length > 0) throw badRequest(report.problems.join('; '));
  registry.addPlan(plan);
  return plan;
}

const PLAN_PATHS = ['/name', '/description', '/throttle/rateLimit', '/throttle/burstLimit', '/quota/limit', '/quota/period', '/quota/offset', '/apiStages'] as const;
const PLAN_REMOVE_PATHS = ['/description', '/throttle', '/quota', '/apiStages'] as const;

/**
 * UpdateUsagePlan. The changed plan replaces the old one in the registry, so the API key step
 * resolves it afresh on the next request: new throttle limits and quotas apply at once.
 */
export function updateUsagePlan(registry: ApiKeyRegistry, plan: UsagePlanRecord, input: Record<string, unknown>, stageExists: StageExists): UsagePlanRecord {
  const next: UsagePlanRecord = {
    ...plan,
    throttle: plan.throttle === null ? null : { ...plan.throttle },
    quota: plan.quota === null ? null : { ...plan.quota },
    stages: plan.stages.map((s) => ({ ...s, methodThrottles: new Map(s.methodThrottles) })),
  };
  for (const operation of patchOperations(input)) {
    if (operation.path.startsWith('/apiStages/')) patchStageThrottle(next, operation);
    else if (operation.op === 'remove') removeFromPlan(next, operation);
    else if (operation.op === 'add' || operation.op === 'replace') setOnPlan(next, operation, stageExists);
    else throw invalidPatchPath(operation, []);
  }
  registry.addPlan(next);
  return next;
}

function setOnPlan(plan: UsagePlanRecord, operation: PatchOperation, stageExists: StageExists): void {
  const { path } = operation;
  if (path === '/name') plan.name = patchValue(operation);
  else if (path === '/description') plan.description = patchValue(operation);
  else if (path === '/throttle/rateLimit' || path === '/throttle/burstLimit') {
    plan.throttle = withLimit(plan.throttle, path.endsWith('rateLimit') ? 'rate' : 'burst', operation);
  } else if (path.startsWith('/quota/')) {
    const quota: QuotaSettings = plan.quota ?? { limit: 0, period: 'DAY', offset: 0 };
    if (path === '/quota/limit') quota.limit = patchNumber(operation, true);
    else if (path === '/quota/offset') quota.offset = patchNumber(operation, true);
    else if (path === '/quota/period') quota.period = quotaPeriodValue(patchValue(operation));
    else throw invalidPatchPath(operation, PLAN_PATHS);
    plan.quota = quota;
  } else if (path === '/apiStages' && operation.op === 'add') {
    const [apiId, stage] = stageValue(operation);
    if (!stageExists(apiId, stage)) throw notFound(`API Stage not found: ${operation.value}`);
    if (plan.stages.some((s) => s.apiId === apiId && s.stage === stage)) {
      throw new AwsServiceError('ConflictException', `Stage ${stage} of API ${apiId} is already in usage plan ${plan.id}`, 409);
    }
    plan.stages.push({ apiId, stage, methodThrottles: new Map() });
  } else throw invalidPatchPath(operation, operation.op === 'add' ? PLAN_PATHS : PLAN_PATHS.filter((p) => p !== '/apiStages'));
}

function removeFromPlan(plan: UsagePlanRecord, operation: PatchOperation): void {
  const { path } = operation;
  if (path === '/description') delete plan.description;
  else if (path === '/throttle') plan.throttle = null;
  else if (path === '/quota') plan.quota = null;
  else if (path === '/apiStages') {
    const [apiId, stage] = stageValue(operation);
    const index = plan.stages.findIndex((s) => s.apiId === apiId && s.stage === stage);
    if (index < 0) throw notFound(`API Stage not found: ${operation.value}`);
    plan.stages.splice(index, 1);
  } else throw invalidPatchPath(operation, PLAN_REMOVE_PATHS);
}

/**
 * Per-method throttles of a plan's stage: `/apiStages/{apiId}:{stage}/throttle/{resourcePath}/{METHOD}[/rateLimit|/burstLimit]`,
 * the resource path escaped as a JSON Pointer segment (`~1pets` for `/pets`).
 */
function patchStageThrottle(plan: UsagePlanRecord, operation: PatchOperation): void {
  const [, , stageKey, throttle, resourcePath, method, field, ...rest] = operation.path.split('/');
  const stage = plan.stages.find((s) => `${s.apiId}:${s.stage}` === pointerSegment(stageKey ?? ''));
  const remove = operation.op === 'remove';
  const setField = field === 'rateLimit' || field === 'burstLimit';
  if (throttle !== 'throttle' || resourcePath === undefined || method === undefined || rest.length > 0 || (remove ? field !== undefined : !setField)) {
    throw invalidPatchPath(operation, [remove ? '/apiStages/{apiId}:{stage}/throttle/{resourcePath}/{httpMethod}' : '/apiStages/{apiId}:{stage}/throttle/{resourcePath}/{httpMethod}/rateLimit|burstLimit']);
  }
  if (stage === undefined) throw notFound(`API Stage not found: ${pointerSegment(stageKey ?? '')}`);
  const methodKey = `${pointerSegment(resourcePath)}/${method}`;
  if (remove) {
    if (!stage.methodThrottles.delete(methodKey)) throw notFound(`No throttle for ${methodKey} in stage ${stageKey}`);
    return;
  }
  if (operation.op !== 'add' && operation.op !== 'replace') throw invalidPatchPath(operation, []);
  const limit = withLimit(stage.methodThrottles.get(methodKey) ?? null, field === 'rateLimit' ? 'rate' : 'burst', operation);
  stage.methodThrottles.set(methodKey, limit);
}

/** A throttle with one of its limits set; a new one starts from the account defaults, as a template throttle naming one limit does. */
function withLimit(current: ThrottleLimit | null, which: 'rate' | 'burst', operation: PatchOperation): ThrottleLimit {
  const limit = current ?? { rate: ACCOUNT_RATE_LIMIT, burst: ACCOUNT_BURST_LIMIT };
  return { ...limit, [which]: patchNumber(operation, which === 'burst') };
}

function quotaPeriodValue(value: string): QuotaPeriod {
  if (value !== 'DAY' && value !== 'WEEK' && value !== 'MONTH') throw badRequest(`Invalid quota period '${value}': must be DAY, WEEK or MONTH`);
  return value;
}

function stageValue(operation: PatchOperation): [string, string] {
  const value = patchValue(operation);
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) throw badRequest(`Invalid API stage '${value}': expected {apiId}:{stage}`);
  return [value.slice(0, colon), value.slice(colon + 1)];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A `YYYY-MM-DD` date as a UTC day number. */
function dayOf(name: string, value: string | null): number {
  const m = value === null ? null : DATE.exec(value);
  const ms = m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (m === null || !Number.isFinite(ms) || new Date(ms).getUTCDate() !== Number(m[3])) {
    throw badRequest(`${name} must be a date like 2016-01-01${value === null ? '' : `, not '${value}'`}`);
  }
  return ms / DAY_MS;
}

/**
 * GetUsage: per key of the plan (or the one `keyId`), a `[used, remaining]` entry per day from
 * startDate to endDate. A plan without a quota counts nothing, so it has no usage to report.
 */
export async function getUsage(protect: ProtectServices, plan: UsagePlanRecord, query: URLSearchParams): Promise<Record<string, unknown>> {
  const startDate = query.get('startDate');
  const endDate = query.get('endDate');
  const first = dayOf('startDate', startDate);
  const last = dayOf('endDate', endDate);
  if (last < first) throw badRequest('endDate must not be before startDate');
  const keyId = query.get('keyId');
  let keys = keysOfPlan(protect.keys, plan.id);
  if (keyId !== null) keys = keys.filter((k) => k.id === keyId);
  // Pages of `limit` keys (default 25, at most 500); `position` is where the next page starts.
  const limit = Math.min(500, Math.max(1, Number(query.get('limit') ?? 25) || 25));
  const offset = Number(query.get('position') ?? 0) || 0;
  const page = keys.slice(offset, offset + limit);
  const values: Record<string, [number, number][]> = {};
  const quota = plan.quota;
  if (quota !== null) {
    const now = Date.now();
    const usages = await Promise.all(page.map((k) => dailyUsage(protect.state, { ...plan, quota }, k.id, first, last, now)));
    page.forEach((k, i) => (values[k.id] = usages[i]!));
  }
  return {
    usagePlanId: plan.id,
    startDate,
    endDate,
    values,
    ...(offset + limit < keys.length && { position: String(offset + limit) }),
  };
}

/** UpdateUsage: `replace /remaining` sets what is left of the key's quota in the current period. */
export async function updateUsage(protect: ProtectServices, plan: UsagePlanRecord, keyId: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (!protect.keys.plansOfKey(keyId).has(plan.id)) throw notFound('Invalid API Key identifier specified');
  const quota = plan.quota;
  if (quota === null) throw badRequest(`Usage plan ${plan.id} has no quota`);
  const now = Date.now();
  for (const operation of patchOperations(input)) {
    if (operation.op !== 'replace' || operation.path !== '/remaining') throw invalidPatchPath(operation, operation.op === 'replace' ? ['/remaining'] : []);
    await setRemaining(protect.state, { ...plan, quota }, keyId, patchNumber(operation, true), now);
  }
  const today = Math.floor(now / DAY_MS);
  const date = new Date(today * DAY_MS).toISOString().slice(0, 10);
  return { usagePlanId: plan.id, startDate: date, endDate: date, values: { [keyId]: await dailyUsage(protect.state, { ...plan, quota }, keyId, today, today, now) } };
}

export function usagePlanView(plan: UsagePlanRecord): Record<string, unknown> {
  return {
    id: plan.id,
    name: plan.name,
    ...(plan.description !== undefined && { description: plan.description }),
    apiStages: plan.stages.map(apiStageView),
    ...(plan.throttle !== null && { throttle: { burstLimit: plan.throttle.burst, rateLimit: plan.throttle.rate } }),
    ...(plan.quota !== null && { quota: { limit: plan.quota.limit, offset: plan.quota.offset, period: plan.quota.period } }),
  };
}

function apiStageView(s: UsagePlanStage): Record<string, unknown> {
  return {
    apiId: s.apiId,
    stage: s.stage,
    ...(s.methodThrottles.size > 0 && {
      throttle: Object.fromEntries([...s.methodThrottles].map(([method, t]) => [method, { burstLimit: t.burst, rateLimit: t.rate }])),
    }),
  };
}
