/**
 * Token authorizers verified by the gateway itself: HTTP API JWT authorizers (issuer, audience,
 * scopes) and REST COGNITO_USER_POOLS authorizers (id token, or access token with the method's
 * OAuth scopes). Signatures are checked against the issuer's JWKS (RSA keys, as AWS supports);
 * claims reach `$context.authorizer.claims` (REST) or `requestContext.authorizer.jwt` (HTTP API 2.0).
 * AWS docs: "Controlling access to HTTP APIs with JWT authorizers", "Integrate a REST API with an
 * Amazon Cognito user pool", "Verifying a JSON Web Token" (Cognito token_use, client_id).
 */
import type * as Jose from 'jose';
import { GatewayError } from '../../core/errors.js';
import type { AuthorizerDefinition, Route } from '../../definitions/model.js';
import type { RequestContext } from '../context.js';
import type { CompiledApi } from '../deployment.js';
import { compileIdentitySource, unauthorized } from './common.js';
import type { ProtectServices } from './services.js';

/** jose is loaded on first use, so a deployment without token authorizers never needs it. */
let josePromise: Promise<typeof Jose> | null = null;
function jose(): Promise<typeof Jose> {
  josePromise ??= import('jose');
  return josePromise;
}

/** API Gateway verifies RSA signatures only ("Currently, only RSA-based algorithms are supported"). */
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

export type TokenAuthorizer = (ctx: RequestContext) => Promise<void>;

interface Verified {
  claims: Record<string, unknown>;
  /** Epoch ms after which the verification must be redone. */
  validUntil: number;
}

/** Key sets by JWKS URL, per protect services (they carry the JWKS resolution that may be overridden). */
const keySets = new WeakMap<ProtectServices, Map<string, Jose.JWTVerifyGetKey>>();

