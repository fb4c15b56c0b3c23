/** The AWS endpoint itself: HTTP/1.1 and cleartext HTTP/2 on one port, health, unclaimed requests. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { startTestGateway, call, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway({ openapi: '3.0.1', info: { title: 'endpoint', version: '1' }, paths: {} }, { fileName: 'endpoint.yaml' });
});
after(async () => {
  await gw?.close();
});

function h2Get(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const session = connect(url);
    session.on('error', reject);
    const stream = session.request({ ':path': path });
    let body = '';
    let status = 0;
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
    stream.on('end', () => {
      session.close();
      resolve({ status, body });
    });
    stream.end();
  });
}

// The AWS SDK v3 Kinesis client speaks HTTP/2 by default (shared DEPENDENCIES notes): both protocols on one port.
test('health answers over HTTP/1.1 and cleartext HTTP/2', async () => {
  const h1 = await call(gw.gatehouse.awsUrl, 'GET', '/_gatehouse/health');
  assert.equal(h1.status, 200);
  const h2 = await h2Get(gw.gatehouse.awsUrl, '/_gatehouse/health');
  assert.deepEqual(h2, { status: 200, body: JSON.stringify({ status: 'ok', pid: process.pid }) });
});

test('an SDK client using HTTP/2 is served', async () => {
  const cfn = new CloudFormationClient({
    endpoint: gw.gatehouse.awsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    requestHandler: new NodeHttp2Handler(),
  });
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: 'endpoint' }));
    assert.equal(out.Stacks?.[0]?.StackName, 'endpoint');
  } finally {
    cfn.destroy();
  }
});

test('a request no embedded service claims gets an AWS-style error', async () => {
  const res = await call(gw.gatehouse.awsUrl, 'POST', '/', { headers: { 'x-amz-target': 'Nope_2020.DoThing', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
  assert.equal(res.status, 400);
  assert.equal((res.json() as { __type: string }).__type, 'UnknownOperationException');
});
