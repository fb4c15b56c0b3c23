/**
 * Imports one OpenAPI 3.0 / Swagger 2.0 document with API Gateway extensions into an `Api` (API Gateway Developer
 * Guide "Working with API Gateway extensions to OpenAPI" and "Import an HTTP API": what marks an HTTP API).
 */
import type { ApiProtocol } from '../model.js';
import { at, type Loc, type Problems } from '../errors.js';
import { ApiBuilder } from '../apigateway/api-builder.js';
import { buildCors, buildGatewayResponse, buildValidator, checkGatewayResponseType } from '../apigateway/settings.js';
import { Fields, isRecord, scalarString, type JsonObject } from '../values.js';
import type { OpenApiContext } from './context.js';
import { loadPaths } from './operations.js';
import { loadSecuritySchemes } from './security.js';

export interface OpenApiInput {
  doc: unknown;
  /** Where the document is: a file root or an inline body in a template. */
  loc: Loc;
  problems: Problems;
  id: string;
  /** Overrides `info.title` (a template's `Name`). */
  name?: string;
  /** Fixed by a template's resource type; detected for a bare file. */
  protocol?: ApiProtocol;
  logicalId?: string;
  origins?: WeakMap<object, Loc>;
}

export function openApiVersion(doc: unknown): 2 | 3 | undefined {
  if (!isRecord(doc)) return undefined;
  if (/^3\.\d+(\.\d+)?$/.test(scalarString(doc['openapi']) ?? '')) return 3;
  if (scalarString(doc['swagger']) === '2.0') return 2;
  return undefined;
}

/** HTTP API features that a REST API import does not have. */
export function looksLikeHttpApi(doc: JsonObject): boolean {
  if ('x-amazon-apigateway-cors' in doc || 'x-amazon-apigateway-importexport-version' in doc) return true;
  const paths = isRecord(doc['paths']) ? doc['paths'] : {};
  if ('$default' in paths) return true;
  const components = isRecord(doc['components']) ? doc['components'] : {};
  if ('x-amazon-apigateway-integrations' in components) return true;
  for (const item of Object.values(paths)) {
    for (const op of isRecord(item) ? Object.values(item) : []) {
      const integration = isRecord(op) ? op['x-amazon-apigateway-integration'] : undefined;
      if (isRecord(integration) && ('payloadFormatVersion' in integration || 'integrationSubtype' in integration)) return true;
    }
  }
  const schemes = isRecord(components['securitySchemes']) ? components['securitySchemes'] : {};
  return Object.values(schemes).some((s) => isRecord(s) && isRecord(s['x-amazon-apigateway-authorizer']) && s['x-amazon-apigateway-authorizer']['type'] === 'jwt');
}

function loadRootSettings(ctx: OpenApiContext, f: Fields): void {
  const api = ctx.builder.api;
  api.binaryMediaTypes = f.strList('x-amazon-apigateway-binary-media-types');
  const keySource = f.oneOf('x-amazon-apigateway-api-key-source', ['HEADER', 'AUTHORIZER'] as const);
  if (keySource) api.apiKeySource = keySource;
  const compression = f.int('x-amazon-apigateway-minimum-compression-size', 0, 10485760);
  if (compression !== undefined) api.minimumCompressionSize = compression;
  if (f.has('x-amazon-apigateway-policy')) api.policy = f.raw('x-amazon-apigateway-policy');
  const endpoint = f.fields('x-amazon-apigateway-endpoint-configuration');
  const types = endpoint?.strList('types') ?? [];
  const type = types[0]?.toUpperCase();
  if (type === 'EDGE' || type === 'REGIONAL' || type === 'PRIVATE') api.endpointType = type;
  else if (type !== undefined) ctx.problems.add(at(endpoint!.loc, 'types', 0), `endpoint type must be EDGE, REGIONAL or PRIVATE, found ${JSON.stringify(types[0])}`);
  api.disableExecuteApiEndpoint =
    f.bool('x-amazon-apigateway-disable-execute-api-endpoint') ?? endpoint?.bool('disableExecuteApiEndpoint') ?? false;

  const cors = f.fields('x-amazon-apigateway-cors');
  if (cors && ctx.protocol === 'HTTP') api.cors = buildCors(cors, false);

  const responses = f.fields('x-amazon-apigateway-gateway-responses');
  for (const [type, value] of Object.entries(responses?.obj ?? {})) {
    const r = Fields.of(value, responses!.at(type), ctx.problems);
    if (r && checkGatewayResponseType(type, r)) api.gatewayResponses[type] = buildGatewayResponse(r, false);
  }
  const validators = f.fields('x-amazon-apigateway-request-validators');
  for (const [name, value] of Object.entries(validators?.obj ?? {})) {
    const v = Fields.of(value, validators!.at(name), ctx.problems);
    if (v) api.requestValidators[name] = buildValidator(v, false);
  }
}

function loadModels(ctx: OpenApiContext, f: Fields): void {
  const container = ctx.version === 3 ? f.fields('components')?.fields('schemas') : f.fields('definitions');
  for (const [name, schema] of Object.entries(container?.obj ?? {})) {
    ctx.builder.addModel(name, schema, container!.at(name));
  }
}

/**
 * Reads the document into a builder; the caller adds stages (and, for templates, more routes) and calls
 * `finish()`. Returns undefined when the document is not OpenAPI at all.
 */
export function loadOpenApi(input: OpenApiInput): ApiBuilder | undefined {
  const f = Fields.of(input.doc, input.loc, input.problems, 'an OpenAPI document (object)');
  if (!f) {
    if (input.doc === undefined) input.problems.add(input.loc, 'the OpenAPI document is missing');
    return undefined;
  }
  const version = openApiVersion(f.obj);
  if (!version) {
    input.problems.add(input.loc, "not an OpenAPI document: expected `openapi: 3.0.x` or `swagger: '2.0'`");
    return undefined;
  }
  const protocol = input.protocol ?? (looksLikeHttpApi(f.obj) ? 'HTTP' : 'REST');
  const info = f.fields('info');
  const builder = new ApiBuilder(
    {
      protocol,
      id: input.id,
      name: input.name ?? info?.str('title') ?? 'api',
      source: input.loc,
      ...(input.logicalId && { logicalId: input.logicalId }),
    },
    input.problems,
  );
  const ctx: OpenApiContext = {
    doc: f.obj,
    root: input.loc,
    problems: input.problems,
    version,
    protocol,
    builder,
    schemes: new Map(),
    origins: input.origins,
  };
  loadRootSettings(ctx, f);
  loadModels(ctx, f);
  loadSecuritySchemes(ctx);
  loadPaths(ctx);
  return builder;
}
