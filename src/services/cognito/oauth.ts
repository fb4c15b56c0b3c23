/**
 * The OAuth 2.0 endpoints of the embedded user pools' authorization server: `/oauth2/token`
 * (client_credentials with the custom scopes of the pool's resource servers, refresh_token for
 * refresh tokens from InitiateAuth) and `/oauth2/userInfo`. On AWS they live on the pool's domain,
 * `https://{domain}.auth.{region}.amazoncognito.com`; here on the AWS endpoint, at `/oauth2/...`
 * (the pool found by the Host header `{domain}.auth.{region}.amazoncognito.com`, `{domain}.auth.localhost`
 * or a custom domain of the pool, else by the app client or the token) and
 * at `/{poolId}/oauth2/...`. authorization_code needs the hosted sign-in UI, which gatehouse does not
 * serve: no code is ever issued, so every code is one that "does not exist" (invalid_grant).
 * AWS docs: Cognito Developer Guide "Token endpoint" (client_secret_basic and client_secret_post,
 * errors: HTTP 400 `{"error":"invalid_request|invalid_client|invalid_grant|unauthorized_client|unsupported_grant_type"}`,
 * scopes "used if the grant_type is client_credentials"; "If the client doesn't request any scopes,
 * the authentication server uses all custom scopes associated with the client"), "UserInfo endpoint"
 * (400 invalid_request / 401 invalid_token in `WWW-Authenticate`), "Scopes, M2M, and API authorization
 * with resource servers"; `{"error":"invalid_scope"}` as recorded on re:Post ("OAUTH Password Grant
 * Type with Cognito"); RFC 6749 section 5.1 (`Cache-Control: no-store`).
 */
