/**
 * The API Gateway management API for API keys and usage plans on the embedded endpoint (REST-JSON,
 * 2015-07-09), over the running gateway's own key registry and protect state: keys and plans of the
 * template are listed, keys and plans changed here apply to the next request, usage comes from the
 * quota counters the gateway counts (shared through Redis with --redis). The registry itself is this
 * process's: keys and plans changed at run time are not shared with other gatehouse processes.
 * AWS docs: API Gateway API reference (operations in api-keys.ts and usage-plans.ts); list members
 * travel as `item` (the model's locationName), timestamps as epoch seconds, errors as `{"message"}`
 * with the type in `x-amzn-ErrorType`.
 */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ApiKeyRecord } from '../../apigw/auth/api-keys.js';
import type { ProtectServices } from '../../apigw/auth/services.js';
import { AwsServiceError } from '../protocol/errors.js';
import { parseJsonInput } from '../protocol/json.js';
import type { EmbeddedService, ServiceRequest } from '../service.js';
import { apiKeyView, createApiKey, findKey, updateApiKey } from './api-keys.js';
import { badRequest, notFound } from './patch.js';
import { createUsagePlan, findPlan, getUsage, keysOfPlan, updateUsage, updateUsagePlan, usagePlanView, type StageExists } from './usage-plans.js';

const PATHS = /^\/(apikeys|usageplans)(\/|$)/;

export function apiGatewayService(protect: ProtectServices, stageExists: StageExists): EmbeddedService {
  const started = Date.now();
  return {
    name: 'apigateway',
    // Signed for the `apigateway` service (SigV4 credential scope), so an S3 bucket named "apikeys" stays S3's.
    matches: (request) => PATHS.test(request.path) && /\/apigateway\/aws4_request/.test(String(request.headers['authorization'] ?? '')),
    async handle(request, res) {
      try {
        const { status, body } = await route({ protect, stageExists, started }, request);
        write(res, status, body);
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        write(res, error.status, { message: error.message }, error.code);
      }
    },
    async close() {},
  };
}

interface Context {
  protect: ProtectServices;
  stageExists: StageExists;
  started: number;
}

interface Output {
  status: number;
  body: unknown;
}

async function route(context: Context, request: ServiceRequest): Promise<Output> {
  const parts = request.path.split('/').slice(1).map(decodeURIComponent);
  const query = new URLSearchParams(request.query);
  if (parts[0] === 'apikeys') return apiKeys(context, request, parts, query);
  const m = request.method;
  const registry = context.protect.keys;
  if (parts.length === 1 && m === 'GET') {
    const keyId = query.get('keyId');
    const plans = [...registry.plans()].filter((p) => keyId === null || registry.plansOfKey(keyId).has(p.id));
    return { status: 200, body: { item: plans.map(usagePlanView) } };
  }
  if (parts.length === 1 && m === 'POST') return { status: 201, body: usagePlanView(createUsagePlan(registry, parseJsonInput(request), context.stageExists)) };
  if (parts.length === 1) throw unsupported(request);
  const plan = findPlan(registry, parts[1] ?? '');
  if (parts.length === 2 && m === 'GET') return { status: 200, body: usagePlanView(plan) };
  if (parts.length === 2 && m === 'DELETE') {
    registry.removePlan(plan.id);
    return { status: 202, body: null };
  }
  if (parts.length === 2 && m === 'PATCH') return { status: 200, body: usagePlanView(updateUsagePlan(registry, plan, parseJsonInput(request), context.stageExists)) };
  if (parts.length === 3 && parts[2] === 'usage' && m === 'GET') return { status: 200, body: await getUsage(context.protect, plan, query) };
  if (parts.length === 5 && parts[2] === 'keys' && parts[4] === 'usage' && m === 'PATCH') {
    return { status: 200, body: await updateUsage(context.protect, plan, parts[3]!, parseJsonInput(request)) };
  }
  if (parts[2] === 'keys' && parts.length <= 4) return usagePlanKeys(context, plan.id, parts[3], request);
  throw unsupported(request);
}

function apiKeys(context: Context, request: ServiceRequest, parts: string[], query: URLSearchParams): Output {
  const registry = context.protect.keys;
  const m = request.method;
  const view = (key: ApiKeyRecord, withValue: boolean) => apiKeyView(registry, key, withValue, context.started);
  if (parts.length === 1 && m === 'POST') return { status: 201, body: view(createApiKey(registry, parseJsonInput(request)), true) };
  if (parts.length === 1 && m === 'GET') {
    const name = query.get('name');
    const customerId = query.get('customerId');
    const withValues = query.get('includeValues') === 'true';
    const keys = [...registry.keys()].filter((k) => (name === null || k.name.startsWith(name)) && (customerId === null || k.customerId === customerId));
    return { status: 200, body: { item: keys.map((k) => view(k, withValues)) } };
  }
  if (parts.length === 2) {
    const key = findKey(registry, parts[1]!);
    if (m === 'GET') return { status: 200, body: view(key, query.get('includeValue') === 'true') };
    if (m === 'PATCH') return { status: 200, body: view(updateApiKey(registry, key, parseJsonInput(request)), false) };
    if (m === 'DELETE') {
      registry.removeKey(key.id);
      return { status: 202, body: null };
    }
  }
  throw unsupported(request);
}

function usagePlanKeys(context: Context, planId: string, keyId: string | undefined, request: ServiceRequest): Output {
  const registry = context.protect.keys;
  const m = request.method;
  if (keyId === undefined && m === 'GET') return { status: 200, body: { item: keysOfPlan(registry, planId).map(usagePlanKeyView) } };
  if (keyId === undefined && m === 'POST') {
    const input = parseJsonInput(request);
    if (input['keyType'] !== 'API_KEY') throw badRequest('Invalid key type specified');
    const key = findKey(registry, String(input['keyId'] ?? ''));
    if (registry.plansOfKey(key.id).has(planId)) throw new AwsServiceError('ConflictException', `Usage Plan ${planId} cannot be added because API Key ${key.id} already exists in it`, 409);
    registry.addPlanKey(planId, key.id);
    return { status: 201, body: usagePlanKeyView(key) };
  }
  if (keyId !== undefined) {
    const key = registry.keyById(keyId);
    if (key === undefined || !registry.plansOfKey(key.id).has(planId)) throw notFound('Invalid API Key identifier specified');
    if (m === 'GET') return { status: 200, body: usagePlanKeyView(key) };
    if (m === 'DELETE') {
      registry.removePlanKey(planId, key.id);
      return { status: 202, body: null };
    }
  }
  throw unsupported(request);
}

function usagePlanKeyView(key: ApiKeyRecord): Record<string, unknown> {
  return { id: key.id, type: 'API_KEY', value: key.value, name: key.name };
}

function unsupported(request: ServiceRequest): AwsServiceError {
  return badRequest(`gatehouse does not serve ${request.method} ${request.path} (API keys and usage plans only)`);
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
