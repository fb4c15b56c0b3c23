/**
 * The tokens a user pool issues: ID and access tokens as RS256 JWTs signed with the pool's own key
 * (published as a JWKS), with the claims Cognito puts in them, and opaque refresh tokens.
 * The issuer is Cognito's own (`https://cognito-idp.{region}.amazonaws.com/{poolId}`), so API
 * Gateway authorizers, JWT authorizers and application code configured for the real pool accept
 * them unchanged; the gateway fetches the keys from the embedded endpoint instead of AWS.
 * AWS docs: Cognito Developer Guide "Understanding the identity (ID) token", "Understanding the
 * access token", "Verifying a JSON Web Token"; API Reference "AuthenticationResultType",
 * "TokenValidityUnitsType" (defaults: ID and access tokens 1 hour, refresh tokens 30 days).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { ClientRecord, GroupRecord, PoolRecord, UserRecord } from './store.js';

export function issuerOf(region: string, poolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${poolId}`;
}

/** A new signing key for a pool: 2048-bit RSA, with a key id like Cognito's (base64 of random bytes). */
export function newSigningKey(): { kid: string; privateKey: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: randomBytes(32).toString('base64'), privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

/** jose is loaded on the first token, so a gatehouse whose pools sign nobody in never loads it. */
const jose = () => import('jose');

const keys = new Map<string, { private: KeyObject; public: KeyObject }>();

function keysOf(pool: PoolRecord): { private: KeyObject; public: KeyObject } {
  let pair = keys.get(pool.kid);
  if (pair === undefined) {
    const privateKey = createPrivateKey(pool.privateKey);
    pair = { private: privateKey, public: createPublicKey(privateKey) };
    keys.set(pool.kid, pair);
  }
  return pair;
}

/** `{keys: [...]}` as served at `/{poolId}/.well-known/jwks.json`. */
export function jwksOf(pool: PoolRecord): { keys: Record<string, unknown>[] } {
  const jwk = keysOf(pool).public.export({ format: 'jwk' });
  return { keys: [{ alg: 'RS256', e: jwk.e, kid: pool.kid, kty: 'RSA', n: jwk.n, use: 'sig' }] };
}

export interface Validity {
  idSeconds: number;
  accessSeconds: number;
  refreshSeconds: number;
}

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** The client's token validities in seconds (`IdTokenValidity` etc. counted in `TokenValidityUnits`). */
export function validityOf(client: ClientRecord): Validity {
  const c = client.config;
  const units = (c['TokenValidityUnits'] ?? {}) as Record<string, string>;
  const read = (key: string, unitKey: string, defaultUnit: string, fallback: number) => {
    const value = c[key];
    if (value === undefined || value === null) return fallback;
    return Number(value) * (UNIT_SECONDS[units[unitKey] ?? defaultUnit] ?? 1);
  };
  return {
    idSeconds: read('IdTokenValidity', 'IdToken', 'hours', 3600),
    accessSeconds: read('AccessTokenValidity', 'AccessToken', 'hours', 3600),
    refreshSeconds: read('RefreshTokenValidity', 'RefreshToken', 'days', 30 * 86400),
  };
}

/** One sign-in the tokens belong to: kept by the refresh token so refreshed tokens continue it. */
export interface SignIn {
  authTime: number;
  originJti: string;
}

export interface IssuedTokens {
  IdToken: string;
  AccessToken: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
}

/** User attributes as ID token claims: `*_verified` are booleans, the rest strings. */
function attributeClaims(user: UserRecord): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(user.attributes)) {
    if (name === 'sub') continue;
    claims[name] = name.endsWith('_verified') ? value === 'true' : value;
  }
  return claims;
}

function groupClaims(groups: readonly GroupRecord[]): Record<string, unknown> {
  if (groups.length === 0) return {};
  const roles = groups.map((g) => g.roleArn).filter((r): r is string => r !== null);
  return {
    'cognito:groups': groups.map((g) => g.name),
    ...(roles.length > 0 ? { 'cognito:roles': roles, 'cognito:preferred_role': roles[0] } : {}),
  };
}

export async function issueTokens(
  region: string,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  groups: readonly GroupRecord[],
  signIn: SignIn,
  now: number,
): Promise<IssuedTokens> {
  const validity = validityOf(client);
  const iat = Math.floor(now / 1000);
  const iss = issuerOf(region, pool.id);
  const eventId = randomUUID();
  const key = keysOf(pool).private;
  const header = { kid: pool.kid, alg: 'RS256' };
  const { SignJWT } = await jose();
  const common = { sub: user.sub, ...groupClaims(groups), iss, origin_jti: signIn.originJti, event_id: eventId, auth_time: signIn.authTime };
  const id = new SignJWT({
    ...attributeClaims(user),
    ...common,
    'cognito:username': user.username,
    aud: client.id,
    token_use: 'id',
    iat,
    exp: iat + validity.idSeconds,
    jti: randomUUID(),
  })
    .setProtectedHeader(header)
    .sign(key);
  const access = new SignJWT({
    ...common,
    version: 2,
    client_id: client.id,
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    iat,
    exp: iat + validity.accessSeconds,
    jti: randomUUID(),
    username: user.username,
  })
    .setProtectedHeader(header)
    .sign(key);
  const [IdToken, AccessToken] = await Promise.all([id, access]);
  return { IdToken, AccessToken, ExpiresIn: validity.accessSeconds, TokenType: 'Bearer' };
}

/**
 * The access token of a client credentials grant: no user, so `sub` is the app client, and `scope`
 * holds the granted custom scopes (Developer Guide "Understanding the access token", "Scopes, M2M,
 * and API authorization with resource servers").
 */
export async function issueClientCredentialsToken(region: string, pool: PoolRecord, client: ClientRecord, scopes: readonly string[], now: number): Promise<{ token: string; expiresIn: number }> {
  const validity = validityOf(client);
  const iat = Math.floor(now / 1000);
  const { SignJWT } = await jose();
  const token = await new SignJWT({
    sub: client.id,
    token_use: 'access',
    scope: scopes.join(' '),
    auth_time: iat,
    iss: issuerOf(region, pool.id),
    exp: iat + validity.accessSeconds,
    iat,
    version: 2,
    jti: randomUUID(),
    client_id: client.id,
  })
    .setProtectedHeader({ kid: pool.kid, alg: 'RS256' })
    .sign(keysOf(pool).private);
  return { token, expiresIn: validity.accessSeconds };
}

/** An opaque token (refresh tokens, challenge sessions): only its hash is stored. */
export function opaqueToken(bytes = 96): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The claims of an ID or access token (`use`) one of the pools issued, or null when it is not one (bad
 * signature, other issuer, other token use); `expired` when it was valid but is past `exp`.
 */
export async function readPoolToken(region: string, pool: (poolId: string) => PoolRecord | undefined, token: string, use: 'id' | 'access'): Promise<JWTPayload | 'expired' | null> {
  const { decodeJwt, jwtVerify } = await jose();
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    return null;
  }
  const poolId = typeof iss === 'string' ? iss.slice(iss.lastIndexOf('/') + 1) : '';
  const record = pool(poolId);
  if (record === undefined || iss !== issuerOf(region, poolId)) return null;
  try {
    const { payload } = await jwtVerify(token, keysOf(record).public, { issuer: iss, algorithms: ['RS256'] });
    return payload['token_use'] === use ? payload : null;
  } catch (error) {
    return (error as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : null;
  }
}
