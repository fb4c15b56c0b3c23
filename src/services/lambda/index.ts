/**
 * The Lambda API on the embedded endpoint (REST-JSON, 2015-03-31): Invoke, GetFunction and
 * ListFunctions over the same local runtime the gateway invokes, so `aws lambda invoke` and the
 * SDK work against gatehouse.
 * AWS docs: Lambda API reference "Invoke" (API_Invoke.html), "GetFunction", "ListFunctions".
 */
import type { ServerResponse } from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import type { FunctionDefinition } from '../../definitions/model.js';
import { LambdaServiceError, type LambdaRuntime } from '../../lambda/index.js';
import type { EmbeddedService, ServiceRequest } from '../service.js';

const PREFIX = '/2015-03-31/functions';
/** AWS returns at most the last 4 KB of the log in X-Amz-Log-Result. */
const LOG_TAIL_BYTES = 4096;

export function lambdaApiService(runtime: LambdaRuntime, functions: FunctionDefinition[]): EmbeddedService {
  const started = new Date().toISOString().replace('Z', '+0000');
  return {
    name: 'lambda',
    matches: (request) => request.path === PREFIX || request.path.startsWith(PREFIX + '/'),
    async handle(request, res) {
      const rest = decodeURIComponent(request.path.slice(PREFIX.length)).replace(/^\/|\/$/g, '');
      try {
        if (rest === '' && request.method === 'GET') {
          writeJson(res, 200, { Functions: functions.map((fn) => configuration(fn, started)) });
          return;
        }
        const invoke = /^(.+)\/invocations$/.exec(rest);
        if (invoke !== null && request.method === 'POST') {
          await handleInvoke(runtime, invoke[1]!, request, res);
          return;
        }
        if (!rest.includes('/') && request.method === 'GET') {
          const fn = runtime.get(rest);
          if (fn === undefined) throw notFound(rest);
          writeJson(res, 200, {
            Configuration: configuration(fn, started),
            Code: { RepositoryType: 'S3', Location: `file://${fn.codeDir ?? ''}` },
          });
          return;
        }
        throw new LambdaServiceError('UnknownOperationException', `Unsupported operation ${request.method} ${request.path}`, 400);
      } catch (error) {
        if (!(error instanceof LambdaServiceError)) throw error;
        writeError(res, error);
      }
    },
    async close() {},
  };
}

async function handleInvoke(runtime: LambdaRuntime, name: string, request: ServiceRequest, res: ServerResponse): Promise<void> {
  const type = header(request, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
    throw new LambdaServiceError('InvalidParameterValueException', `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint`, 400);
  }
  if (!runtime.has(name)) throw notFound(name);
  if (type === 'DryRun') {
    res.writeHead(204, { 'x-amzn-RequestId': randomUUID() });
    res.end();
    return;
  }
  const clientContext = header(request, 'x-amz-client-context');
  const result = await runtime.invoke(name, request.body, {
    invocationType: type,
    ...(clientContext === undefined ? {} : { clientContext }),
  });
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Content-Length': String(result.payload.length),
    'x-amzn-RequestId': result.requestId,
    'X-Amz-Executed-Version': '$LATEST',
  };
  if (result.functionError !== undefined) headers['X-Amz-Function-Error'] = result.functionError;
  if (type === 'RequestResponse' && header(request, 'x-amz-log-type') === 'Tail') {
    const log = Buffer.from(result.logTail, 'utf8');
    headers['X-Amz-Log-Result'] = log.subarray(Math.max(0, log.length - LOG_TAIL_BYTES)).toString('base64');
  }
  res.writeHead(type === 'Event' ? 202 : 200, headers);
  res.end(result.payload);
}

function configuration(fn: FunctionDefinition, lastModified: string): Record<string, unknown> {
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Runtime: fn.runtime,
    Role: `arn:aws:iam::${fn.arn.split(':')[4] ?? '000000000000'}:role/${fn.name}-role`,
    Handler: fn.handler,
    CodeSize: 0,
    Description: '',
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: lastModified,
    CodeSha256: createHash('sha256').update(fn.codeDir ?? fn.inlineCode ?? '').digest('base64'),
    Version: '$LATEST',
    Environment: { Variables: fn.environment },
    TracingConfig: { Mode: 'PassThrough' },
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: fn.architectures.length === 0 ? ['x86_64'] : fn.architectures,
    EphemeralStorage: { Size: 512 },
  };
}

function notFound(name: string): LambdaServiceError {
  const arn = name.startsWith('arn:') ? name : `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
  return new LambdaServiceError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
}

function header(request: ServiceRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(data.length), 'x-amzn-RequestId': randomUUID() });
  res.end(data);
}

/** Lambda's REST-JSON errors: the type in `x-amzn-ErrorType`, `{"Type": "User", "message": ...}` as body. */
export function writeError(res: ServerResponse, error: LambdaServiceError): void {
  const data = Buffer.from(JSON.stringify({ Type: error.statusCode >= 500 ? 'Service' : 'User', message: error.message }), 'utf8');
  res.writeHead(error.statusCode, {
    'Content-Type': 'application/json',
    'Content-Length': String(data.length),
    'x-amzn-RequestId': randomUUID(),
    'x-amzn-ErrorType': error.code,
  });
  res.end(data);
}
