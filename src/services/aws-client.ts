/**
 * A minimal AWS client for gatehouse's own calls to AWS services (Step Functions tasks, event source
 * destinations, the Data API's secrets): JSON-protocol actions by `X-Amz-Target`, S3 objects by path,
 * signed like any SDK request and sent where the service's `--target` points (http/service-targets.ts:
 * the embedded endpoint by default, real AWS or another engine), the same resolution the gateway's
 * `AWS` integrations use.
 * AWS docs: Smithy "AWS JSON 1.0/1.1 protocol"; Step Functions "service integrations".
 */
import type { HttpClient } from '../http/client.js';
import type { ServiceTargets } from '../http/service-targets.js';
import { queryBody, readQueryResponse, SNS_MAPS } from './query-call.js';

const JSON_TARGETS: Readonly<Record<string, { prefix: string; version: '1.0' | '1.1'; signingName: string }>> = {
  dynamodb: { prefix: 'DynamoDB_20120810', version: '1.0', signingName: 'dynamodb' },
  sqs: { prefix: 'AmazonSQS', version: '1.0', signingName: 'sqs' },
  kinesis: { prefix: 'Kinesis_20131202', version: '1.1', signingName: 'kinesis' },
  states: { prefix: 'AWSStepFunctions', version: '1.0', signingName: 'states' },
  sfn: { prefix: 'AWSStepFunctions', version: '1.0', signingName: 'states' },
  secretsmanager: { prefix: 'secretsmanager', version: '1.1', signingName: 'secretsmanager' },
};

/**
 * REST-JSON services by operation path. Step Functions writes SDK member names in PascalCase; the wire
 * uses camelCase (RDS Data API Reference), so keys are converted both ways.
 */
const REST_JSON: Readonly<Record<string, { signingName: string; paths: Record<string, string> }>> = {
  rdsdata: {
    signingName: 'rds-data',
    paths: {
      ExecuteStatement: '/Execute',
      BatchExecuteStatement: '/BatchExecute',
      BeginTransaction: '/BeginTransaction',
      CommitTransaction: '/CommitTransaction',
      RollbackTransaction: '/RollbackTransaction',
    },
  },
};

export type CallAws = (service: string, action: string, input: unknown) => Promise<unknown>;

/** An error as the service reported it; `name` is the AWS error code. */
export class AwsCallError extends Error {
  constructor(code: string, message: string) {
    super(message);
    this.name = code;
  }
}

export function awsClient(targets: ServiceTargets, http: HttpClient, region: string): CallAws {
  async function send(method: string, path: string, headers: Record<string, string>, body: Buffer, signingName: string) {
    const { url, signer } = targets.forService(signingName, region);
    const signed = await signer.sign(
      { protocol: url.protocol, hostname: url.hostname, ...(url.port === '' ? {} : { port: Number(url.port) }), method, path, query: {}, headers, body },
      region,
      signingName,
    );
    return http.request({ origin: url.origin, path, method, headers: Object.entries(signed), body: method === 'GET' ? null : body, timeoutMs: 60_000 });
  }

  return async (service, action, input) => {
    if (service === 's3') return s3Call(action, input as Record<string, unknown>, send);
    if (service === 'sns') return snsCall(action, input as Record<string, unknown>, send);
    const rest = REST_JSON[service];
    if (rest !== undefined) return restJsonCall(rest, action, input, send);
    const json = JSON_TARGETS[service];
    if (json === undefined) throw new AwsCallError('States.Runtime', `gatehouse does not embed the ${service} service`);
    const response = await send(
      'POST',
      '/',
      { 'x-amz-target': `${json.prefix}.${action}`, 'content-type': `application/x-amz-json-${json.version}` },
      Buffer.from(JSON.stringify(input ?? {}), 'utf8'),
      json.signingName,
    );
    const text = response.body.toString('utf8');
    const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    if (response.statusCode >= 300) {
      const type = String(parsed['__type'] ?? 'ServiceException');
      throw new AwsCallError(type.slice(type.lastIndexOf('#') + 1), String(parsed['message'] ?? parsed['Message'] ?? text));
    }
    return parsed;
  };
}

async function restJsonCall(rest: (typeof REST_JSON)[string], action: string, input: unknown, send: Send): Promise<unknown> {
  const path = rest.paths[action];
  if (path === undefined) throw new AwsCallError('States.Runtime', `${rest.signingName} action ${action} is not available to Step Functions tasks in gatehouse`);
  const body = Buffer.from(JSON.stringify(recase(input ?? {}, (k) => k[0]!.toLowerCase() + k.slice(1))), 'utf8');
  const response = await send('POST', path, { 'content-type': 'application/json' }, body, rest.signingName);
  const parsed = JSON.parse(response.body.toString('utf8') || '{}') as Record<string, unknown>;
  if (response.statusCode >= 300) {
    const type = response.rawHeaders.find(([name]) => name.toLowerCase() === 'x-amzn-errortype')?.[1] ?? 'ServiceException';
    throw new AwsCallError(type.split(':')[0]!, String(parsed['message'] ?? ''));
  }
  return recase(parsed, (k) => k[0]!.toUpperCase() + k.slice(1));
}

function recase(value: unknown, key: (k: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => recase(v, key));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k === '' ? k : key(k), recase(v, key)]));
}

/** SNS speaks only the query protocol (real SNS and other engines have no JSON form). */
async function snsCall(action: string, input: Record<string, unknown>, send: Send): Promise<unknown> {
  const body = Buffer.from(queryBody(action, '2010-03-31', input, SNS_MAPS), 'utf8');
  const response = await send('POST', '/', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body, 'sns');
  const answer = readQueryResponse(response.body.toString('utf8'), action);
  if ('code' in answer) throw new AwsCallError(answer.code, answer.message);
  if (response.statusCode >= 300) throw new AwsCallError('ServiceException', response.body.toString('utf8'));
  return answer.result;
}

type Send = (method: string, path: string, headers: Record<string, string>, body: Buffer, signingName: string) => ReturnType<HttpClient['request']>;

async function s3Call(action: string, input: Record<string, unknown>, send: Send): Promise<unknown> {
  const path = `/${encodeURIComponent(String(input['Bucket']))}/${String(input['Key'] ?? '').split('/').map(encodeURIComponent).join('/')}`;
  if (action === 'GetObject') {
    const response = await send('GET', path, {}, Buffer.alloc(0), 's3');
    if (response.statusCode >= 300) throw new AwsCallError(/<Code>([^<]+)<\/Code>/.exec(response.body.toString())?.[1] ?? 'S3Error', response.body.toString());
    return { Body: response.body.toString('utf8') };
  }
  if (action === 'PutObject') {
    const body = Buffer.from(typeof input['Body'] === 'string' ? input['Body'] : JSON.stringify(input['Body'] ?? ''), 'utf8');
    const response = await send('PUT', path, {}, body, 's3');
    if (response.statusCode >= 300) throw new AwsCallError(/<Code>([^<]+)<\/Code>/.exec(response.body.toString())?.[1] ?? 'S3Error', response.body.toString());
    return { ETag: response.rawHeaders.find(([name]) => name.toLowerCase() === 'etag')?.[1] };
  }
  throw new AwsCallError('States.Runtime', `S3 action ${action} is not available to Step Functions tasks in gatehouse`);
}
