/** Lambda behind the gateway and on the embedded endpoint, driven by real clients. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LambdaClient, InvokeCommand, GetFunctionCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const TEMPLATE = `
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    CodeUri: fn
    Timeout: 1
Resources:
  CounterFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: counter
      Handler: counter.handler
      Events:
        Get: {Type: Api, Properties: {Path: /counter, Method: get}}
  ControlFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: control
      Handler: control.handler
      Events:
        Get: {Type: Api, Properties: {Path: '/control/{action}', Method: get}}
  PythonFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: hello-python
      Runtime: python3.11
      Handler: hello.handler
      Events:
        Get: {Type: HttpApi, Properties: {Path: /py, Method: get}}
`;

let gw: TestGateway;
let lambda: LambdaClient;

before(async () => {
  gw = await startTestGateway(TEMPLATE, { fileName: 'template.yaml', files: {
    // The log stream names the execution environment (a thread or a process).
    'fn/counter.mjs': `let count = 0; const environment = process.env.AWS_LAMBDA_LOG_STREAM_NAME;
export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ count: ++count, environment }) });`,
    'fn/control.mjs': `export const handler = async (event) => {
  const action = event.pathParameters.action;
  if (action === 'sleep') await new Promise((r) => setTimeout(r, 3000));
  if (action === 'exit') process.exit(1);
  return { statusCode: 200, body: JSON.stringify({ action, environment: process.env.AWS_LAMBDA_LOG_STREAM_NAME }) };
};`,
    'fn/hello.py': `import json, os
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"path": event["rawPath"], "fn": context.function_name, "region": os.environ["AWS_REGION"]})}
`,
  } });
  lambda = new LambdaClient({
    endpoint: gw.gatehouse.awsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
});

after(async () => {
  lambda?.destroy();
  await gw?.close();
});

// AWS docs "Lambda execution environment": module scope survives between invocations of a warm environment.
test('a warm environment keeps module scope between requests', async () => {
  const first = (await gw.call('GET', '/Prod/counter')).json() as { count: number; environment: string };
  const second = (await gw.call('GET', '/Prod/counter')).json() as { count: number; environment: string };
  assert.equal(second.count, first.count + 1);
  assert.equal(second.environment, first.environment);
});

// AWS docs "Handle Lambda errors in API Gateway": a failed proxy invocation is 502 Internal server error;
// the environment is replaced and the next request works.
test('a timeout and a crash give 502, then the function serves again from a fresh environment', async () => {
  const healthy = (await gw.call('GET', '/Prod/control/ok')).json() as { environment: string };
  const timedOut = await gw.call('GET', '/Prod/control/sleep');
  assert.equal(timedOut.status, 502);
  assert.deepEqual(timedOut.json(), { message: 'Internal server error' });
  const afterTimeout = (await gw.call('GET', '/Prod/control/ok')).json() as { environment: string };
  assert.notEqual(afterTimeout.environment, healthy.environment);
  const crashed = await gw.call('GET', '/Prod/control/exit');
  assert.equal(crashed.status, 502);
  const afterCrash = await gw.call('GET', '/Prod/control/ok');
  assert.equal(afterCrash.status, 200);
});

test('a Python function serves an HTTP API route through the Runtime API', async () => {
  const res = await gw.call('GET', '/py');
  assert.equal(res.status, 200);
  assert.deepEqual(res.json(), { path: '/py', fn: 'hello-python', region: 'us-east-1' });
});

// AWS Lambda API reference "Invoke", "GetFunction", "ListFunctions".
test('the Lambda API answers the AWS SDK: Invoke with a log tail, GetFunction, ListFunctions, unknown function', async () => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'counter', LogType: 'Tail', Payload: Buffer.from('{}') }));
  assert.equal(out.StatusCode, 200);
  assert.equal(out.ExecutedVersion, '$LATEST');
  assert.match(Buffer.from(out.LogResult!, 'base64').toString(), /REPORT RequestId: /);
  assert.equal((JSON.parse(Buffer.from(out.Payload!).toString()) as { statusCode: number }).statusCode, 200);

  const failed = await lambda.send(new InvokeCommand({ FunctionName: 'control', Payload: Buffer.from('{"pathParameters":{"action":"sleep"}}') }));
  assert.equal(failed.FunctionError, 'Unhandled');

  const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'counter' }));
  assert.equal(fn.Configuration?.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:counter');
  assert.equal(fn.Configuration?.Runtime, 'nodejs20.x');
  const list = await lambda.send(new ListFunctionsCommand({}));
  assert.deepEqual(list.Functions?.map((f) => f.FunctionName).sort(), ['control', 'counter', 'hello-python']);

  await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'nope' })), (error: Error) => {
    assert.equal(error.name, 'ResourceNotFoundException');
    assert.match(error.message, /Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope/);
    return true;
  });
  const event = await lambda.send(new InvokeCommand({ FunctionName: 'counter', InvocationType: 'Event' }));
  assert.equal(event.StatusCode, 202);
});

test('aws lambda invoke (AWS CLI) works against the endpoint', async () => {
  const outFile = join(gw.dir, 'out.json');
  await promisify(execFile)(
    'aws',
    ['--endpoint-url', gw.gatehouse.awsUrl, 'lambda', 'invoke', '--function-name', 'counter', '--payload', '{}', outFile],
    { env: { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_DEFAULT_REGION: 'us-east-1' } },
  );
  assert.equal((JSON.parse(readFileSync(outFile, 'utf8')) as { statusCode: number }).statusCode, 200);
});
