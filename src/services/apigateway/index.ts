/**
 * The API Gateway management API for API keys and usage plans on the embedded endpoint (REST-JSON,
 * 2015-07-09), over the running gateway's own key registry: keys and plans of the template are
 * listed, keys created here are accepted by the gateway at once. Only this process's registry is
 * changed (keys made at run time are not shared through Redis).
 * AWS docs: API Gateway API reference "CreateApiKey", "GetApiKeys", "GetApiKey", "UpdateApiKey"
 * (not served), "DeleteApiKey", "GetUsagePlans", "GetUsagePlan", "CreateUsagePlanKey",
 * "GetUsagePlanKeys", "DeleteUsagePlanKey"; list members travel as `item` (the model's locationName),
 * timestamps as epoch seconds, errors as `{"message"}` with the type in `x-amzn-ErrorType`.
 */
import type { ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { ApiKeyRecord, ApiKeyRegistry, UsagePlanRecord } from '../../apigw/auth/api-keys.js';
import { AwsServiceError } from '../protocol/errors.js';
import { parseJsonInput } from '../protocol/json.js';
import type { EmbeddedService, ServiceRequest } from '../service.js';

const PATHS = /^\/(apikeys|usageplans)(\/|$)/;

export function apiGatewayService(registry: ApiKeyRegistry): EmbeddedService {
  const started = Date.now();
  return {
    name: 'apigateway',
    // Signed for the `apigateway` service (SigV4 credential scope), so an S3 bucket named "apikeys" stays S3's.
    matches: (request) => PATHS.test(request.path) && /\/apigateway\/aws4_request/.test(String(request.headers['authorization'] ?? '')),
    async handle(request, res) {
      try {
        const { status, body } = route(registry, request, started);
        write(res, status, body);
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        write(res, error.status, { message: error.message }, error.code);
      }
    },
    async close() {},
  };
}

interface Output {
  status: number;
  body: unknown;
}

function route(registry: ApiKeyRegistry, request: ServiceRequest, started: number): Output {
  const parts = request.path.split('/').slice(1).map(decodeURIComponent);
  const query = new URLSearchParams(request.query);
  const m = request.method;
  const view = (key: ApiKeyRecord, withValue: boolean) => apiKeyView(registry, key, withValue, started);
  if (parts[0] === 'apikeys') {
    if (parts.length === 1 && m === 'POST') return { status: 201, body: view(createApiKey(registry, parseJsonInput(request)), true) };
    if (parts.length === 1 && m === 'GET') {
      const name = query.get('name');
      const customerId = query.get('customerId');
      const withValues = query.get('includeValues') === 'true';
      const keys = [...registry.keys()].filter((k) => (name === null || k.name.startsWith(name)) && (customerId === null || k.customerId === customerId));
      return { status: 200, body: { item: keys.map((k) => view(k, withValues)) } };
    }
    if (parts.length === 2) {
      const key = registry.keyById(parts[1]!);
      if (key === undefined) throw notFound('Invalid API Key identifier specified');
      if (m === 'GET') return { status: 200, body: view(key, query.get('includeValue') === 'true') };
      if (m === 'DELETE') {
        registry.removeKey(key.id);
        return { status: 202, body: null };
      }
    }
  }
  if (parts[0] === 'usageplans') {
    if (parts.length === 1 && m === 'GET') {
      const keyId = query.get('keyId');
      const plans = [...registry.plans()].filter((p) => keyId === null || registry.plansOfKey(keyId).has(p.id));
      return { status: 200, body: { item: plans.map(usagePlanView) } };
    }
    const plan = parts.length >= 2 ? registry.plan(parts[1]!) : undefined;
    if (parts.length >= 2 && plan === undefined) throw notFound('Invalid Usage Plan ID specified');
    if (parts.length === 2 && m === 'GET') return { status: 200, body: usagePlanView(plan!) };
    if (parts[2] === 'keys') return usagePlanKeys(registry, plan!, parts[3], request);
  }
  throw new AwsServiceError('BadRequestException', `gatehouse does not serve ${m} ${request.path} (API keys and usage plans only)`, 400);
}

function createApiKey(registry: ApiKeyRegistry, input: Record<string, unknown>): ApiKeyRecord {
  const value = input['value'] === undefined ? randomBytes(30).toString('base64url').replace(/[-_]/g, '').slice(0, 40) : String(input['value']);
  // "The value is an alphanumeric string between 20 and 128 characters" (Usage plans and API keys).
  if (value.length < 20 || value.length > 128) throw new AwsServiceError('BadRequestException', 'API Key value should be at least 20 characters long', 400);
  if (registry.keyByValue(value) !== undefined) throw new AwsServiceError('ConflictException', 'API Key already exists', 409);
  const key: ApiKeyRecord = {
    id: randomBytes(5).toString('hex'),
    name: typeof input['name'] === 'string' ? input['name'] : '',
    value,
    // CreateApiKey: "enabled ... Specifies whether the ApiKey can be used by callers" — false unless set.
    enabled: input['enabled'] === true,
    createdDate: Date.now(),
    ...(typeof input['description'] === 'string' && { description: input['description'] }),
    ...(typeof input['customerId'] === 'string' && { customerId: input['customerId'] }),
  };
  registry.addKey(key);
  return key;
}

function usagePlanKeys(registry: ApiKeyRegistry, plan: UsagePlanRecord, keyId: string | undefined, request: ServiceRequest): Output {
  const m = request.method;
  if (keyId === undefined && m === 'GET') {
    const keys = [...registry.keys()].filter((k) => registry.plansOfKey(k.id).has(plan.id));
    return { status: 200, body: { item: keys.map(usagePlanKeyView) } };
  }
  if (keyId === undefined && m === 'POST') {
    const input = parseJsonInput(request);
    if (input['keyType'] !== 'API_KEY') throw new AwsServiceError('BadRequestException', 'Invalid key type specified', 400);
    const key = registry.keyById(String(input['keyId'] ?? ''));
    if (key === undefined) throw notFound('Invalid API Key identifier specified');
    if (registry.plansOfKey(key.id).has(plan.id)) throw new AwsServiceError('ConflictException', `Usage Plan ${plan.id} cannot be added because API Key ${key.id} already exists in it`, 409);
    registry.addPlanKey(plan.id, key.id);
    return { status: 201, body: usagePlanKeyView(key) };
  }
  if (keyId !== undefined) {
    const key = registry.keyById(keyId);
    if (key === undefined || !registry.plansOfKey(key.id).has(plan.id)) throw notFound('Invalid API Key identifier specified');
    if (m === 'GET') return { status: 200, body: usagePlanKeyView(key) };
    if (m === 'DELETE') {
      registry.removePlanKey(plan.id, key.id);
      return { status: 202, body: null };
    }
  }
  throw new AwsServiceError('BadRequestException', `gatehouse does not serve ${m} ${request.path}`, 400);
}

function apiKeyView(registry: ApiKeyRegistry, key: ApiKeyRecord, withValue: boolean, started: number): Record<string, unknown> {
  const created = Math.floor((key.createdDate ?? started) / 1000);
  const stageKeys: string[] = [];
  for (const planId of registry.plansOfKey(key.id)) for (const s of registry.plan(planId)?.stages ?? []) stageKeys.push(`${s.apiId}/${s.stage}`);
  return {
    id: key.id,
    ...(withValue && { value: key.value }),
    name: key.name,
    ...(key.customerId !== undefined && { customerId: key.customerId }),
    ...(key.description !== undefined && { description: key.description }),
    enabled: key.enabled,
    createdDate: created,
    lastUpdatedDate: created,
    stageKeys,
  };
}

function usagePlanView(plan: UsagePlanRecord): Record<string, unknown> {
  return {
    id: plan.id,
    name: plan.name,
    apiStages: plan.stages.map((s) => ({
      apiId: s.apiId,
      stage: s.stage,
      ...(s.methodThrottles.size > 0 && {
        throttle: Object.fromEntries([...s.methodThrottles].map(([method, t]) => [method, { burstLimit: t.burst, rateLimit: t.rate }])),
      }),
    })),
    ...(plan.throttle !== null && { throttle: { burstLimit: plan.throttle.burst, rateLimit: plan.throttle.rate } }),
    ...(plan.quota !== null && { quota: { limit: plan.quota.limit, offset: plan.quota.offset, period: plan.quota.period } }),
  };
}

function usagePlanKeyView(key: ApiKeyRecord): Record<string, unknown> {
  return { id: key.id, type: 'API_KEY', value: key.value, name: key.name };
}

function notFound(message: string): AwsServiceError {
  return new AwsServiceError('NotFoundException', message, 404);
}

function write(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const data = body === null ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(data.length),
    'x-amzn-RequestId': randomUUID(),
    ...(errorType !== undefined && { 'x-amzn-ErrorType': errorType }),
  });
  res.end(data);
}
