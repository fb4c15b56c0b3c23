/**
 * User pools, app clients and groups: created from the template (`AWS::Cognito::UserPool`,
 * `UserPoolClient`, `UserPoolGroup`, `UserPoolUser`, `UserPoolUserToGroupAttachment`) at start, or
 * through CreateUserPool / CreateUserPoolClient / CreateGroup; described and listed.
 * AWS docs: API Reference "CreateUserPool", "DescribeUserPool", "ListUserPools",
 * "CreateUserPoolClient" (ExplicitAuthFlows default: ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH,
 * ALLOW_REFRESH_TOKEN_AUTH), "DescribeUserPoolClient", "CreateGroup"; CloudFormation "AWS::Cognito::*".
 */
import { randomBytes } from 'node:crypto';
import type { Project } from '../../../definitions/model.js';
import { hashId, LOWER_ALNUM, MIXED_ALNUM } from '../../../definitions/ids.js';
import { cognitoError, requireClient, requirePool, requiredString, type CognitoContext, type Input, type Operation } from '../context.js';
import type { ClientRecord, PoolRecord } from '../store.js';
import { newSigningKey } from '../tokens.js';
import { createUser } from './users.js';

const randomId = (length: number, alphabet: string) => hashId([randomBytes(16).toString('hex')], length, alphabet);

function poolArn(ctx: CognitoContext, id: string): string {
  return `arn:aws:cognito-idp:${ctx.region}:${ctx.accountId}:userpool/${id}`;
}

/** Stores a pool, keeping the signing key (and so every issued token) of one already stored. */
function savePool(ctx: CognitoContext, id: string, name: string, config: Record<string, unknown>): PoolRecord {
  const existing = ctx.store.getPool(id);
  const pool: PoolRecord = existing
    ? { ...existing, name, config }
    : { id, name, config, ...newSigningKey(), created: ctx.now() };
  ctx.store.putPool(pool);
  return pool;
}

function poolOut(ctx: CognitoContext, pool: PoolRecord): Record<string, unknown> {
  return {
    ...pool.config,
    Id: pool.id,
    Name: pool.name,
    Arn: poolArn(ctx, pool.id),
    CreationDate: pool.created / 1000,
    LastModifiedDate: pool.created / 1000,
    EstimatedNumberOfUsers: ctx.store.countUsers(pool.id),
  };
}

function clientOut(client: ClientRecord): Record<string, unknown> {
  return {
    ...client.config,
    UserPoolId: client.poolId,
    ClientName: client.name,
    ClientId: client.id,
    ...(client.secret === null ? {} : { ClientSecret: client.secret }),
    CreationDate: client.created / 1000,
    LastModifiedDate: client.created / 1000,
  };
}

const POOL_SETTINGS = ['Policies', 'UsernameAttributes', 'AliasAttributes', 'AutoVerifiedAttributes', 'UsernameConfiguration', 'Schema', 'AdminCreateUserConfig', 'MfaConfiguration'];
const CLIENT_SETTINGS = ['ExplicitAuthFlows', 'IdTokenValidity', 'AccessTokenValidity', 'RefreshTokenValidity', 'TokenValidityUnits', 'PreventUserExistenceErrors', 'AllowedOAuthFlows', 'AllowedOAuthScopes', 'AllowedOAuthFlowsUserPoolClient', 'CallbackURLs'];
const pick = (source: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));

export const createUserPool: Operation = (ctx, input) => {
  const name = requiredString(input, 'PoolName');
  const pool = savePool(ctx, `${ctx.region}_${randomId(9, MIXED_ALNUM)}`, name, pick(input, POOL_SETTINGS));
  return { UserPool: poolOut(ctx, pool) };
};

export const describeUserPool: Operation = (ctx, input) => ({ UserPool: poolOut(ctx, requirePool(ctx, requiredString(input, 'UserPoolId'))) });

export const listUserPools: Operation = (ctx, input) => {
  const max = Number(input['MaxResults'] ?? 60);
  const start = typeof input['NextToken'] === 'string' ? Number(input['NextToken']) : 0;
  const pools = ctx.store.listPools();
  const page = pools.slice(start, start + max);
  return {
    UserPools: page.map((p) => ({ Id: p.id, Name: p.name, CreationDate: p.created / 1000, LastModifiedDate: p.created / 1000 })),
    ...(start + max < pools.length ? { NextToken: String(start + max) } : {}),
  };
};

export const createUserPoolClient: Operation = (ctx, input) => {
  const pool = requirePool(ctx, requiredString(input, 'UserPoolId'));
  const client: ClientRecord = {
    id: randomId(26, LOWER_ALNUM),
    poolId: pool.id,
    name: requiredString(input, 'ClientName'),
    secret: input['GenerateSecret'] === true ? randomId(51, LOWER_ALNUM) : null,
    config: pick(input, CLIENT_SETTINGS),
    created: ctx.now(),
  };
  ctx.store.putClient(client);
  return { UserPoolClient: clientOut(client) };
};

