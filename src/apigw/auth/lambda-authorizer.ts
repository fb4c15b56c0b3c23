/**
 * Lambda authorizers: REST TOKEN and REQUEST, HTTP API payload 1.0 / 2.0 with IAM policy or simple
 * responses. Identity sources must all be present (else 401 without calling the function); the
 * answer is cached by identity source values for the authorizer's TTL, and its policy is evaluated
 * against each request's method ARN (so a cached policy can allow one path and not another).
 * AWS docs: "Input to an API Gateway Lambda authorizer", "Output from an API Gateway Lambda
 * authorizer", "Working with AWS Lambda authorizers for HTTP APIs", "Configure a Lambda authorizer"
 * (caching, identity validation expression).
 */
import type { AuthorizerDefinition } from '../../definitions/model.js';
import type { RequestContext } from '../context.js';
import type { CompiledApi } from '../deployment.js';
import type { GatewayServices, LambdaInvoker } from '../services.js';
import { functionFromUri } from '../integrations/lambda.js';
import { buildV1Event, buildV2Event } from '../integrations/lambda-events.js';
import { authorizerConfigurationError, compileIdentitySource, then, unauthorized } from './common.js';
import { compilePolicy, PolicyError, type Policy, type PolicyDecision } from './policy.js';
import type { MaybePromise, ProtectState } from './state.js';

/** What one call of the function decided, in the form the cache keeps (JSON-compatible). */
interface Outcome {
  principalId: string | null;
  /** The returned policyDocument (policy responses). */
  policy: unknown;
  /** Simple responses. */
  isAuthorized: boolean | null;
  /** `$context.authorizer` entries (REST: stringified context plus principalId; HTTP: `{lambda: context}`). */
  authorizer: Record<string, unknown>;
  usageIdentifierKey: string | null;
}

export interface LambdaAuthorizer {
  /**
   * Runs (or reuses) the authorizer for the request: fills `ctx.authorizer`, and for a
   * `usageIdentifierKey` `ctx.identity.apiKey`; answers what its policy says about `arn`.
   * Throws UNAUTHORIZED (401) or an authorizer configuration error (500).
   */
  authorize(ctx: RequestContext, arn: string): MaybePromise<PolicyDecision>;
}

/** A cached outcome's policy, compiled once, and its decisions by method ARN (a pure function of the ARN). */
interface CompiledOutcome {
  policy: Policy;
  decisions: Map<string, PolicyDecision>;
}

const compiledPolicies = new WeakMap<Outcome, CompiledOutcome>();
const MAX_DECISIONS = 1024;

