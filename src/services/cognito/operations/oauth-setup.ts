/**
 * What a pool's OAuth 2.0 authorization server needs: resource servers (their custom scopes
 * `{Identifier}/{ScopeName}` are what client_credentials tokens carry) and the pool's domain (where
 * the token endpoint is reached by Host). From the template (`AWS::Cognito::UserPoolResourceServer`,
 * `AWS::Cognito::UserPoolDomain`) or through the API.
 * AWS docs: API Reference "CreateResourceServer", "DescribeResourceServer", "ListResourceServers",
 * "DeleteResourceServer" (ResourceServerType), "CreateUserPoolDomain", "DescribeUserPoolDomain"
 * (DomainDescriptionType), "DeleteUserPoolDomain".
 */
import type { Project } from '../../../definitions/model.js';
import { cognitoError, invalidParameter, requirePool, requiredString, type CognitoContext, type Input, type Operation } from '../context.js';
import type { ResourceServerRecord } from '../store.js';

function scopesOf(value: unknown): ResourceServerRecord['scopes'] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw cognitoError('SerializationException', 'Unexpected value type for Scopes: expected a list');
  return value.map((s: Record<string, unknown>) => {
    if (typeof s?.['ScopeName'] !== 'string' || typeof s['ScopeDescription'] !== 'string') throw invalidParameter('Each scope needs ScopeName and ScopeDescription');
    return { ScopeName: s['ScopeName'], ScopeDescription: s['ScopeDescription'] };
  });
}

function serverOut(server: ResourceServerRecord): Record<string, unknown> {
  return { UserPoolId: server.poolId, Identifier: server.identifier, Name: server.name, Scopes: server.scopes };
}

function findServer(ctx: CognitoContext, input: Input): ResourceServerRecord {
  const pool = requirePool(ctx, requiredString(input, 'UserPoolId'));
  const identifier = requiredString(input, 'Identifier');
  const server = ctx.store.listResourceServers(pool.id).find((s) => s.identifier === identifier);
  if (server === undefined) throw cognitoError('ResourceNotFoundException', `Resource server ${identifier} does not exist in user pool ${pool.id}.`);
  return server;
}

export const createResourceServer: Operation = (ctx, input) => {
  const pool = requirePool(ctx, requiredString(input, 'UserPoolId'));
  const identifier = requiredString(input, 'Identifier');
  if (ctx.store.listResourceServers(pool.id).some((s) => s.identifier === identifier)) throw invalidParameter(`Resource server ${identifier} already exists in user pool ${pool.id}.`);
  const server: ResourceServerRecord = { poolId: pool.id, identifier, name: requiredString(input, 'Name'), scopes: scopesOf(input['Scopes']) };
  ctx.store.putResourceServer(server);
  return { ResourceServer: serverOut(server) };
};

export const describeResourceServer: Operation = (ctx, input) => ({ ResourceServer: serverOut(findServer(ctx, input)) });

export const listResourceServers: Operation = (ctx, input) => {
  const pool = requirePool(ctx, requiredString(input, 'UserPoolId'));
  return { ResourceServers: ctx.store.listResourceServers(pool.id).map(serverOut) };
};

export const deleteResourceServer: Operation = (ctx, input) => {
  const server = findServer(ctx, input);
  ctx.store.deleteResourceServer(server.poolId, server.identifier);
  return {};
};

export const createUserPoolDomain: Operation = (ctx, input) => {
  const pool = requirePool(ctx, requiredString(input, 'UserPoolId'));
  const domain = requiredString(input, 'Domain');
  if (ctx.store.poolOfDomain(domain) !== undefined) throw invalidParameter('Domain already associated with another user pool.');
  ctx.store.putDomain(domain, pool.id, ctx.now());
  return {};
};

/** An unknown domain is an empty DomainDescription, not an error. */
export const describeUserPoolDomain: Operation = (ctx, input) => {
  const domain = requiredString(input, 'Domain');
  const poolId = ctx.store.poolOfDomain(domain);
  if (poolId === undefined) return { DomainDescription: {} };
  return { DomainDescription: { UserPoolId: poolId, AWSAccountId: ctx.accountId, Domain: domain.toLowerCase(), Status: 'ACTIVE', Version: '1' } };
};

export const deleteUserPoolDomain: Operation = (ctx, input) => {
  const domain = requiredString(input, 'Domain');
  if (ctx.store.poolOfDomain(domain) !== requiredString(input, 'UserPoolId')) throw invalidParameter('No such domain or user pool exists.');
  ctx.store.deleteDomain(domain);
  return {};
};

/** The template's resource servers and domains, stored as the API would store them. */
export function loadTemplateOAuth(ctx: CognitoContext, project: Project): void {
  for (const r of project.resources) {
    const poolId = String(r.properties['UserPoolId'] ?? '');
    if (ctx.store.getPool(poolId) === undefined) continue;
    if (r.type === 'AWS::Cognito::UserPoolDomain' && typeof r.properties['Domain'] === 'string') ctx.store.putDomain(r.properties['Domain'], poolId, ctx.now());
    if (r.type === 'AWS::Cognito::UserPoolResourceServer' && typeof r.properties['Identifier'] === 'string') {
      const name = typeof r.properties['Name'] === 'string' ? r.properties['Name'] : r.logicalId;
      ctx.store.putResourceServer({ poolId, identifier: r.properties['Identifier'], name, scopes: scopesOf(r.properties['Scopes']) });
    }
  }
}
