/**
 * HTTP API first-class Step Functions integrations, HTTP in and HTTP out, with the SDK v3 SFN client
 * checking the side effects. AWS docs: API Gateway developer guide "Integration subtype reference"
 * (http-api-develop-integrations-aws-services-reference.html: StepFunctions-StartExecution takes
 * StateMachineArn, Name, Input, Region; StepFunctions-StartSyncExecution also TraceHeader;
 * StepFunctions-StopExecution takes ExecutionArn, Cause, Error, Region); Step Functions API reference
 * "StartSyncExecution" (response status/output/traceHeader), "StartExecution" ({executionArn,
 * startDate}), "StopExecution" ({stopDate}) and "DescribeExecution" (ABORTED with the stop's error and
 * cause).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const TEMPLATE = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Shape:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: shape
      Type: EXPRESS
      Definition:
        StartAt: P
        States:
          P: {Type: Pass, Parameters: {"who.$": "$.name"}, End: true}
  Slow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: slow
      Definition:
        StartAt: W
        States:
          W: {Type: Wait, Seconds: 600, End: true}
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: '3.0.1'
        info: {title: sfn-subtypes, version: '1'}
        paths:
          /run:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                integrationSubtype: StepFunctions-StartSyncExecution
                credentials: arn:aws:iam::000000000000:role/api
                payloadFormatVersion: '1.0'
                requestParameters:
                  StateMachineArn: !Ref Shape
                  Input: $request.body
                  TraceHeader: $request.header.x-amzn-trace-id
          /start/{name}:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                integrationSubtype: StepFunctions-StartExecution
                credentials: arn:aws:iam::000000000000:role/api
                payloadFormatVersion: '1.0'
                requestParameters:
                  StateMachineArn: !Ref Slow
                  Name: $request.path.name
                  Input: $request.body
          /stop:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                integrationSubtype: StepFunctions-StopExecution
                credentials: arn:aws:iam::000000000000:role/api
                payloadFormatVersion: '1.0'
                requestParameters:
                  ExecutionArn: $request.body.arn
                  Error: $request.body.error
                  Cause: $request.body.cause
`;

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway(TEMPLATE, { fileName: 'template.yaml' });
});
after(async () => {
  await gw?.close();
});

test('StepFunctions-StartSyncExecution returns the execution result and the trace header it was given', async () => {
  const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1';
  const res = await gw.call('POST', '/run', { headers: { 'content-type': 'application/json', 'x-amzn-trace-id': trace }, body: '{"name": "Ada"}' });
  assert.equal(res.status, 200);
  const body = res.json() as Record<string, unknown>;
  assert.equal(body['status'], 'SUCCEEDED');
  assert.deepEqual(JSON.parse(body['output'] as string), { who: 'Ada' });
  assert.equal(body['input'], '{"name": "Ada"}');
  assert.equal(body['traceHeader'], trace);
  assert.match(body['executionArn'] as string, /^arn:aws:states:us-east-1:000000000000:express:shape:[^:]+:[^:]+$/);
});

test('StepFunctions-StartExecution starts a named execution that StepFunctions-StopExecution aborts', async () => {
  const started = await gw.call('POST', '/start/order-7', { headers: { 'content-type': 'application/json' }, body: '{"orderId": "o-7"}' });
  assert.equal(started.status, 200);
  const { executionArn, startDate } = started.json() as { executionArn: string; startDate: number };
  assert.equal(executionArn, 'arn:aws:states:us-east-1:000000000000:execution:slow:order-7');
  assert.equal(typeof startDate, 'number');

  const stopped = await gw.call('POST', '/stop', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ arn: executionArn, error: 'Cancelled', cause: 'customer' }) });
  assert.equal(stopped.status, 200);
  assert.deepEqual(Object.keys(stopped.json() as object), ['stopDate']);

  const sfn = new SFNClient({ endpoint: gw.gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  try {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    assert.deepEqual([d.status, d.error, d.cause, d.input], ['ABORTED', 'Cancelled', 'customer', '{"orderId": "o-7"}']);
  } finally {
    sfn.destroy();
  }
});
