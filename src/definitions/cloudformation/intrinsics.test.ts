import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, Problems } from '../errors.js';
import type { JsonObject } from '../values.js';
import { Resolver } from './intrinsics.js';
import { stackEnv } from './project.js';
import { Template } from './template.js';

const ROOT = { file: '/defs/template.yaml', pointer: '' };

function setup(doc: JsonObject, overrides: Record<string, string> = {}, awsEndpoint?: string) {
  const problems = new Problems();
  const env = stackEnv({ stackName: 'shop', region: 'eu-west-1', accountId: '123456789012', parameterOverrides: {}, defaultStage: 'dev', ...(awsEndpoint && { awsEndpoint }) });
  const template = new Template(ROOT.file, { Resources: {}, ...doc }, env, problems, overrides);
  const resolver = new Resolver(template, problems);
  const resolve = (value: unknown) => resolver.resolve(value, at(ROOT, 'Outputs', 'X', 'Value'));
  return { resolver, resolve, problems };
}

test('Ref: parameters (with overrides and list types), pseudo parameters, resources', () => {
  const { resolve, problems } = setup(
    {
      Parameters: {
        Env: { Type: 'String', Default: 'dev' },
        Subnets: { Type: 'CommaDelimitedList', Default: 'a, b' },
        Size: { Type: 'Number', Default: 3 },
      },
      Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'assets' } } },
    },
    { Env: 'prod' },
  );
  assert.equal(resolve({ Ref: 'Env' }), 'prod');
  assert.deepEqual(resolve({ Ref: 'Subnets' }), ['a', 'b']);
  assert.equal(resolve({ Ref: 'Size' }), '3');
  assert.equal(resolve({ Ref: 'AWS::Region' }), 'eu-west-1');
  assert.equal(resolve({ Ref: 'AWS::AccountId' }), '123456789012');
  assert.equal(resolve({ Ref: 'AWS::StackName' }), 'shop');
  assert.equal(resolve({ Ref: 'AWS::Partition' }), 'aws');
  assert.equal(resolve({ Ref: 'AWS::URLSuffix' }), 'amazonaws.com');
  assert.match(String(resolve({ Ref: 'AWS::StackId' })), /^arn:aws:cloudformation:eu-west-1:123456789012:stack\/shop\/[0-9a-f-]{36}$/);
  assert.equal(resolve({ Ref: 'Bucket' }), 'assets');
  assert.deepEqual(problems.list, []);
});

test('AWS::NoValue removes the key or list item', () => {
  const { resolve } = setup({ Conditions: { No: { 'Fn::Equals': ['a', 'b'] } } });
  assert.deepEqual(resolve({ a: 1, b: { Ref: 'AWS::NoValue' }, c: { 'Fn::If': ['No', 'x', { Ref: 'AWS::NoValue' }] } }), { a: 1 });
  assert.deepEqual(resolve(['x', { Ref: 'AWS::NoValue' }, 'y']), ['x', 'y']);
});

test('Fn::GetAtt in both forms, Fn::Sub with ${Param}, ${Res.Attr}, ${!Literal} and a variables map', () => {
  const { resolve, problems } = setup({
    Parameters: { Env: { Type: 'String', Default: 'dev' } },
    Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: { 'Fn::Sub': '${AWS::StackName}-fn-${Env}' } } } },
  });
  const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:shop-fn-dev';
  assert.equal(resolve({ 'Fn::GetAtt': ['Fn', 'Arn'] }), arn);
  assert.equal(resolve({ 'Fn::GetAtt': 'Fn.Arn' }), arn);
  assert.equal(resolve({ 'Fn::Sub': 'x ${Fn.Arn} ${Env} ${!Literal} ${ AWS::Region }' }), `x ${arn} dev \${Literal} eu-west-1`);
  assert.equal(resolve({ 'Fn::Sub': ['${A}/${B}', { A: { Ref: 'Env' }, B: 'b' }] }), 'dev/b');
  assert.deepEqual(problems.list, []);
});

test('Join, Select, Split, Base64, GetAZs, Cidr, ImportValue, Length, ToJsonString', () => {
  const { resolve, problems } = setup({});
  assert.equal(resolve({ 'Fn::Join': ['-', ['a', { Ref: 'AWS::Region' }, 1]] }), 'a-eu-west-1-1');
  assert.equal(resolve({ 'Fn::Select': ['1', { 'Fn::Split': [',', 'a,b,c'] }] }), 'b');
  assert.equal(resolve({ 'Fn::Base64': 'hello' }), 'aGVsbG8=');
  assert.deepEqual(resolve({ 'Fn::GetAZs': '' }), ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  assert.deepEqual(resolve({ 'Fn::Cidr': ['10.0.0.0/16', 3, 8] }), ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']);
  assert.equal(resolve({ 'Fn::ImportValue': 'shared-vpc-id' }), 'shared-vpc-id');
  assert.equal(resolve({ 'Fn::Length': [1, 2, 3] }), 3);
  assert.equal(resolve({ 'Fn::ToJsonString': { a: [1] } }), '{"a":[1]}');
  assert.deepEqual(problems.list, []);
});

test('conditions: Equals, Not, And, Or, Condition, Fn::If and resource-level Condition', () => {
  const { resolver, resolve, problems } = setup(
    {
      Parameters: { Env: { Type: 'String', Default: 'dev' } },
      Conditions: {
        IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
        NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
        Both: { 'Fn::And': [{ Condition: 'IsProd' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] }] },
        Either: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'NotProd' }] },
      },
      Resources: { Big: { Type: 'AWS::SQS::Queue', Condition: 'IsProd' } },
    },
    { Env: 'prod' },
  );
  assert.equal(resolver.condition('IsProd', ROOT), true);
  assert.equal(resolver.condition('NotProd', ROOT), false);
  assert.equal(resolver.condition('Both', ROOT), true);
  assert.equal(resolver.condition('Either', ROOT), true);
  assert.equal(resolve({ 'Fn::If': ['NotProd', { Ref: 'Nowhere' }, 'ok'] }), 'ok', 'the branch not taken is not resolved');
  assert.equal(resolver.isCreated('Big'), true);
  assert.deepEqual(problems.list, []);

  const dev = setup({ Conditions: { IsProd: { 'Fn::Equals': ['dev', 'prod'] } }, Resources: { Big: { Type: 'AWS::SQS::Queue', Condition: 'IsProd' } } });
  assert.equal(dev.resolver.isCreated('Big'), false);
  assert.equal(dev.resolve({ Ref: 'Big' }), undefined);
  assert.match(dev.problems.list[0]!.message, /Big is not created/);
});