export function compileLambdaAuthorizer(
  definition: AuthorizerDefinition,
  api: CompiledApi,
  services: GatewayServices,
  state: ProtectState,
  options: { usageIdentifierKey: boolean } = { usageIdentifierKey: false },
): LambdaAuthorizer {
  const protocol = api.protocol;
  const functionRef = definition.authorizerUri === undefined ? null : functionFromUri(definition.authorizerUri);
  if (functionRef === null) throw new Error(`authorizer ${definition.name}: authorizerUri ${JSON.stringify(definition.authorizerUri)} does not name a Lambda function`);
  const invoker = services.lambda;
  if (invoker === null) throw new Error(`authorizer ${definition.name} calls Lambda function ${functionRef} but no Lambda runtime is available`);
  if (!functionRef.includes('${stageVariables.') && !invoker.has(functionRef)) {
    throw new Error(`authorizer ${definition.name} calls Lambda function ${functionRef}, which is not defined in the template`);
  }
  const isToken = definition.type === 'token';
  const version = protocol === 'HTTP' ? (definition.payloadFormatVersion ?? '2.0') : null;
  const simple = version === '2.0' && definition.enableSimpleResponses;
  const sources = definition.identitySource.map((s) => compileIdentitySource(s));
  const validation = isToken && definition.identityValidationExpression !== undefined ? new RegExp(`^(?:${definition.identityValidationExpression})$`) : null;
  // Caching needs a key: without identity sources every caller would share one answer.
  const ttlMs = sources.length === 0 ? 0 : definition.resultTtlInSeconds * 1000;
  const cachePrefix = `authorizer|${api.id}|${definition.name}|`;
  const failed = (cause: unknown) => authorizerConfigurationError(protocol, cause);

  function identity(ctx: RequestContext): string[] {
    const values: string[] = [];
    for (const read of sources) {
      const value = read(ctx);
      // Missing, null or empty identity sources: 401 without invoking the function.
      if (value === undefined || value === '') throw unauthorized();
      values.push(value);
    }
    if (validation !== null && !validation.test(values[0]!)) throw unauthorized();
    return values;
  }

  function event(ctx: RequestContext, arn: string, values: string[]): Record<string, unknown> {
    if (isToken) return { type: 'TOKEN', methodArn: arn, authorizationToken: values[0] };
    if (version === '2.0') {
      const { body: _b, isBase64Encoded: _i, version: _v, ...rest } = buildV2Event(ctx);
      return { version: '2.0', type: 'REQUEST', routeArn: arn, identitySource: values, ...rest };
    }
    const { body: _b, isBase64Encoded: _i, version: _v, ...rest } = buildV1Event(ctx);
    if (version === '1.0') {
      const joined = values.join(',');
      return { version: '1.0', type: 'REQUEST', methodArn: arn, identitySource: joined, authorizationToken: joined, ...rest };
    }
    return { type: 'REQUEST', methodArn: arn, ...rest };
  }

  async function invoke(ctx: RequestContext, arn: string, values: string[]): Promise<{ outcome: Outcome; latency: number }> {
    const name = functionRef!.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_w, v: string) => ctx.stage.variables[v] ?? '');
    const started = Date.now();
    let result: Awaited<ReturnType<LambdaInvoker['invoke']>>;
    try {
      result = await invoker!.invoke(name, JSON.stringify(event(ctx, arn, values)));
    } catch (error) {
      throw failed(error);
    }
    const latency = Date.now() - started;
    const payload = result.payload.toString('utf8');
    if (result.functionError !== undefined) {
      // The one error a function may raise on purpose: "Unauthorized" becomes 401 (Lambda authorizer blueprints).
      if (errorMessage(payload) === 'Unauthorized') throw unauthorized();
      services.log.warn(`${ctx.requestId} authorizer ${definition.name} failed: ${payload.slice(0, 500)}`);
      throw failed(payload);
    }
    try {
      return { outcome: parseOutput(payload, protocol, simple), latency };
    } catch (error) {
      services.log.warn(`${ctx.requestId} authorizer ${definition.name} answered badly: ${(error as Error).message}`);
      throw failed(error);
    }
  }

  function apply(ctx: RequestContext, arn: string, outcome: Outcome, latency: number): PolicyDecision {
    // A copy: a cached outcome serves many requests, and templates may change their $context. Copied
    // key by key: `{...object, key}` costs microseconds per request on Node 20 (measured with the protect bench).
    const authorizer: Record<string, unknown> = {};
    for (const key in outcome.authorizer) authorizer[key] = outcome.authorizer[key];
    if (protocol === 'REST') authorizer['integrationLatency'] = latency;
    ctx.authorizer = authorizer;
    // The key step of a method requiring a key (apiKeySource AUTHORIZER) reads it from $context.identity.apiKey.
    if (options.usageIdentifierKey && outcome.usageIdentifierKey !== null) ctx.identity.apiKey = outcome.usageIdentifierKey;
    ctx.invalidateContextVariables();
    if (outcome.isAuthorized !== null) return outcome.isAuthorized ? 'Allow' : 'Deny';
    let compiled = compiledPolicies.get(outcome);
    if (compiled === undefined) {
      try {
        compiled = { policy: compilePolicy(outcome.policy), decisions: new Map() };
      } catch (error) {
        throw failed(error);
      }
      compiledPolicies.set(outcome, compiled);
    }
    let decision = compiled.decisions.get(arn);
    if (decision === undefined) {
      decision = compiled.policy.evaluate({ action: 'execute-api:Invoke', resource: arn });
      if (compiled.decisions.size < MAX_DECISIONS) compiled.decisions.set(arn, decision);
    }
    return decision;
  }

  return {
    authorize(ctx, arn) {
      const values = identity(ctx);
      if (ttlMs <= 0) return invoke(ctx, arn, values).then(({ outcome, latency }) => apply(ctx, arn, outcome, latency));
      const key = cachePrefix + values.join('\u0000');
      return then(state.cacheGet(key, Date.now()), (cached) => {
        if (isOutcome(cached)) return apply(ctx, arn, cached, 0);
        return invoke(ctx, arn, values).then(async ({ outcome, latency }) => {
          await state.cacheSet(key, outcome, ttlMs, Date.now());
          return apply(ctx, arn, outcome, latency);
        });
      });
    },
  };
}

