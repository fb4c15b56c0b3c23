/**
 * What every user pool operation shares: the store, the clock, Cognito's errors with Cognito's
 * wording, input accessors that fail the way the API does, and pool / client / user lookups.
 * AWS docs: Amazon Cognito user pools API Reference ("Common Errors" and each action's "Errors"),
 * "Computing secret hash values" (SECRET_HASH = Base64(HMAC-SHA256(client secret, username + client id))).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../core/log.js';
import { AwsServiceError } from '../protocol/errors.js';
import type { ClientRecord, CognitoStore, PoolRecord, UserRecord } from './store.js';

export interface CognitoContext {
  store: CognitoStore;
  region: string;
  accountId: string;
  log: Logger;
  now(): number;
}

export type Input = Record<string, unknown>;
export type Operation = (ctx: CognitoContext, input: Input) => unknown;

export const cognitoError = (code: string, message: string) => new AwsServiceError(code, message, 400);
export const notAuthorized = (message: string) => cognitoError('NotAuthorizedException', message);
export const invalidParameter = (message: string) => cognitoError('InvalidParameterException', message);
export const userNotFound = () => cognitoError('UserNotFoundException', 'User does not exist.');

const lowerFirst = (name: string) => name[0]!.toLowerCase() + name.slice(1);

/** Model constraint failures, which Cognito reports as InvalidParameterException. */
export function validation(value: unknown, member: string, constraint: string): AwsServiceError {
  const shown = value === undefined || value === null ? 'null' : typeof value === 'string' ? value : JSON.stringify(value);
  return invalidParameter(`1 validation error detected: Value '${shown}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

export function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw cognitoError('SerializationException', `Unexpected value type for ${name}: expected a string`);
  return value;
}

export function requiredString(input: Input, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined) throw validation(undefined, lowerFirst(name), 'Member must not be null');
  return value;
}

/** `[{Name, Value}]` lists (UserAttributes) as a map. */
export function attributeList(input: Input, name: string): Record<string, string> {
  const value = input[name];
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) throw cognitoError('SerializationException', `Unexpected value type for ${name}: expected a list`);
  const out: Record<string, string> = {};
  for (const entry of value as { Name?: unknown; Value?: unknown }[]) {
    if (typeof entry?.Name !== 'string') throw validation(undefined, `${lowerFirst(name)}.member.name`, 'Member must not be null');
    out[entry.Name] = entry.Value === undefined || entry.Value === null ? '' : String(entry.Value);
  }
  return out;
}

/** A string map member (AuthParameters, ChallengeResponses, ClientMetadata). */
export function stringMap(input: Input, name: string): Record<string, string> {
  const value = input[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw cognitoError('SerializationException', `Unexpected value type for ${name}: expected a map`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

export function requirePool(ctx: CognitoContext, poolId: string): PoolRecord {
  const pool = ctx.store.getPool(poolId);
  if (pool === undefined) throw cognitoError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
  return pool;
}

export function requireClient(ctx: CognitoContext, clientId: string): { client: ClientRecord; pool: PoolRecord } {
  const client = ctx.store.getClient(clientId);
  if (client === undefined) throw cognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  return { client, pool: requirePool(ctx, client.poolId) };
}

/** Usernames are case-insensitive when the pool says `UsernameConfiguration.CaseSensitive: false`. */
export function usernameKey(pool: PoolRecord, username: string): string {
  const config = pool.config['UsernameConfiguration'] as { CaseSensitive?: unknown } | undefined;
  const insensitive = config?.CaseSensitive === false || config?.CaseSensitive === 'false';
  return insensitive ? username.toLowerCase() : username;
}

/** Attributes that may stand in for the username at sign-in (UsernameAttributes, AliasAttributes). */
export function signInAttributes(pool: PoolRecord): string[] {
  const list = (key: string) => (Array.isArray(pool.config[key]) ? (pool.config[key] as unknown[]).map(String) : []);
  return [...list('UsernameAttributes'), ...list('AliasAttributes')];
}

/** The user a sign-in name refers to: the username itself, or a unique email / phone number / alias. */
export function findUser(ctx: CognitoContext, pool: PoolRecord, name: string): UserRecord | undefined {
  const direct = ctx.store.getUser(pool.id, usernameKey(pool, name));
  if (direct !== undefined) return direct;
  for (const attribute of signInAttributes(pool)) {
    const value = attribute === 'email' ? name.toLowerCase() : name;
    const found = ctx.store.findUsersByAttribute(pool.id, attribute, value);
    if (found.length === 1) return found[0];
  }
  return undefined;
}

/** Admin operations name the user by username or alias; unknown is UserNotFoundException. */
export function requireUser(ctx: CognitoContext, pool: PoolRecord, name: string): UserRecord {
  const user = findUser(ctx, pool, name);
  if (user === undefined) throw userNotFound();
  return user;
}

/** A client with a secret needs SECRET_HASH computed over the name the caller used. */
export function checkSecretHash(client: ClientRecord, username: string, secretHash: string | undefined): void {
  if (client.secret === null) return;
  if (secretHash === undefined || secretHash === '') throw notAuthorized(`Client ${client.id} is configured for secret but secret was not received`);
  const expected = Buffer.from(createHmac('sha256', client.secret).update(username + client.id).digest('base64'));
  const given = Buffer.from(secretHash);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw notAuthorized(`Unable to verify secret hash for client ${client.id}`);
}

/** `[{Name, Value}]` with `sub` first, as Cognito lists a user's attributes. */
export function attributesOut(user: UserRecord): { Name: string; Value: string }[] {
  return [{ Name: 'sub', Value: user.sub }, ...Object.entries(user.attributes).filter(([n]) => n !== 'sub').map(([Name, Value]) => ({ Name, Value }))];
}

/** UserType as AdminCreateUser and ListUsers return it (dates are epoch seconds on the wire). */
export function userOut(user: UserRecord): Record<string, unknown> {
  return {
    Username: user.username,
    Attributes: attributesOut(user),
    UserCreateDate: user.created / 1000,
    UserLastModifiedDate: user.modified / 1000,
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}
