/**
 * Integration request: builds what the backend receives from the method request — parameter
 * mapping (`integration.request.{path|querystring|header}.NAME`), the request template chosen by
 * Content-Type (or passthrough), binary handling and `$context.requestOverride`.
 * Reads: ctx.request, ctx.pathParameters. Writes: ctx.integrationRequest.
 * AWS docs: "Integration request", "Method request data passthrough behaviors",
 * "Binary media types for REST APIs" (content type conversions).
 */
import type { Integration as IntegrationDefinition } from '../../definitions/model.js';
import { GatewayError } from '../../core/errors.js';
import { HeaderList } from '../../core/header-list.js';
import type { IntegrationRequest, RequestContext } from '../context.js';
import type { Stage, StageBuildInput } from '../pipeline.js';
import { compileSource, type SourceReader } from '../parameters/sources.js';
import { compileHttpApiMapping } from '../parameters/http-api-mapping.js';
import { compileTemplates, renderTemplate, selectRequestTemplate } from '../request/templates.js';
import { compileNamedTemplate } from '../request/compile-template.js';
import { isProxyType } from '../integrations/index.js';
import { convertRequestPayload, decodeBase64 } from './content-handling.js';

/** Headers that describe one hop, never forwarded (RFC 9110 section 7.6.1) plus Host, which the backend URL decides. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

interface RestMapping {
  path: [string, SourceReader][];
  querystring: [string, SourceReader][];
  header: [string, SourceReader][];
}

export function integrationRequestStage({ route, api }: StageBuildInput): Stage | null {
  const integration = route.integration;
  // Lambda proxy builds its event from the method request itself.
  if (integration.type === 'AWS_PROXY') return null;
  if (api.protocol === 'HTTP') {
    const mapping = compileHttpApiMapping(integration.requestParameters);
    return (ctx) => {
      const request = proxyRequest(ctx, integration);
      mapping(ctx, request);
      ctx.integrationRequest = request;
    };
  }
  const mapping = compileRestMapping(integration.requestParameters);
  if (isProxyType(integration.type)) {
    return (ctx) => {
      const request = proxyRequest(ctx, integration);
      applyRestMapping(ctx, mapping, request);
      ctx.integrationRequest = request;
    };
  }
  const templates = compileTemplates(integration.requestTemplates, (source) =>
    compileNamedTemplate(source, 'requestTemplates'),
  );
  const behavior = integration.passthroughBehavior;
  const contentHandling = integration.contentHandling;
  return (ctx) => {
    const contentType = ctx.request.headers.get('content-type');
    const binary = ctx.api.isBinaryMediaType(contentType);
    const choice = selectRequestTemplate(templates, contentType, behavior);
    if (choice.kind === 'unsupported') throw new GatewayError('UNSUPPORTED_MEDIA_TYPE');
    const request: IntegrationRequest = {
      method: backendMethod(integration, ctx),
      uri: integration.uri,
      headers: new HeaderList(),
      query: new Map(),
      pathParameters: {},
      pathOverride: null,
      body: EMPTY,
    };
    if (choice.kind === 'template') {
      const payload = binary ? ctx.request.body.toString('base64') : ctx.request.body.toString('utf8');
      const rendered = Buffer.from(renderTemplate(choice.template, ctx, payload), 'utf8');
      // The template's output is text: CONVERT_TO_BINARY base64-decodes it too.
      request.body = contentHandling === 'CONVERT_TO_BINARY' ? decodeBase64(rendered) : rendered;
      request.headers.set('Content-Type', choice.contentType);
    } else {
      request.body = convertRequestPayload(ctx.request.body, binary, contentHandling);
      if (contentType !== undefined) request.headers.set('Content-Type', contentType);
    }
    // AWS services answer in the protocol the Accept header asks for; API Gateway asks for JSON unless a mapping says otherwise.
    request.headers.set('Accept', integration.type === 'HTTP' ? (ctx.request.headers.get('accept') ?? 'application/json') : 'application/json');
    applyRestMapping(ctx, mapping, request);
    applyRequestOverride(ctx, request);
    ctx.integrationRequest = request;
  };
}

const EMPTY = Buffer.alloc(0);

function backendMethod(integration: IntegrationDefinition, ctx: RequestContext): string {
  const method = integration.httpMethod.toUpperCase();
  return method === 'ANY' || method === '' ? ctx.request.method : method;
}

/** The client's request as a proxy forwards it: every end-to-end header, the whole query, the raw body. */
function proxyRequest(ctx: RequestContext, integration: IntegrationDefinition): IntegrationRequest {
  const headers = new HeaderList();
  for (const [name, values] of ctx.request.headers.entries()) {
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    for (const value of values) headers.append(name, value);
  }
  const query = new Map<string, string[]>();
  for (const [name, values] of ctx.request.query) query.set(name, values.slice());
  return {
    method: backendMethod(integration, ctx),
    uri: integration.uri,
    headers,
    query,
    pathParameters: { ...ctx.pathParameters },
    pathOverride: null,
    body: ctx.request.body,
  };
}

function compileRestMapping(parameters: Record<string, string>): RestMapping {
  const mapping: RestMapping = { path: [], querystring: [], header: [] };
  for (const [target, source] of Object.entries(parameters)) {
    const match = /^integration\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$/.exec(target);
    if (match === null) throw new Error(`requestParameters: target ${target} must be integration.request.{path|querystring|header}.NAME`);
    const kind = match[1]!.replace('multivalue', '') as keyof RestMapping;
    mapping[kind].push([match[2]!, compileSource(source)]);
  }
  return mapping;
}

function applyRestMapping(ctx: RequestContext, mapping: RestMapping, request: IntegrationRequest): void {
  for (const [name, read] of mapping.path) {
    const value = read(ctx);
    if (value !== undefined) request.pathParameters[name] = Array.isArray(value) ? value.join(',') : value;
  }
  for (const [name, read] of mapping.querystring) {
    const value = read(ctx);
    if (value !== undefined) request.query.set(name, Array.isArray(value) ? value : [value]);
  }
  for (const [name, read] of mapping.header) {
    const value = read(ctx);
    if (value !== undefined) request.headers.set(name, Array.isArray(value) ? value.join(',') : value);
  }
}

/** `#set($context.requestOverride.header.X = ...)` in the request template wins over the mapping. */
function applyRequestOverride(ctx: RequestContext, request: IntegrationRequest): void {
  const override = ctx.requestOverride;
  if (override === null) return;
  for (const [name, value] of Object.entries(override.header)) request.headers.set(name, String(value));
  for (const [name, value] of Object.entries(override.querystring)) request.query.set(name, [String(value)]);
  for (const [name, value] of Object.entries(override.path)) request.pathParameters[name] = String(value);
}
