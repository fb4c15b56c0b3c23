/**
 * REST API `AWS` integrations with the embedded DynamoDB (`dynamodb:action/...`): request templates
 * build the DynamoDB JSON, response templates reshape the answer, and selection patterns on
 * DynamoDB's status turn its errors into method responses, with the error bodies as DynamoDB
 * words them. Items are written and read back through @aws-sdk/client-dynamodb.
 * AWS docs: "Tutorial: Create a REST API as an Amazon DynamoDB proxy"; DynamoDB API Reference
 * (Query: IndexName, ScanIndexForward, Limit, LastEvaluatedKey; UpdateItem: ReturnValues ALL_NEW;
 * PutItem: ConditionExpression, ConditionalCheckFailedException "The conditional request failed";
 * TransactWriteItems: TransactionCanceledException with CancellationReasons); "Integration responses
 * in API Gateway" (selectionPattern matched against the backend status for AWS integrations).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const TABLE = 'integration-orders';

/** POST /<action> -> dynamodb:action/<Action> with a request template, a 400 response and a default one. */
function action(name: string, requestTemplate: string, okTemplate: string, errorTemplate = "$input.json('$')"): object {
  return {
    post: {
      responses: { '200': { description: 'ok' }, '400': { description: 'client error' }, '409': { description: 'conflict' } },
      'x-amazon-apigateway-integration': {
        type: 'aws',
        httpMethod: 'POST',
        uri: `arn:aws:apigateway:us-east-1:dynamodb:action/${name}`,
        passthroughBehavior: 'when_no_templates',
        requestTemplates: { 'application/json': requestTemplate },
        responses: {
          '400': { statusCode: '400', responseTemplates: { 'application/json': errorTemplate } },
          default: { statusCode: '200', responseTemplates: { 'application/json': okTemplate } },
        },
      },
    },
  };
}

const TEMPLATE = {
  Transform: 'AWS::Serverless-2016-10-31',
  Resources: {
    Table: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'customer', AttributeType: 'S' },
          { AttributeName: 'placed', AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byCustomer',
            KeySchema: [
              { AttributeName: 'customer', KeyType: 'HASH' },
              { AttributeName: 'placed', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      },
    },
    Api: {
      Type: 'AWS::Serverless::Api',
      Properties: {
        StageName: 'Prod',
        DefinitionBody: {
          openapi: '3.0.1',
          info: { title: 'orders', version: '1' },
          paths: {
            // Newest first, a page of `limit`, the next page's key handed back to the client.
            '/latest': action(
              'Query',
              `{
                "TableName": "${TABLE}",
                "IndexName": "byCustomer",
                "KeyConditionExpression": "customer = :c",
                "ExpressionAttributeValues": {":c": {"S": "$input.params('customer')"}},
                "ScanIndexForward": false,
                "Limit": $input.params('limit')
                #if($input.params('after') != ""),"ExclusiveStartKey": {"id": {"S": "$input.params('after')"}, "customer": {"S": "$input.params('customer')"}, "placed": {"N": "$input.params('placed')"}}#end
              }`,
              `#set($page = $input.path('$'))
              {"orders": [#foreach($o in $page.Items)"$o.id.S"#if($foreach.hasNext),#end#end],
               "next": #if($page.LastEvaluatedKey)"$page.LastEvaluatedKey.id.S"#{else}null#end}`,
            ),
            '/total': action(
              'UpdateItem',
              `{
                "TableName": "${TABLE}",
                "Key": {"id": {"S": "$input.path('$.id')"}},
                "UpdateExpression": "SET #t = if_not_exists(#t, :zero) + :amount",
                "ExpressionAttributeNames": {"#t": "total"},
                "ExpressionAttributeValues": {":amount": {"N": "$input.path('$.amount')"}, ":zero": {"N": "0"}},
                "ReturnValues": "ALL_NEW"
              }`,
              `{"id": "$input.path('$.Attributes.id.S')", "total": $input.path('$.Attributes.total.N')}`,
            ),
            // Create-only: a second PUT of the same id fails the condition; the 400 template says why.
            '/create': action(
              'PutItem',
              `{
                "TableName": "${TABLE}",
                "Item": {"id": {"S": "$input.path('$.id')"}, "customer": {"S": "$input.path('$.customer')"}, "placed": {"N": "$input.path('$.placed')"}},
                "ConditionExpression": "attribute_not_exists(id)"
              }`,
              '{"created": true}',
              `#set($type = $input.path('$.__type'))
              #set($start = $type.indexOf('#') + 1)
              {"error": "$type.substring($start)", "message": "$input.path('$.message')"}`,
            ),
            '/transfer': action(
              'TransactWriteItems',
              `{"TransactItems": [
                {"Put": {"TableName": "${TABLE}", "Item": {"id": {"S": "$input.path('$.to')"}}, "ConditionExpression": "attribute_not_exists(id)"}},
                {"Delete": {"TableName": "${TABLE}", "Key": {"id": {"S": "$input.path('$.from')"}}, "ConditionExpression": "attribute_exists(id)"}}
              ]}`,
              '{}',
            ),
          },
        },
      },
    },
  },
};

