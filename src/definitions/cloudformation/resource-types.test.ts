import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Problems } from '../errors.js';
import type { JsonObject } from '../values.js';
import { Resolver } from './intrinsics.js';
import { stackEnv } from './project.js';
import { registerResourceType } from './resource-types.js';
import { Template } from './template.js';

function resolver(resources: JsonObject, awsEndpoint?: string): Resolver {
  const env = stackEnv({ stackName: 'app', region: 'us-east-1', accountId: '000000000000', parameterOverrides: {}, defaultStage: 'dev', ...(awsEndpoint && { awsEndpoint }) });
  const problems = new Problems();
  return new Resolver(new Template('/t.yaml', { Resources: resources }, env, problems, {}), problems);
}

test('declared names are used; generated names are `stack-LogicalId-XXXXXXXXXX` and stable', () => {
  const r = resolver({ Named: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'orders' } }, Anon: { Type: 'AWS::Lambda::Function' } });
  assert.equal(r.ref('Named'), 'orders');
  assert.equal(r.attribute('Named', 'Arn', { file: '', pointer: '' }), 'arn:aws:lambda:us-east-1:000000000000:function:orders');
  assert.match(r.ref('Anon'), /^app-Anon-[A-Z0-9]{10}$/);
  assert.equal(resolver({ Anon: { Type: 'AWS::Lambda::Function' } }).ref('Anon'), r.ref('Anon'));
});

test('S3 generated names are lower case; queue URLs point at the local endpoint; FIFO names end in .fifo', () => {
  const r = resolver(
    {
      Bucket: { Type: 'AWS::S3::Bucket' },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
      Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'events' } },
    },
    'http://127.0.0.1:4566',
  );
  const bucket = r.ref('Bucket');
  assert.match(bucket, /^app-bucket-[a-z0-9]{10}$/);
  assert.equal(r.attribute('Bucket', 'Arn', { file: '', pointer: '' }), `arn:aws:s3:::${bucket}`);
  assert.equal(r.attribute('Bucket', 'RegionalDomainName', { file: '', pointer: '' }), `${bucket}.s3.us-east-1.amazonaws.com`);
  assert.match(r.ref('Queue'), /^http:\/\/127\.0\.0\.1:4566\/000000000000\/app-Queue-[A-Z0-9]{10}\.fifo$/);
  assert.equal(r.attribute('Queue', 'QueueUrl', { file: '', pointer: '' }), r.ref('Queue'));
  assert.equal(r.ref('Topic'), 'arn:aws:sns:us-east-1:000000000000:events');
  assert.equal(r.attribute('Topic', 'TopicName', { file: '', pointer: '' }), 'events');
});

test('ids shaped like AWS: access keys, user pools, APIs; databases answer on this host', () => {
  const r = resolver({
    Key: { Type: 'AWS::IAM::AccessKey' },
    Pool: { Type: 'AWS::Cognito::UserPool' },
    Api: { Type: 'AWS::ApiGateway::RestApi' },
    Db: { Type: 'AWS::RDS::DBCluster', Properties: { Engine: 'aurora-postgresql' } },
    Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'worker', Path: '/svc/' } },
  });
  const loc = { file: '', pointer: '' };
  assert.match(r.ref('Key'), /^AKIA[A-Z0-9]{16}$/);
  assert.match(String(r.attribute('Key', 'SecretAccessKey', loc)), /^[A-Za-z0-9]{40}$/);
  assert.match(r.ref('Pool'), /^us-east-1_[A-Za-z0-9]{9}$/);
  assert.equal(r.attribute('Pool', 'ProviderURL', loc), `https://cognito-idp.us-east-1.amazonaws.com/${r.ref('Pool')}`);
  assert.match(r.ref('Api'), /^[a-z0-9]{10}$/);
  assert.match(String(r.attribute('Api', 'RootResourceId', loc)), /^[a-z0-9]{10}$/);
  assert.equal(r.attribute('Db', 'Endpoint.Address', loc), '127.0.0.1');
  assert.equal(r.attribute('Db', 'Endpoint.Port', loc), '5432');
  assert.equal(r.attribute('Role', 'Arn', loc), 'arn:aws:iam::000000000000:role/svc/worker');
});

test('registerResourceType adds a type for later work', () => {
  registerResourceType('Test::Widget::Thing', { nameProperty: 'WidgetName', ref: (v) => `widget/${v.name()}`, attributes: { Colour: () => 'blue' } });
  const r = resolver({ W: { Type: 'Test::Widget::Thing', Properties: { WidgetName: 'w1' } } });
  assert.equal(r.ref('W'), 'widget/w1');
  assert.deepEqual(r.attributes('W'), { Colour: 'blue' });
});
