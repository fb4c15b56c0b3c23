/**
 * OpenAPI paths -> routes: method request (parameters, body models, validator), method responses, authorization
 * and `x-amazon-apigateway-integration` (API Gateway Developer Guide "Working with API Gateway extensions to
 * OpenAPI" and "Import a REST API": "No integration defined for method" when an operation has none).
 */
import type { MethodResponse, Route } from '../model.js';
import { at, type Loc } from '../errors.js';
import { buildIntegration, OPENAPI_INTEGRATION_KEYS, OPENAPI_RESPONSE_KEYS, openApiResponses } from '../apigateway/integration.js';
import { modelNameOfRef } from '../apigateway/api-builder.js';
import { checkResourcePath, routeKeyOf } from '../apigateway/paths.js';
import { Fields, isRecord, scalarString, type JsonObject } from '../values.js';
import { deref, locOf, type OpenApiContext } from './context.js';
import { methodAuth } from './security.js';

/** Path item keys that are operations, and their API Gateway method. */
export const OPERATION_METHODS: Record<string, string> = {
  get: 'GET', put: 'PUT', post: 'POST', delete: 'DELETE', patch: 'PATCH', head: 'HEAD', options: 'OPTIONS',
  'x-amazon-apigateway-any-method': 'ANY',
};

const PARAMETER_KINDS: Record<string, keyof Route['requestParameters']> = { path: 'path', query: 'querystring', header: 'header' };

export function loadPaths(ctx: OpenApiContext): void {
  const paths = Fields.of(ctx.doc['paths'], at(ctx.root, 'paths'), ctx.problems);
  if (!paths) return;
  for (const [pathKey, item] of Object.entries(paths.obj)) {
    if (pathKey.startsWith('x-')) continue;
    const itemLoc = locOf(ctx, item, paths.at(pathKey));
    let path: string;
    let params: string[] = [];
    if (pathKey === '$default' && ctx.protocol === 'HTTP') {
      path = '$default';
    } else {
      const checked = checkResourcePath(pathKey, itemLoc, ctx.problems);
      if (!checked) continue;
      ({ path, params } = checked);
    }
    const pathItem = Fields.of(item, itemLoc, ctx.problems);
    if (!pathItem) continue;
    for (const [key, operation] of Object.entries(pathItem.obj)) {
      const method = OPERATION_METHODS[key.toLowerCase()];
      if (!method) continue;
      const op = Fields.of(operation, locOf(ctx, operation, pathItem.at(key)), ctx.problems);
      if (op) loadOperation(ctx, path, params, method, op, pathItem);
    }
  }
}

/** A schema used as a body: a `$ref` names a model; an inline schema becomes a model named after the operation. */
function modelFor(ctx: OpenApiContext, schema: unknown, loc: Loc, nameHint: string): string | undefined {
  if (!isRecord(schema) || Object.keys(schema).length === 0) return undefined;
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const name = modelNameOfRef(ref);
    if (name === undefined) {
      ctx.problems.add(at(loc, '$ref'), `unsupported $ref ${JSON.stringify(ref)}: a body schema must reference a model of this API`);
      return undefined;
    }
    ctx.builder.requireModel(name, at(loc, '$ref'));
    return name;
  }
  let name = nameHint;
  for (let n = 2; name in ctx.builder.api.models; n++) name = `${nameHint}${n}`;
  ctx.builder.addModel(name, schema, loc);
  return name;
}