function errorMessage(payload: string): string | undefined {
  try {
    const parsed = JSON.parse(payload) as unknown;
    if (typeof parsed === 'object' && parsed !== null) {
      const message = (parsed as Record<string, unknown>)['errorMessage'];
      return typeof message === 'string' ? message : undefined;
    }
  } catch {
    // not JSON: not the "Unauthorized" error
  }
  return undefined;
}

/** Validates the function's answer; throws PolicyError on what AWS refuses. */
export function parseOutput(payload: string, protocol: 'REST' | 'HTTP', simple: boolean): Outcome {
  let out: unknown;
  try {
    out = JSON.parse(payload) as unknown;
  } catch {
    throw new PolicyError('the authorizer answer is not JSON');
  }
  if (typeof out !== 'object' || out === null || Array.isArray(out)) throw new PolicyError('the authorizer answer is not a JSON object');
  const o = out as Record<string, unknown>;
  const context = o['context'];
  if (context !== undefined && context !== null && (typeof context !== 'object' || Array.isArray(context))) {
    throw new PolicyError('context must be an object');
  }
  const ctxMap = (context ?? {}) as Record<string, unknown>;
  if (simple) {
    if (typeof o['isAuthorized'] !== 'boolean') throw new PolicyError('a simple response needs a boolean isAuthorized');
    // HTTP API context values may be any JSON, delivered as requestContext.authorizer.lambda.
    return { principalId: null, policy: null, isAuthorized: o['isAuthorized'], authorizer: { lambda: ctxMap }, usageIdentifierKey: null };
  }
  const principalId = o['principalId'];
  if (protocol === 'REST' && typeof principalId !== 'string' && typeof principalId !== 'number') throw new PolicyError('principalId is required');
  if (typeof o['policyDocument'] !== 'object' || o['policyDocument'] === null) throw new PolicyError('policyDocument is required');
  compilePolicy(o['policyDocument']);
  const usage = o['usageIdentifierKey'];
  if (protocol === 'HTTP') {
    return { principalId: principalId === undefined ? null : String(principalId), policy: o['policyDocument'], isAuthorized: null, authorizer: { lambda: ctxMap }, usageIdentifierKey: null };
  }
  // REST: context values must be strings, numbers or booleans and arrive stringified; an object or
  // array value is an AuthorizerConfigurationException (docs "Output from an API Gateway Lambda
  // authorizer"; recorded in DefinitelyTyped PR #69823: numbers and booleans as strings, null kept).
  const authorizer: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(ctxMap)) {
    if (value === null) authorizer[key] = null;
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') authorizer[key] = String(value);
    else throw new PolicyError(`context.${key} must be a string, number or boolean`);
  }
  authorizer['principalId'] = String(principalId);
  return {
    principalId: String(principalId),
    policy: o['policyDocument'],
    isAuthorized: null,
    authorizer,
    usageIdentifierKey: typeof usage === 'string' && usage !== '' ? usage : null,
  };
}

function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'object' && value !== null && 'authorizer' in value && 'isAuthorized' in value;
}

