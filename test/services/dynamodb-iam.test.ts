/**
 * Per-user DynamoDB access under `--enforce-iam`: two IAM users and a role session call the embedded
 * DynamoDB with the AWS SDK v3, each signed with its own keys; a policy with
 * `ForAllValues:StringEquals` on `dynamodb:LeadingKeys` = `${aws:username}` (or
 * `${cognito-identity.amazonaws.com:sub}`) lets each touch only items under its own partition key.
 * Sources: DynamoDB Developer Guide "Using IAM policy conditions for fine-grained access control"
 * (LeadingKeys, ForAllValues); IAM User Guide "IAM policy elements: Variables and tags"; the
 * AccessDeniedException body recorded in sebdah/dynamic-dynamodb #321 and the "because no
 * identity-based policy allows the ... action" wording recorded in AntonShuvaev/intellij-dynamodb #29.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { signedCall, type Credentials } from '../support/sigv4.js';
import { samRestApi, SIGV4_SCHEME } from '../auth/support.js';

const ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'];
const ownItems = (variable: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ACTIONS,
      Resource: { 'Fn::GetAtt': ['Notes', 'Arn'] },
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [variable] } },
    },
  ],
});

/** An AWS integration reading one note with GetItem, signed with `credentials`; DynamoDB's 4xx answers become 403. */
const getItem = (credentials: unknown) => ({
  responses: { '200': { description: 'ok' }, '403': { description: 'denied' } },
  'x-amazon-apigateway-integration': {
    type: 'aws',
    httpMethod: 'POST',
    uri: 'arn:aws:apigateway:us-east-1:dynamodb:action/GetItem',
    credentials,
    requestTemplates: { 'application/json': `{"TableName":"notes","Key":{"owner":{"S":"$input.params('owner')"},"id":{"S":"$input.params('id')"}}}` },
    responses: { '4\\d{2}': { statusCode: '403' }, default: { statusCode: '200' } },
  },
});

