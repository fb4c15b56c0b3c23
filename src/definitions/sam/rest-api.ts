/**
 * `AWS::Serverless::Api` (explicit, or the implicit `ServerlessRestApi`): the OpenAPI document SAM would deploy
 * — `DefinitionBody`/`DefinitionUri` or a generated one — plus event methods, `Models`, `Cors` OPTIONS methods,
 * `Auth` and `GatewayResponses`, loaded like any OpenAPI import (AWS SAM Developer Guide "AWS::Serverless::Api",
 * "CorsConfiguration", "Api" event source type).
 */
import type { TemplateResource } from '../model.js';
import type { Loc } from '../errors.js';
import { ApiBuilder } from '../apigateway/api-builder.js';
import { applyCacheCluster, restMethodSettings } from '../apigateway/settings.js';
import { loadOpenApi, openApiVersion } from '../openapi/index.js';
import { OPERATION_METHODS } from '../openapi/operations.js';
import { Fields, isRecord, scalarString, type JsonObject } from '../values.js';
import type { TemplateContext } from '../cloudformation/context.js';
import { addDomainMapping, basePath } from '../cloudformation/network.js';
import { applyRestApiProperties } from '../cloudformation/rest-api.js';
import { applySamAuth } from './auth.js';
import { eventOperation, lambdaInvocationUri, type SamEvent } from './events.js';

/** The API's OpenAPI document: the inline body (intrinsics resolved), a local file, or a new one. */
export async function samDefinition(ctx: TemplateContext, r: TemplateResource, f: Fields, skeleton: () => JsonObject): Promise<{ doc: unknown; loc: Loc }> {
  if (f.has('DefinitionBody')) return { doc: structuredClone(f.raw('DefinitionBody')), loc: f.at('DefinitionBody') };
  if (f.has('DefinitionUri')) {
    const source = await ctx.readDocument(f.raw('DefinitionUri'), f.at('DefinitionUri'));
    if (source) return { doc: source.value, loc: { file: source.file, pointer: '' } };
  }
  return { doc: skeleton(), loc: r.source };
}

/** `Models`: SAM lower-cases model names in the document and in `RequestModel` references. */
function addModels(doc: JsonObject, f: Fields, origins: WeakMap<object, Loc>): void {
  const models = f.fields('Models');
  if (!models) return;
  let container: JsonObject;
  if (openApiVersion(doc) === 3) {
    if (!isRecord(doc['components'])) doc['components'] = {};
    const components = doc['components'] as JsonObject;
    if (!isRecord(components['schemas'])) components['schemas'] = {};
    container = components['schemas'] as JsonObject;
  } else {
    if (!isRecord(doc['definitions'])) doc['definitions'] = {};
    container = doc['definitions'] as JsonObject;
  }
  for (const [name, schema] of Object.entries(models.obj)) {
    container[name.toLowerCase()] = schema;
    if (isRecord(schema)) origins.set(schema, models.at(name));
  }
}

/** `RequestParameters`: `method.request.querystring.x` or `{ 'method.request.querystring.x': { Required, Caching } }`. */
function addRequestParameters(op: JsonObject, integration: JsonObject, ev: SamEvent, v3: boolean): void {
  const parameters = Array.isArray(op['parameters']) ? (op['parameters'] as unknown[]) : [];
  ev.props.list('RequestParameters').forEach((item, i) => {
    const entries: [string, unknown][] = typeof item === 'string' ? [[item, {}]] : isRecord(item) ? Object.entries(item) : [];
    if (entries.length === 0) ev.props.problems.add(ev.props.at('RequestParameters', i), 'must be a string or a map of one parameter');
    for (const [name, options] of entries) {
      const match = /^method\.request\.(querystring|path|header)\.(.+)$/.exec(name);
      if (!match) {
        ev.props.problems.add(ev.props.at('RequestParameters', i), `invalid request parameter ${JSON.stringify(name)}: expected method.request.{querystring|path|header}.<name>`);
        continue;
      }
      const o = isRecord(options) ? options : {};
      const type = v3 ? { schema: { type: 'string' } } : { type: 'string' };
      parameters.push({ in: match[1] === 'querystring' ? 'query' : match[1], name: match[2], required: o['Required'] === true, ...type });
      if (o['Caching'] === true) integration['cacheKeyParameters'] = [...(Array.isArray(integration['cacheKeyParameters']) ? integration['cacheKeyParameters'] : []), name];
    }
  });
  if (parameters.length > 0) op['parameters'] = parameters;
}

