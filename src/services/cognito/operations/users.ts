/**
 * Users: self sign-up and confirmation, admin creation with a temporary password, admin password
 * and confirmation changes, lookups and listings, and group membership.
 * Codes and generated temporary passwords are written to the gatehouse log (there is no mail here).
 * AWS docs: API Reference "SignUp", "ConfirmSignUp", "AdminCreateUser", "AdminSetUserPassword",
 * "AdminConfirmSignUp", "AdminGetUser", "GetUser", "ListUsers" (Filter syntax `attr = "v"`,
 * `attr ^= "v"`), "AdminDeleteUser", "AdminAddUserToGroup", "AdminListGroupsForUser"; Developer Guide
 * "Signing up and confirming user accounts" (codes are valid for 24 hours).
 */
import { randomInt, randomUUID } from 'node:crypto';
import {
  attributeList,
  attributesOut,
  checkSecretHash,
  cognitoError,
  invalidParameter,
  notAuthorized,
  optionalString,
  requireClient,
  requirePool,
  requireUser,
  requiredString,
  findUser,
  signInAttributes,
  userOut,
  usernameKey,
  type CognitoContext,
  type Input,
  type Operation,
} from '../context.js';
import { checkPassword, hashPassword, passwordPolicy } from '../password.js';
import type { PoolRecord, UserRecord } from '../store.js';
import { readPoolToken } from '../tokens.js';
import { groupOut } from './pools.js';

const CODE_VALIDITY_MS = 24 * 3600 * 1000;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Lower-cases emails as Cognito stores them; checks the formats Cognito checks. */
function normalizeAttributes(attributes: Record<string, string>): Record<string, string> {
  const out = { ...attributes };
  if (out['email'] !== undefined) {
    if (!EMAIL.test(out['email'])) throw invalidParameter('Invalid email address format.');
    out['email'] = out['email'].toLowerCase();
  }
  if (out['phone_number'] !== undefined && !/^\+[0-9]{4,15}$/.test(out['phone_number'])) throw invalidParameter('Invalid phone number format.');
  return out;
}

/**
 * Pools signing in by email or phone number (`UsernameAttributes`) take that value as the name and
 * give the user a UUID username; other pools keep the username as given.
 */
function resolveUsername(pool: PoolRecord, given: string, attributes: Record<string, string>): { username: string; attributes: Record<string, string> } {
  const usernameAttributes = Array.isArray(pool.config['UsernameAttributes']) ? (pool.config['UsernameAttributes'] as string[]) : [];
  if (usernameAttributes.length === 0) return { username: usernameKey(pool, given), attributes };
  if (usernameAttributes.includes('email') && EMAIL.test(given)) return { username: randomUUID(), attributes: { ...attributes, email: given.toLowerCase() } };
  if (usernameAttributes.includes('phone_number') && given.startsWith('+')) return { username: randomUUID(), attributes: { ...attributes, phone_number: given } };
  throw invalidParameter(usernameAttributes.length === 2 ? 'Username should be either an email or a phone number.' : usernameAttributes[0] === 'email' ? 'Username should be an email.' : 'Username should be a phone number.');
}

/** A name already taken as a username or as a sign-in attribute. */
function assertFree(ctx: CognitoContext, pool: PoolRecord, username: string, attributes: Record<string, string>, admin: boolean): void {
  if (ctx.store.getUser(pool.id, username) !== undefined) throw cognitoError('UsernameExistsException', admin ? 'User account already exists' : 'User already exists');
  for (const attribute of signInAttributes(pool)) {
    const value = attributes[attribute];
    if (value !== undefined && ctx.store.findUsersByAttribute(pool.id, attribute, value).length > 0) {
      throw cognitoError('UsernameExistsException', `An account with the given ${attribute === 'phone_number' ? 'phone_number' : attribute} already exists.`);
    }
  }
}

function autoVerified(pool: PoolRecord): string[] {
  return Array.isArray(pool.config['AutoVerifiedAttributes']) ? (pool.config['AutoVerifiedAttributes'] as string[]) : [];
}

/** `j***@e***` as CodeDeliveryDetails.Destination shows it. */
function mask(value: string): string {
  const at = value.indexOf('@');
  if (at === -1) return `+*******${value.slice(-4)}`;
  return `${value[0]}***@${value[at + 1]}***`;
}