const TEMPLATE = {
  Transform: 'AWS::Serverless-2016-10-31',
  Resources: {
    Notes: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: 'notes',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'owner', AttributeType: 'S' }, { AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }, { AttributeName: 'id', KeyType: 'RANGE' }],
      },
    },
    NoteTakers: {
      Type: 'AWS::IAM::Group',
      Properties: {
        Policies: [
          { PolicyName: 'own-notes', PolicyDocument: ownItems('${aws:username}') },
          { PolicyName: 'own-notes-api', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:*/Prod/GET/notes/*' }] } },
        ],
      },
    },
    Alice: { Type: 'AWS::IAM::User', Properties: { UserName: 'alice', Groups: [{ Ref: 'NoteTakers' }] } },
    AliceKey: { Type: 'AWS::IAM::AccessKey', Properties: { UserName: { Ref: 'Alice' } } },
    Bob: { Type: 'AWS::IAM::User', Properties: { UserName: 'bob', Groups: [{ Ref: 'NoteTakers' }] } },
    BobKey: { Type: 'AWS::IAM::AccessKey', Properties: { UserName: { Ref: 'Bob' } } },
    Api: samRestApi('notes', {
      components: { securitySchemes: SIGV4_SCHEME },
      paths: {
        '/notes/{owner}/{id}': { get: { security: [{ sigv4: [] }], ...getItem('arn:aws:iam::*:user/*') } },
        '/shared/{owner}/{id}': { get: getItem({ 'Fn::GetAtt': ['SharedReader', 'Arn'] }) },
      },
    }),
    SharedReader: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Policies: [
          {
            PolicyName: 'shared-notes',
            PolicyDocument: {
              Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': ['Notes', 'Arn'] }, Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['shared'] } } }],
            },
          },
        ],
      },
    },
    WebUser: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'web-user', Policies: [{ PolicyName: 'own-notes', PolicyDocument: ownItems('${cognito-identity.amazonaws.com:sub}') }] } },
  },
};

const SUB = 'us-east-1:0f1e2d3c-0000-4000-a000-000000000001';
const CONFIG = { credentials: [{ accessKeyId: 'ASIAWEBSESSION', secretAccessKey: 'web-secret', role: 'WebUser', sessionName: 'CognitoIdentityCredentials', context: { 'cognito-identity.amazonaws.com:sub': SUB } }] };

let gw: TestGateway;
const clients: Record<string, DynamoDBClient> = {};
const keys: Record<string, Credentials> = {};

before(async () => {
  gw = await startTestGateway(TEMPLATE, { fileName: 'template.yaml', iam: { enforce: true, config: CONFIG } });
  const client = (accessKeyId: string, secretAccessKey: string) =>
    new DynamoDBClient({ endpoint: gw.gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
  for (const name of ['Alice', 'Bob']) {
    const key = gw.gatehouse.project.resources.find((r) => r.logicalId === `${name}Key`)!;
    keys[name] = { accessKeyId: key.physicalId, secretAccessKey: String(key.attributes['SecretAccessKey']) };
    clients[name] = client(keys[name].accessKeyId, keys[name].secretAccessKey);
  }
  clients['Web'] = client('ASIAWEBSESSION', 'web-secret');
  clients['Anyone'] = client('AKIAUNMAPPED', 'whatever');
  clients['Forger'] = client(gw.gatehouse.project.resources.find((r) => r.logicalId === 'AliceKey')!.physicalId, 'not-alices-secret');
});

after(async () => {
  for (const c of Object.values(clients)) c.destroy();
  await gw?.close();
});

const note = (owner: string, id: string) => ({ owner: { S: owner }, id: { S: id } });
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/notes';

async function denied(promise: Promise<unknown>, user: string, action: string): Promise<void> {
  await assert.rejects(promise, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, 'AccessDeniedException');
    assert.equal(error.$metadata?.httpStatusCode, 400);
    assert.equal(error.message, `User: arn:aws:iam::000000000000:user/${user} is not authorized to perform: ${action} on resource: ${TABLE_ARN} because no identity-based policy allows the ${action} action`);
    return true;
  });
}

test('each user reads and writes the items under its own partition key', async () => {
  await clients['Alice']!.send(new PutItemCommand({ TableName: 'notes', Item: { ...note('alice', '1'), text: { S: 'mine' } } }));
  await clients['Bob']!.send(new PutItemCommand({ TableName: 'notes', Item: { ...note('bob', '1'), text: { S: 'his' } } }));
  const got = await clients['Alice']!.send(new GetItemCommand({ TableName: 'notes', Key: note('alice', '1') }));
  assert.equal(got.Item?.['text']?.S, 'mine');
  const mine = await clients['Bob']!.send(new QueryCommand({ TableName: 'notes', KeyConditionExpression: '#o = :o', ExpressionAttributeNames: { '#o': 'owner' }, ExpressionAttributeValues: { ':o': { S: 'bob' } } }));
  assert.equal(mine.Count, 1);
});

test("another user's partition key is AccessDeniedException, for single items, queries and batches", async () => {
  await denied(clients['Alice']!.send(new GetItemCommand({ TableName: 'notes', Key: note('bob', '1') })), 'alice', 'dynamodb:GetItem');
  await denied(clients['Alice']!.send(new PutItemCommand({ TableName: 'notes', Item: note('bob', '2') })), 'alice', 'dynamodb:PutItem');
  await denied(clients['Bob']!.send(new QueryCommand({ TableName: 'notes', KeyConditionExpression: '#o = :o', ExpressionAttributeNames: { '#o': 'owner' }, ExpressionAttributeValues: { ':o': { S: 'alice' } } })), 'bob', 'dynamodb:Query');
  // ForAllValues: every key of the batch must be the caller's.
  await denied(clients['Alice']!.send(new BatchGetItemCommand({ RequestItems: { notes: { Keys: [note('alice', '1'), note('bob', '1')] } } })), 'alice', 'dynamodb:BatchGetItem');
  const own = await clients['Alice']!.send(new BatchGetItemCommand({ RequestItems: { notes: { Keys: [note('alice', '1')] } } }));
  assert.equal(own.Responses?.['notes']?.length, 1);
  // Nothing was written by the denied PutItem.
  assert.equal((await clients['Bob']!.send(new GetItemCommand({ TableName: 'notes', Key: note('bob', '2') }))).Item, undefined);
});

test('an action no statement allows (Scan) is denied', async () => {
  await denied(clients['Alice']!.send(new ScanCommand({ TableName: 'notes' })), 'alice', 'dynamodb:Scan');
});

test('a role session keyed by its cognito identity id (${cognito-identity.amazonaws.com:sub})', async () => {
  await clients['Web']!.send(new PutItemCommand({ TableName: 'notes', Item: note(SUB, '1') }));
  await assert.rejects(clients['Web']!.send(new GetItemCommand({ TableName: 'notes', Key: note('alice', '1') })), (error: Error) => {
    assert.equal(error.name, 'AccessDeniedException');
    assert.match(error.message, /^User: arn:aws:sts::000000000000:assumed-role\/web-user\/CognitoIdentityCredentials is not authorized to perform: dynamodb:GetItem on resource: /);
    return true;
  });
});

test("keys nobody mapped keep the endpoint's open access; a mapped key with a wrong secret is refused", async () => {
  const all = await clients['Anyone']!.send(new ScanCommand({ TableName: 'notes' }));
  assert.equal(all.Count, 3);
  await assert.rejects(clients['Forger']!.send(new GetItemCommand({ TableName: 'notes', Key: note('alice', '1') })), (error: Error) => {
    assert.equal(error.name, 'InvalidSignatureException');
    return true;
  });
});

// API Gateway "Set up an API integration request": credentials `arn:aws:iam::*:user/*` call the service
// with the caller's own credentials; a role ARN with that role's.
test("behind the API: caller credentials keep each user to its notes; an integration role to what it allows", async () => {
  const own = await signedCall(gw, keys['Alice']!, 'GET', '/Prod/notes/alice/1');
  assert.equal(own.status, 200, own.text);
  assert.equal((own.json() as { Item: { text: { S: string } } }).Item.text.S, 'mine');
  const other = await signedCall(gw, keys['Alice']!, 'GET', '/Prod/notes/bob/1');
  assert.equal(other.status, 403);
  assert.match(other.text, /AccessDeniedException/);

  await clients['Anyone']!.send(new PutItemCommand({ TableName: 'notes', Item: { ...note('shared', '1'), text: { S: 'for all' } } }));
  const shared = await gw.call('GET', '/Prod/shared/shared/1');
  assert.equal(shared.status, 200, shared.text);
  assert.equal((shared.json() as { Item: { text: { S: string } } }).Item.text.S, 'for all');
  const notShared = await gw.call('GET', '/Prod/shared/alice/1');
  assert.equal(notShared.status, 403);
  assert.match(notShared.text, /assumed-role\/[^/]+\/BackplaneAssumeRoleSession is not authorized to perform: dynamodb:GetItem/);
});
