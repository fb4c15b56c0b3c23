/**
 * REST API resource policies (`x-amazon-apigateway-policy`, `AWS::ApiGateway::RestApi Policy`, SAM
 * `Auth.ResourcePolicy`): compiled once per API, evaluated for `execute-api:Invoke` on the method ARN
 * with the caller's principal and the request's condition keys (aws:SourceIp, aws:CurrentTime, ...).
 * AWS docs: "Controlling access to a REST API with API Gateway resource policies", "API Gateway
 * resource policy examples" (`execute-api:/stage/METHOD/path` resources), "AWS global condition context keys".
 */
import type { Api } from '../../definitions/model.js';
import type { RequestContext } from '../context.js';
import type { CompiledApi } from '../deployment.js';
import { compilePolicy, type ConditionValues, type Policy, type PolicyDecision, type PolicyPrincipal } from './policy.js';

const compiled = new WeakMap<Api, Policy | null>();

/** The API's resource policy, compiled on the first route that asks; null when it has none. */
export function resourcePolicyOf(api: CompiledApi): Policy | null {
  const definition = api.definition;
  let policy = compiled.get(definition);
  if (policy !== undefined) return policy;
  policy = null;
  if (definition.policy !== undefined && definition.policy !== null && definition.policy !== '') {
    const prefix = `arn:aws:execute-api:${api.region}:${api.accountId}:${api.id}`;
    // `execute-api:/stage/METHOD/path` is shorthand for this API's ARN (resource policy examples).
    policy = compilePolicy(samResourcePolicy(definition.policy), {
      resource: (r) => (r.startsWith('execute-api:/') ? prefix + r.slice('execute-api:'.length) : r),
    });
  }
  compiled.set(definition, policy);
  return policy;
}

const SAM_LISTS = ['AwsAccountWhitelist', 'AwsAccountBlacklist', 'IpRangeWhitelist', 'IpRangeBlacklist', 'SourceVpcWhitelist', 'SourceVpcBlacklist'];

/**
 * SAM `Auth.ResourcePolicy` lists as the statements SAM generates for them (SAM "ApiAuth"
 * ResourcePolicyStatement): every list allows `execute-api:Invoke`, and the black/white list becomes a
 * Deny on the listed (or not listed) accounts, IP ranges or VPC (endpoint)s. SAM scopes them to the
 * event's methods; here they cover the whole API. A document with `Statement` is used as it is.
 */
export function samResourcePolicy(policy: unknown): unknown {
  if (typeof policy !== 'object' || policy === null || 'Statement' in policy) return policy;
  const p = policy as Record<string, unknown>;
  if (!SAM_LISTS.some((key) => p[key] !== undefined)) return policy;
  const list = (key: string): string[] => {
    const value = p[key];
    return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
  };
  const invoke = { Action: 'execute-api:Invoke', Resource: 'execute-api:/*' };
  const statements: Record<string, unknown>[] = [];
  const allowAll = () => statements.push({ Effect: 'Allow', Principal: '*', ...invoke });
  if (list('AwsAccountWhitelist').length > 0) statements.push({ Effect: 'Allow', Principal: { AWS: list('AwsAccountWhitelist') }, ...invoke });
  if (list('AwsAccountBlacklist').length > 0) statements.push({ Effect: 'Deny', Principal: { AWS: list('AwsAccountBlacklist') }, ...invoke });
  for (const [key, operator] of [['IpRangeWhitelist', 'NotIpAddress'], ['IpRangeBlacklist', 'IpAddress']] as const) {
    if (list(key).length === 0) continue;
    allowAll();
    statements.push({ Effect: 'Deny', Principal: '*', ...invoke, Condition: { [operator]: { 'aws:SourceIp': list(key) } } });
  }
  for (const [key, operator] of [['SourceVpcWhitelist', 'StringNotEquals'], ['SourceVpcBlacklist', 'StringEquals']] as const) {
    const vpcs = list(key);
    if (vpcs.length === 0) continue;
    allowAll();
    const endpoints = vpcs.filter((v) => v.startsWith('vpce-'));
    const networks = vpcs.filter((v) => !v.startsWith('vpce-'));
    if (endpoints.length > 0) statements.push({ Effect: 'Deny', Principal: '*', ...invoke, Condition: { [operator]: { 'aws:SourceVpce': endpoints } } });
    if (networks.length > 0) statements.push({ Effect: 'Deny', Principal: '*', ...invoke, Condition: { [operator]: { 'aws:SourceVpc': networks } } });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** The caller as policies see it: the IAM identity when AWS_IAM authenticated one, else anonymous (null). */
export function callerPrincipal(ctx: RequestContext): PolicyPrincipal | null {
  const { userArn, accountId } = ctx.identity;
  return userArn !== null && accountId !== null ? { arn: userArn, accountId } : null;
}

/** The name AWS puts in resource policy denials: the caller's ARN, or `anonymous`. */
export function callerName(ctx: RequestContext): string {
  return ctx.identity.userArn ?? 'anonymous';
}

export function evaluateResourcePolicy(policy: Policy, ctx: RequestContext, arn: string): PolicyDecision {
  return policy.evaluate({ action: 'execute-api:Invoke', resource: arn, principal: callerPrincipal(ctx), conditions: requestConditions(ctx) });
}

/** Global condition keys a request to API Gateway carries (lower-case names). */
export function requestConditions(ctx: RequestContext): ConditionValues {
  const identity = ctx.identity;
  const now = new Date(ctx.requestTimeEpoch);
  const values: Record<string, string | undefined> = {
    'aws:sourceip': identity.sourceIp,
    'aws:currenttime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:epochtime': String(Math.floor(ctx.requestTimeEpoch / 1000)),
    'aws:securetransport': String(ctx.request.headers.get('x-forwarded-proto') === 'https'),
    'aws:useragent': ctx.request.headers.get('user-agent'),
    'aws:referer': ctx.request.headers.get('referer'),
  };
  if (identity.userArn !== null) {
    values['aws:principalarn'] = identity.userArn;
    values['aws:principalaccount'] = identity.accountId ?? undefined;
    values['aws:username'] = identity.user ?? undefined;
    values['aws:userid'] = identity.caller ?? undefined;
  }
  return values;
}