export const signUp: Operation = async (ctx, input) => {
  const { client, pool } = requireClient(ctx, requiredString(input, 'ClientId'));
  const given = requiredString(input, 'Username');
  const password = requiredString(input, 'Password');
  checkSecretHash(client, given, optionalString(input, 'SecretHash'));
  const resolved = resolveUsername(pool, given, normalizeAttributes(attributeList(input, 'UserAttributes')));
  assertFree(ctx, pool, resolved.username, resolved.attributes, false);
  checkPassword(password, passwordPolicy(pool.config), 'policy');
  const now = ctx.now();
  const deliverTo = autoVerified(pool).find((a) => resolved.attributes[a] !== undefined);
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const user: UserRecord = {
    poolId: pool.id,
    username: resolved.username,
    sub: randomUUID(),
    attributes: resolved.attributes,
    password: await hashPassword(password),
    status: 'UNCONFIRMED',
    enabled: true,
    created: now,
    modified: now,
    code,
    codeExpires: now + CODE_VALIDITY_MS,
    tempExpires: null,
  };
  ctx.store.putUser(user);
  ctx.log.info(`cognito: confirmation code for ${given} in ${pool.id}: ${code}`);
  return {
    UserConfirmed: false,
    UserSub: user.sub,
    ...(deliverTo === undefined
      ? {}
      : { CodeDeliveryDetails: { Destination: mask(resolved.attributes[deliverTo]!), DeliveryMedium: deliverTo === 'email' ? 'EMAIL' : 'SMS', AttributeName: deliverTo } }),
  };
};

export const confirmSignUp: Operation = (ctx, input) => {
  const { client, pool } = requireClient(ctx, requiredString(input, 'ClientId'));
  const name = requiredString(input, 'Username');
  const code = requiredString(input, 'ConfirmationCode');
  checkSecretHash(client, name, optionalString(input, 'SecretHash'));
  const user = findUser(ctx, pool, name);
  if (user === undefined) throw cognitoError('UserNotFoundException', 'Username/client id combination not found.');
  if (user.status !== 'UNCONFIRMED') throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
  if (user.code !== code) throw cognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');
  if ((user.codeExpires ?? 0) < ctx.now()) throw cognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
  confirm(ctx, pool, user);
  return {};
};

function confirm(ctx: CognitoContext, pool: PoolRecord, user: UserRecord): void {
  const attributes = { ...user.attributes };
  // The code went to the first auto-verified attribute: confirming verifies it.
  const verified = autoVerified(pool).find((a) => attributes[a] !== undefined);
  if (verified !== undefined) attributes[`${verified}_verified`] = 'true';
  ctx.store.putUser({ ...user, attributes, status: 'CONFIRMED', code: null, codeExpires: null, modified: ctx.now() });
}

export const adminConfirmSignUp: Operation = (ctx, input) => {
  const pool = requirePool(ctx, requiredString(input, 'UserPoolId'));
  const user = requireUser(ctx, pool, requiredString(input, 'Username'));
  if (user.status !== 'UNCONFIRMED') throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
  confirm(ctx, pool, user);
  return {};
};

/** A temporary password that meets the pool's policy (used when the admin gives none). */
function generatedPassword(): string {
  const pick = (set: string) => set[randomInt(set.length)]!;
  let out = pick('ABCDEFGHJKLMNPQRSTUVWXYZ') + pick('abcdefghijkmnopqrstuvwxyz') + pick('23456789') + pick('^$*.[]{}()?!@#%&');
  while (out.length < 16) out += pick('ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789');
  return out;
}

/** AdminCreateUser, also used for `AWS::Cognito::UserPoolUser`. */
export async function createUser(ctx: CognitoContext, pool: PoolRecord, input: Input): Promise<UserRecord> {
  const given = requiredString(input, 'Username');
  const resolved = resolveUsername(pool, given, normalizeAttributes(attributeList(input, 'UserAttributes')));
  assertFree(ctx, pool, resolved.username, resolved.attributes, true);
  let temporary = optionalString(input, 'TemporaryPassword');
  const policy = passwordPolicy(pool.config);
  if (temporary !== undefined) checkPassword(temporary, policy, 'password policy');
  else {
    temporary = generatedPassword();
    ctx.log.info(`cognito: temporary password for ${given} in ${pool.id}: ${temporary}`);
  }
  const now = ctx.now();
  const user: UserRecord = {
    poolId: pool.id,
    username: resolved.username,
    sub: randomUUID(),
    attributes: resolved.attributes,
    password: await hashPassword(temporary),
    status: 'FORCE_CHANGE_PASSWORD',
    enabled: true,
    created: now,
    modified: now,
    code: null,
    codeExpires: null,
    tempExpires: now + policy.TemporaryPasswordValidityDays * 86400 * 1000,
  };
  ctx.store.putUser(user);
  return user;
}

export const adminCreateUser: Operation = async (ctx, input) => {
  const pool = requirePool(ctx, requiredString(input, 'UserPoolId'));
  if (input['MessageAction'] === 'RESEND') {
    const user = requireUser(ctx, pool, requiredString(input, 'Username'));
    return { User: userOut(user) };
  }
  return { User: userOut(await createUser(ctx, pool, input)) };
};

