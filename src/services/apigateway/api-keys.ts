/**
 * API key operations over the gateway's key registry: a key created, changed or deleted here is what
 * the API key step sees on the next request (the registry's version changes).
 * AWS docs: API Gateway API reference "CreateApiKey", "GetApiKeys", "GetApiKey", "UpdateApiKey" (patch
 * paths /name, /description, /enabled, /customerId; AWS CLI example "To disable the API Key":
 * `op='replace',path='/enabled',value='false'`), "DeleteApiKey"; "Usage plans and API keys for REST APIs".
 */
import { randomBytes } from 'node:crypto';
import type { ApiKeyRecord, ApiKeyRegistry } from '../../apigw/auth/api-keys.js';
import { AwsServiceError } from '../protocol/errors.js';
import { badRequest, invalidPatchPath, patchBoolean, patchOperations, patchValue, notFound } from './patch.js';

export function createApiKey(registry: ApiKeyRegistry, input: Record<string, unknown>): ApiKeyRecord {
  const value = input['value'] === undefined ? randomBytes(30).toString('base64url').replace(/[-_]/g, '').slice(0, 40) : String(input['value']);
  // "The value is an alphanumeric string between 20 and 128 characters" (Usage plans and API keys).
  if (value.length < 20 || value.length > 128) throw badRequest('API Key value should be at least 20 characters long');
  if (registry.keyByValue(value) !== undefined) throw new AwsServiceError('ConflictException', 'API Key already exists', 409);
  const now = Date.now();
  const key: ApiKeyRecord = {
    id: randomBytes(5).toString('hex'),
    name: typeof input['name'] === 'string' ? input['name'] : '',
    value,
    // CreateApiKey: "enabled ... Specifies whether the ApiKey can be used by callers" — false unless set.
    enabled: input['enabled'] === true,
    createdDate: now,
    updatedDate: now,
    ...(typeof input['description'] === 'string' && { description: input['description'] }),
    ...(typeof input['customerId'] === 'string' && { customerId: input['customerId'] }),
  };
  registry.addKey(key);
  return key;
}

const KEY_REPLACE_PATHS = ['/name', '/description', '/enabled', '/customerId'] as const;

/** UpdateApiKey: the changed key replaces the old one, so the gateway refuses a disabled key at once. */
export function updateApiKey(registry: ApiKeyRegistry, key: ApiKeyRecord, input: Record<string, unknown>): ApiKeyRecord {
  const next: ApiKeyRecord = { ...key };
  for (const operation of patchOperations(input)) {
    if (operation.path === '/stages') {
      // Stage keys predate usage plans; gatehouse associates keys with stages through usage plans only.
      throw badRequest('gatehouse associates API keys with stages through usage plans: use CreateUsagePlanKey instead of /stages');
    }
    if (operation.op !== 'replace' || !(KEY_REPLACE_PATHS as readonly string[]).includes(operation.path)) {
      throw invalidPatchPath(operation, operation.op === 'replace' ? KEY_REPLACE_PATHS : []);
    }
    if (operation.path === '/enabled') next.enabled = patchBoolean(operation);
    else if (operation.path === '/name') next.name = patchValue(operation);
    else if (operation.path === '/description') next.description = patchValue(operation);
    else next.customerId = patchValue(operation);
  }
  next.updatedDate = Date.now();
  registry.addKey(next);
  return next;
}

export function findKey(registry: ApiKeyRegistry, id: string): ApiKeyRecord {
  const key = registry.keyById(id);
  if (key === undefined) throw notFound('Invalid API Key identifier specified');
  return key;
}

/** The ApiKey shape; `started` stands in for the dates of keys loaded from the template. */
export function apiKeyView(registry: ApiKeyRegistry, key: ApiKeyRecord, withValue: boolean, started: number): Record<string, unknown> {
  const stageKeys: string[] = [];
  for (const planId of registry.plansOfKey(key.id)) for (const s of registry.plan(planId)?.stages ?? []) stageKeys.push(`${s.apiId}/${s.stage}`);
  return {
    id: key.id,
    ...(withValue && { value: key.value }),
    name: key.name,
    ...(key.customerId !== undefined && { customerId: key.customerId }),
    ...(key.description !== undefined && { description: key.description }),
    enabled: key.enabled,
    createdDate: Math.floor((key.createdDate ?? started) / 1000),
    lastUpdatedDate: Math.floor((key.updatedDate ?? key.createdDate ?? started) / 1000),
    stageKeys,
  };
}