/** `post /pets/{id}` -> `PostPetsId`: API Gateway model names are alphanumeric. */
function modelHint(method: string, path: string): string {
  const words = [method.toLowerCase(), ...path.split(/[^A-Za-z0-9]+/)].filter((w) => w !== '');
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

function mediaTypes(ctx: OpenApiContext, op: Fields, key: 'consumes' | 'produces'): string[] {
  const own = op.strList(key);
  if (own.length > 0) return own;
  const root = ctx.doc[key];
  return Array.isArray(root) && root.every((t) => typeof t === 'string') && root.length > 0 ? (root as string[]) : ['application/json'];
}

/** What the method request declares, filled from `parameters` and the request body. */
type MethodRequest = Pick<Route, 'requestParameters' | 'requestModels'>;

function loadParameters(ctx: OpenApiContext, op: Fields, pathItem: Fields, route: MethodRequest, method: string, path: string): void {
  // Operation parameters override path-level ones with the same name and location.
  const merged = new Map<string, { value: JsonObject; loc: Loc }>();
  for (const owner of [pathItem, op]) {
    owner.list('parameters').forEach((raw, i) => {
      const { value, loc } = deref(ctx, raw, owner.at('parameters', i));
      const p = Fields.of(value, loc, ctx.problems);
      if (!p) return;
      const name = p.str('name', true);
      const where = p.str('in', true);
      if (name !== undefined && where !== undefined) merged.set(`${where}:${name}`, { value: p.obj, loc });
    });
  }
  for (const { value, loc } of merged.values()) {
    const p = new Fields(value, loc, ctx.problems);
    const name = p.str('name')!;
    const where = p.str('in')!;
    const kind = PARAMETER_KINDS[where];
    if (kind) {
      route.requestParameters[kind][name] = where === 'path' || p.bool('required') === true;
    } else if (where === 'body' && ctx.version === 2) {
      const model = modelFor(ctx, p.raw('schema'), p.at('schema'), `${modelHint(method, path)}Request`);
      if (model) for (const type of mediaTypes(ctx, op, 'consumes')) route.requestModels[type] = model;
    }
  }
}

function loadRequestBody(ctx: OpenApiContext, op: Fields, route: MethodRequest, method: string, path: string): void {
  if (!op.has('requestBody')) return;
  const { value, loc } = deref(ctx, op.raw('requestBody'), op.at('requestBody'));
  const content = Fields.of(value, loc, ctx.problems)?.fields('content');
  if (!content) return;
  for (const [type, media] of Object.entries(content.obj)) {
    const m = Fields.of(media, content.at(type), ctx.problems);
    const model = m && modelFor(ctx, m.raw('schema'), m.at('schema'), `${modelHint(method, path)}Request`);
    if (model) route.requestModels[type] = model;
  }
}

function loadResponses(ctx: OpenApiContext, op: Fields, method: string, path: string): Record<string, MethodResponse> {
  const out: Record<string, MethodResponse> = {};
  const responses = op.fields('responses');
  if (!responses) return out;
  for (const [status, raw] of Object.entries(responses.obj)) {
    if (!/^[1-5]\d\d$/.test(status)) continue; // `default` and ranges have no method response in API Gateway
    const { value, loc } = deref(ctx, raw, responses.at(status));
    const r = Fields.of(value, loc, ctx.problems);
    if (!r) continue;
    const response: MethodResponse = { headers: {}, models: {} };
    for (const [header, spec] of Object.entries(r.record('headers') ?? {})) {
      response.headers[header] = isRecord(spec) && spec['required'] === true;
    }
    const hint = `${modelHint(method, path)}${status}Response`;
    if (ctx.version === 3) {
      for (const [type, media] of Object.entries(r.record('content') ?? {})) {
        const model = isRecord(media) ? modelFor(ctx, media['schema'], at(r.loc, 'content', type, 'schema'), hint) : undefined;
        if (model) response.models[type] = model;
      }
    } else {
      const model = modelFor(ctx, r.raw('schema'), r.at('schema'), hint);
      if (model) for (const type of mediaTypes(ctx, op, 'produces')) response.models[type] = model;
    }
    out[status] = response;
  }
  return out;
}

function loadOperation(ctx: OpenApiContext, path: string, params: string[], method: string, op: Fields, pathItem: Fields): void {
  const routeKey = routeKeyOf(method, path);
  const request: MethodRequest = {
    // Every `{param}` of the path is a required path parameter whether or not `parameters` lists it.
    requestParameters: { path: Object.fromEntries(params.map((p) => [p, true])), querystring: {}, header: {} },
    requestModels: {},
  };
  loadParameters(ctx, op, pathItem, request, method, path);
  if (ctx.version === 3) loadRequestBody(ctx, op, request, method, path);
  const methodResponses = loadResponses(ctx, op, method, path);

  const validatorKey = 'x-amazon-apigateway-request-validator';
  const requestValidator = ctx.protocol === 'REST' ? scalarString(op.raw(validatorKey) ?? ctx.doc[validatorKey]) : undefined;
  if (requestValidator !== undefined) {
    ctx.builder.requireValidator(requestValidator, op.has(validatorKey) ? op.at(validatorKey) : at(ctx.root, validatorKey));
  }
  const { authorizerName, ...auth } = methodAuth(ctx, op);

  if (!op.has('x-amazon-apigateway-integration')) {
    ctx.problems.add(op.loc, `no integration defined for method ${routeKey} (x-amazon-apigateway-integration is missing)`);
    return;
  }
  // HTTP API exports share integrations through `$ref: '#/components/x-amazon-apigateway-integrations/<name>'`.
  const { value, loc } = deref(ctx, op.raw('x-amazon-apigateway-integration'), op.at('x-amazon-apigateway-integration'));
  const f = Fields.of(value, locOf(ctx, value, loc), ctx.problems);
  const integration = f && buildIntegration(f, OPENAPI_INTEGRATION_KEYS, openApiResponses(f), OPENAPI_RESPONSE_KEYS, {
    protocol: ctx.protocol,
    requestParameters: request.requestParameters,
    methodResponses,
  });
  if (!integration) return;
  const operationName = op.str('operationId');
  ctx.builder.addRoute(
    {
      path,
      method,
      routeKey,
      ...(operationName && { operationName }),
      ...request,
      ...(requestValidator !== undefined && { requestValidator }),
      ...auth,
      ...(authorizerName && { authorizerName }),
      methodResponses,
      integration,
      source: op.loc,
    },
    op.loc,
  );
}
