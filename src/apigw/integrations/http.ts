/**
 * HTTP and HTTP_PROXY integrations (internet or VPC link): sends the integration request to the
 * backend URI with `{param}` and `${stageVariables.x}` filled, within `timeoutInMillis`.
 * An unreachable backend is INTEGRATION_FAILURE, a slow one INTEGRATION_TIMEOUT (504 "Endpoint
 * request timed out"), a VPC link with no healthy target a configuration error (500).
 * AWS docs: "HTTP integrations for REST APIs", "Set up HTTP proxy integrations",
 * "Amazon API Gateway quotas" (29 s integration timeout), re:Post "API Gateway 500 error VPC link".
 */
import { GatewayError } from '../../core/errors.js';
import { UpstreamError, type UpstreamRequest } from '../../http/client.js';
import { forwardedFor, type IntegrationRequest, type RequestContext } from '../context.js';
import type { Integration, IntegrationFactory } from './index.js';
import { integrationTimeout } from './timeout.js';
import { endpointHeaders } from './endpoint-headers.js';

/** REST APIs hand the backend's Connection on as x-amzn-Remapped-Connection (response/remapped-headers.ts) instead of dropping it. */
const REST_REMAPPED: ReadonlySet<string> = new Set(['connection']);

export const httpIntegration: IntegrationFactory = ({ route, api, services }): Integration => {
  const integration = route.integration;
  const proxy = integration.type === 'HTTP_PROXY';
  const viaVpcLink = integration.connectionType === 'VPC_LINK';
  const uriTemplate = integration.uri;
  if (!viaVpcLink && !/^https?:\/\//i.test(uriTemplate) && !uriTemplate.includes('${stageVariables.')) {
    throw new Error(`integration uri ${JSON.stringify(uriTemplate)} must be an http(s) URL`);
  }
  const timeoutMs = integration.timeoutInMillis;
  const insecure = integration.tlsConfig?.insecureSkipVerification === true;
  const isHttpApi = api.protocol === 'HTTP';

  return {
    async invoke(ctx) {
      const request = ctx.integrationRequest!;
      const target = resolveTarget(ctx, request, uriTemplate);
      let origin = target.origin;
      if (viaVpcLink) {
        const linkId = fillStageVariables(integration.connectionId ?? '', ctx);
        if (!services.vpcLinks.has(linkId)) throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error');
        const picked = services.vpcLinks.pick(linkId);
        if (picked === null) throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error');
        origin = picked;
      }
      const headers = outgoingHeaders(ctx, request, proxy);
      const upstream: UpstreamRequest = {
        origin,
        path: target.path,
        method: request.method,
        headers,
        body: request.method === 'GET' || request.method === 'HEAD' ? null : request.body,
        timeoutMs,
        rejectUnauthorized: !insecure,
      };
      let response;
      try {
        response = await services.http.request(upstream);
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error;
        services.log.debug(`${ctx.requestId} ${request.method} ${origin}${target.path}: ${error.message}`);
        if (error.kind === 'timeout') throw integrationTimeout(api.protocol, error);
        throw isHttpApi
          ? new GatewayError('INTEGRATION_FAILURE', 'Service Unavailable', { status: 503, cause: error })
          : new GatewayError('INTEGRATION_FAILURE', 'Internal server error', { cause: error });
      }
      const responseHeaders = endpointHeaders(response.rawHeaders, isHttpApi ? undefined : REST_REMAPPED);
      ctx.endpointResponse = {
        statusCode: response.statusCode,
        headers: responseHeaders,
        body: response.body,
        selectionInput: String(response.statusCode),
        isProxyResponse: proxy,
      };
    },
  };
};

/** Origin and path+query of the backend call. */
function resolveTarget(ctx: RequestContext, request: IntegrationRequest, uriTemplate: string): { origin: string; path: string } {
  const uri = fillStageVariables(uriTemplate, ctx);
  const url = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)([^?#]*)(?:\?([^#]*))?/i.exec(uri);
  if (url === null) throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error');
  const [, origin, rawPath, uriQuery] = url as unknown as [string, string, string, string | undefined];
  let path = request.pathOverride ?? fillPathParameters(rawPath, request.pathParameters);
  if (path === '') path = '/';
  const query = buildQuery(uriQuery, request.query);
  return { origin, path: query === '' ? path : `${path}?${query}` };
}

/** `{name}` and `{name+}` in the URI path, each value percent-encoded but for its slashes. */
function fillPathParameters(path: string, parameters: Record<string, string>): string {
  if (!path.includes('{')) return path;
  return path.replace(/\{([^{}+]+)\+?\}/g, (whole, name: string) => {
    const value = parameters[name];
    return value === undefined ? whole : value.split('/').map(encodeURIComponent).join('/');
  });
}

function fillStageVariables(text: string, ctx: RequestContext): string {
  if (!text.includes('${stageVariables.')) return text;
  return text.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_whole, name: string) => ctx.stage.variables[name] ?? '');
}

function buildQuery(uriQuery: string | undefined, query: Map<string, string[]>): string {
  const parts: string[] = uriQuery === undefined || uriQuery === '' ? [] : [uriQuery];
  for (const [name, values] of query) {
    for (const value of values) parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  }
  return parts.join('&');
}

/**
 * Proxies forward the client's headers; both kinds tell the backend which API called
 * (`x-amzn-apigateway-api-id`) and carry a trace id, as API Gateway does.
 */
function outgoingHeaders(ctx: RequestContext, request: IntegrationRequest, proxy: boolean): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, values] of request.headers.entries()) {
    if (proxy && name.toLowerCase() === 'x-forwarded-for') continue;
    for (const value of values) out.push([name, value]);
  }
  out.push(['x-amzn-apigateway-api-id', ctx.api.id]);
  out.push(['x-amzn-trace-id', ctx.traceId]);
  if (proxy) out.push(['x-forwarded-for', forwardedFor(ctx.request)]);
  else if (!request.headers.has('user-agent')) out.push(['User-Agent', `AmazonAPIGateway_${ctx.api.id}`]);
  return out;
}
