/**
 * API keys and usage plans: the key comes from `x-api-key` (apiKeySource HEADER) or from the Lambda
 * authorizer's `usageIdentifierKey` (AUTHORIZER); it must be enabled and in a usage plan of the API
 * stage, else 403 `{"message":"Forbidden"}`; the plan's per-key throttle (and per-method throttles)
 * give 429 "Too Many Requests", its quota per DAY/WEEK/MONTH 429 "Limit Exceeded".
 * AWS docs: "Usage plans and API keys for REST APIs", "Choose an API key source",
 * AWS::ApiGateway::ApiKey / UsagePlan / UsagePlanKey (CloudFormation), SAM "ApiUsagePlan".
 */
import { createHash } from 'node:crypto';
import { GatewayError } from '../../core/errors.js';
import type { Api, Project, Route, TemplateResource } from '../../definitions/model.js';
import type { RequestContext } from '../context.js';
import { then, type Step } from './common.js';
import type { ProtectState, QuotaResult } from './state.js';
import { limitOf, takeOrThrottle, type ThrottleLimit, type ThrottleRule } from './throttle.js';

export interface ApiKeyRecord {
  id: string;
  name: string;
  value: string;
  enabled: boolean;
  description?: string;
  customerId?: string;
  /** Epoch ms; keys from the template get the load time. */
  createdDate?: number;
  /** Epoch ms of the last UpdateApiKey. */
  updatedDate?: number;
}

export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

export interface QuotaSettings {
  limit: number;
  period: QuotaPeriod;
  /** The day a period starts: WEEK 0 = Sunday, MONTH 0 = the 1st (CloudFormation QuotaSettings.Offset). */
  offset: number;
}

export interface UsagePlanStage {
  apiId: string;
  stage: string;
  /** `/pets/{id}/GET`-style method key -> per-key limits of that method. */
  methodThrottles: Map<string, ThrottleLimit>;
}

export interface UsagePlanRecord {
  id: string;
  name: string;
  description?: string;
  throttle: ThrottleLimit | null;
  quota: QuotaSettings | null;
  stages: UsagePlanStage[];
}

/** Keys by value and the plans each key is in; mutable so keys can be added at run time. */
export class ApiKeyRegistry {
  readonly #byValue = new Map<string, ApiKeyRecord>();
  readonly #byId = new Map<string, ApiKeyRecord>();
  readonly #plans = new Map<string, UsagePlanRecord>();
  /** key id -> plan ids */
  readonly #keyPlans = new Map<string, Set<string>>();
  #version = 0;

  /** Changes whenever a key, plan or association is added, so resolved lookups can be reused until then. */
  get version(): number {
    return this.#version;
  }

  addKey(key: ApiKeyRecord): void {
    this.#version++;
    const old = this.#byId.get(key.id);
    if (old !== undefined) this.#byValue.delete(old.value);
    this.#byId.set(key.id, key);
    this.#byValue.set(key.value, key);
  }

  addPlan(plan: UsagePlanRecord): void {
    this.#version++;
    this.#plans.set(plan.id, plan);
  }

  addPlanKey(planId: string, keyId: string): void {
    this.#version++;
    let plans = this.#keyPlans.get(keyId);
    if (plans === undefined) this.#keyPlans.set(keyId, (plans = new Set()));
    plans.add(planId);
  }

  removeKey(id: string): boolean {
    const key = this.#byId.get(id);
    if (key === undefined) return false;
    this.#version++;
    this.#byId.delete(id);
    this.#byValue.delete(key.value);
    this.#keyPlans.delete(id);
    return true;
  }