let gw: TestGateway;
let ddb: DynamoDBClient;

before(async () => {
  gw = await startTestGateway(TEMPLATE, { fileName: 'template.yaml' });
  ddb = new DynamoDBClient({ endpoint: gw.gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  for (const [id, placed] of [['o1', 10], ['o2', 20], ['o3', 30], ['o4', 40]] as const) {
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: id }, customer: { S: 'ann' }, placed: { N: String(placed) } } }));
  }
});
after(async () => {
  ddb?.destroy();
  await gw?.close();
});

const post = (path: string, body: unknown = {}) =>
  gw.call('POST', `/Prod${path}`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('Query on a GSI, newest first, pages of Limit items: LastEvaluatedKey (table and index keys) feeds the next page', async () => {
  const first = await post('/latest?customer=ann&limit=3');
  assert.equal(first.status, 200);
  assert.deepEqual(first.json(), { orders: ['o4', 'o3', 'o2'], next: 'o2' });
  const last = await post('/latest?customer=ann&limit=3&after=o2&placed=20');
  assert.deepEqual(last.json(), { orders: ['o1'], next: null });
  const none = await post('/latest?customer=bob&limit=3');
  assert.deepEqual(none.json(), { orders: [], next: null });
});

test('UpdateItem with ReturnValues ALL_NEW: the template reads the updated item from Attributes', async () => {
  assert.deepEqual((await post('/total', { id: 'o1', amount: 5 })).json(), { id: 'o1', total: 5 });
  assert.deepEqual((await post('/total', { id: 'o1', amount: 2.5 })).json(), { id: 'o1', total: 7.5 });
  const item = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'o1' } } }));
  assert.deepEqual(item.Item!['total'], { N: '7.5' });
});

test('a failed ConditionExpression is DynamoDB\'s 400 ConditionalCheckFailedException, selected by "400"', async () => {
  const created = await post('/create', { id: 'o9', customer: 'cy', placed: 90 });
  assert.equal(created.status, 200);
  assert.deepEqual(created.json(), { created: true });
  const again = await post('/create', { id: 'o9', customer: 'cy', placed: 91 });
  assert.equal(again.status, 400);
  assert.deepEqual(again.json(), { error: 'ConditionalCheckFailedException', message: 'The conditional request failed' });
  // A key of the wrong type is a ValidationException with DynamoDB's wording.
  const invalid = await post('/create', { id: 'o10', customer: 'cy', placed: 'soon' });
  assert.equal(invalid.status, 400);
  assert.equal((invalid.json() as { error: string }).error, 'ValidationException');
});

test('TransactWriteItems: a failed condition cancels the whole transaction with one reason per item', async () => {
  const cancelled = await post('/transfer', { from: 'missing', to: 'o20' });
  assert.equal(cancelled.status, 400);
  assert.deepEqual(cancelled.json(), {
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]',
    CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }],
  });
  const item = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'o20' } } }));
  assert.equal(item.Item, undefined);
  const done = await post('/transfer', { from: 'o3', to: 'o30' });
  assert.equal(done.status, 200);
  assert.equal((await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'o3' } } }))).Item, undefined);
});
