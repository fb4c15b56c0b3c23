/**
 * Secrets Manager operations, pure of HTTP: input object in, output object out, AwsServiceError on failure.
 * AWS docs: AWS Secrets Manager API Reference (CreateSecret, GetSecretValue, PutSecretValue, DescribeSecret,
 * ListSecrets, UpdateSecret, DeleteSecret, RestoreSecret, GetRandomPassword; "Common Errors").
 */
import { randomUUID } from 'node:crypto';
import { hashId, MIXED_ALNUM } from '../../definitions/ids.js';
import { AwsServiceError } from '../protocol/errors.js';
import { generatePassword, passwordRules } from './passwords.js';
import type { SecretRow, SecretsStore } from './store.js';

export interface SecretsContext {
  store: SecretsStore;
  region: string;
  accountId: string;
}

type Input = Record<string, unknown>;
export type Operation = (ctx: SecretsContext, input: Input) => unknown;

const DAY_MS = 86_400_000;
const seconds = (ms: number | null): number | undefined => (ms === null ? undefined : ms / 1000);

const notFound = () => new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

function stringParam(input: Input, key: string, required = false): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) {
    if (required) throw new AwsServiceError('InvalidParameterException', `${key} is required.`);
    return undefined;
  }
  if (typeof value !== 'string') throw new AwsServiceError('InvalidParameterException', `${key} must be a string.`);
  return value;
}

/** `SecretId` found and not scheduled for deletion (unless `allowDeleted`). */
function secret(ctx: SecretsContext, input: Input, allowDeleted = false): SecretRow {
  const found = ctx.store.find(stringParam(input, 'SecretId', true)!);
  if (found === undefined) throw notFound();
  if (found.deletedAt !== null && !allowDeleted) {
    throw new AwsServiceError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
  }
  return found;
}

/** Secret names: 1-512 of letters, digits and /_+=.@- (Secrets Manager "CreateSecret" Name). */
function checkName(name: string): void {
  if (!/^[A-Za-z0-9/_+=.@!-]{1,512}$/.test(name)) {
    throw new AwsServiceError('ValidationException', `Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!`);
  }
}

export function secretArn(ctx: Pick<SecretsContext, 'region' | 'accountId'>, name: string): string {
  const suffix = hashId([randomUUID()], 6, MIXED_ALNUM);
  return `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${name}-${suffix}`;
}

function value(input: Input): { secretString: string | null; secretBinary: Buffer | null } {
  const text = stringParam(input, 'SecretString');
  const binary = stringParam(input, 'SecretBinary');
  if (text !== undefined && binary !== undefined) throw new AwsServiceError('InvalidParameterException', 'You can\'t specify both a binary secret value and a string secret value in the same secret.');
  return { secretString: text ?? null, secretBinary: binary === undefined ? null : Buffer.from(binary, 'base64') };
}

const hasValue = (input: Input): boolean => input['SecretString'] !== undefined || input['SecretBinary'] !== undefined;

function versionStages(ctx: SecretsContext, arn: string): Record<string, string[]> {
  return Object.fromEntries(ctx.store.versions(arn).map((v) => [v.versionId, v.stages]));
}

/** The version a ClientRequestToken names: repeating a request with the same token and value is accepted (idempotency). */
function putValue(ctx: SecretsContext, row: SecretRow, input: Input, stages?: string[]): string {
  const token = stringParam(input, 'ClientRequestToken');
  const v = value(input);
  if (token !== undefined) {
    const existing = ctx.store.versions(row.arn).find((version) => version.versionId === token);
    if (existing) {
      if (existing.secretString === v.secretString && (existing.secretBinary?.equals(v.secretBinary ?? Buffer.alloc(0)) ?? v.secretBinary === null)) return token;
      throw new AwsServiceError('ResourceExistsException', `You can't modify an existing version, you can only create a new version.`);
    }
  }
  return ctx.store.putVersion(row.arn, { ...v, ...(token !== undefined && { versionId: token }) }, stages);
}

