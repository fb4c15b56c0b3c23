/** Test support: a gatehouse started in-process on free ports from a definition written to a temp dir. */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { request as undiciRequest } from 'undici';
import { stringify } from 'yaml';
import { startGatehouse, type Gatehouse, type GatehouseOptions } from '../../src/server/gatehouse.js';
import { createLogger, type Logger } from '../../src/core/log.js';

export interface TestGateway {
  gatehouse: Gatehouse;
  dir: string;
  file: string;
  call(method: string, path: string, init?: { headers?: Record<string, string>; body?: string | Buffer }): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: Buffer;
  json(): unknown;
}

/** Writes `definition` (an object, dumped as YAML, or a string) and serves it. */
export async function startTestGateway(
  definition: object | string,
  options: {
    stage?: string;
    fileName?: string;
    watch?: boolean;
    parameterOverrides?: Record<string, string>;
    /** Extra files (function code) to write beside the definition, by relative path. */
    files?: Record<string, string>;
    /** Defaults to a silent logger (tests that read log lines pass their own). */
    log?: Logger;
    /** `--enforce-iam`, and an IAM config written beside the definition (`--iam-config`). */
    iam?: { enforce: boolean; config?: object };
    /** More `gatehouse serve` options (--verify-signatures, --target). */
    serve?: Pick<GatehouseOptions, 'verifySignatures' | 'targets' | 'lambdaTargets'>;
  } = {},
): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const file = join(dir, options.fileName ?? 'openapi.yaml');
  for (const [name, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  writeFileSync(file, typeof definition === 'string' ? definition : stringify(definition));
  if (options.iam?.config !== undefined) writeFileSync(join(dir, 'iam.yaml'), stringify(options.iam.config));
  const gatehouse = await startGatehouse({
    file,
    port: 0,
    awsPort: 0,
    host: '127.0.0.1',
    dataDir: join(dir, 'data'),
    watch: options.watch ?? false,
    parameterOverrides: options.parameterOverrides ?? {},
    log: options.log ?? createLogger('silent'),
    ...(options.iam && { enforceIam: options.iam.enforce, ...(options.iam.config !== undefined && { iamConfig: join(dir, 'iam.yaml') }) }),
    ...(options.stage === undefined ? {} : { stage: options.stage }),
    ...options.serve,
  });
  return {
    gatehouse,
    dir,
    file,
    call: (method, path, init = {}) => call(gatehouse.apiUrl, method, path, init),
    async close() {
      await gatehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<TestResponse> {
  const res = await undiciRequest(baseUrl + path, {
    method: method as 'GET',
    headers: init.headers ?? {},
    body: init.body ?? null,
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  const text = body.toString('utf8');
  return { status: res.statusCode, headers: res.headers, text, body, json: () => JSON.parse(text) as unknown };
}

/** A REST API OpenAPI document with one MOCK-backed path per entry. */
export function mockOperation(responseTemplate: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    responses: { '200': { description: 'ok' } },
    'x-amazon-apigateway-integration': {
      type: 'mock',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      responses: { default: { statusCode: '200', responseTemplates: { 'application/json': responseTemplate } } },
    },
    ...extra,
  };
}

/**
 * A SAM template: a REST API (`Api`, stage `stage`) whose DefinitionBody holds `paths`, plus one
 * Node.js function per entry of `functions` (logical id -> handler, code under `fn/`).
 */
export function samFunctionsApi(stage: string, paths: Record<string, unknown>, functions: Record<string, string>): Record<string, unknown> {
  const resources: Record<string, unknown> = {
    Api: {
      Type: 'AWS::Serverless::Api',
      Properties: { StageName: stage, DefinitionBody: { openapi: '3.0.1', info: { title: 'test-api', version: '1' }, paths } },
    },
  };
  for (const [logicalId, handler] of Object.entries(functions)) {
    resources[logicalId] = { Type: 'AWS::Serverless::Function', Properties: { Runtime: 'nodejs20.x', CodeUri: 'fn', Handler: handler } };
  }
  return { AWSTemplateFormatVersion: '2010-09-09', Transform: 'AWS::Serverless-2016-10-31', Resources: resources };
}

/** The Lambda invocation URI of a template function, for `x-amazon-apigateway-integration.uri`. */
export function lambdaInvocationUri(logicalId: string): Record<string, string> {
  return { 'Fn::Sub': `arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${logicalId}.Arn}/invocations` };
}