test('Fn::FindInMap with Mappings, and the AWS::LanguageExtensions default', () => {
  const { resolve, problems } = setup({ Mappings: { Sizes: { dev: { Memory: 256 } } } });
  assert.equal(resolve({ 'Fn::FindInMap': ['Sizes', 'dev', 'Memory'] }), 256);
  assert.equal(resolve({ 'Fn::FindInMap': ['Sizes', 'prod', 'Memory', { DefaultValue: 512 }] }), 512);
  assert.equal(resolve({ 'Fn::FindInMap': ['Sizes', 'prod', 'Memory'] }), undefined);
  assert.equal(problems.list.length, 1);
  assert.match(problems.list[0]!.message, /mapping Sizes has no value/);
});

test('resolution is lazy: the order of resources does not matter', () => {
  const { resolver, problems } = setup({
    Resources: {
      A: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::Sub': '${B.QueueName}-topic' } } },
      B: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': '${C}-queue' } } },
      C: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'items' } },
    },
  });
  assert.equal(resolver.ref('A'), 'arn:aws:sns:eu-west-1:123456789012:items-queue-topic');
  assert.deepEqual(problems.list, []);
});

test('cycles are reported once, naming the chain', () => {
  const { resolver, problems } = setup({
    Resources: {
      A: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::GetAtt': ['B', 'TopicName'] } } },
      B: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::GetAtt': ['A', 'QueueName'] } } },
    },
  });
  resolver.properties('A');
  resolver.properties('B');
  assert.equal(problems.list.length, 1);
  assert.match(problems.list[0]!.message, /^circular dependency: A\.Properties\.QueueName -> .* -> A\.Properties\.QueueName$/);
  assert.equal(problems.list[0]!.pointer, '/Resources/A/Properties/QueueName');
});

test('unknown references and attributes are problems at their pointer; unknown types still load', () => {
  const { resolver, resolve, problems } = setup({
    Resources: {
      Q: { Type: 'AWS::SQS::Queue' },
      Custom: { Type: 'Custom::Thing', Properties: { Token: 'x' } },
    },
  });
  assert.equal(resolve({ Ref: 'Nope' }), undefined);
  assert.equal(resolve({ 'Fn::GetAtt': ['Q', 'Colour'] }), undefined);
  assert.equal(resolve({ 'Fn::Sub': '${Nope}' }), undefined);
  assert.equal(resolver.ref('Custom'), 'Custom');
  assert.equal(resolve({ 'Fn::GetAtt': ['Custom', 'Value'] }), 'Custom.Value');
  assert.deepEqual(
    problems.list.map((p) => [p.pointer, p.message]),
    [
      ['/Outputs/X/Value/Ref', 'unknown reference "Nope": not a parameter, resource or pseudo parameter'],
      ['/Outputs/X/Value/Fn::GetAtt', 'Q (AWS::SQS::Queue) has no attribute "Colour" for Fn::GetAtt'],
      ['/Outputs/X/Value/Fn::Sub', 'unknown reference "Nope": not a parameter, resource or pseudo parameter'],
    ],
  );
});

test('parameters: AllowedValues, AllowedPattern, missing values and unknown overrides', () => {
  const { problems } = setup(
    {
      Parameters: {
        Env: { Type: 'String', Default: 'dev', AllowedValues: ['dev', 'prod'] },
        Name: { Type: 'String', Default: 'Bad Name', AllowedPattern: '[a-z-]+' },
        Required: { Type: 'String' },
      },
    },
    { Env: 'qa', Typo: 'x' },
  );
  assert.deepEqual(
    problems.list.map((p) => [p.pointer, p.message]),
    [
      ['/Parameters', 'parameter override "Typo" is not a parameter of the template'],
      ['/Parameters/Env', 'parameter Env: "qa" is not one of AllowedValues (dev, prod)'],
      ['/Parameters/Name', 'parameter Name: "Bad Name" does not match AllowedPattern'],
      ['/Parameters/Required', 'parameter Required has no Default and no override was given'],
    ],
  );
});
