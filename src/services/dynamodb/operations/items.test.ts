/**
 * PutItem / GetItem / UpdateItem / DeleteItem through @aws-sdk/client-dynamodb against the embedded
 * service. AWS facts are cited from the API Reference pages of each operation and the Developer
 * Guide "Expressions" chapters.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { rejection, startEndpoint, type TestEndpoint } from '../testing.js';

let ep: TestEndpoint;
let db: DynamoDBClient;
const TableName = 'items';

before(async () => {
  ep = await startEndpoint();
  db = ep.client;
  await db.send(
    new CreateTableCommand({
      TableName,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});
after(() => ep.close(true));

describe('PutItem and GetItem', () => {
  it('stores an item and reads it back with canonical numbers', async () => {
    await db.send(new PutItemCommand({ TableName, Item: { pk: { S: 'a' }, n: { N: '01.50' }, b: { B: Buffer.from([1, 2, 3]) }, l: { L: [{ NULL: true }, { BOOL: false }] } } }));
    const { Item } = await db.send(new GetItemCommand({ TableName, Key: { pk: { S: 'a' } }, ConsistentRead: true }));
    assert.deepEqual(Item?.['n'], { N: '1.5' });
    assert.deepEqual([...(Item?.['b']?.B ?? [])], [1, 2, 3]);
    assert.deepEqual(Item?.['l'], { L: [{ NULL: true }, { BOOL: false }] });
  });

  it('answers no Item for a missing key', async () => {
    const out = await db.send(new GetItemCommand({ TableName, Key: { pk: { S: 'nope' } } }));
    assert.equal(out.Item, undefined);
  });

  it('projects nested paths and list elements', async () => {
    await db.send(new PutItemCommand({ TableName, Item: { pk: { S: 'p' }, m: { M: { x: { S: '1' }, y: { S: '2' } } }, l: { L: [{ S: 'a' }, { S: 'b' }, { S: 'c' }] }, z: { S: 'z' } } }));
    const { Item } = await db.send(new GetItemCommand({ TableName, Key: { pk: { S: 'p' } }, ProjectionExpression: 'm.y, l[2], #z', ExpressionAttributeNames: { '#z': 'z' } }));
    assert.deepEqual(Item, { m: { M: { y: { S: '2' } } }, l: { L: [{ S: 'c' }] }, z: { S: 'z' } });
  });

  it('keeps 38-digit numbers exact', async () => {
    const big = '12345678901234567890123456789012345678';
    await db.send(new PutItemCommand({ TableName, Item: { pk: { S: 'big' }, n: { N: big } } }));
    const out = await db.send(new UpdateItemCommand({ TableName, Key: { pk: { S: 'big' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValues: 'UPDATED_NEW' }));
    assert.deepEqual(out.Attributes, { n: { N: '12345678901234567890123456789012345679' } });
  });

  it('rejects bad keys with DynamoDB messages', async () => {
    // API Reference "GetItem": a key that does not match the schema.
    let e = await rejection(db.send(new GetItemCommand({ TableName, Key: { id: { S: 'a' } } })));
    assert.equal(e.name, 'ValidationException');
    assert.equal(e.message, 'The provided key element does not match the schema');
    e = await rejection(db.send(new PutItemCommand({ TableName, Item: { pk: { N: '1' } } })));
    assert.equal(e.message, 'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N');
    e = await rejection(db.send(new PutItemCommand({ TableName, Item: { other: { S: '1' } } })));
    assert.equal(e.message, 'One or more parameter values were invalid: Missing the key pk in the item');
    e = await rejection(db.send(new PutItemCommand({ TableName, Item: { pk: { S: '' } } })));
    assert.equal(e.message, 'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk');
  });

  it('rejects an unknown table and items over 400 KB', async () => {
    // API Reference "Common errors": ResourceNotFoundException "Requested resource not found".
    let e = await rejection(db.send(new GetItemCommand({ TableName: 'missing', Key: { pk: { S: 'a' } } })));
    assert.equal(e.name, 'ResourceNotFoundException');
    assert.equal(e.message, 'Requested resource not found');
    // Developer Guide "Service, account, and table quotas": 400 KB item size.
    e = await rejection(db.send(new PutItemCommand({ TableName, Item: { pk: { S: 'huge' }, s: { S: 'x'.repeat(400 * 1024) } } })));
    assert.equal(e.message, 'Item size has exceeded the maximum allowed size');
  });
});

describe('conditions and return values', () => {
  it('fails a condition with ConditionalCheckFailedException and can return the old item', async () => {
    await db.send(new PutItemCommand({ TableName, Item: { pk: { S: 'c' }, v: { N: '1' } } }));
    const e = await rejection(
      db.send(
        new PutItemCommand({
          TableName,
          Item: { pk: { S: 'c' }, v: { N: '2' } },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    // API Reference "PutItem" -> ConditionalCheckFailedException; Item is returned with ALL_OLD.
    assert.equal(e.name, 'ConditionalCheckFailedException');
    assert.equal(e.message, 'The conditional request failed');
    assert.deepEqual(e.error['Item'], { pk: { S: 'c' }, v: { N: '1' } });
    const old = await db.send(new PutItemCommand({ TableName, Item: { pk: { S: 'c' }, v: { N: '3' } }, ConditionExpression: 'v < :two', ExpressionAttributeValues: { ':two': { N: '2' } }, ReturnValues: 'ALL_OLD' }));
    assert.deepEqual(old.Attributes, { pk: { S: 'c' }, v: { N: '1' } });
  });

  it('refuses unused expression attribute names and values', async () => {
    // Error text as DynamoDB returns it (ValidationException "Value provided in ... unused in expressions").
    let e = await rejection(db.send(new PutItemCommand({ TableName, Item: { pk: { S: 'u' } }, ConditionExpression: 'attribute_not_exists(pk)', ExpressionAttributeValues: { ':x': { S: 'x' } } })));
    assert.equal(e.message, 'Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}');
    e = await rejection(db.send(new GetItemCommand({ TableName, Key: { pk: { S: 'u' } }, ProjectionExpression: 'pk', ExpressionAttributeNames: { '#a': 'a' } })));
    assert.equal(e.message, 'Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}');
    e = await rejection(db.send(new GetItemCommand({ TableName, Key: { pk: { S: 'u' } }, ExpressionAttributeNames: { '#a': 'a' } })));
    assert.equal(e.message, 'ExpressionAttributeNames can only be specified when using expressions');
  });

  it('refuses ReturnValues other than ALL_OLD or NONE on PutItem', async () => {
    const e = await rejection(db.send(new PutItemCommand({ TableName, Item: { pk: { S: 'r' } }, ReturnValues: 'ALL_NEW' })));
    assert.equal(e.message, 'ReturnValues can only be ALL_OLD or NONE');
  });

  it('supports the legacy Expected parameter', async () => {
    await db.send(new PutItemCommand({ TableName, Item: { pk: { S: 'legacy' }, v: { N: '1' } } }));
    const e = await rejection(db.send(new PutItemCommand({ TableName, Item: { pk: { S: 'legacy' } }, Expected: { v: { Value: { N: '2' } } } })));
    assert.equal(e.name, 'ConditionalCheckFailedException');
    await db.send(new PutItemCommand({ TableName, Item: { pk: { S: 'legacy' } }, Expected: { v: { ComparisonOperator: 'EQ', AttributeValueList: [{ N: '1' }] } } }));
  });
});

describe('UpdateItem', () => {
  it('creates the item, then applies SET / REMOVE / ADD / DELETE with each ReturnValues', async () => {
    const Key = { pk: { S: 'u1' } };
    const created = await db.send(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'SET #c = if_not_exists(#c, :zero) + :one, tags = :tags, l = :l, m = :m',
        ExpressionAttributeNames: { '#c': 'count' },
        ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' }, ':tags': { SS: ['a', 'b'] }, ':l': { L: [{ N: '1' }] }, ':m': { M: { k: { S: 'v' } } } },
        ReturnValues: 'ALL_NEW',
      }),
    );
    assert.deepEqual(created.Attributes, { pk: { S: 'u1' }, count: { N: '1' }, tags: { SS: ['a', 'b'] }, l: { L: [{ N: '1' }] }, m: { M: { k: { S: 'v' } } } });

    const updatedOld = await db.send(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'SET l = list_append(l, :more), m.k2 = :v REMOVE m.k ADD #c :five DELETE tags :a',
        ExpressionAttributeNames: { '#c': 'count' },
        ExpressionAttributeValues: { ':more': { L: [{ N: '2' }] }, ':v': { S: 'v2' }, ':five': { N: '5' }, ':a': { SS: ['a'] } },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    // UPDATED_OLD: only the updated attributes, as they were.
    assert.deepEqual(updatedOld.Attributes, { l: { L: [{ N: '1' }] }, m: { M: { k: { S: 'v' } } }, count: { N: '1' }, tags: { SS: ['a', 'b'] } });

    const { Item } = await db.send(new GetItemCommand({ TableName, Key }));
    assert.deepEqual(Item, { pk: { S: 'u1' }, count: { N: '6' }, tags: { SS: ['b'] }, l: { L: [{ N: '1' }, { N: '2' }] }, m: { M: { k2: { S: 'v2' } } } });

    const updatedNew = await db.send(
      new UpdateItemCommand({ TableName, Key, UpdateExpression: 'SET #c = #c - :one', ExpressionAttributeNames: { '#c': 'count' }, ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValues: 'UPDATED_NEW' }),
    );
    assert.deepEqual(updatedNew.Attributes, { count: { N: '5' } });
  });

  it('reports update errors as DynamoDB does', async () => {
    const Key = { pk: { S: 'u2' } };
    await db.send(new PutItemCommand({ TableName, Item: { pk: { S: 'u2' }, s: { S: 'text' } } }));
    let e = await rejection(db.send(new UpdateItemCommand({ TableName, Key, UpdateExpression: 'SET s = s + :one', ExpressionAttributeValues: { ':one': { N: '1' } } })));
    assert.equal(e.message, 'An operand in the update expression has an incorrect data type');
    e = await rejection(db.send(new UpdateItemCommand({ TableName, Key, UpdateExpression: 'SET pk = :v', ExpressionAttributeValues: { ':v': { S: 'x' } } })));
    assert.equal(e.message, 'One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key');
    e = await rejection(db.send(new UpdateItemCommand({ TableName, Key, UpdateExpression: 'SET status = :v', ExpressionAttributeValues: { ':v': { S: 'x' } } })));
    // Developer Guide "Reserved words in DynamoDB".
    assert.equal(e.message, 'Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status');
    e = await rejection(db.send(new UpdateItemCommand({ TableName, Key, UpdateExpression: 'SET a = :v', ConditionExpression: 'attribute_exists(nope)', ExpressionAttributeValues: { ':v': { S: 'x' } } })));
    assert.equal(e.name, 'ConditionalCheckFailedException');
  });

  it('supports the legacy AttributeUpdates parameter', async () => {
    const Key = { pk: { S: 'u3' } };
    await db.send(new UpdateItemCommand({ TableName, Key, AttributeUpdates: { n: { Action: 'ADD', Value: { N: '2' } }, s: { Action: 'PUT', Value: { S: 'x' } } } }));
    await db.send(new UpdateItemCommand({ TableName, Key, AttributeUpdates: { n: { Action: 'ADD', Value: { N: '3' } }, s: { Action: 'DELETE' } } }));
    const { Item } = await db.send(new GetItemCommand({ TableName, Key }));
    assert.deepEqual(Item, { pk: { S: 'u3' }, n: { N: '5' } });
  });
});

describe('DeleteItem', () => {
  it('deletes with a condition and returns the old item', async () => {
    await db.send(new PutItemCommand({ TableName, Item: { pk: { S: 'd' }, v: { S: 'keep' } } }));
    const e = await rejection(db.send(new DeleteItemCommand({ TableName, Key: { pk: { S: 'd' } }, ConditionExpression: 'v = :x', ExpressionAttributeValues: { ':x': { S: 'other' } } })));
    assert.equal(e.name, 'ConditionalCheckFailedException');
    const out = await db.send(new DeleteItemCommand({ TableName, Key: { pk: { S: 'd' } }, ReturnValues: 'ALL_OLD' }));
    assert.deepEqual(out.Attributes, { pk: { S: 'd' }, v: { S: 'keep' } });
    assert.equal((await db.send(new GetItemCommand({ TableName, Key: { pk: { S: 'd' } } }))).Item, undefined);
  });
});

describe('protocol', () => {
  it('answers malformed bodies and unknown operations as DynamoDB does', async () => {
    const res = await fetch(ep.url, { method: 'POST', headers: { 'X-Amz-Target': 'DynamoDB_20120810.GetItem', 'Content-Type': 'application/x-amz-json-1.0' }, body: '{not json' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/x-amz-json-1.0');
    assert.equal(((await res.json()) as { __type: string }).__type, 'com.amazonaws.dynamodb.v20120810#SerializationException');
    const unknown = await ep.call('DynamoDB_20120810.ExplodeTable', {});
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body['__type'], 'com.amazon.coral.service#UnknownOperationException');
  });

  it('reports model constraint violations together', async () => {
    // DynamoDB's "N validation errors detected: ..." form for request members failing their constraints.
    const out = await ep.call('DynamoDB_20120810.Query', { TableName: 'a', Limit: 0, Select: 'EVERYTHING' });
    assert.equal(
      out.body['message'],
      "3 validation errors detected: Value 'a' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
        "Value 'EVERYTHING' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, SPECIFIC_ATTRIBUTES, COUNT]; " +
        "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });
});
