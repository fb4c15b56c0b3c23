/**
 * Table control plane, TTL, template tables and durability through the SDK (API Reference
 * "CreateTable", "DescribeTable", "ListTables", "UpdateTable", "DeleteTable", "UpdateTimeToLive";
 * Developer Guide "Time to Live (TTL)"; CloudFormation "AWS::DynamoDB::Table", SAM
 * "AWS::Serverless::SimpleTable").
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { TemplateResource } from '../../../definitions/model.js';
import { rejection, startEndpoint, type TestEndpoint } from '../testing.js';

let ep: TestEndpoint;
let db: DynamoDBClient;

const simpleKey = { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }] };

before(async () => {
  ep = await startEndpoint();
  db = ep.client;
});
after(() => ep.close(true));

describe('CreateTable / DescribeTable / ListTables / DeleteTable', () => {
  it('creates an ACTIVE table with its ARN and describes it', async () => {
    const created = await db.send(new CreateTableCommand({ TableName: 'alpha', ...simpleKey, ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 7 } }));
    assert.equal(created.TableDescription?.TableStatus, 'ACTIVE');
    assert.equal(created.TableDescription?.TableArn, 'arn:aws:dynamodb:us-east-1:000000000000:table/alpha');
    await db.send(new PutItemCommand({ TableName: 'alpha', Item: { id: { S: '1' } } }));
    const { Table } = await db.send(new DescribeTableCommand({ TableName: 'alpha' }));
    assert.equal(Table?.ItemCount, 1);
    assert.equal(Table?.ProvisionedThroughput?.WriteCapacityUnits, 7);
    assert.deepEqual(Table?.KeySchema, [{ AttributeName: 'id', KeyType: 'HASH' }]);
  });

  it('reports existing and missing tables as DynamoDB does', async () => {
    // API Reference "CreateTable" -> ResourceInUseException; "DescribeTable" -> ResourceNotFoundException.
    let e = await rejection(db.send(new CreateTableCommand({ TableName: 'alpha', ...simpleKey, BillingMode: 'PAY_PER_REQUEST' })));
    assert.equal(e.name, 'ResourceInUseException');
    assert.equal(e.message, 'Table already exists: alpha');
    e = await rejection(db.send(new DescribeTableCommand({ TableName: 'nothing' })));
    assert.equal(e.name, 'ResourceNotFoundException');
    assert.equal(e.message, 'Requested resource not found: Table: nothing not found');
  });

  it('validates the definition', async () => {
    let e = await rejection(
      db.send(new CreateTableCommand({ TableName: 'bad', KeySchema: simpleKey.KeySchema, AttributeDefinitions: [...simpleKey.AttributeDefinitions, { AttributeName: 'x', AttributeType: 'N' }], BillingMode: 'PAY_PER_REQUEST' })),
    );
    assert.equal(e.message, 'One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions');
    e = await rejection(db.send(new CreateTableCommand({ TableName: 'bad', KeySchema: [{ AttributeName: 'x', KeyType: 'HASH' }], AttributeDefinitions: simpleKey.AttributeDefinitions, BillingMode: 'PAY_PER_REQUEST' })));
    assert.equal(e.message, 'Invalid KeySchema: Some index key attribute have no definition');
    e = await rejection(db.send(new CreateTableCommand({ TableName: 'x', ...simpleKey, BillingMode: 'PAY_PER_REQUEST' })));
    assert.equal(e.message, "1 validation error detected: Value 'x' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3");
    e = await rejection(
      db.send(
        new CreateTableCommand({
          TableName: 'bad',
          ...simpleKey,
          BillingMode: 'PAY_PER_REQUEST',
          LocalSecondaryIndexes: [{ IndexName: 'l', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
        }),
      ),
    );
    assert.equal(e.message, 'One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex');
  });

  it('lists tables page by page and deletes them', async () => {
    for (const name of ['beta', 'gamma', 'delta']) await db.send(new CreateTableCommand({ TableName: name, ...simpleKey, BillingMode: 'PAY_PER_REQUEST' }));
    const first = await db.send(new ListTablesCommand({ Limit: 2 }));
    assert.deepEqual(first.TableNames, ['alpha', 'beta']);
    assert.equal(first.LastEvaluatedTableName, 'beta');
    const second = await db.send(new ListTablesCommand({ Limit: 2, ExclusiveStartTableName: 'beta' }));
    assert.deepEqual(second.TableNames, ['delta', 'gamma']);
    assert.equal(second.LastEvaluatedTableName, undefined);
    const deleted = await db.send(new DeleteTableCommand({ TableName: 'gamma' }));
    assert.equal(deleted.TableDescription?.TableStatus, 'DELETING');
    assert.deepEqual((await db.send(new ListTablesCommand({}))).TableNames, ['alpha', 'beta', 'delta']);
  });
});

describe('UpdateTable', () => {
  it('adds a GSI to an on-demand table (back-filled) and deletes it', async () => {
    await db.send(new CreateTableCommand({ TableName: 'ondemand', ...simpleKey, BillingMode: 'PAY_PER_REQUEST' }));
    for (const id of ['a', 'b', 'c']) await db.send(new PutItemCommand({ TableName: 'ondemand', Item: { id: { S: id }, color: { S: id === 'b' ? 'blue' : 'red' } } }));
    const out = await db.send(
      new UpdateTableCommand({
        TableName: 'ondemand',
        AttributeDefinitions: [{ AttributeName: 'color', AttributeType: 'S' }],
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byColor', KeySchema: [{ AttributeName: 'color', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }],
      }),
    );
    assert.equal(out.TableDescription?.GlobalSecondaryIndexes?.[0]?.IndexStatus, 'ACTIVE');
    const red = await db.send(new QueryCommand({ TableName: 'ondemand', IndexName: 'byColor', KeyConditionExpression: 'color = :c', ExpressionAttributeValues: { ':c': { S: 'red' } } }));
    assert.equal(red.Count, 2);
    await db.send(new UpdateTableCommand({ TableName: 'ondemand', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byColor' } }] }));
    const { Table } = await db.send(new DescribeTableCommand({ TableName: 'ondemand' }));
    assert.equal(Table?.GlobalSecondaryIndexes, undefined);
    assert.deepEqual(Table?.AttributeDefinitions, [{ AttributeName: 'id', AttributeType: 'S' }]);
  });

  it('enables a stream', async () => {
    const out = await db.send(new UpdateTableCommand({ TableName: 'ondemand', StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }));
    assert.match(out.TableDescription?.LatestStreamArn ?? '', /^arn:aws:dynamodb:us-east-1:000000000000:table\/ondemand\/stream\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
    assert.deepEqual(out.TableDescription?.StreamSpecification, { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' });
  });
});

describe('Time to Live', () => {
  it('describes, enables and expires items lazily and by the sweep', async () => {
    await db.send(new CreateTableCommand({ TableName: 'ttl', ...simpleKey, BillingMode: 'PAY_PER_REQUEST' }));
    assert.deepEqual((await db.send(new DescribeTimeToLiveCommand({ TableName: 'ttl' }))).TimeToLiveDescription, { TimeToLiveStatus: 'DISABLED' });
    const now = Math.floor(Date.now() / 1000);
    await db.send(new PutItemCommand({ TableName: 'ttl', Item: { id: { S: 'old' }, exp: { N: String(now - 60) } } }));
    await db.send(new PutItemCommand({ TableName: 'ttl', Item: { id: { S: 'new' }, exp: { N: String(now + 3600) } } }));
    await db.send(new PutItemCommand({ TableName: 'ttl', Item: { id: { S: 'none' }, exp: { S: 'not a number' } } }));
    // Before TTL is on, nothing expires.
    assert.ok((await db.send(new GetItemCommand({ TableName: 'ttl', Key: { id: { S: 'old' } } }))).Item);
    const enabled = await db.send(new UpdateTimeToLiveCommand({ TableName: 'ttl', TimeToLiveSpecification: { AttributeName: 'exp', Enabled: true } }));
    assert.deepEqual(enabled.TimeToLiveSpecification, { AttributeName: 'exp', Enabled: true });
    assert.deepEqual((await db.send(new DescribeTimeToLiveCommand({ TableName: 'ttl' }))).TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'exp' });
    // Expired items disappear from reads at once...
    assert.equal((await db.send(new GetItemCommand({ TableName: 'ttl', Key: { id: { S: 'old' } } }))).Item, undefined);
    assert.equal((await db.send(new ScanCommand({ TableName: 'ttl' }))).Count, 2);
    // ...and the sweep deletes them from storage (the periodic one may have come first).
    ep.service.sweep();
    assert.equal((await db.send(new DescribeTableCommand({ TableName: 'ttl' }))).Table?.ItemCount, 2);
    const e = await rejection(db.send(new UpdateTimeToLiveCommand({ TableName: 'ttl', TimeToLiveSpecification: { AttributeName: 'exp', Enabled: true } })));
    assert.equal(e.message, 'TimeToLive is already enabled');
  });
});

describe('template tables and restarts', () => {
  const source = { file: '/tmp/template.yaml', pointer: '/Resources/X' };
  const resources: TemplateResource[] = [
    {
      logicalId: 'Orders',
      type: 'AWS::DynamoDB::Table',
      physicalId: 'test-Orders-ABC123',
      attributes: {},
      source,
      properties: {
        KeySchema: [
          { AttributeName: 'customer', KeyType: 'HASH' },
          { AttributeName: 'order', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'customer', AttributeType: 'S' },
          { AttributeName: 'order', AttributeType: 'N' },
        ],
        ProvisionedThroughput: { ReadCapacityUnits: '5', WriteCapacityUnits: '5' },
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        TimeToLiveSpecification: { AttributeName: 'expires', Enabled: 'true' },
      },
    },
    { logicalId: 'Simple', type: 'AWS::Serverless::SimpleTable', physicalId: 'test-Simple-XYZ', attributes: {}, source, properties: {} },
    {
      logicalId: 'SimpleN',
      type: 'AWS::Serverless::SimpleTable',
      physicalId: 'test-SimpleN-XYZ',
      attributes: {},
      source,
      properties: { PrimaryKey: { Name: 'num', Type: 'Number' } },
    },
  ];

  it('creates declared tables at start, idempotently, and keeps data across restarts', async () => {
    const first = await startEndpoint({ resources });
    try {
      const orders = (await first.client.send(new DescribeTableCommand({ TableName: 'test-Orders-ABC123' }))).Table;
      // Matches Fn::GetAtt Orders.StreamArn as the template loader resolves it.
      assert.equal(orders?.LatestStreamArn, 'arn:aws:dynamodb:us-east-1:000000000000:table/test-Orders-ABC123/stream/1970-01-01T00:00:00.000');
      assert.equal((await first.client.send(new DescribeTimeToLiveCommand({ TableName: 'test-Orders-ABC123' }))).TimeToLiveDescription?.TimeToLiveStatus, 'ENABLED');
      const simple = (await first.client.send(new DescribeTableCommand({ TableName: 'test-Simple-XYZ' }))).Table;
      assert.deepEqual(simple?.KeySchema, [{ AttributeName: 'id', KeyType: 'HASH' }]);
      assert.equal(simple?.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
      const simpleN = (await first.client.send(new DescribeTableCommand({ TableName: 'test-SimpleN-XYZ' }))).Table;
      assert.deepEqual(simpleN?.AttributeDefinitions, [{ AttributeName: 'num', AttributeType: 'N' }]);
      await first.client.send(new PutItemCommand({ TableName: 'test-Orders-ABC123', Item: { customer: { S: 'c1' }, order: { N: '1' }, total: { N: '9.99' } } }));
      await first.client.send(new PutItemCommand({ TableName: 'test-Simple-XYZ', Item: { id: { S: 'kept' } } }));
    } finally {
      await first.close();
    }
    const tableId = async (client: DynamoDBClient) => (await client.send(new DescribeTableCommand({ TableName: 'test-Orders-ABC123' }))).Table?.TableId;
    const second = await startEndpoint({ dataDir: first.dataDir, resources });
    try {
      const { Item } = await second.client.send(new GetItemCommand({ TableName: 'test-Orders-ABC123', Key: { customer: { S: 'c1' }, order: { N: '1' } } }));
      assert.deepEqual(Item, { customer: { S: 'c1' }, order: { N: '1' }, total: { N: '9.99' } });
      assert.ok((await second.client.send(new GetItemCommand({ TableName: 'test-Simple-XYZ', Key: { id: { S: 'kept' } } }))).Item);
      assert.equal((await second.client.send(new ListTablesCommand({}))).TableNames?.length, 3);
      assert.ok(await tableId(second.client));
    } finally {
      await second.close(true);
    }
  });

  it('names the resource when a declared table is invalid', async () => {
    const bad: TemplateResource = { ...resources[0]!, physicalId: 'broken', properties: { KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }], AttributeDefinitions: [], BillingMode: 'PAY_PER_REQUEST' } };
    await assert.rejects(startEndpoint({ resources: [bad] }), /\/tmp\/template\.yaml#\/Resources\/X: AWS::DynamoDB::Table Orders: Invalid KeySchema/);
  });
});
