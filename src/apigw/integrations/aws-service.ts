/**
 * The `AWS` integration type for services other than Lambda: the integration request becomes the
 * service request exactly as API Gateway builds it — `action/{Action}` (JSON services get
 * `X-Amz-Target`, query services `Action=`) or `path/{path}` with `{param}` filled from the
 * integration request path parameters — signed with SigV4 and sent to the service's target
 * (the embedded endpoint by default; `--target`: real AWS or another engine, http/service-targets.ts). The service's answer is the endpoint response.
 * AWS docs: "Set up an API integration request" (AWS service URIs), "Tutorial: Create a REST API
 * as an Amazon S3 proxy", "Tutorial: ... Amazon SQS / Kinesis / DynamoDB proxy".
 */
import { GatewayError } from '../../core/errors.js';
import { UpstreamError } from '../../http/client.js';
import { SigV4Signer, LOCAL_CREDENTIALS } from '../../http/sigv4-signer.js';
import { integrationSigner } from '../auth/integration-credentials.js';
import type { Integration, IntegrationFactory } from './index.js';
import { HOP_BY_HOP } from '../stages/integration-request.js';
import { endpointHeaders } from './endpoint-headers.js';

/** AWS JSON-protocol services: `X-Amz-Target` prefix and JSON version. */
const JSON_SERVICES: Readonly<Record<string, { target: string; version: '1.0' | '1.1' }>> = {
  dynamodb: { target: 'DynamoDB_20120810', version: '1.0' },
  kinesis: { target: 'Kinesis_20131202', version: '1.1' },
  states: { target: 'AWSStepFunctions', version: '1.0' },
  events: { target: 'AWSEvents', version: '1.1' },
  firehose: { target: 'Firehose_20150804', version: '1.1' },
  logs: { target: 'Logs_20140328', version: '1.1' },
  secretsmanager: { target: 'secretsmanager', version: '1.1' },
  ssm: { target: 'AmazonSSM', version: '1.1' },
};

const LOCAL_SIGNER = new SigV4Signer(LOCAL_CREDENTIALS);

export interface AwsServiceUri {
  region: string;
  service: string;
  /** `bucket` in `bucket.s3`: the virtual-host subdomain. */
  subdomain: string | null;
  kind: 'action' | 'path';
  /** The action name, or the path after `path/`. */
  value: string;
}

export function parseAwsServiceUri(uri: string): AwsServiceUri | null {
  const match = /^arn:aws[a-z-]*:apigateway:([a-z0-9-]+):([a-z0-9.-]+):(action|path)\/(.*)$/.exec(uri);
  if (match === null) return null;
  const [, region, host, kind, value] = match as unknown as [string, string, string, 'action' | 'path', string];
  const dot = host.lastIndexOf('.');
  return {
    region,
    service: dot === -1 ? host : host.slice(dot + 1),
    subdomain: dot === -1 ? null : host.slice(0, dot),
    kind,
    value,
  };
}

export const awsServiceIntegration: IntegrationFactory = ({ route, services }): Integration => {
  const integration = route.integration;
  const uri = parseAwsServiceUri(integration.uri);
  if (uri === null) throw new Error(`AWS integration uri ${JSON.stringify(integration.uri)} is not arn:aws:apigateway:{region}:{service}:{action|path}/...`);
  const json = JSON_SERVICES[uri.service];
  if (uri.kind === 'action' && uri.value === '') throw new Error(`AWS integration uri ${integration.uri} names no action`);
  const target = services.targets?.forService(uri.service, uri.region) ?? { url: new URL(services.awsEndpoint), signer: LOCAL_SIGNER, embedded: true };
  const endpoint = target.url;
  const timeoutMs = integration.timeoutInMillis;
  // S3's virtual-host form (`bucket.s3`) is sent path-style to the endpoint.
  const pathPrefix = uri.service === 's3' && uri.subdomain !== null ? `/${uri.subdomain}` : '';
  const signerFor = integrationSigner(integration.credentials, services.auth?.accessKeys);

  return {
    async invoke(ctx) {
      const request = ctx.integrationRequest!;
      const headers: Record<string, string> = {};
      for (const [name, values] of request.headers.entries()) {
        if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name.toLowerCase()] = values.join(',');
      }
      const query: Record<string, string | string[]> = {};
      for (const [name, values] of request.query) query[name] = values.length === 1 ? values[0]! : values;
      let path: string;
      if (uri.kind === 'action') {
        path = '/';
        if (json !== undefined) {
          headers['x-amz-target'] = `${json.target}.${uri.value}`;
          headers['content-type'] = `application/x-amz-json-${json.version}`;
        } else {
          query['Action'] = uri.value;
        }
      } else {
        path = pathPrefix + '/' + fillPath(uri.value, request.pathParameters);
      }
      const method = request.method;
      const body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : request.body;
      // An integration role's keys sign calls to the embedded services (IAM enforcement); another target gets the target's credentials.
      const signed = await ((target.embedded && signerFor !== null ? signerFor(ctx) : null) ?? target.signer).sign(
        {
          method,
          protocol: endpoint.protocol,
          hostname: endpoint.hostname,
          ...(endpoint.port === '' ? {} : { port: Number(endpoint.port) }),
          path,
          query,
          headers,
          body,
        },
        uri.region,
        uri.service,
      );
      const queryString = encodeQuery(query);
      let response;
      try {
        response = await services.http.request({
          origin: endpoint.origin,
          path: queryString === '' ? path : `${path}?${queryString}`,
          method,
          headers: Object.entries(signed),
          body: body.length === 0 && (method === 'GET' || method === 'HEAD') ? null : body,
          timeoutMs,
        });
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error;
        services.log.warn(`${ctx.requestId} ${uri.service} ${uri.kind}/${uri.value}: ${error.message}`);
        throw error.kind === 'timeout'
          ? new GatewayError('INTEGRATION_TIMEOUT', undefined, { cause: error })
          : new GatewayError('INTEGRATION_FAILURE', 'Internal server error', { status: 500, cause: error });
      }
      const responseHeaders = endpointHeaders(response.rawHeaders);
      ctx.endpointResponse = {
        statusCode: response.statusCode,
        headers: responseHeaders,
        body: response.body,
        selectionInput: String(response.statusCode),
        isProxyResponse: false,
      };
    },
  };
};

/** `{bucket}/{object}` with each value percent-encoded as one path segment (S3 keys keep their slashes). */
function fillPath(template: string, parameters: Record<string, string>): string {
  return template.replace(/\{([^{}+]+)\+?\}/g, (whole, name: string) => {
    const value = parameters[name];
    return value === undefined ? whole : value.split('/').map(encodeRfc3986).join('/');
  });
}

function encodeQuery(query: Record<string, string | string[]>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${encodeRfc3986(name)}=${encodeRfc3986(v)}`);
  }
  return parts.join('&');
}

/** SigV4 canonical encoding: everything but unreserved characters, which encodeURIComponent leaves alone for !'()*. */
function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
