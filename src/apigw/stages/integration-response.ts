/**
 * Integration response (non-proxy integrations): picks the integration response whose
 * `selectionPattern` matches the whole selection input (the backend status, or the Lambda error
 * message), else the default one; maps headers (`method.response.header.X`), renders the response
 * template chosen by Accept (or passes the body through) and applies `$context.responseOverride`.
 * REST responses then carry the headers API Gateway owns as `x-amzn-Remapped-*`.
 * Reads: ctx.endpointResponse. Writes: ctx.response.
 * AWS docs: "Integration responses in API Gateway", "Override your API's request and response
 * parameters and status codes".
 */
import type { IntegrationResponse } from '../../definitions/model.js';
import { GatewayError } from '../../core/errors.js';
import { HeaderList } from '../../core/header-list.js';
import type { RequestContext } from '../context.js';
import type { Stage, StageBuildInput } from '../pipeline.js';
import { compileSource, type SourceReader } from '../parameters/sources.js';
import { compileTemplates, renderTemplate, selectResponseTemplate, DEFAULT_CONTENT_TYPE } from '../request/templates.js';
import { compileNamedTemplate } from '../request/compile-template.js';
import type { CompiledTemplate } from '../mapping/vtl/index.js';
import { isProxyType } from '../integrations/index.js';
import { remapHeaders, remappedHeaderNames } from '../response/remapped-headers.js';
import { acceptedTypes } from '../request/media-types.js';
import { convertResponsePayload } from './content-handling.js';

interface CompiledResponse {
  pattern: RegExp | null;
  statusCode: number;
  headers: [string, SourceReader][];
  templates: Map<string, CompiledTemplate>;
  contentHandling: IntegrationResponse['contentHandling'];
}

export function integrationResponseStage({ route, api }: StageBuildInput): Stage | null {
  const integration = route.integration;
  if (api.protocol === 'HTTP') return proxyResponseStage;
  const remapped = remappedHeaderNames(integration.type);
  const remappedOnHead = remapped.filter((name) => name !== 'Content-Length');
  if (isProxyType(integration.type)) {
    return (ctx) => {
      proxyResponseStage(ctx);
      remapHeaders(ctx.response!.headers, remapped);
    };
  }
  const responses = integration.responses.map(compileResponse);
  const fallback = responses.find((r) => r.pattern === null) ?? null;
  const patterned = responses.filter((r) => r.pattern !== null);

  return (ctx) => {
    const endpoint = ctx.endpointResponse!;
    const input = endpoint.selectionInput;
    let selected = fallback;
    if (input !== undefined) {
      for (const candidate of patterned) {
        if (candidate.pattern!.test(input)) {
          selected = candidate;
          break;
        }
      }
    }
    if (selected === null) {
      // AWS: "No match for output mapping and no default output mapping configured".
      throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error');
    }
    const headers = new HeaderList();
    for (const [name, read] of selected.headers) {
      const value = read(ctx);
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(',') : value);
    }
    // The payload is converted first; a response template reads the converted text (a binary
    // payload reaches it base64-encoded, as the "Access binary files in Amazon S3" example's $input.body).
    const binary = ctx.api.isBinaryMediaType(endpoint.headers.get('content-type'));
    const accept = ctx.request.headers.get('accept');
    const acceptsBinary = ctx.api.isBinaryMediaType(acceptedTypes(accept)[0]);
    let body = convertResponsePayload(endpoint.body, binary, acceptsBinary, selected.contentHandling);
    const choice = selectResponseTemplate(selected.templates, accept);
    if (choice === null) {
      if (!headers.has('content-type')) headers.set('Content-Type', DEFAULT_CONTENT_TYPE);
    } else {
      const [contentType, template] = choice;
      body = Buffer.from(renderTemplate(template, ctx, body.toString('utf8')), 'utf8');
      if (!headers.has('content-type')) headers.set('Content-Type', contentType);
    }
    let statusCode = selected.statusCode;
    const override = ctx.responseOverride;
    if (override !== null) {
      if (override.status !== undefined && override.status !== null && override.status !== '') {
        const status = Number(override.status);
        if (Number.isInteger(status) && status >= 100 && status <= 599) statusCode = status;
      }
      for (const [name, value] of Object.entries(override.header)) headers.set(name, String(value));
    }
    // A HEAD method maps the object's size as its Content-Length (the S3 proxy tutorial's HEAD /{folder}/{item}).
    remapHeaders(headers, ctx.request.method === 'HEAD' ? remappedOnHead : remapped);
    ctx.response = { statusCode, headers, body };
  };
}

/** Proxy integrations: the endpoint response is the client's response. */
function proxyResponseStage(ctx: RequestContext): void {
  const endpoint = ctx.endpointResponse!;
  ctx.response = { statusCode: endpoint.statusCode, headers: endpoint.headers, body: endpoint.body };
}

function compileResponse(response: IntegrationResponse): CompiledResponse {
  const headers: [string, SourceReader][] = [];
  for (const [target, source] of Object.entries(response.responseParameters)) {
    const name = /^method\.response\.header\.(.+)$/.exec(target)?.[1];
    if (name === undefined) throw new Error(`responseParameters: target ${target} must be method.response.header.NAME`);
    headers.push([name, compileSource(source)]);
  }
  const statusCode = Number(response.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new Error(`integration response statusCode ${JSON.stringify(response.statusCode)} is not an HTTP status`);
  }
  let pattern: RegExp | null = null;
  if (response.selectionPattern !== undefined && response.selectionPattern !== '') {
    try {
      // Java's String.matches: the pattern must match the whole input.
      pattern = new RegExp(`^(?:${response.selectionPattern})$`);
    } catch (error) {
      throw new Error(`selectionPattern ${JSON.stringify(response.selectionPattern)} is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  return {
    pattern,
    statusCode,
    headers,
    templates: compileTemplates(response.responseTemplates, (source) => compileNamedTemplate(source, 'responseTemplates')),
    contentHandling: response.contentHandling,
  };
}
