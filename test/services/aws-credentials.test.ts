/**
 * Target `aws` signs with the standard credential chain: a profile of the shared credentials file
 * (AWS_SHARED_CREDENTIALS_FILE + AWS_PROFILE), a `credential_process` profile of the config file
 * (resolved again before its credentials expire), for the gateway's `AWS` integrations and for
 * functions sent to Lambda alike. AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_LAMBDA point "AWS" at a
 * local server that records which access key signed each request.
 * AWS docs: SDKs and Tools Reference Guide, "Shared config and credentials files", "Process
 * credential provider" (Version 1 JSON with Expiration), "Service-specific endpoints"; the JS SDK
 * refreshes credentials that expire within five minutes (@aws-sdk/credential-provider-node).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway, type TestResponse } from '../support/gateway.js';
import { until } from '../support/wait.js';
import { parseTargets } from '../../src/http/service-targets.js';
import { parseLambdaTargets } from '../../src/lambda/index.js';

const TEMPLATE = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: hello
      Runtime: nodejs20.x
      CodeUri: fn
      Handler: hello.handler
      Events:
        Get: {Type: Api, Properties: {Path: /hello, Method: get}}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        openapi: 3.0.1
        info: {title: store, version: "1"}
        paths:
          /items:
            post:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: arn:aws:apigateway:us-east-1:dynamodb:action/PutItem
                requestTemplates:
                  application/json: '{"TableName": "items", "Item": {"id": {"S": "1"}}}'
                responses: {default: {statusCode: "200"}}
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, StageName: dev, DeploymentId: x}
`;
const FILES = { 'fn/hello.mjs': `export const handler = async () => ({ statusCode: 200, body: 'local' });` };

/** Who signed what: `service` from the credential scope, the access key id, the session token. */
interface Signed {
  service: string;
  accessKeyId: string;
  token: string | undefined;
}

const home = mkdtempSync(join(tmpdir(), 'gatehouse-creds-'));
const signed: Signed[] = [];
let aws: Server;
let gw: TestGateway | undefined;

before(async () => {
  aws = createServer((req, res) => {
    const credential = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(req.headers['authorization']));
    signed.push({ service: credential?.[2] ?? '', accessKeyId: credential?.[1] ?? '', token: req.headers['x-amz-security-token'] as string | undefined });
    req.resume();
    req.on('end', () => {
      const lambda = req.url!.startsWith('/2015-03-31/functions/');
      res.writeHead(200, { 'content-type': lambda ? 'application/json' : 'application/x-amz-json-1.0' });
      res.end(lambda ? JSON.stringify({ statusCode: 200, body: 'from aws' }) : '{}');
    });
  });
  await new Promise<void>((resolve) => aws.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(aws.address() as AddressInfo).port}`;

  const script = join(home, 'creds.mjs');
  // A credential process: a new key each time it runs; `short` keys expire in a minute (inside the refresh window).
  writeFileSync(
    script,
    `import { readFileSync, writeFileSync } from 'node:fs';
const file = new URL('./runs', import.meta.url);
let runs = 0;
try { runs = Number(readFileSync(file, 'utf8')); } catch {}
writeFileSync(file, String(++runs));
const minutes = process.argv[2] === 'short' ? 1 : 60;
process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: 'AKIAPROCESS' + String(runs).padStart(9, '0'), SecretAccessKey: 'process-secret', SessionToken: 'process-token-' + runs, Expiration: new Date(Date.now() + minutes * 60000).toISOString() }));
`,
  );
  writeFileSync(join(home, 'credentials'), '[static]\naws_access_key_id = AKIASTATICPROFILE001\naws_secret_access_key = static-secret\n');
  writeFileSync(
    join(home, 'config'),
    `[profile short]\ncredential_process = ${process.execPath} ${script} short\n\n[profile long]\ncredential_process = ${process.execPath} ${script} long\n`,
  );
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL']) delete process.env[name];
  Object.assign(process.env, {
    HOME: home,
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: url,
    AWS_ENDPOINT_URL_LAMBDA: url,
  });
});
after(async () => {
  await gw?.close();
  await new Promise((resolve) => aws.close(resolve));
  rmSync(home, { recursive: true, force: true });
});

/** Starts a gatehouse sending DynamoDB and the function to "AWS", with AWS_PROFILE=profile. */
async function serveWith(profile: string): Promise<TestGateway> {
  await gw?.close();
  process.env['AWS_PROFILE'] = profile;
  gw = await startTestGateway(TEMPLATE, {
    fileName: 'template.yaml',
    files: FILES,
    serve: { targets: parseTargets({ dynamodb: 'aws' }), lambdaTargets: parseLambdaTargets(['lambda=aws']) },
  });
  signed.length = 0;
  return gw;
}

/** One integration call and one function call; what signed them. */
async function round(gateway: TestGateway): Promise<Signed[]> {
  const from = signed.length;
  const put: TestResponse = await gateway.call('POST', '/dev/items', { headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(put.status, 200, put.text);
  const hello: TestResponse = await gateway.call('GET', '/Prod/hello');
  assert.equal(hello.text, 'from aws');
  return signed.slice(from);
}

test('a profile of the shared credentials file signs integrations and function calls', async () => {
  const gateway = await serveWith('static');
  const calls = [...(await round(gateway)), ...(await round(gateway))];
  assert.deepEqual(
    calls.map((c) => [c.service, c.accessKeyId, c.token]),
    [
      ['dynamodb', 'AKIASTATICPROFILE001', undefined],
      ['lambda', 'AKIASTATICPROFILE001', undefined],
      ['dynamodb', 'AKIASTATICPROFILE001', undefined],
      ['lambda', 'AKIASTATICPROFILE001', undefined],
    ],
  );
});

test('credential_process keys are cached, and resolved again once within five minutes of expiring', async () => {
  const long = await serveWith('long');
  const cached = [...(await round(long)), ...(await round(long)), ...(await round(long))];
  assert.equal(new Set(cached.map((c) => c.accessKeyId)).size, 1, 'one resolution serves every call');
  assert.match(cached[0]!.accessKeyId, /^AKIAPROCESS\d{9}$/);
  assert.match(cached[0]!.token ?? '', /^process-token-\d+$/);

  // Keys that expire in a minute are refreshed (in the background, as the SDKs do) while still valid.
  const short = await serveWith('short');
  const [first] = await round(short);
  const newer = await until('a refreshed key', async () => {
    const [call] = await round(short);
    return call!.accessKeyId > first!.accessKeyId ? call : undefined;
  });
  assert.notEqual(newer.token, first!.token);
});

test('gatehouse does not start when target aws has no credentials', async () => {
  await gw?.close();
  gw = undefined;
  process.env['AWS_PROFILE'] = 'missing';
  await assert.rejects(
    startTestGateway(TEMPLATE, { fileName: 'template.yaml', files: FILES, serve: { targets: parseTargets({ dynamodb: 'aws' }) } }),
    /--target \.\.\.=aws needs AWS credentials from the standard chain/,
  );
});
