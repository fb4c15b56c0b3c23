/**
 * DynamoDB Streams with raw JSON 1.0 requests in the @aws-sdk/client-dynamodb-streams wire format
 * (DynamoDB Streams API Reference: ListStreams, DescribeStream, GetShardIterator, GetRecords;
 * "StreamRecord"), and readStreamRecords for event sources.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DeleteItemCommand, PutItemCommand, UpdateItemCommand, UpdateTableCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readStreamRecords } from '../index.js';
import { startEndpoint, type TestEndpoint } from '../testing.js';

let ep: TestEndpoint;
let db: DynamoDBClient;
let streamArn: string;
const TableName = 'streamed';
const streams = (op: string, body: unknown) => ep.call(`DynamoDBStreams_20120810.${op}`, body);

before(async () => {
  ep = await startEndpoint();
  db = ep.client;
  const created = await db.send(
    new CreateTableCommand({
      TableName,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  streamArn = created.TableDescription!.LatestStreamArn!;
  await db.send(new PutItemCommand({ TableName, Item: { id: { S: 'a' }, v: { N: '1' } } }));
  await db.send(new UpdateItemCommand({ TableName, Key: { id: { S: 'a' } }, UpdateExpression: 'SET v = :two', ExpressionAttributeValues: { ':two': { N: '2' } } }));
  // An update that changes nothing writes no record.
  await db.send(new UpdateItemCommand({ TableName, Key: { id: { S: 'a' } }, UpdateExpression: 'SET v = :two', ExpressionAttributeValues: { ':two': { N: '2' } } }));
  await db.send(new DeleteItemCommand({ TableName, Key: { id: { S: 'a' } } }));
});
after(() => ep.close(true));

async function iterator(type: string, SequenceNumber?: string): Promise<string> {
  const described = await streams('DescribeStream', { StreamArn: streamArn });
  const shard = (described.body['StreamDescription'] as { Shards: { ShardId: string }[] }).Shards[0]!;
  const it = await streams('GetShardIterator', { StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: type, ...(SequenceNumber === undefined ? {} : { SequenceNumber }) });
  assert.equal(it.status, 200, JSON.stringify(it.body));
  return it.body['ShardIterator'] as string;
}

type Record = { eventName: string; eventSource: string; dynamodb: { [k: string]: unknown; SequenceNumber: string } };

describe('DynamoDB Streams API', () => {
  it('lists and describes the stream', async () => {
    const listed = await streams('ListStreams', { TableName });
    assert.deepEqual(listed.body['Streams'], [{ StreamArn: streamArn, TableName, StreamLabel: streamArn.split('/stream/')[1] }]);
    const described = await streams('DescribeStream', { StreamArn: streamArn });
    const d = described.body['StreamDescription'] as Record & { [k: string]: unknown };
    assert.equal(d['StreamStatus'], 'ENABLED');
    assert.equal(d['StreamViewType'], 'NEW_AND_OLD_IMAGES');
    assert.deepEqual(d['KeySchema'], [{ AttributeName: 'id', KeyType: 'HASH' }]);
    assert.equal(typeof d['CreationRequestDateTime'], 'number', 'timestamps are epoch seconds in JSON 1.0');
    assert.match((d['Shards'] as { ShardId: string }[])[0]!.ShardId, /^shardId-\d{20}-[0-9a-f]{8}$/);
  });

  it('returns INSERT, MODIFY, REMOVE with images and increasing sequence numbers', async () => {
    const got = await streams('GetRecords', { ShardIterator: await iterator('TRIM_HORIZON') });
    const records = got.body['Records'] as Record[];
    assert.deepEqual(
      records.map((r) => r.eventName),
      ['INSERT', 'MODIFY', 'REMOVE'],
    );
    assert.equal(records[0]!.eventSource, 'aws:dynamodb');
    assert.deepEqual(records[1]!.dynamodb['Keys'], { id: { S: 'a' } });
    assert.deepEqual(records[1]!.dynamodb['OldImage'], { id: { S: 'a' }, v: { N: '1' } });
    assert.deepEqual(records[1]!.dynamodb['NewImage'], { id: { S: 'a' }, v: { N: '2' } });
    assert.equal(records[2]!.dynamodb['NewImage'], undefined);
    assert.equal(typeof records[0]!.dynamodb['ApproximateCreationDateTime'], 'number');
    const seqs = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
    assert.ok(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!);
    assert.equal(typeof got.body['NextShardIterator'], 'string');

    const after = await streams('GetRecords', { ShardIterator: await iterator('AFTER_SEQUENCE_NUMBER', records[0]!.dynamodb.SequenceNumber) });
    assert.equal((after.body['Records'] as Record[]).length, 2);
    const at = await streams('GetRecords', { ShardIterator: await iterator('AT_SEQUENCE_NUMBER', records[2]!.dynamodb.SequenceNumber), Limit: 5 });
    assert.deepEqual(
      (at.body['Records'] as Record[]).map((r) => r.eventName),
      ['REMOVE'],
    );
  });

  it('follows NextShardIterator from LATEST to new records', async () => {
    const latest = await streams('GetRecords', { ShardIterator: await iterator('LATEST') });
    assert.deepEqual(latest.body['Records'], []);
    await db.send(new PutItemCommand({ TableName, Item: { id: { S: 'b' } } }));
    const next = await streams('GetRecords', { ShardIterator: latest.body['NextShardIterator'] });
    assert.deepEqual(
      (next.body['Records'] as Record[]).map((r) => r.dynamodb['Keys']),
      [{ id: { S: 'b' } }],
    );
  });

  it('answers unknown streams and bad iterators with DynamoDB error types', async () => {
    const missing = await streams('DescribeStream', { StreamArn: `${streamArn}x` });
    assert.equal(missing.status, 400);
    assert.equal(missing.body['__type'], 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException');
    const bad = await streams('GetRecords', { ShardIterator: 'garbage' });
    assert.equal(bad.body['__type'], 'com.amazonaws.dynamodb.v20120810#ValidationException');
  });
});

describe('readStreamRecords and TTL deletions', () => {
  it('reads records for event sources, including TTL removals by the service', async () => {
    const all = readStreamRecords(TableName, undefined, 100);
    assert.equal(all.length, 4);
    assert.equal(all[0]!.eventSourceARN, streamArn);
    const rest = readStreamRecords(TableName, all[1]!.dynamodb['SequenceNumber'] as string, 100);
    assert.equal(rest.length, 2);

    await db.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { AttributeName: 'exp', Enabled: true } }));
    await db.send(new PutItemCommand({ TableName, Item: { id: { S: 'temp' }, exp: { N: String(Math.floor(Date.now() / 1000) - 1) } } }));
    // The periodic sweep (every second) may have come first: either way the item's REMOVE is last.
    ep.service.sweep();
    const last = readStreamRecords(TableName, all[3]!.dynamodb['SequenceNumber'] as string, 100).at(-1)!;
    // Developer Guide "TTL and DynamoDB Streams": the service is the principal of a TTL delete.
    assert.equal(last.eventName, 'REMOVE');
    assert.deepEqual(last.userIdentity, { type: 'Service', principalId: 'dynamodb.amazonaws.com' });
  });

  it('closes the shard when the stream is disabled', async () => {
    await db.send(new UpdateTableCommand({ TableName, StreamSpecification: { StreamEnabled: false } }));
    const described = await streams('DescribeStream', { StreamArn: streamArn });
    const d = described.body['StreamDescription'] as { StreamStatus: string; Shards: { SequenceNumberRange: { EndingSequenceNumber?: string } }[] };
    assert.equal(d.StreamStatus, 'DISABLED');
    assert.ok(d.Shards[0]!.SequenceNumberRange.EndingSequenceNumber);
  });
});