/** `RequestModel`: the body model, and a validator when ValidateBody / ValidateParameters is set. */
function addRequestModel(doc: JsonObject, op: JsonObject, ev: SamEvent, v3: boolean): void {
  const model = ev.props.fields('RequestModel');
  const name = model?.str('Model', true)?.toLowerCase();
  if (!model || name === undefined) return;
  const required = model.bool('Required');
  if (v3) {
    op['requestBody'] = { content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } }, ...(required !== undefined && { required }) };
  } else {
    const parameters = Array.isArray(op['parameters']) ? (op['parameters'] as unknown[]) : [];
    op['parameters'] = [...parameters, { in: 'body', name, ...(required !== undefined && { required }), schema: { $ref: `#/definitions/${name}` } }];
  }
  const body = model.bool('ValidateBody');
  const params = model.bool('ValidateParameters');
  if (body === undefined && params === undefined) return;
  const validator = body && params ? 'body-and-params' : body ? 'body-only' : params ? 'params-only' : 'no-validation';
  if (!isRecord(doc['x-amazon-apigateway-request-validators'])) doc['x-amazon-apigateway-request-validators'] = {};
  (doc['x-amazon-apigateway-request-validators'] as JsonObject)[validator] ??= { validateRequestBody: body ?? false, validateRequestParameters: params ?? false };
  op['x-amazon-apigateway-request-validator'] = validator;
}

/** The integration an event gets: Lambda proxy for a function, StartExecution for a state machine. */
function eventIntegration(ctx: TemplateContext, ev: SamEvent, op: JsonObject): JsonObject {
  const env = ctx.template.env;
  const timeout = ev.props.int('TimeoutInMillis');
  if (ev.owner.type === 'AWS::Serverless::Function') {
    const uri = lambdaInvocationUri(env, String(ev.owner.attributes['Arn']));
    return { type: 'aws_proxy', httpMethod: 'POST', uri, ...(timeout !== undefined && { timeoutInMillis: timeout }) };
  }
  // SAM "Api" event of a state machine: StartExecution with the request body as the execution input.
  op['responses'] = { '200': { description: 'OK' }, '400': { description: 'Bad Request' }, ...(op['responses'] as JsonObject) };
  const role = ctx.byLogicalId.get(`${ev.owner.logicalId}${ev.name}Role`);
  return {
    type: 'aws',
    httpMethod: 'POST',
    uri: `arn:${env.partition}:apigateway:${env.region}:states:action/StartExecution`,
    ...(role && { credentials: role.attributes['Arn'] }),
    requestTemplates: { 'application/json': `{"input": "$util.escapeJavaScript($input.json('$'))", "stateMachineArn": "${ev.owner.physicalId}"}` },
    responses: { '200': { statusCode: '200' }, '400': { statusCode: '400' } },
  };
}

/** `Cors`: an OPTIONS MOCK method on every path that has none, answering the Access-Control-Allow-* headers. */
function addCors(doc: JsonObject, f: Fields, origins: WeakMap<object, Loc>): void {
  const raw = f.raw('Cors');
  if (raw === undefined) return;
  const c = typeof raw === 'string' ? undefined : f.fields('Cors');
  const origin = typeof raw === 'string' ? raw : c?.str('AllowOrigin', true);
  if (origin === undefined) return;
  const quoted = (value: unknown): string | undefined => {
    const s = scalarString(value);
    return s === undefined ? undefined : typeof value === 'number' ? `'${s}'` : s;
  };
  const headers = quoted(c?.raw('AllowHeaders'));
  const maxAge = quoted(c?.raw('MaxAge'));
  const credentials = c?.bool('AllowCredentials') === true;
  for (const item of Object.values(isRecord(doc['paths']) ? doc['paths'] : {})) {
    if (!isRecord(item) || isRecord(item['options'])) continue;
    const methods = Object.keys(item).filter((k) => OPERATION_METHODS[k.toLowerCase()]).map((k) => OPERATION_METHODS[k.toLowerCase()]!);
    const allowed = methods.includes('ANY') ? ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] : [...new Set([...methods, 'OPTIONS'])].sort();
    const methodsValue = quoted(c?.raw('AllowMethods')) ?? `'${allowed.join(',')}'`;
    const parameters: JsonObject = { 'method.response.header.Access-Control-Allow-Origin': origin };
    const responseHeaders: JsonObject = { 'Access-Control-Allow-Origin': { type: 'string' } };
    const add = (header: string, value: string | undefined): void => {
      if (value === undefined) return;
      parameters[`method.response.header.${header}`] = value;
      responseHeaders[header] = { type: 'string' };
    };
    add('Access-Control-Allow-Headers', headers);
    add('Access-Control-Allow-Methods', methodsValue);
    add('Access-Control-Max-Age', maxAge);
    add('Access-Control-Allow-Credentials', credentials ? "'true'" : undefined);
    const options: JsonObject = {
      summary: 'CORS support',
      consumes: ['application/json'],
      produces: ['application/json'],
      'x-amazon-apigateway-integration': {
        type: 'mock',
        requestTemplates: { 'application/json': '{\n  "statusCode" : 200\n}\n' },
        responses: { default: { statusCode: '200', responseParameters: parameters, responseTemplates: { 'application/json': '{}\n' } } },
      },
      responses: { '200': { description: 'Default response for CORS method', headers: responseHeaders } },
    };
    origins.set(options, f.at('Cors'));
    origins.set(options['x-amazon-apigateway-integration'] as JsonObject, f.at('Cors'));
    item['options'] = options;
  }
}