async function keySetFor(protect: ProtectServices, issuer: string): Promise<Jose.JWTVerifyGetKey> {
  const uri = await protect.jwksUri(issuer);
  let sets = keySets.get(protect);
  if (sets === undefined) keySets.set(protect, (sets = new Map()));
  let set = sets.get(uri);
  if (set === undefined) {
    const { createRemoteJWKSet } = await jose();
    set = createRemoteJWKSet(new URL(uri), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    sets.set(uri, set);
  }
  return set;
}

export function compileTokenAuthorizer(
  definition: AuthorizerDefinition,
  route: Route,
  api: CompiledApi,
  protect: ProtectServices,
  log: { warn(message: string): void },
): TokenAuthorizer {
  const isJwt = definition.type === 'jwt';
  const read = compileIdentitySource(definition.identitySource[0] ?? (isJwt ? '$request.header.Authorization' : 'method.request.header.Authorization'));
  const validation = definition.identityValidationExpression === undefined ? null : new RegExp(`^(?:${definition.identityValidationExpression})$`);
  const scopes = route.authorizationScopes;

  let issuers: Set<string>;
  let audience: Set<string> | null = null;
  if (isJwt) {
    if (definition.jwtConfiguration === undefined) throw new Error(`authorizer ${definition.name}: a JWT authorizer needs jwtConfiguration.issuer`);
    issuers = new Set([definition.jwtConfiguration.issuer]);
    audience = new Set(definition.jwtConfiguration.audience);
  } else {
    issuers = new Set(definition.providerArns.map((arn) => cognitoIssuer(arn)));
  }
  // HTTP API payload 2.0 events carry `authorizer.jwt.{claims,scopes}`, payload 1.0 `authorizer.{claims,scopes}`.
  const jwtShape = api.protocol === 'HTTP' && route.integration.payloadFormatVersion === '2.0';

  // Verified tokens, kept until they expire: verifying an RS256 signature costs far more than a lookup.
  const verified = new Map<string, Verified>();

  async function verify(token: string): Promise<Record<string, unknown>> {
    const now = Date.now();
    const hit = verified.get(token);
    if (hit !== undefined && hit.validUntil > now) return hit.claims;
    const { decodeJwt, jwtVerify } = await jose();
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw unauthorized();
    }
    if (typeof issuer !== 'string' || !issuers.has(issuer)) throw unauthorized();
    let claims: Record<string, unknown>;
    try {
      const keys = await keySetFor(protect, issuer);
      claims = (await jwtVerify(token, keys, { issuer, algorithms: RSA_ALGORITHMS })).payload as Record<string, unknown>;
    } catch (error) {
      if (error instanceof Error && !('code' in error && String(error.code).startsWith('ERR_JW'))) {
        log.warn(`authorizer ${definition.name}: cannot verify tokens of ${issuer}: ${error.message}`);
      }
      throw unauthorized();
    }
    // iat "Must be before the current time in UTC" (jose checks exp and nbf, not a future iat).
    if (typeof claims['iat'] === 'number' && claims['iat'] * 1000 > now) throw unauthorized();
    const exp = typeof claims['exp'] === 'number' ? claims['exp'] * 1000 : now + 300_000;
    if (verified.size >= 1000) verified.delete(verified.keys().next().value!);
    verified.set(token, { claims, validUntil: Math.min(exp, now + 300_000) });
    return claims;
  }

  return async (ctx) => {
    const raw = read(ctx);
    if (raw === undefined || raw === '') throw unauthorized();
    if (validation !== null && !validation.test(raw)) throw unauthorized();
    // "The identitySource can include only the token, or the token prefixed with Bearer".
    const token = /^bearer /i.test(raw) ? raw.slice(7).trim() : raw.trim();
    const claims = await verify(token);
    const granted = tokenScopes(claims);
    if (isJwt) {
      // aud, or client_id for access tokens without aud, must be one of the configured audiences.
      const aud = claims['aud'] ?? claims['client_id'];
      const auds = Array.isArray(aud) ? aud : [aud];
      if (audience !== null && audience.size > 0 && !auds.some((a) => typeof a === 'string' && audience!.has(a))) throw unauthorized();
      // A route's scopes: the token must hold at least one, else 403 Forbidden.
      if (scopes.length > 0 && !scopes.some((s) => granted.includes(s))) throw new GatewayError('ACCESS_DENIED', 'Forbidden');
      const jwt = { claims: stringifyClaims(claims, 'HTTP'), scopes: granted.length === 0 ? null : granted };
      ctx.authorizer = jwtShape ? { jwt } : jwt;
    } else {
      // Cognito: without OAuth scopes on the method the token must be an id token; with scopes an
      // access token holding one of them ("Integrate a REST API with an Amazon Cognito user pool").
      const use = claims['token_use'];
      if (scopes.length === 0 ? use !== 'id' : use !== 'access' || !scopes.some((s) => granted.includes(s))) throw unauthorized();
      ctx.authorizer = { claims: stringifyClaims(claims, 'REST') };
    }
    ctx.invalidateContextVariables();
  };
}

/** `arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}` -> `https://cognito-idp.{region}.amazonaws.com/{poolId}`. */
export function cognitoIssuer(arn: string): string {
  const match = /^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):\d*:userpool\/(.+)$/.exec(arn);
  if (match === null) throw new Error(`not a Cognito user pool ARN: ${arn}`);
  return `https://cognito-idp.${match[1]}.amazonaws.com/${match[2]}`;
}

/** Scopes of an OAuth access token: `scope` (space separated, RFC 6749) or `scp`. */
export function tokenScopes(claims: Record<string, unknown>): string[] {
  const value = claims['scope'] ?? claims['scp'];
  if (typeof value === 'string') return value.split(' ').filter((s) => s !== '');
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string');
  return [];
}

/**
 * Claims as API Gateway hands them on: every value a string. REST (Cognito) writes `exp` and `iat` as
 * Java dates (`Wed Feb 22 21:41:05 UTC 2023`) and lists comma-joined (read back with split(',') in
 * aws/chalice #783); HTTP APIs write lists as `[a b]` (unverified against AWS, kept for parity).
 */
export function stringifyClaims(claims: Record<string, unknown>, protocol: 'REST' | 'HTTP'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(claims)) {
    if (value === null || value === undefined) continue;
    if (protocol === 'REST' && (key === 'exp' || key === 'iat') && typeof value === 'number') out[key] = javaDate(value * 1000);
    else if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value)) out[key] = protocol === 'REST' ? value.map(String).join(',') : `[${value.map(String).join(' ')}]`;
    else if (typeof value === 'object') out[key] = JSON.stringify(value);
    else out[key] = String(value);
  }
  return out;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function javaDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
