/**
 * Stage and method throttling: a token bucket (rate per second, burst capacity) per method and
 * stage, from the stage's method settings (`*` / `*` as the default for every method, a method's own
 * setting overriding it); an empty bucket is 429 `{"message":"Too Many Requests"}`.
 * AWS docs: "Throttle requests to your REST APIs for better throughput" (token bucket, per-method
 * limits override stage defaults) and "Protect your HTTP API" (route throttling, default route settings).
 */
import { GatewayError } from '../../core/errors.js';
import type { Api, MethodSetting, Route } from '../../definitions/model.js';
import type { RequestContext } from '../context.js';
import { then, type Step } from './common.js';
import type { ProtectState } from './state.js';

/** Account-level limits AWS applies when a setting names only one of rate and burst ("Quotas": 10,000 rps, 5,000 burst). */
export const ACCOUNT_RATE_LIMIT = 10_000;
export const ACCOUNT_BURST_LIMIT = 5_000;

export interface ThrottleLimit {
  rate: number;
  burst: number;
}

/** A bucket: its state key and its limits. */
export interface ThrottleRule extends ThrottleLimit {
  key: string;
}

export function throttled(): GatewayError {
  return new GatewayError('THROTTLED');
}

/** Takes a token from the rule's bucket; an empty bucket throws THROTTLED. */
export function takeOrThrottle(state: ProtectState, rule: ThrottleRule, nowMs: number): void | Promise<void> {
  return then(state.takeToken(rule.key, rule.rate, rule.burst, nowMs), (ok) => {
    if (!ok) throw throttled();
  });
}

/**
 * Rate and burst of a setting; a negative value means "not throttled" (HTTP API route settings use -1),
 * a missing one falls back to the account default. Null when the setting throttles nothing.
 */
export function limitOf(rate: number | undefined, burst: number | undefined): ThrottleLimit | null {
  const r = rate === undefined || rate < 0 ? undefined : rate;
  const b = burst === undefined || burst < 0 ? undefined : burst;
  if (r === undefined && b === undefined) return null;
  return { rate: r ?? ACCOUNT_RATE_LIMIT, burst: b ?? ACCOUNT_BURST_LIMIT };
}

/** The stage method-settings key of a route: `~1pets~1{id}/GET`, root `~1/GET`, HTTP API `$default/ANY`. */
export function methodSettingsKey(route: Route): string {
  if (route.path === '$default') return '$default/ANY';
  const path = route.path === '/' ? '~1' : route.path.replace(/~/g, '~0').replace(/\//g, '~1');
  return `${path}/${route.method}`;
}

/** The most specific method setting of the route in a stage's settings. */
export function methodSettingFor(settings: Record<string, MethodSetting>, route: Route): MethodSetting | undefined {
  const key = methodSettingsKey(route);
  const path = key.slice(0, key.lastIndexOf('/'));
  return settings[key] ?? settings[`${path}/*`] ?? settings['*/*'];
}

/** The route's method throttling step, or null when no stage throttles it. Buckets are per stage and method. */
export function compileMethodThrottle(api: Api, route: Route, state: ProtectState): Step | null {
  const byStage = new Map<string, ThrottleRule>();
  for (const stage of api.stages) {
    const setting = methodSettingFor(stage.methodSettings, route);
    const limit = setting === undefined ? null : limitOf(setting.throttlingRateLimit, setting.throttlingBurstLimit);
    if (limit !== null) byStage.set(stage.name, { ...limit, key: `throttle|${api.id}|${stage.name}|${route.method} ${route.path}` });
  }
  if (byStage.size === 0) return null;
  return (ctx: RequestContext) => {
    const rule = byStage.get(ctx.stage.name);
    if (rule !== undefined) return takeOrThrottle(state, rule, Date.now());
  };
}