/** `GatewayResponses`: `ResponseParameters.Headers.X` is `gatewayresponse.header.X` (and Paths, QueryStrings). */
function addGatewayResponses(doc: JsonObject, f: Fields, origins: WeakMap<object, Loc>): void {
  const responses = f.fields('GatewayResponses');
  if (!responses) return;
  const out: JsonObject = isRecord(doc['x-amazon-apigateway-gateway-responses']) ? doc['x-amazon-apigateway-gateway-responses'] : {};
  for (const [type, value] of Object.entries(responses.obj)) {
    const r = Fields.of(value, responses.at(type), f.problems);
    if (!r) continue;
    const parameters: JsonObject = {};
    const p = r.fields('ResponseParameters');
    for (const [key, prefix] of [['Headers', 'header'], ['Paths', 'path'], ['QueryStrings', 'querystring']] as const) {
      for (const [name, v] of Object.entries(p?.strMap(key) ?? {})) parameters[`gatewayresponse.${prefix}.${name}`] = v;
    }
    const status = r.str('StatusCode');
    const generated: JsonObject = { responseParameters: parameters, responseTemplates: r.record('ResponseTemplates') ?? {}, ...(status && { statusCode: status }) };
    origins.set(generated, r.loc);
    out[type] = generated;
  }
  doc['x-amazon-apigateway-gateway-responses'] = out;
  origins.set(out, responses.loc);
}

/** SAM `ResourcePolicy.CustomStatements` is the policy's statement list; other keys are kept as written. */
function resourcePolicy(f: Fields): unknown {
  const policy = f.fields('Auth')?.fields('ResourcePolicy');
  if (!policy) return undefined;
  const statements = policy.list('CustomStatements');
  return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : policy.obj;
}

export async function createSamRestApi(ctx: TemplateContext, r: TemplateResource, events: SamEvent[]): Promise<void> {
  const f = ctx.props(r);
  const origins = new WeakMap<object, Loc>();
  const { doc, loc } = await samDefinition(ctx, r, f, () => ({ swagger: '2.0', info: { version: '1.0', title: f.str('Name') ?? ctx.template.env.stackName }, paths: {} }));
  if (isRecord(doc)) {
    const v3 = openApiVersion(doc) === 3;
    addModels(doc, f, origins);
    const eventOps = new Map<object, SamEvent>();
    for (const ev of events) {
      const path = ev.props.str('Path', true);
      const method = ev.props.str('Method', true);
      const op = path !== undefined && method !== undefined ? eventOperation(doc, path, method, ev, origins, ctx.problems) : undefined;
      if (!op) continue;
      eventOps.set(op, ev);
      const integration = eventIntegration(ctx, ev, op);
      origins.set(integration, ev.loc);
      op['x-amazon-apigateway-integration'] = integration;
      addRequestParameters(op, integration, ev, v3);
      addRequestModel(doc, op, ev, v3);
    }
    addCors(doc, f, origins);
    applySamAuth(doc, f, 'REST', ctx.template.env, eventOps, origins);
    addGatewayResponses(doc, f, origins);
  }
  const name = f.str('Name');
  const builder =
    loadOpenApi({ doc, loc, problems: ctx.problems, id: r.physicalId, protocol: 'REST', logicalId: r.logicalId, origins, ...(name && { name }) }) ??
    new ApiBuilder({ protocol: 'REST', id: r.physicalId, name: name ?? r.logicalId, source: r.source, logicalId: r.logicalId }, ctx.problems);
  applyRestApiProperties(builder, f);
  const policy = resourcePolicy(f);
  if (policy !== undefined) builder.api.policy = policy;
  // StageName is required on AWS::Serverless::Api; the implicit API's is Prod.
  const stageName = f.str('StageName', true);
  if (stageName !== undefined) {
    const stage = builder.stage(stageName);
    Object.assign(stage.variables, f.strMap('Variables'));
    Object.assign(stage.methodSettings, restMethodSettings(f.list('MethodSettings'), f, 'MethodSettings'));
    applyCacheCluster(stage, f);
    addSamDomain(ctx, f, builder, stageName);
  }
  ctx.apis.set(r.physicalId, builder);
}

/** SAM `Domain`: `DomainName` with `BasePath` (one or a list, default `/`) mapped to the API's stage. */
export function addSamDomain(ctx: TemplateContext, f: Fields, builder: ApiBuilder, stage: string): void {
  const domain = f.fields('Domain');
  const domainName = domain?.str('DomainName', true);
  if (!domain || domainName === undefined) return;
  const paths = domain.has('BasePath') ? domain.strList('BasePath', true) : ['/'];
  for (const path of paths) addDomainMapping(ctx.domains, domainName, { basePath: basePath(path), apiId: builder.api.id, stage });
}