export const OPERATIONS: Record<string, Operation> = {
  CreateSecret(ctx, input) {
    const name = stringParam(input, 'Name', true)!;
    checkName(name);
    const existing = ctx.store.find(name);
    if (existing !== undefined) {
      throw existing.deletedAt !== null
        ? new AwsServiceError('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.")
        : new AwsServiceError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    }
    const now = Date.now();
    const arn = secretArn(ctx, name);
    const tags = Array.isArray(input['Tags']) ? (input['Tags'] as SecretRow['tags']) : [];
    ctx.store.create({ arn, name, description: stringParam(input, 'Description') ?? null, kmsKeyId: stringParam(input, 'KmsKeyId') ?? null, tags, createdAt: now, changedAt: now });
    const row = ctx.store.find(arn)!;
    const versionId = hasValue(input) ? putValue(ctx, row, input) : undefined;
    return { ARN: arn, Name: name, ...(versionId !== undefined && { VersionId: versionId }) };
  },

  GetSecretValue(ctx, input) {
    const row = secret(ctx, input);
    const versionId = stringParam(input, 'VersionId');
    const stage = stringParam(input, 'VersionStage');
    const version = ctx.store.version(row.arn, versionId, stage);
    if (version === undefined) {
      throw new AwsServiceError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${versionId !== undefined ? `VersionId: ${versionId}` : `staging label: ${stage ?? 'AWSCURRENT'}`}`);
    }
    ctx.store.update(row.arn, { accessedAt: Math.floor(Date.now() / DAY_MS) * DAY_MS });
    return {
      ARN: row.arn,
      Name: row.name,
      VersionId: version.versionId,
      ...(version.secretString !== null && { SecretString: version.secretString }),
      ...(version.secretBinary !== null && { SecretBinary: version.secretBinary.toString('base64') }),
      VersionStages: version.stages,
      CreatedDate: seconds(version.createdAt),
    };
  },

  PutSecretValue(ctx, input) {
    const row = secret(ctx, input);
    if (!hasValue(input)) throw new AwsServiceError('InvalidRequestException', 'You must provide either SecretString or SecretBinary.');
    const stages = Array.isArray(input['VersionStages']) ? (input['VersionStages'] as string[]) : undefined;
    const versionId = putValue(ctx, row, input, stages);
    return { ARN: row.arn, Name: row.name, VersionId: versionId, VersionStages: ctx.store.version(row.arn, versionId)?.stages ?? [] };
  },

  UpdateSecret(ctx, input) {
    const row = secret(ctx, input);
    const description = stringParam(input, 'Description');
    const kmsKeyId = stringParam(input, 'KmsKeyId');
    ctx.store.update(row.arn, { ...(description !== undefined && { description }), ...(kmsKeyId !== undefined && { kmsKeyId }), changedAt: Date.now() });
    const versionId = hasValue(input) ? putValue(ctx, row, input) : undefined;
    return { ARN: row.arn, Name: row.name, ...(versionId !== undefined && { VersionId: versionId }) };
  },

  DescribeSecret(ctx, input) {
    const row = secret(ctx, input, true);
    return {
      ARN: row.arn,
      Name: row.name,
      ...(row.description !== null && { Description: row.description }),
      ...(row.kmsKeyId !== null && { KmsKeyId: row.kmsKeyId }),
      LastChangedDate: seconds(row.changedAt),
      ...(row.accessedAt !== null && { LastAccessedDate: seconds(row.accessedAt) }),
      ...(row.deletedAt !== null && { DeletedDate: seconds(row.deletedAt) }),
      Tags: row.tags,
      VersionIdsToStages: versionStages(ctx, row.arn),
      CreatedDate: seconds(row.createdAt),
    };
  },

  ListSecrets(ctx, input) {
    const filters = Array.isArray(input['Filters']) ? (input['Filters'] as { Key?: string; Values?: string[] }[]) : [];
    const includeDeleted = input['IncludePlannedDeletion'] === true;
    const max = Math.min(Number(input['MaxResults'] ?? 100), 100);
    const start = Number(stringParam(input, 'NextToken') ?? 0);
    const matching = ctx.store.list().filter((row) => (includeDeleted || row.deletedAt === null) && filters.every((f) => matchesFilter(row, f)));
    const page = matching.slice(start, start + max);
    return {
      SecretList: page.map((row) => ({
        ARN: row.arn,
        Name: row.name,
        ...(row.description !== null && { Description: row.description }),
        LastChangedDate: seconds(row.changedAt),
        ...(row.accessedAt !== null && { LastAccessedDate: seconds(row.accessedAt) }),
        ...(row.deletedAt !== null && { DeletedDate: seconds(row.deletedAt) }),
        Tags: row.tags,
        SecretVersionsToStages: versionStages(ctx, row.arn),
        CreatedDate: seconds(row.createdAt),
      })),
      ...(start + max < matching.length && { NextToken: String(start + max) }),
    };
  },

  DeleteSecret(ctx, input) {
    const row = secret(ctx, input, true);
    const force = input['ForceDeleteWithoutRecovery'] === true;
    const window = input['RecoveryWindowInDays'] === undefined ? 30 : Number(input['RecoveryWindowInDays']);
    if (force && input['RecoveryWindowInDays'] !== undefined) {
      throw new AwsServiceError('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    if (!force && (!Number.isInteger(window) || window < 7 || window > 30)) {
      throw new AwsServiceError('InvalidParameterException', 'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    const deletion = force ? Date.now() : Date.now() + window * DAY_MS;
    if (force) ctx.store.delete(row.arn);
    else ctx.store.update(row.arn, { deletedAt: deletion });
    return { ARN: row.arn, Name: row.name, DeletionDate: seconds(deletion) };
  },

  RestoreSecret(ctx, input) {
    const row = secret(ctx, input, true);
    ctx.store.update(row.arn, { deletedAt: null });
    return { ARN: row.arn, Name: row.name };
  },

  GetRandomPassword(_ctx, input) {
    return { RandomPassword: generatePassword(passwordRules(input)) };
  },
};

/** ListSecrets filters: prefix match on name, description, tag key or value; `all` matches any of them. */
function matchesFilter(row: SecretRow, filter: { Key?: string; Values?: string[] }): boolean {
  const fields: Record<string, string[]> = {
    name: [row.name],
    description: [row.description ?? ''],
    'tag-key': row.tags.map((t) => t.Key),
    'tag-value': row.tags.map((t) => t.Value),
  };
  const candidates = filter.Key === 'all' ? Object.values(fields).flat() : (fields[filter.Key ?? ''] ?? []);
  return (filter.Values ?? []).some((prefix) => {
    const negate = prefix.startsWith('!');
    const hit = candidates.some((c) => c.startsWith(negate ? prefix.slice(1) : prefix));
    return negate ? !hit : hit;
  });
}
