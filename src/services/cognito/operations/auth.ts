/**
 * Sign-in: InitiateAuth (USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH), AdminInitiateAuth
 * (ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH, REFRESH_TOKEN_AUTH) and RespondToAuthChallenge for
 * NEW_PASSWORD_REQUIRED. A flow must be enabled on the app client (ExplicitAuthFlows).
 * AWS docs: API Reference "InitiateAuth", "AdminInitiateAuth", "RespondToAuthChallenge",
 * "AuthenticationResultType"; Developer Guide "Authentication flows" (sessions last 3 minutes by
 * default), "User pool app clients" (ExplicitAuthFlows defaults). Error wording as Cognito returns it:
 * "Incorrect username or password." and "User is not confirmed." (recorded in cognito-local PR #337),
 * "User does not exist." (PreventUserExistenceErrors LEGACY, the CloudFormation default).
 */
import { randomUUID } from 'node:crypto';
import {
  checkSecretHash,
  cognitoError,
  findUser,
  invalidParameter,
  notAuthorized,
  requireClient,
  requiredString,
  stringMap,
  userNotFound,
  type CognitoContext,
  type Input,
  type Operation,
} from '../context.js';
import { checkPassword, hashPassword, passwordPolicy, verifyPassword } from '../password.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store.js';
import { issueTokens, opaqueToken, validityOf, type SignIn } from '../tokens.js';

const SESSION_MS = 3 * 60 * 1000;
const DEFAULT_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];

/** ExplicitAuthFlows accept both spellings (`ALLOW_USER_PASSWORD_AUTH` and the legacy `USER_PASSWORD_AUTH`). */
export function flowEnabled(client: ClientRecord, flow: string): boolean {
  const flows = Array.isArray(client.config['ExplicitAuthFlows']) ? (client.config['ExplicitAuthFlows'] as string[]) : DEFAULT_FLOWS;
  const names: Record<string, string[]> = {
    USER_PASSWORD_AUTH: ['ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH'],
    ADMIN_USER_PASSWORD_AUTH: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'],
    // Refreshing is always allowed for clients with legacy flow names (they predate ALLOW_REFRESH_TOKEN_AUTH).
    REFRESH_TOKEN_AUTH: ['ALLOW_REFRESH_TOKEN_AUTH', ...(flows.some((f) => !f.startsWith('ALLOW_')) ? flows : [])],
  };
  return (names[flow] ?? []).some((name) => flows.includes(name));
}

function hidesUsers(client: ClientRecord): boolean {
  return client.config['PreventUserExistenceErrors'] === 'ENABLED';
}

export async function tokensFor(ctx: CognitoContext, pool: PoolRecord, client: ClientRecord, user: UserRecord, signIn: SignIn, withRefresh: boolean) {
  const tokens = await issueTokens(ctx.region, pool, client, user, ctx.store.groupsOf(pool.id, user.username), signIn, ctx.now());
  if (!withRefresh) return { ChallengeParameters: {}, AuthenticationResult: tokens };
  const refresh = opaqueToken();
  ctx.store.putGrant('refresh', refresh, {
    poolId: pool.id,
    clientId: client.id,
    username: user.username,
    expires: ctx.now() + validityOf(client).refreshSeconds * 1000,
    data: { authTime: signIn.authTime, originJti: signIn.originJti },
  });
  return { ChallengeParameters: {}, AuthenticationResult: { ...tokens, RefreshToken: refresh } };
}

/** Username and password sign-in: tokens, or the NEW_PASSWORD_REQUIRED challenge for a temporary password. */
async function passwordAuth(ctx: CognitoContext, pool: PoolRecord, client: ClientRecord, params: Record<string, string>) {
  const name = params['USERNAME'];
  const password = params['PASSWORD'];
  if (name === undefined || name === '') throw invalidParameter('Missing required parameter USERNAME');
  if (password === undefined || password === '') throw invalidParameter('Missing required parameter PASSWORD');
  checkSecretHash(client, name, params['SECRET_HASH']);
  const user = findUser(ctx, pool, name);
  if (user === undefined) throw hidesUsers(client) ? notAuthorized('Incorrect username or password.') : userNotFound();
  if (!user.enabled) throw notAuthorized('User is disabled.');
  // An unconfirmed user hears so whatever the password (aws/aws-sdk-js #4608, amazon-cognito-identity-js #288).
  if (user.status === 'UNCONFIRMED') throw cognitoError('UserNotConfirmedException', 'User is not confirmed.');
  if (!(await verifyPassword(password, user.password))) throw notAuthorized('Incorrect username or password.');
  if (user.status === 'RESET_REQUIRED') throw cognitoError('PasswordResetRequiredException', 'Password reset required for the user');
  if (user.status === 'FORCE_CHANGE_PASSWORD') {
    if ((user.tempExpires ?? Infinity) < ctx.now()) throw notAuthorized('Temporary password has expired and must be reset by an administrator.');
    const session = opaqueToken();
    ctx.store.putGrant('session', session, { poolId: pool.id, clientId: client.id, username: user.username, expires: ctx.now() + SESSION_MS, data: { challenge: 'NEW_PASSWORD_REQUIRED' } });
    return {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: session,
      ChallengeParameters: { USER_ID_FOR_SRP: user.username, requiredAttributes: '[]', userAttributes: JSON.stringify(user.attributes) },
    };
  }
  return tokensFor(ctx, pool, client, user, { authTime: Math.floor(ctx.now() / 1000), originJti: randomUUID() }, true);
}

/** Why a refresh token cannot be redeemed, in the words of InitiateAuth's NotAuthorizedException. */
const REFRESH_REFUSALS = {
  invalid: 'Invalid Refresh Token',
  expired: 'Refresh Token has expired',
  revoked: 'Refresh Token has been revoked',
  disabled: 'User is disabled.',
} as const;
export type RefreshRefusal = keyof typeof REFRESH_REFUSALS;

