/**
 * Query and Scan through the SDK (API Reference "Query", "Scan"; Developer Guide "Querying tables",
 * "Scanning tables", "Using Global Secondary Indexes", "Local secondary indexes").
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import { rejection, startEndpoint, type TestEndpoint } from '../testing.js';

let ep: TestEndpoint;
let db: DynamoDBClient;

async function putAll(TableName: string, items: Record<string, AttributeValue>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    await db.send(new BatchWriteItemCommand({ RequestItems: { [TableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}

async function queryAll(input: QueryCommandInput) {
  const pages: Record<string, AttributeValue>[][] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const out = await db.send(new QueryCommand({ ...input, ExclusiveStartKey }));
    pages.push(out.Items ?? []);
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  return pages;
}

async function scanAll(input: ScanCommandInput) {
  const items: Record<string, AttributeValue>[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  let pages = 0;
  do {
    const out = await db.send(new ScanCommand({ ...input, ExclusiveStartKey }));
    items.push(...(out.Items ?? []));
    ExclusiveStartKey = out.LastEvaluatedKey;
    pages++;
  } while (ExclusiveStartKey !== undefined);
  return { items, pages };
}

before(async () => {
  ep = await startEndpoint();
  db = ep.client;
  await db.send(
    new CreateTableCommand({
      TableName: 'events',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'n', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'n', AttributeType: 'N' },
        { AttributeName: 'kind', AttributeType: 'S' },
        { AttributeName: 'at', AttributeType: 'S' },
        { AttributeName: 'score', AttributeType: 'N' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byKind',
          KeySchema: [
            { AttributeName: 'kind', KeyType: 'HASH' },
            { AttributeName: 'at', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: 'byScore',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'score', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['note'] },
        },
      ],
    }),
  );
  const numbers = ['-10', '-1.5', '-1', '0', '0.5', '1', '2', '10', '100', '1e3'];
  await putAll(
    'events',
    numbers.map((n, i) => ({
      pk: { S: 'p1' },
      n: { N: n },
      kind: { S: i % 2 === 0 ? 'even' : 'odd' },
      at: { S: `2024-01-${String(10 + i)}` },
      score: { N: String(100 - i * 7) },
      note: { S: `note ${i}` },
      other: { S: 'not projected' },
    })),
  );
  await db.send(new PutItemCommand({ TableName: 'events', Item: { pk: { S: 'p2' }, n: { N: '1' } } }));
  await db.send(
    new CreateTableCommand({
      TableName: 'words',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'w', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'w', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await putAll(
    'words',
    ['apple', 'apricot', 'banana', 'Zebra', 'ápple', 'app', 'b'].map((w) => ({ pk: { S: 'w' }, w: { S: w } })),
  );
});
after(() => ep.close(true));

describe('Query', () => {
  it('orders N sort keys numerically, both directions', async () => {
    const up = await db.send(new QueryCommand({ TableName: 'events', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p1' } } }));
    assert.deepEqual(
      up.Items?.map((i) => i['n']?.N),
      ['-10', '-1.5', '-1', '0', '0.5', '1', '2', '10', '100', '1000'],
    );
    assert.equal(up.Count, 10);
    assert.equal(up.ScannedCount, 10);
    const down = await db.send(new QueryCommand({ TableName: 'events', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p1' } }, ScanIndexForward: false, Limit: 3 }));
    assert.deepEqual(
      down.Items?.map((i) => i['n']?.N),
      ['1000', '100', '10'],
    );
    assert.deepEqual(down.LastEvaluatedKey, { pk: { S: 'p1' }, n: { N: '10' } });
  });

  it('applies each sort-key operator', async () => {
    const q = async (cond: string, values: Record<string, AttributeValue>) =>
      (await db.send(new QueryCommand({ TableName: 'events', KeyConditionExpression: `pk = :p AND ${cond}`, ExpressionAttributeValues: { ':p': { S: 'p1' }, ...values } }))).Items?.map((i) => i['n']?.N);
    assert.deepEqual(await q('n < :v', { ':v': { N: '0' } }), ['-10', '-1.5', '-1']);
    assert.deepEqual(await q('n <= :v', { ':v': { N: '0' } }), ['-10', '-1.5', '-1', '0']);
    assert.deepEqual(await q('n > :v', { ':v': { N: '10' } }), ['100', '1000']);
    assert.deepEqual(await q('n >= :v', { ':v': { N: '10' } }), ['10', '100', '1000']);
    assert.deepEqual(await q('n = :v', { ':v': { N: '1.0' } }), ['1']);
    assert.deepEqual(await q('n BETWEEN :a AND :b', { ':a': { N: '-1' }, ':b': { N: '1' } }), ['-1', '0', '0.5', '1']);
  });

  it('orders S sort keys by UTF-8 bytes and supports begins_with', async () => {
    const all = await db.send(new QueryCommand({ TableName: 'words', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'w' } } }));
    assert.deepEqual(
      all.Items?.map((i) => i['w']?.S),
      ['Zebra', 'app', 'apple', 'apricot', 'b', 'banana', 'ápple'],
    );
    const prefixed = await db.send(
      new QueryCommand({ TableName: 'words', KeyConditionExpression: 'pk = :p AND begins_with(w, :pre)', ExpressionAttributeValues: { ':p': { S: 'w' }, ':pre': { S: 'app' } } }),
    );
    assert.deepEqual(
      prefixed.Items?.map((i) => i['w']?.S),
      ['app', 'apple'],
    );
  });

  it('paginates with Limit and ExclusiveStartKey, counting before the filter', async () => {
    const pages = await queryAll({
      TableName: 'events',
      KeyConditionExpression: 'pk = :p',
      FilterExpression: 'kind = :odd',
      ExpressionAttributeValues: { ':p': { S: 'p1' }, ':odd': { S: 'odd' } },
      Limit: 4,
    });
    // Limit is the number of items read before FilterExpression (API Reference "Query" -> Limit).
    assert.deepEqual(
      pages.map((p) => p.map((i) => i['n']?.N)),
      [['-1.5', '0'], ['1', '10'], ['1000']],
    );
    const counted = await db.send(new QueryCommand({ TableName: 'events', KeyConditionExpression: 'pk = :p', FilterExpression: 'kind = :odd', ExpressionAttributeValues: { ':p': { S: 'p1' }, ':odd': { S: 'odd' } }, Select: 'COUNT' }));
    assert.equal(counted.Items, undefined);
    assert.equal(counted.Count, 5);
    assert.equal(counted.ScannedCount, 10);
  });

  it('queries a KEYS_ONLY GSI and an INCLUDE LSI', async () => {
    const gsi = await db.send(
      new QueryCommand({ TableName: 'events', IndexName: 'byKind', KeyConditionExpression: 'kind = :k AND #at > :t', ExpressionAttributeNames: { '#at': 'at' }, ExpressionAttributeValues: { ':k': { S: 'odd' }, ':t': { S: '2024-01-15' } } }),
    );
    assert.deepEqual(gsi.Items, [
      { pk: { S: 'p1' }, n: { N: '10' }, kind: { S: 'odd' }, at: { S: '2024-01-17' } },
      { pk: { S: 'p1' }, n: { N: '1000' }, kind: { S: 'odd' }, at: { S: '2024-01-19' } },
    ]);
    const page = await db.send(new QueryCommand({ TableName: 'events', IndexName: 'byKind', KeyConditionExpression: 'kind = :k', ExpressionAttributeValues: { ':k': { S: 'even' } }, Limit: 2 }));
    // An index's LastEvaluatedKey holds the table key and the index key.
    assert.deepEqual(page.LastEvaluatedKey, { pk: { S: 'p1' }, n: { N: '-1' }, kind: { S: 'even' }, at: { S: '2024-01-12' } } as unknown as typeof page.LastEvaluatedKey);
    const lsi = await db.send(new QueryCommand({ TableName: 'events', IndexName: 'byScore', KeyConditionExpression: 'pk = :p AND score >= :s', ExpressionAttributeValues: { ':p': { S: 'p1' }, ':s': { N: '90' } } }));
    assert.deepEqual(lsi.Items, [
      { pk: { S: 'p1' }, n: { N: '-1.5' }, score: { N: '93' }, note: { S: 'note 1' } },
      { pk: { S: 'p1' }, n: { N: '-10' }, score: { N: '100' }, note: { S: 'note 0' } },
    ]);
    // Developer Guide "Global secondary indexes": attributes outside the projection cannot be fetched.
    const e = await rejection(db.send(new QueryCommand({ TableName: 'events', IndexName: 'byKind', KeyConditionExpression: 'kind = :k', ExpressionAttributeValues: { ':k': { S: 'odd' } }, Select: 'ALL_ATTRIBUTES' })));
    assert.equal(e.message, 'One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byKind because its projection type is not ALL');
  });

  it('keeps the GSI in step with updates and deletes', async () => {
    await db.send(new UpdateItemCommand({ TableName: 'events', Key: { pk: { S: 'p2' }, n: { N: '1' } }, UpdateExpression: 'SET kind = :k, #at = :t', ExpressionAttributeNames: { '#at': 'at' }, ExpressionAttributeValues: { ':k': { S: 'rare' }, ':t': { S: 'x' } } }));
    const q = () => db.send(new QueryCommand({ TableName: 'events', IndexName: 'byKind', KeyConditionExpression: 'kind = :k', ExpressionAttributeValues: { ':k': { S: 'rare' } } }));
    assert.equal((await q()).Count, 1);
    await db.send(new UpdateItemCommand({ TableName: 'events', Key: { pk: { S: 'p2' }, n: { N: '1' } }, UpdateExpression: 'REMOVE kind' }));
    assert.equal((await q()).Count, 0);
  });

  it('validates key conditions with DynamoDB messages', async () => {
    const q = (KeyConditionExpression: string, values: Record<string, AttributeValue>, extra: Partial<QueryCommandInput> = {}) =>
      rejection(db.send(new QueryCommand({ TableName: 'events', KeyConditionExpression, ExpressionAttributeValues: values, ...extra })));
    assert.equal((await q('n = :v', { ':v': { N: '1' } })).message, 'Query condition missed key schema element: pk');
    assert.equal((await q('pk > :v', { ':v': { S: 'a' } })).message, 'Query key condition not supported');
    assert.equal((await q('pk = :v OR n = :n', { ':v': { S: 'a' }, ':n': { N: '1' } })).message, 'Invalid operator used in KeyConditionExpression: OR');
    assert.equal((await q('pk = :v', { ':v': { N: '1' } })).message, 'One or more parameter values were invalid: Condition parameter type does not match schema type');
    assert.equal((await q('pk = :v', { ':v': { S: 'a' } }, { IndexName: 'nope' })).message, 'The table does not have the specified index: nope');
    assert.equal(
      (await q('pk = :v', { ':v': { S: 'a' }, ':n': { N: '1' } }, { FilterExpression: 'n = :n' })).message,
      'Filter Expression can only contain non-primary key attributes: Primary key attribute: n',
    );
  });

  it('supports the legacy KeyConditions and QueryFilter', async () => {
    const out = await db.send(
      new QueryCommand({
        TableName: 'events',
        KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'p1' }] }, n: { ComparisonOperator: 'GT', AttributeValueList: [{ N: '10' }] } },
        QueryFilter: { kind: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'even' }] } },
      }),
    );
    assert.deepEqual(
      out.Items?.map((i) => i['n']?.N),
      ['100'],
    );
  });
});

describe('Scan', () => {
  it('pages through every item and filters', async () => {
    const { items, pages } = await scanAll({ TableName: 'events', Limit: 3 });
    assert.equal(items.length, 11);
    assert.equal(pages, 4);
    const filtered = await db.send(new ScanCommand({ TableName: 'events', FilterExpression: 'score BETWEEN :a AND :b', ExpressionAttributeValues: { ':a': { N: '60' }, ':b': { N: '80' } }, ProjectionExpression: 'score' }));
    assert.deepEqual(
      filtered.Items?.map((i) => i['score']?.N).sort(),
      ['65', '72', '79'],
    );
  });

  it('splits a parallel scan into disjoint segments covering the table', async () => {
    await putAll('words', Array.from({ length: 60 }, (_, i) => ({ pk: { S: `k${i}` }, w: { S: 'x' } })));
    const seen: string[] = [];
    for (let Segment = 0; Segment < 4; Segment++) {
      const { items } = await scanAll({ TableName: 'words', Segment, TotalSegments: 4, Limit: 7 });
      seen.push(...items.map((i) => `${i['pk']?.S}/${i['w']?.S}`));
    }
    assert.equal(seen.length, 67);
    assert.equal(new Set(seen).size, 67);
    const e = await rejection(db.send(new ScanCommand({ TableName: 'words', Segment: 4, TotalSegments: 4 })));
    assert.equal(e.message, 'The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 is not less than TotalSegments: 4');
  });

  it('scans an index', async () => {
    const out = await db.send(new ScanCommand({ TableName: 'events', IndexName: 'byKind' }));
    assert.equal(out.Count, 10);
    assert.ok(out.Items?.every((i) => i['other'] === undefined));
  });
});
