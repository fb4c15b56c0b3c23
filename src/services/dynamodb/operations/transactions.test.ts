/**
 * BatchGetItem, BatchWriteItem, TransactWriteItems and TransactGetItems through the SDK (API
 * Reference pages of the same names; Developer Guide "Amazon DynamoDB Transactions").
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { rejection, startEndpoint, type TestEndpoint } from '../testing.js';

let ep: TestEndpoint;
let db: DynamoDBClient;
const TableName = 'accounts';
const key = (id: string) => ({ id: { S: id } });

before(async () => {
  ep = await startEndpoint();
  db = ep.client;
  await db.send(
    new CreateTableCommand({ TableName, KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }),
  );
});
after(() => ep.close(true));

describe('batches', () => {
  it('writes and reads in batches with nothing unprocessed', async () => {
    const written = await db.send(
      new BatchWriteItemCommand({
        RequestItems: { [TableName]: Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { id: { S: `b${i}` }, n: { N: String(i) } } } })) },
      }),
    );
    assert.deepEqual(written.UnprocessedItems, {});
    await db.send(new BatchWriteItemCommand({ RequestItems: { [TableName]: [{ DeleteRequest: { Key: key('b0') } }] } }));
    const read = await db.send(new BatchGetItemCommand({ RequestItems: { [TableName]: { Keys: [key('b0'), key('b1'), key('b24')], ProjectionExpression: 'n' } } }));
    assert.deepEqual(
      read.Responses?.[TableName]?.map((i) => i['n']?.N).sort(),
      ['1', '24'],
    );
    assert.deepEqual(read.UnprocessedKeys, {});
  });

  it('rejects duplicates and oversize batches', async () => {
    // API Reference "BatchWriteItem": duplicate keys and more than 25 requests are validation errors.
    let e = await rejection(db.send(new BatchWriteItemCommand({ RequestItems: { [TableName]: [{ PutRequest: { Item: key('x') } }, { DeleteRequest: { Key: key('x') } }] } })));
    assert.equal(e.message, 'Provided list of item keys contains duplicates');
    e = await rejection(db.send(new BatchWriteItemCommand({ RequestItems: { [TableName]: Array.from({ length: 26 }, (_, i) => ({ PutRequest: { Item: key(`o${i}`) } })) } })));
    assert.match(e.message, /Member must have length less than or equal to 25/);
    // API Reference "BatchGetItem": at most 100 items.
    e = await rejection(db.send(new BatchGetItemCommand({ RequestItems: { [TableName]: { Keys: Array.from({ length: 101 }, (_, i) => key(`g${i}`)) } } })));
    assert.equal(e.message, 'Too many items requested for the BatchGetItem call');
    e = await rejection(db.send(new BatchGetItemCommand({ RequestItems: { nope: { Keys: [key('a')] } } })));
    assert.equal(e.name, 'ResourceNotFoundException');
  });
});

describe('TransactWriteItems', () => {
  it('applies Put, Update, Delete and ConditionCheck together', async () => {
    await db.send(new PutItemCommand({ TableName, Item: { id: { S: 'alice' }, balance: { N: '100' } } }));
    await db.send(new PutItemCommand({ TableName, Item: { id: { S: 'gone' } } }));
    await db.send(new PutItemCommand({ TableName, Item: { id: { S: 'lock' }, open: { BOOL: true } } }));
    await db.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Update: { TableName, Key: key('alice'), UpdateExpression: 'SET balance = balance - :amt', ConditionExpression: 'balance >= :amt', ExpressionAttributeValues: { ':amt': { N: '30' } } } },
          { Put: { TableName, Item: { id: { S: 'bob' }, balance: { N: '30' } }, ConditionExpression: 'attribute_not_exists(id)' } },
          { Delete: { TableName, Key: key('gone') } },
          { ConditionCheck: { TableName, Key: key('lock'), ConditionExpression: '#o = :t', ExpressionAttributeNames: { '#o': 'open' }, ExpressionAttributeValues: { ':t': { BOOL: true } } } },
        ],
      }),
    );
    assert.deepEqual((await db.send(new GetItemCommand({ TableName, Key: key('alice') }))).Item?.['balance'], { N: '70' });
    assert.deepEqual((await db.send(new GetItemCommand({ TableName, Key: key('bob') }))).Item?.['balance'], { N: '30' });
    assert.equal((await db.send(new GetItemCommand({ TableName, Key: key('gone') }))).Item, undefined);
  });

  it('cancels everything when one condition fails, with a reason per item', async () => {
    const e = await rejection(
      db.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Update: { TableName, Key: key('alice'), UpdateExpression: 'SET balance = balance - :amt', ExpressionAttributeValues: { ':amt': { N: '1' } } } },
            { Put: { TableName, Item: { id: { S: 'bob' } }, ConditionExpression: 'attribute_not_exists(id)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
          ],
        }),
      ),
    );
    // Developer Guide "Transactions": TransactionCanceledException with CancellationReasons in item order.
    assert.equal(e.name, 'TransactionCanceledException');
    assert.equal(e.message, 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]');
    assert.deepEqual(e.error['CancellationReasons'], [
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { id: { S: 'bob' }, balance: { N: '30' } } },
    ]);
    assert.deepEqual((await db.send(new GetItemCommand({ TableName, Key: key('alice') }))).Item?.['balance'], { N: '70' }, 'nothing was written');
  });

  it('reports a run-time update error as a ValidationError reason', async () => {
    const e = await rejection(
      db.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Update: { TableName, Key: key('lock'), UpdateExpression: 'SET n = #o + :one', ExpressionAttributeNames: { '#o': 'open' }, ExpressionAttributeValues: { ':one': { N: '1' } } } }],
        }),
      ),
    );
    assert.deepEqual(e.error['CancellationReasons'], [{ Code: 'ValidationError', Message: 'An operand in the update expression has an incorrect data type' }]);
  });

  it('refuses two operations on one item', async () => {
    const e = await rejection(db.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName, Item: key('z') } }, { Delete: { TableName, Key: key('z') } }] })));
    assert.equal(e.message, 'Transaction request cannot include multiple operations on one item');
  });

  it('is idempotent per ClientRequestToken', async () => {
    const input = {
      ClientRequestToken: 'token-1',
      TransactItems: [{ Update: { TableName, Key: key('counter'), UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } }],
    };
    await db.send(new TransactWriteItemsCommand(input));
    await db.send(new TransactWriteItemsCommand(input));
    assert.deepEqual((await db.send(new GetItemCommand({ TableName, Key: key('counter') }))).Item?.['n'], { N: '1' });
    const e = await rejection(db.send(new TransactWriteItemsCommand({ ...input, TransactItems: [{ Put: { TableName, Item: key('other') } }] })));
    assert.equal(e.name, 'IdempotentParameterMismatchException');
  });
});

describe('TransactGetItems', () => {
  it('reads items in order, empty for missing ones', async () => {
    const out = await db.send(
      new TransactGetItemsCommand({
        TransactItems: [{ Get: { TableName, Key: key('alice'), ProjectionExpression: 'balance' } }, { Get: { TableName, Key: key('missing') } }, { Get: { TableName, Key: key('bob') } }],
      }),
    );
    assert.deepEqual(out.Responses, [{ Item: { balance: { N: '70' } } }, {}, { Item: { id: { S: 'bob' }, balance: { N: '30' } } }]);
  });
});
