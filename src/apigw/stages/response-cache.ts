/**
 * The stage cache (REST APIs): wraps the integration — integration request and integrate run only
 * on a miss — and stores the endpoint response, which the integration response then maps as usual.
 * A stage caches when `CacheClusterEnabled` is set and the method setting enables caching: the
 * stage-wide settings (`*\/*`, `path/*`) cache GET only; another method needs its own setting.
 * Entries are keyed by API, stage, `cacheNamespace` (default: the resource), method and the values of
 * the integration's `cacheKeyParameters`; other parameters (even path parameters) do not vary the
 * key. Any endpoint response up to 1,048,576 bytes is cached, errors included. `Cache-Control:
 * max-age=0` refetches and replaces the entry when the caller may (`execute-api:InvalidateCache`, or
 * authorization not required); otherwise the method's unauthorized strategy applies.
 * Reads: the method request, `ctx.stage`. Writes: ctx.endpointResponse (from the cache), a Warning header.
 * AWS docs: "Cache settings for REST APIs in API Gateway" (TTL 300 s default, 3600 max, 0 = off; only
 * GET by default; cache keys; "Invalidate an API Gateway cache entry" and its three strategies).
 * Non-2xx responses are cached too (serverless-api-gateway-caching issue #125, StackOverflow 45883323).
 */
import { GatewayError } from '../../core/errors.js';
import { HeaderList } from '../../core/header-list.js';
import type { Route, Stage as StageDefinition } from '../../definitions/model.js';
import type { RequestContext } from '../context.js';
import type { Stage, StageBuildInput, StageFactory } from '../pipeline.js';
import { compileSource, type SourceReader } from '../parameters/sources.js';
import { accessDenied, methodArn, sequence, then } from '../auth/common.js';
import { callerName } from '../auth/resource-policy.js';
import { methodSettingFor, methodSettingsKey } from '../auth/throttle.js';
import { protectServicesOf } from './protect.js';
import { responseBytes, type CachedResponse, type ResponseCacheStore } from '../cache/store.js';

/** "The maximum size of a response that can be cached is 1048576 bytes." */
export const MAX_CACHED_RESPONSE_BYTES = 1_048_576;
const DEFAULT_TTL_SECONDS = 300;
/** The docs name no header text for SUCCEED_WITH_RESPONSE_HEADER; this is a 199 (miscellaneous) Warning. */
export const IGNORED_CACHE_CONTROL_WARNING = '199 Cache-control headers were ignored because the caller was unauthorized.';

type Strategy = 'FAIL_WITH_403' | 'SUCCEED_WITH_RESPONSE_HEADER' | 'SUCCEED_WITHOUT_RESPONSE_HEADER';

/** How one stage caches the route. */
interface StagePlan {
  store: ResponseCacheStore;
  ttlMs: number;
  /** GET requests are cached (through the route's own or a stage-wide setting). */
  get: boolean;
  /** The route's own non-GET method is cached (its own setting). */
  own: string | null;
  requireAuthorization: boolean;
  strategy: Strategy;
  prefix: string;
}

/**
 * The chain between validation and the integration response: `fetch` (integration request,
 * integrate) runs only on a miss, `respond` always. A route no stage caches gets both, unwrapped.
 */
export function responseCacheStage(fetch: readonly StageFactory[], respond: readonly StageFactory[]): StageFactory {
  return (input) => {
    const fetchStages = build(fetch, input);
    const respondStages = build(respond, input);
    const plans = compilePlans(input);
    if (plans.size === 0) return [...fetchStages, ...respondStages];
    return cachedStage(input, plans, sequence(fetchStages), sequence(respondStages));
  };
}

function build(factories: readonly StageFactory[], input: StageBuildInput): Stage[] {
  return factories.flatMap((factory) => factory(input) ?? []);
}

function compilePlans({ route, api, services }: StageBuildInput): Map<string, StagePlan> {
  const plans = new Map<string, StagePlan>();
  if (api.protocol !== 'REST') return plans;
  for (const stage of api.definition.stages) {
    const plan = compilePlan(route, stage, api.id, services);
    if (plan !== null) plans.set(stage.name, plan);
  }
  return plans;
}

function compilePlan(route: Route, stage: StageDefinition, apiId: string, services: StageBuildInput['services']): StagePlan | null {
  if (stage.cacheClusterEnabled !== true) return null;
  const setting = methodSettingFor(stage.methodSettings, route);
  const ownSetting = stage.methodSettings[methodSettingsKey(route)];
  const ttlSeconds = Math.min(setting?.cacheTtlInSeconds ?? DEFAULT_TTL_SECONDS, 3600);
  const get = (route.method === 'GET' || route.method === 'ANY') && setting?.cachingEnabled === true;
  const own = route.method !== 'GET' && route.method !== 'ANY' && ownSetting?.cachingEnabled === true ? route.method : null;
  if ((!get && own === null) || ttlSeconds <= 0) return null;
  const maxBytes = Number(stage.cacheClusterSize ?? '0.5') * 1e9;
  const namespace = route.integration.cacheNamespace ?? route.path;
  return {
    store: protectServicesOf(services).responseCache(`${apiId}/${stage.name}`, maxBytes),
    ttlMs: ttlSeconds * 1000,
    get,
    own,
    requireAuthorization: setting?.requireAuthorizationForCacheControl ?? true,
    strategy: setting?.unauthorizedCacheControlHeaderStrategy ?? 'SUCCEED_WITH_RESPONSE_HEADER',
    prefix: `stage-cache|${apiId}|${stage.name}|${namespace}|`,
  };
}