/** The user and sign-in a refresh token of this client continues, or why it cannot be used. */
export function redeemRefreshToken(ctx: CognitoContext, pool: PoolRecord, client: ClientRecord, token: string): { user: UserRecord; signIn: SignIn } | RefreshRefusal {
  const grant = ctx.store.getGrant('refresh', token);
  if (grant === undefined || grant.clientId !== client.id) return 'invalid';
  if (grant.expires < ctx.now()) return 'expired';
  const user = ctx.store.getUser(pool.id, grant.username);
  if (user === undefined) return 'revoked';
  if (!user.enabled) return 'disabled';
  return { user, signIn: { authTime: Number(grant.data['authTime']), originJti: String(grant.data['originJti']) } };
}

async function refreshAuth(ctx: CognitoContext, pool: PoolRecord, client: ClientRecord, params: Record<string, string>) {
  const token = params['REFRESH_TOKEN'];
  if (token === undefined || token === '') throw invalidParameter('Missing required parameter REFRESH_TOKEN');
  const redeemed = redeemRefreshToken(ctx, pool, client, token);
  if (typeof redeemed === 'string') throw notAuthorized(REFRESH_REFUSALS[redeemed]);
  // Clients with a secret sign the refresh with the username the token belongs to.
  if (client.secret !== null) checkSecretHash(client, params['USERNAME'] ?? redeemed.user.username, params['SECRET_HASH']);
  return tokensFor(ctx, pool, client, redeemed.user, redeemed.signIn, false);
}

function flowOf(input: Input, admin: boolean): string {
  const flow = requiredString(input, 'AuthFlow');
  if (flow === 'REFRESH_TOKEN') return 'REFRESH_TOKEN_AUTH';
  if (admin && flow === 'ADMIN_NO_SRP_AUTH') return 'ADMIN_USER_PASSWORD_AUTH';
  return flow;
}

async function initiate(ctx: CognitoContext, input: Input, admin: boolean) {
  const { client, pool } = requireClient(ctx, requiredString(input, 'ClientId'));
  if (admin && requiredString(input, 'UserPoolId') !== pool.id) throw invalidParameter(`User pool client ${client.id} does not exist.`);
  const flow = flowOf(input, admin);
  const params = stringMap(input, 'AuthParameters');
  const supported = admin ? ['ADMIN_USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH'] : ['USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH'];
  if (!supported.includes(flow)) {
    const known = ['USER_SRP_AUTH', 'USER_PASSWORD_AUTH', 'ADMIN_USER_PASSWORD_AUTH', 'CUSTOM_AUTH', 'USER_AUTH', 'REFRESH_TOKEN_AUTH'];
    if (!known.includes(flow)) throw invalidParameter(`1 validation error detected: Value '${flow}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [${known.join(', ')}]`);
    throw invalidParameter(`${flow} is not supported by the embedded user pool (gatehouse supports ${supported.join(' and ')})`);
  }
  if (!flowEnabled(client, flow)) throw invalidParameter(flow === 'USER_PASSWORD_AUTH' ? 'USER_PASSWORD_AUTH flow not enabled for this client' : 'Auth flow not enabled for this client');
  return flow === 'REFRESH_TOKEN_AUTH' ? refreshAuth(ctx, pool, client, params) : passwordAuth(ctx, pool, client, params);
}

export const initiateAuth: Operation = (ctx, input) => initiate(ctx, input, false);
export const adminInitiateAuth: Operation = (ctx, input) => initiate(ctx, input, true);

async function respond(ctx: CognitoContext, input: Input, admin: boolean) {
  const { client, pool } = requireClient(ctx, requiredString(input, 'ClientId'));
  if (admin && requiredString(input, 'UserPoolId') !== pool.id) throw invalidParameter(`User pool client ${client.id} does not exist.`);
  const challenge = requiredString(input, 'ChallengeName');
  const responses = stringMap(input, 'ChallengeResponses');
  const sessionToken = requiredString(input, 'Session');
  const session = ctx.store.getGrant('session', sessionToken);
  if (session === undefined || session.clientId !== client.id || session.expires < ctx.now()) throw notAuthorized('Invalid session for the user, session is expired.');
  if (session.data['challenge'] !== challenge) throw invalidParameter(`Invalid challenge name ${challenge} for the session.`);
  const name = responses['USERNAME'];
  if (name === undefined) throw invalidParameter('Missing required parameter USERNAME');
  checkSecretHash(client, name, responses['SECRET_HASH']);
  const user = findUser(ctx, pool, name);
  if (user === undefined || user.username !== session.username) throw notAuthorized('Invalid session for the user.');
  const newPassword = responses['NEW_PASSWORD'];
  if (newPassword === undefined || newPassword === '') throw invalidParameter('Missing required parameter NEW_PASSWORD');
  checkPassword(newPassword, passwordPolicy(pool.config), 'policy');
  const attributes = { ...user.attributes };
  for (const [key, value] of Object.entries(responses)) if (key.startsWith('userAttributes.')) attributes[key.slice('userAttributes.'.length)] = value;
  const updated: UserRecord = { ...user, attributes, password: await hashPassword(newPassword), status: 'CONFIRMED', tempExpires: null, modified: ctx.now() };
  ctx.store.putUser(updated);
  ctx.store.deleteGrant('session', sessionToken);
  return tokensFor(ctx, pool, client, updated, { authTime: Math.floor(ctx.now() / 1000), originJti: randomUUID() }, true);
}

export const respondToAuthChallenge: Operation = (ctx, input) => respond(ctx, input, false);
export const adminRespondToAuthChallenge: Operation = (ctx, input) => respond(ctx, input, true);
