/**
 * Protect: who may call the method, and how often. Composed per route at deployment time in API
 * Gateway's order — resource policy, authorizer (Lambda, Cognito/JWT, IAM), API key and usage plan,
 * stage/method throttling — from the modules in `../auth/`; a route with nothing to check gets no stage.
 * Reads the method request and `ctx.stage`; writes `ctx.authorizer` and `ctx.identity` (apiKey, IAM caller).
 * AWS docs: "How API Gateway resource policies affect authorization workflow" (Table A: the authorizer's
 * and the resource policy's decisions combined), "Usage plans and API keys", "Throttle requests".
 */
import type { Route } from '../../definitions/model.js';
import type { RequestContext } from '../context.js';
import type { CompiledApi } from '../deployment.js';
import type { Stage, StageBuildInput } from '../pipeline.js';
import type { GatewayServices } from '../services.js';
import { compileApiKeyCheck } from '../auth/api-keys.js';
import { accessDenied, DENY_MESSAGES, methodArn, sequence, then, type Step } from '../auth/common.js';
import { compileTokenAuthorizer } from '../auth/jwt-authorizer.js';
import { compileLambdaAuthorizer } from '../auth/lambda-authorizer.js';
import type { Policy, PolicyDecision } from '../auth/policy.js';
import { callerName, evaluateResourcePolicy, resourcePolicyOf } from '../auth/resource-policy.js';
import { createProtectServices, type ProtectServices } from '../auth/services.js';
import { compileSigV4Check } from '../auth/sigv4.js';
import { compileMethodThrottle } from '../auth/throttle.js';

export function protectStage({ route, api, services }: StageBuildInput): Stage | null {
  const protect = protectServicesOf(services);
  const steps: Step[] = [];
  const authorization = compileAuthorization(route, api, services, protect);
  if (authorization !== null) steps.push(authorization);
  if (route.apiKeyRequired && api.protocol === 'REST') steps.push(compileApiKeyCheck(api.definition, route, protect.keys, protect.state));
  const throttle = compileMethodThrottle(api.definition, route, protect.state);
  if (throttle !== null) steps.push(throttle);
  return sequence(steps);
}

/** Services built without protect services (unit tests, tools) get an in-memory set with no API keys. */
const fallback = new WeakMap<GatewayServices, ProtectServices>();

export function protectServicesOf(services: GatewayServices): ProtectServices {
  if (services.auth !== undefined) return services.auth;
  let protect = fallback.get(services);
  if (protect === undefined) fallback.set(services, (protect = createProtectServices(null, { log: services.log })));
  return protect;
}

function compileAuthorization(route: Route, api: CompiledApi, services: GatewayServices, protect: ProtectServices): Step | null {
  const policy = api.protocol === 'REST' ? resourcePolicyOf(api) : null;
  const type = route.authorizationType;
  if (type === 'NONE') return policy === null ? null : resourcePolicyOnly(policy);
  if (type === 'AWS_IAM') return compileSigV4Check(route, api, policy, protect.accessKeys, services.log);

  const definition = route.authorizerName === undefined ? undefined : api.definition.authorizers[route.authorizerName];
  if (definition === undefined) throw new Error(`${route.routeKey}: authorizer ${JSON.stringify(route.authorizerName ?? '')} is not defined on the API`);

  if (definition.type === 'token' || definition.type === 'request') {
    const usageIdentifierKey = route.apiKeyRequired && api.definition.apiKeySource === 'AUTHORIZER';
    const authorizer = compileLambdaAuthorizer(definition, api, services, protect.state, { usageIdentifierKey });
    const rest = api.protocol === 'REST';
    return (ctx) => {
      const arn = methodArn(ctx);
      // Phase one: an explicit deny of the resource policy refuses before the authorizer runs.
      const pre = policy === null ? 'None' : denyFirst(policy, ctx, arn);
      return then(authorizer.authorize(ctx, arn), (decision) => {
        // HTTP APIs: a false isAuthorized or a policy without an allow is 403 Forbidden.
        if (!rest) {
          if (decision !== 'Allow') throw accessDenied('Forbidden');
          return;
        }
        if (decision === 'Deny') throw accessDenied(DENY_MESSAGES.authorizerExplicit);
        if (decision === 'None' && pre !== 'Allow') throw accessDenied(DENY_MESSAGES.authorizerImplicit);
      });
    };
  }

  if (definition.type === 'jwt' || definition.type === 'cognito_user_pools') {
    const verify = compileTokenAuthorizer(definition, route, api, protect, services.log);
    if (policy === null) return verify;
    // Cognito and a resource policy: once the token is good, the policy must explicitly allow.
    return async (ctx) => {
      await verify(ctx);
      const arn = methodArn(ctx);
      const decision = evaluateResourcePolicy(policy, ctx, arn);
      if (decision !== 'Allow') throw accessDenied(DENY_MESSAGES.resourcePolicy(callerName(ctx), arn, decision === 'Deny'));
    };
  }
  throw new Error(`${route.routeKey}: authorizer ${definition.name} of type ${definition.type} cannot protect a ${api.protocol} method`);
}

/** No authorizer: the resource policy alone must explicitly allow the caller. */
function resourcePolicyOnly(policy: Policy): Step {
  return (ctx: RequestContext) => {
    const arn = methodArn(ctx);
    const decision = evaluateResourcePolicy(policy, ctx, arn);
    if (decision !== 'Allow') throw accessDenied(DENY_MESSAGES.resourcePolicy(callerName(ctx), arn, decision === 'Deny'));
  };
}

function denyFirst(policy: Policy, ctx: RequestContext, arn: string): PolicyDecision {
  const decision = evaluateResourcePolicy(policy, ctx, arn);
  if (decision === 'Deny') throw accessDenied(DENY_MESSAGES.resourcePolicy(callerName(ctx), arn, true));
  return decision;
}