export const describeUserPoolClient: Operation = (ctx, input) => {
  const { client } = requireClient(ctx, requiredString(input, 'ClientId'));
  if (client.poolId !== requiredString(input, 'UserPoolId')) throw cognitoError('ResourceNotFoundException', `User pool client ${client.id} does not exist.`);
  return { UserPoolClient: clientOut(client) };
};

export const createGroup: Operation = (ctx, input) => {
  const pool = requirePool(ctx, requiredString(input, 'UserPoolId'));
  const name = requiredString(input, 'GroupName');
  if (ctx.store.getGroup(pool.id, name) !== undefined) throw cognitoError('GroupExistsException', 'A group with the name already exists.');
  const group = groupOf(ctx, pool.id, name, input);
  ctx.store.putGroup(group);
  return { Group: groupOut(group) };
};

function groupOf(ctx: CognitoContext, poolId: string, name: string, input: Input) {
  return {
    poolId,
    name,
    description: typeof input['Description'] === 'string' ? input['Description'] : null,
    precedence: input['Precedence'] === undefined ? null : Number(input['Precedence']),
    roleArn: typeof input['RoleArn'] === 'string' ? input['RoleArn'] : null,
    created: ctx.now(),
  };
}

export function groupOut(group: ReturnType<typeof groupOf>): Record<string, unknown> {
  return {
    GroupName: group.name,
    UserPoolId: group.poolId,
    ...(group.description === null ? {} : { Description: group.description }),
    ...(group.precedence === null ? {} : { Precedence: group.precedence }),
    ...(group.roleArn === null ? {} : { RoleArn: group.roleArn }),
    CreationDate: group.created / 1000,
    LastModifiedDate: group.created / 1000,
  };
}

/** Creates or updates what the template declares; users and memberships only when missing. */
export async function loadTemplatePools(ctx: CognitoContext, project: Project): Promise<void> {
  const byType = (type: string) => project.resources.filter((r) => r.type === type);
  for (const r of byType('AWS::Cognito::UserPool')) {
    const name = typeof r.properties['UserPoolName'] === 'string' ? r.properties['UserPoolName'] : r.logicalId;
    savePool(ctx, r.physicalId, name, pick(r.properties, POOL_SETTINGS));
  }
  for (const r of byType('AWS::Cognito::UserPoolClient')) {
    const poolId = String(r.properties['UserPoolId'] ?? '');
    if (ctx.store.getPool(poolId) === undefined) {
      ctx.log.warn(`cognito: client ${r.logicalId} names user pool ${poolId}, which the template does not declare; skipped`);
      continue;
    }
    const generate = r.properties['GenerateSecret'] === true || r.properties['GenerateSecret'] === 'true';
    ctx.store.putClient({
      id: r.physicalId,
      poolId,
      name: typeof r.properties['ClientName'] === 'string' ? r.properties['ClientName'] : r.logicalId,
      secret: generate ? String(r.attributes['ClientSecret']) : null,
      config: pick(r.properties, CLIENT_SETTINGS),
      created: ctx.store.getClient(r.physicalId)?.created ?? ctx.now(),
    });
  }
  for (const r of byType('AWS::Cognito::UserPoolGroup')) {
    const poolId = String(r.properties['UserPoolId'] ?? '');
    if (ctx.store.getPool(poolId) === undefined) continue;
    const name = typeof r.properties['GroupName'] === 'string' ? r.properties['GroupName'] : r.physicalId;
    ctx.store.putGroup(groupOf(ctx, poolId, name, r.properties));
  }
  for (const r of byType('AWS::Cognito::UserPoolUser')) {
    const pool = ctx.store.getPool(String(r.properties['UserPoolId'] ?? ''));
    const username = typeof r.properties['Username'] === 'string' ? r.properties['Username'] : r.logicalId;
    if (pool === undefined || ctx.store.getUser(pool.id, username) !== undefined) continue;
    await createUser(ctx, pool, { Username: username, UserAttributes: r.properties['UserAttributes'] ?? [] });
  }
  for (const r of byType('AWS::Cognito::UserPoolUserToGroupAttachment')) {
    const poolId = String(r.properties['UserPoolId'] ?? '');
    const username = String(r.properties['Username'] ?? '');
    const group = String(r.properties['GroupName'] ?? '');
    if (ctx.store.getUser(poolId, username) !== undefined && ctx.store.getGroup(poolId, group) !== undefined) ctx.store.addMembership(poolId, group, username);
  }
}