export const adminSetUserPassword: Operation = async (ctx, input) => {
  const pool = requirePool(ctx, requiredString(input, 'UserPoolId'));
  const user = requireUser(ctx, pool, requiredString(input, 'Username'));
  const password = requiredString(input, 'Password');
  const policy = passwordPolicy(pool.config);
  checkPassword(password, policy, 'password policy');
  const permanent = input['Permanent'] === true;
  const now = ctx.now();
  ctx.store.putUser({
    ...user,
    password: await hashPassword(password),
    status: permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD',
    tempExpires: permanent ? null : now + policy.TemporaryPasswordValidityDays * 86400 * 1000,
    modified: now,
  });
  return {};
};

export const adminGetUser: Operation = (ctx, input) => {
  const pool = requirePool(ctx, requiredString(input, 'UserPoolId'));
  const user = requireUser(ctx, pool, requiredString(input, 'Username'));
  const { Attributes, ...rest } = userOut(user);
  return { ...rest, UserAttributes: Attributes };
};

export const adminDeleteUser: Operation = (ctx, input) => {
  const pool = requirePool(ctx, requiredString(input, 'UserPoolId'));
  const user = requireUser(ctx, pool, requiredString(input, 'Username'));
  ctx.store.deleteUser(pool.id, user.username);
  return {};
};

export const getUser: Operation = async (ctx, input) => {
  const claims = await readPoolToken(ctx.region, (id) => ctx.store.getPool(id), requiredString(input, 'AccessToken'), 'access');
  if (claims === 'expired') throw notAuthorized('Access Token has expired');
  if (claims === null) throw notAuthorized('Invalid Access Token');
  const poolId = String(claims.iss).slice(String(claims.iss).lastIndexOf('/') + 1);
  const user = ctx.store.getUser(poolId, String(claims['username']));
  if (user === undefined || user.sub !== claims.sub) throw cognitoError('UserNotFoundException', 'User does not exist.');
  return { Username: user.username, UserAttributes: attributesOut(user) };
};

/** ListUsers Filter: `name = "value"` (exact) or `name ^= "value"` (prefix), on a few standard attributes. */
function compileFilter(filter: string | undefined): ((user: UserRecord) => boolean) | null {
  if (filter === undefined || filter.trim() === '') return null;
  const match = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(filter);
  if (match === null) throw invalidParameter('Error while parsing filter.');
  const [, name, op, raw] = match as unknown as [string, string, string, string];
  const value = raw.replace(/\\(.)/g, '$1');
  const read = (user: UserRecord): string | undefined =>
    name === 'username' ? user.username : name === 'sub' ? user.sub : name === 'status' ? (user.enabled ? 'Enabled' : 'Disabled') : name === 'cognito:user_status' ? user.status : user.attributes[name];
  return op === '=' ? (u) => read(u) === value : (u) => read(u)?.startsWith(value) === true;
}

export const listUsers: Operation = (ctx, input) => {
  const pool = requirePool(ctx, requiredString(input, 'UserPoolId'));
  const limit = Number(input['Limit'] ?? 60);
  if (!Number.isInteger(limit) || limit < 0 || limit > 60) throw invalidParameter(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60`);
  const filter = compileFilter(optionalString(input, 'Filter'));
  const wanted = Array.isArray(input['AttributesToGet']) ? new Set((input['AttributesToGet'] as unknown[]).map(String)) : null;
  let after = optionalString(input, 'PaginationToken') ?? null;
  const users: UserRecord[] = [];
  let more = false;
  // Scan in pages until `limit` users pass the filter.
  for (;;) {
    const page = ctx.store.listUsers(pool.id, after, 200);
    for (const user of page) {
      if (filter !== null && !filter(user)) continue;
      if (users.length === limit) {
        more = true;
        break;
      }
      users.push(user);
    }
    if (more || page.length < 200) break;
    after = page[page.length - 1]!.username;
  }
  return {
    Users: users.map((user) => {
      const out = userOut(user);
      if (wanted !== null) out['Attributes'] = (out['Attributes'] as { Name: string }[]).filter((a) => wanted.has(a.Name));
      return out;
    }),
    ...(more ? { PaginationToken: users[users.length - 1]!.username } : {}),
  };
};

export const adminAddUserToGroup: Operation = (ctx, input) => {
  const pool = requirePool(ctx, requiredString(input, 'UserPoolId'));
  const user = requireUser(ctx, pool, requiredString(input, 'Username'));
  const group = requiredString(input, 'GroupName');
  if (ctx.store.getGroup(pool.id, group) === undefined) throw cognitoError('ResourceNotFoundException', 'Group not found.');
  ctx.store.addMembership(pool.id, group, user.username);
  return {};
};

export const adminListGroupsForUser: Operation = (ctx, input) => {
  const pool = requirePool(ctx, requiredString(input, 'UserPoolId'));
  const user = requireUser(ctx, pool, requiredString(input, 'Username'));
  return { Groups: ctx.store.groupsOf(pool.id, user.username).map(groupOut) };
};
