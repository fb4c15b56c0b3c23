/** The template as a CloudFormation stack on the embedded endpoint, read with the SDK and the AWS CLI. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const TEMPLATE = `
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: dev}
Resources:
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub items-\${Env}
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
Outputs:
  TableName: {Value: !Ref Items, Description: the table}
  TableArn: {Value: !GetAtt Items.Arn}
`;

let gw: TestGateway;
let cfn: CloudFormationClient;
before(async () => {
  gw = await startTestGateway(TEMPLATE, { fileName: 'shop.yaml' });
  cfn = new CloudFormationClient({ endpoint: gw.gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
});
after(async () => {
  cfn?.destroy();
  await gw?.close();
});

// AWS CloudFormation API reference: DescribeStacks (Outputs, Parameters, StackStatus), ListStackResources.
test('DescribeStacks shows the stack named after the file, its parameters and resolved outputs', async () => {
  const out = await cfn.send(new DescribeStacksCommand({ StackName: 'shop' }));
  const stack = out.Stacks![0]!;
  assert.equal(stack.StackName, 'shop');
  assert.equal(stack.StackStatus, 'CREATE_COMPLETE');
  assert.match(stack.StackId!, /^arn:aws:cloudformation:us-east-1:000000000000:stack\/shop\//);
  assert.deepEqual(stack.Parameters, [{ ParameterKey: 'Env', ParameterValue: 'dev' }]);
  const outputs = Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
  assert.deepEqual(outputs, { TableName: 'items-dev', TableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/items-dev' });
  await assert.rejects(cfn.send(new DescribeStacksCommand({ StackName: 'other' })), /Stack with id other does not exist/);
});

test('ListStackResources and the AWS CLI see the physical ids', async () => {
  const out = await cfn.send(new ListStackResourcesCommand({ StackName: 'shop' }));
  assert.deepEqual(
    out.StackResourceSummaries!.map((r) => [r.LogicalResourceId, r.PhysicalResourceId, r.ResourceType, r.ResourceStatus]),
    [['Items', 'items-dev', 'AWS::DynamoDB::Table', 'CREATE_COMPLETE']],
  );
  const { stdout } = await promisify(execFile)(
    'aws',
    ['--endpoint-url', gw.gatehouse.awsUrl, 'cloudformation', 'describe-stacks', '--stack-name', 'shop', '--query', 'Stacks[0].Outputs[?OutputKey==`TableName`].OutputValue', '--output', 'text'],
    { env: { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_DEFAULT_REGION: 'us-east-1' } },
  );
  assert.equal(stdout.trim(), 'items-dev');
});