import type { ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { ServiceRequest } from '../service.js';
import type { CognitoContext } from './context.js';
import { flowEnabled, redeemRefreshToken, tokensFor } from './operations/auth.js';
import type { ClientRecord, PoolRecord } from './store.js';
import { issueClientCredentialsToken, readPoolToken } from './tokens.js';

const PATH = /^(?:\/([a-z]{2}(?:-[a-z]+)+-\d_[0-9A-Za-z]+))?\/oauth2\/(token|userInfo)$/;
const COGNITO_HOST = /^(.+)\.auth\.(?:[a-z0-9-]+\.amazoncognito\.com|localhost)$/;

/** Whether the request is for an OAuth endpoint: its path, and never SigV4-signed (those are AWS API calls, e.g. S3). */
export function isOAuthRequest(request: ServiceRequest): boolean {
  const match = PATH.exec(request.path);
  if (match === null || /^AWS4-HMAC-SHA256 /.test(String(request.headers['authorization'] ?? ''))) return false;
  return match[2] === 'token' ? request.method === 'POST' : request.method === 'GET' || request.method === 'POST';
}

type OAuthError = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

class TokenEndpointError extends Error {
  constructor(readonly error: OAuthError) {
    super(error);
  }
}

export async function handleOAuth(ctx: CognitoContext, request: ServiceRequest, res: ServerResponse): Promise<void> {
  const [, pathPool, endpoint] = PATH.exec(request.path)!;
  const pool = pathPool ?? poolOfHost(ctx, request.headers.host);
  if (endpoint === 'userInfo') return userInfo(ctx, pool, request, res);
  try {
    write(res, 200, await token(ctx, pool, request));
  } catch (error) {
    if (!(error instanceof TokenEndpointError)) throw error;
    write(res, 400, { error: error.error });
  }
}

/** The pool a Host names: a pool's domain (prefix or custom), '' for an unknown Cognito domain, null for any other host. */
function poolOfHost(ctx: CognitoContext, hostHeader: string | undefined): string | null {
  const host = (hostHeader ?? '').replace(/:\d+$/, '').toLowerCase();
  const prefix = COGNITO_HOST.exec(host)?.[1];
  const pool = ctx.store.poolOfDomain(prefix ?? host);
  if (pool !== undefined) return pool;
  return prefix === undefined ? null : '';
}

async function token(ctx: CognitoContext, poolId: string | null, request: ServiceRequest): Promise<Record<string, unknown>> {
  if (!String(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) throw new TokenEndpointError('invalid_request');
  const form = new URLSearchParams(request.body.toString('utf8'));
  for (const name of new Set(form.keys())) if (form.getAll(name).length > 1) throw new TokenEndpointError('invalid_request');
  const grantType = form.get('grant_type');
  if (grantType === null || grantType === '') throw new TokenEndpointError('invalid_request');
  const client = authenticate(ctx, poolId, request.headers['authorization'], form);
  const pool = ctx.store.getPool(client.poolId);
  if (pool === undefined) throw new TokenEndpointError('invalid_client');
  if (grantType === 'client_credentials') return clientCredentials(ctx, pool, client, form.get('scope'));
  if (grantType === 'refresh_token') return refresh(ctx, pool, client, form.get('refresh_token'));
  if (grantType === 'authorization_code') {
    if (!oauthFlows(client).includes('code')) throw new TokenEndpointError('unauthorized_client');
    if (!form.get('code')) throw new TokenEndpointError('invalid_request');
    throw new TokenEndpointError('invalid_grant');
  }
  throw new TokenEndpointError('unsupported_grant_type');
}

/**
 * The app client, authenticated by HTTP Basic `client_id:client_secret` (client_secret_basic) or by
 * `client_id` and `client_secret` in the body (client_secret_post); a client without a secret by its
 * `client_id` alone.
 */
function authenticate(ctx: CognitoContext, poolId: string | null, authorization: string | undefined, form: URLSearchParams): ClientRecord {
  let basic: { id: string; secret: string } | null = null;
  if (authorization !== undefined && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new TokenEndpointError('invalid_client');
    basic = { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  const bodyId = form.get('client_id');
  if (basic !== null && bodyId !== null && bodyId !== basic.id) throw new TokenEndpointError('invalid_client');
  const id = basic?.id ?? bodyId;
  const secret = basic?.secret ?? form.get('client_secret');
  const client = id === null ? undefined : ctx.store.getClient(id);
  if (client === undefined || (poolId !== null && client.poolId !== poolId)) throw new TokenEndpointError('invalid_client');
  if (client.secret === null ? secret !== null && secret !== '' : secret === null || !sameSecret(client.secret, secret)) throw new TokenEndpointError('invalid_client');
  return client;
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function oauthFlows(client: ClientRecord): string[] {
  // OAuth flows count only on a client enabled for them (CreateUserPoolClient AllowedOAuthFlowsUserPoolClient).
  const enabled = client.config['AllowedOAuthFlowsUserPoolClient'] === true || client.config['AllowedOAuthFlowsUserPoolClient'] === 'true';
  const flows = client.config['AllowedOAuthFlows'];
  return enabled && Array.isArray(flows) ? flows.map(String) : [];
}

/** Machine-to-machine: a client with a secret, allowed the client_credentials flow, gets an access token for custom scopes. */
async function clientCredentials(ctx: CognitoContext, pool: PoolRecord, client: ClientRecord, requested: string | null): Promise<Record<string, unknown>> {
  if (client.secret === null || !oauthFlows(client).includes('client_credentials')) throw new TokenEndpointError('unauthorized_client');
  const declared = new Set(ctx.store.listResourceServers(pool.id).flatMap((server) => server.scopes.map((scope) => `${server.identifier}/${scope.ScopeName}`)));
  const allowed = (Array.isArray(client.config['AllowedOAuthScopes']) ? client.config['AllowedOAuthScopes'].map(String) : []).filter((s) => declared.has(s));
  const scopes = requested === null || requested.trim() === '' ? allowed : requested.split(' ').filter((s) => s !== '');
  if (scopes.length === 0 || !scopes.every((s) => allowed.includes(s))) throw new TokenEndpointError('invalid_scope');
  const { token: accessToken, expiresIn } = await issueClientCredentialsToken(ctx.region, pool, client, [...new Set(scopes)], ctx.now());
  return { access_token: accessToken, expires_in: expiresIn, token_type: 'Bearer' };
}

/** New ID and access tokens for a refresh token of this client (no new refresh token, as Cognito). */
async function refresh(ctx: CognitoContext, pool: PoolRecord, client: ClientRecord, refreshToken: string | null): Promise<Record<string, unknown>> {
  if (refreshToken === null || refreshToken === '') throw new TokenEndpointError('invalid_request');
  if (!flowEnabled(client, 'REFRESH_TOKEN_AUTH') && !oauthFlows(client).includes('code')) throw new TokenEndpointError('unauthorized_client');
  const redeemed = redeemRefreshToken(ctx, pool, client, refreshToken);
  if (typeof redeemed === 'string') throw new TokenEndpointError('invalid_grant');
  const { AuthenticationResult: tokens } = await tokensFor(ctx, pool, client, redeemed.user, redeemed.signIn, false);
  return { id_token: tokens.IdToken, access_token: tokens.AccessToken, token_type: 'Bearer', expires_in: tokens.ExpiresIn };
}

/** The signed-in user's attributes for a user access token of the pool. */
async function userInfo(ctx: CognitoContext, poolId: string | null, request: ServiceRequest, res: ServerResponse): Promise<void> {
  const authorization = String(request.headers['authorization'] ?? '');
  if (!/^bearer \S/i.test(authorization)) {
    bearerError(res, 400, 'invalid_request', 'Bad OAuth2 request at UserInfo Endpoint');
    return;
  }
  const claims = await readPoolToken(ctx.region, (id) => ctx.store.getPool(id), authorization.slice(7).trim(), 'access');
  const tokenPool = claims !== null && claims !== 'expired' ? String(claims.iss).slice(String(claims.iss).lastIndexOf('/') + 1) : '';
  const user = claims === null || claims === 'expired' || typeof claims['username'] !== 'string' || (poolId !== null && poolId !== tokenPool) ? undefined : ctx.store.getUser(tokenPool, claims['username']);
  if (user === undefined || !user.enabled) {
    bearerError(res, 401, 'invalid_token', 'Access token is expired, disabled, or deleted, or the user has globally signed out.');
    return;
  }
  write(res, 200, { sub: user.sub, ...Object.fromEntries(Object.entries(user.attributes).filter(([name]) => name !== 'sub')), username: user.username });
}

function bearerError(res: ServerResponse, status: number, error: string, description: string): void {
  res.writeHead(status, { 'WWW-Authenticate': `error="${error}", error_description="${description}"`, 'Content-Length': '0' });
  res.end();
}

function write(res: ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': String(data.length), 'Cache-Control': 'no-store' });
  res.end(data);
}