/** `method.request.{path|querystring|header}.X`, or an integration request parameter mapped from one (or a literal). */
function compileKeyParameters(route: Route): SourceReader[] {
  return route.integration.cacheKeyParameters.map((name) => {
    const source = name.startsWith('integration.request.') ? route.integration.requestParameters[name] : name;
    if (source === undefined || !/^(method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.|')/.test(source)) {
      throw new Error(`cacheKeyParameters: ${JSON.stringify(name)} is not a method request parameter (method.request.path|querystring|header.NAME) or an integration parameter mapped from one`);
    }
    return compileSource(source);
  });
}

function cachedStage(input: StageBuildInput, plans: Map<string, StagePlan>, fetch: Stage | null, respond: Stage | null): Stage {
  const keyParameters = compileKeyParameters(input.route);
  const protect = protectServicesOf(input.services);
  const log = input.services.log;
  const debug = log.level === 'debug';
  const uncached = sequence([fetch, respond].filter((s): s is Stage => s !== null));

  function key(plan: StagePlan, ctx: RequestContext): string {
    const values = keyParameters.map((read) => {
      const value = read(ctx);
      return Array.isArray(value) ? value.join(',') : (value ?? null);
    });
    return `${plan.prefix}${ctx.request.method}|${JSON.stringify(values)}`;
  }

  function refetch(plan: StagePlan, ctx: RequestContext, cacheKey: string, warn: boolean): void | Promise<void> {
    return then(fetch?.(ctx), () => then(store(plan, cacheKey, ctx), () => finish(ctx, warn)));
  }

  function finish(ctx: RequestContext, warn: boolean): void | Promise<void> {
    if (!warn) return respond?.(ctx);
    return then(respond?.(ctx), () => ctx.response?.headers.set('Warning', IGNORED_CACHE_CONTROL_WARNING));
  }

  return (ctx) => {
    const plan = plans.get(ctx.stage.name);
    const method = ctx.request.method;
    if (plan === undefined || !(method === 'GET' ? plan.get : method === plan.own)) return uncached?.(ctx);
    const cacheKey = key(plan, ctx);
    let warn = false;
    if (asksForFreshResponse(ctx)) {
      const arn = methodArn(ctx);
      if (!plan.requireAuthorization || protect.identityAllows(ctx, 'execute-api:InvalidateCache', arn)) {
        if (debug) log.debug(`${ctx.requestId} stage cache invalidated ${cacheKey}`);
        return refetch(plan, ctx, cacheKey, false);
      }
      if (plan.strategy === 'FAIL_WITH_403') throw invalidationDenied(ctx, arn);
      warn = plan.strategy === 'SUCCEED_WITH_RESPONSE_HEADER';
    }
    return then(plan.store.get(cacheKey, Date.now()), (hit) => {
      if (debug) log.debug(`${ctx.requestId} stage cache ${hit === undefined ? 'miss' : 'hit'} ${cacheKey}`);
      if (hit === undefined) return refetch(plan, ctx, cacheKey, warn);
      ctx.endpointResponse = {
        statusCode: hit.statusCode,
        headers: HeaderList.fromRaw(hit.headers),
        body: hit.body,
        selectionInput: hit.selectionInput,
        isProxyResponse: hit.isProxyResponse,
      };
      ctx.integrationLatency = 0;
      return finish(ctx, warn);
    });
  };
}

/** Stored before the response goes out, so the next request (to any process sharing the store) finds it. */
function store(plan: StagePlan, cacheKey: string, ctx: RequestContext): void | Promise<void> {
  const endpoint = ctx.endpointResponse;
  if (endpoint === null) return;
  const response: CachedResponse = {
    statusCode: endpoint.statusCode,
    headers: endpoint.headers.toFlatArray(),
    body: endpoint.body,
    selectionInput: endpoint.selectionInput,
    isProxyResponse: endpoint.isProxyResponse,
  };
  if (responseBytes(response) > MAX_CACHED_RESPONSE_BYTES) return;
  return plan.store.set(cacheKey, response, plan.ttlMs, Date.now());
}

/** `Cache-Control: max-age=0`, alone or among other directives. */
function asksForFreshResponse(ctx: RequestContext): boolean {
  const value = ctx.request.headers.getJoined('cache-control');
  return value !== undefined && /(?:^|,)\s*max-age\s*=\s*"?0"?\s*(?:,|$)/i.test(value);
}

/** FAIL_WITH_403: "returns a 403 Unauthorized response"; the message follows IAM's denial wording. */
function invalidationDenied(ctx: RequestContext, arn: string): GatewayError {
  return accessDenied(`User: ${callerName(ctx)} is not authorized to perform: execute-api:InvalidateCache on resource: ${arn}`);
}