  /** Removes the plan and every key's membership in it. */
  removePlan(id: string): boolean {
    if (!this.#plans.delete(id)) return false;
    this.#version++;
    for (const plans of this.#keyPlans.values()) plans.delete(id);
    return true;
  }

  removePlanKey(planId: string, keyId: string): boolean {
    const removed = this.#keyPlans.get(keyId)?.delete(planId) ?? false;
    if (removed) this.#version++;
    return removed;
  }

  keyByValue(value: string): ApiKeyRecord | undefined {
    return this.#byValue.get(value);
  }

  keyById(id: string): ApiKeyRecord | undefined {
    return this.#byId.get(id);
  }

  plan(id: string): UsagePlanRecord | undefined {
    return this.#plans.get(id);
  }

  /** Ids of the plans the key is in. */
  plansOfKey(keyId: string): ReadonlySet<string> {
    return this.#keyPlans.get(keyId) ?? new Set();
  }

  keys(): IterableIterator<ApiKeyRecord> {
    return this.#byId.values();
  }

  plans(): IterableIterator<UsagePlanRecord> {
    return this.#plans.values();
  }

  /** The key's usage plan for this API stage (AWS allows a key in at most one plan per stage). */
  planFor(keyId: string, apiId: string, stage: string): { plan: UsagePlanRecord; stage: UsagePlanStage } | undefined {
    const planIds = this.#keyPlans.get(keyId);
    if (planIds === undefined) return undefined;
    for (const id of planIds) {
      const plan = this.#plans.get(id);
      const planStage = plan?.stages.find((s) => s.apiId === apiId && s.stage === stage);
      if (plan !== undefined && planStage !== undefined) return { plan, stage: planStage };
    }
    return undefined;
  }
}

export interface KeyLoadReport {
  /** Keys whose value gatehouse generated (no `Value` in the template): the user needs to see them. */
  generated: ApiKeyRecord[];
  problems: string[];
}

/**
 * Keys and plans of a template: `AWS::ApiGateway::ApiKey` / `UsagePlan` / `UsagePlanKey`, the ones
 * the SAM transform generates from an Api's `Auth.UsagePlan` included (sam/implicit.ts).
 */
export function loadApiKeys(project: Project, registry: ApiKeyRegistry): KeyLoadReport {
  const report: KeyLoadReport = { generated: [], problems: [] };
  const seed = project.stackName;
  for (const r of project.resources) {
    if (r.type !== 'AWS::ApiGateway::ApiKey') continue;
    const p = r.properties;
    const value = typeof p['Value'] === 'string' ? p['Value'] : generatedKeyValue(seed, r.logicalId);
    const key: ApiKeyRecord = {
      id: r.physicalId,
      name: typeof p['Name'] === 'string' ? p['Name'] : r.logicalId,
      value,
      // CloudFormation: "Enabled ... Default: false" — a key must be enabled to be accepted.
      enabled: p['Enabled'] === true || p['Enabled'] === 'true',
    };
    registry.addKey(key);
    if (typeof p['Value'] !== 'string') report.generated.push(key);
  }
  for (const r of project.resources) {
    if (r.type !== 'AWS::ApiGateway::UsagePlan') continue;
    registry.addPlan(planFromProperties(r.physicalId, r.logicalId, r.properties, report, r));
  }
  for (const r of project.resources) {
    if (r.type !== 'AWS::ApiGateway::UsagePlanKey') continue;
    const keyId = r.properties['KeyId'];
    const planId = r.properties['UsagePlanId'];
    if (typeof keyId === 'string' && typeof planId === 'string') registry.addPlanKey(planId, keyId);
    else report.problems.push(`${r.logicalId}: UsagePlanKey needs KeyId and UsagePlanId`);
  }
  return report;
}

/** A plan from CloudFormation `AWS::ApiGateway::UsagePlan` properties; problems are added to the report. */
export function planFromProperties(id: string, name: string, p: Record<string, unknown>, report: KeyLoadReport, r?: TemplateResource): UsagePlanRecord {
  const throttle = record(p['Throttle']);
  const quota = record(p['Quota']);
  const stages: UsagePlanStage[] = [];
  for (const s of Array.isArray(p['ApiStages']) ? p['ApiStages'] : []) {
    const st = record(s);
    if (typeof st?.['ApiId'] !== 'string' || typeof st['Stage'] !== 'string') {
      report.problems.push(`${r?.logicalId ?? name}: ApiStages entries need ApiId and Stage`);
      continue;
    }
    const methodThrottles = new Map<string, ThrottleLimit>();
    for (const [method, value] of Object.entries(record(st['Throttle']) ?? {})) {
      const t = record(value);
      const limit = limitOf(num(t?.['RateLimit']), num(t?.['BurstLimit']));
      if (limit !== null) methodThrottles.set(method, limit);
    }
    stages.push({ apiId: st['ApiId'], stage: st['Stage'], methodThrottles });
  }
  let quotaSettings: QuotaSettings | null = null;
  const limit = num(quota?.['Limit']);
  if (quota !== undefined && limit !== undefined) {
    const period = String(quota['Period'] ?? 'DAY').toUpperCase();
    if (period !== 'DAY' && period !== 'WEEK' && period !== 'MONTH') report.problems.push(`${r?.logicalId ?? name}: Quota.Period must be DAY, WEEK or MONTH`);
    else quotaSettings = { limit, period, offset: num(quota['Offset']) ?? 0 };
  }
  return {
    id,
    name: typeof p['UsagePlanName'] === 'string' ? p['UsagePlanName'] : name,
    ...(typeof p['Description'] === 'string' && { description: p['Description'] }),
    throttle: throttle === undefined ? null : limitOf(num(throttle['RateLimit']), num(throttle['BurstLimit'])),
    quota: quotaSettings,
    stages,
  };
}

/** A stable 40-character value for a key the template does not give one, so it survives restarts. */
export function generatedKeyValue(seed: string, logicalId: string): string {
  const digest = createHash('sha256').update(`${seed}/${logicalId}/api-key`).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 40; i++) out += alphabet[digest[i % digest.length]! % alphabet.length];
  return out;
}

/**
 * Start and end (ms) of the quota period holding `nowMs`, in UTC. AWS resets quotas at 00:00 UTC;
 * the offset moves the first day of a WEEK (0 = Sunday) or MONTH (0 = the 1st) period.
 */
export function quotaPeriod(quota: QuotaSettings, nowMs: number): { start: number; end: number } {
  const now = new Date(nowMs);
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const DAY_MS = 86_400_000;
  if (quota.period === 'DAY') return { start: day, end: day + DAY_MS };
  if (quota.period === 'WEEK') {
    const back = (now.getUTCDay() - (quota.offset % 7) + 7) % 7;
    const start = day - back * DAY_MS;
    return { start, end: start + 7 * DAY_MS };
  }
  const startDay = Math.min(quota.offset, 27) + 1;
  let year = now.getUTCFullYear();
  let month = now.getUTCMonth();
  if (now.getUTCDate() < startDay) month -= 1;
  if (month < 0) {
    month = 11;
    year -= 1;
  }
  return { start: Date.UTC(year, month, startDay), end: Date.UTC(year, month + 1, startDay) };
}

/** The state key prefix of a key's quota counters in a plan; the period's start (ms) completes it. */
export function quotaKeyPrefix(planId: string, keyId: string): string {
  return `quota|${planId}|${keyId}|`;
}

export function invalidApiKey(): GatewayError {
  return new GatewayError('INVALID_API_KEY');
}

/** What the API key step resolved for one key on one stage, reused until the registry changes. */
interface KeyOnStage {
  version: number;
  key: ApiKeyRecord;
  plan: UsagePlanRecord;
  methodRule: ThrottleRule | null;
  planRule: ThrottleRule | null;
  quotaPrefix: string;
}

/**
 * The API key step of a route that requires a key. With apiKeySource AUTHORIZER the authorizer step
 * has already put its usageIdentifierKey in `ctx.identity.apiKey`.
 */
export function compileApiKeyCheck(api: Api, route: Route, registry: ApiKeyRegistry, state: ProtectState): Step {
  const fromAuthorizer = api.apiKeySource === 'AUTHORIZER';
  // Usage plan method throttles are keyed `/resource/path/METHOD` (UsagePlan ApiStage Throttle).
  const methodKey = `${route.path}/${route.method}`;
  const methodAnyKey = `${route.path}/*`;
  const resolved = new Map<string, KeyOnStage>();

  function resolve(value: string, stageName: string): KeyOnStage {
    const cacheKey = `${stageName}\u0000${value}`;
    const hit = resolved.get(cacheKey);
    if (hit !== undefined && hit.version === registry.version) return hit;
    const key = registry.keyByValue(value);
    if (key === undefined || !key.enabled) throw invalidApiKey();
    const found = registry.planFor(key.id, api.id, stageName);
    if (found === undefined) throw invalidApiKey();
    const { plan, stage } = found;
    const methodLimit = stage.methodThrottles.get(methodKey) ?? stage.methodThrottles.get(methodAnyKey);
    const entry: KeyOnStage = {
      version: registry.version,
      key,
      plan,
      methodRule: methodLimit === undefined ? null : { ...methodLimit, key: `plan-throttle|${plan.id}|${key.id}|${api.id}/${stageName}|${methodKey}` },
      planRule: plan.throttle === null ? null : { ...plan.throttle, key: `plan-throttle|${plan.id}|${key.id}` },
      quotaPrefix: quotaKeyPrefix(plan.id, key.id),
    };
    if (resolved.size >= 10_000) resolved.clear();
    resolved.set(cacheKey, entry);
    return entry;
  }

  return (ctx: RequestContext) => {
    const value = fromAuthorizer ? ctx.identity.apiKey : ctx.request.headers.get('x-api-key');
    if (value === undefined || value === null || value === '') throw invalidApiKey();
    const entry = resolve(value, ctx.stage.name);
    // $context.identity.apiKey / apiKeyId: set for methods that require a key (mapping template reference).
    ctx.identity.apiKey = entry.key.value;
    ctx.identity.apiKeyId = entry.key.id;
    ctx.invalidateContextVariables();
    const now = Date.now();
    // Throttles first, so a throttled request does not use up quota.
    if (entry.methodRule !== null) return then(takeOrThrottle(state, entry.methodRule, now), () => afterMethod(entry, now));
    return afterMethod(entry, now);
  };

  function afterMethod(entry: KeyOnStage, now: number): void | Promise<void> {
    if (entry.planRule !== null) return then(takeOrThrottle(state, entry.planRule, now), () => quota(entry, now));
    return quota(entry, now);
  }

  function quota(entry: KeyOnStage, now: number): void | Promise<void> {
    const settings = entry.plan.quota;
    if (settings === null) return;
    const period = currentPeriod(entry.plan, settings, now);
    return then(state.countQuota(entry.quotaPrefix + period.start, settings.limit, period.end, now), quotaResult);
  }
}

function quotaResult(result: QuotaResult): void {
  if (!result.allowed) throw new GatewayError('QUOTA_EXCEEDED');
}

/** The plan's current quota period, recomputed only when the period rolls over. */
const periods = new WeakMap<UsagePlanRecord, { start: number; end: number }>();
function currentPeriod(plan: UsagePlanRecord, settings: QuotaSettings, now: number): { start: number; end: number } {
  let period = periods.get(plan);
  if (period === undefined || now < period.start || now >= period.end) {
    period = quotaPeriod(settings, now);
    periods.set(plan, period);
  }
  return period;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function num(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
