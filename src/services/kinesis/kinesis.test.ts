/**
 * The embedded Kinesis through the real SDK v3 client over HTTP.
 * Facts from the Kinesis Data Streams API reference (CreateStream, PutRecord(s), GetShardIterator,
 * GetRecords, ListShards, DescribeStream(Summary)) and developer guide ("Terminology and concepts").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  ListShardsCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { partitionKeyHash } from './hash-keys.js';
import { encodeIterator } from './sequence.js';
import { rejection, startKinesis, type KinesisEndpoint } from './testing.js';
import { decodeCbor, encodeCbor } from './cbor.js';

const ARN = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
const text = (data: Uint8Array | undefined) => Buffer.from(data ?? []).toString('utf8');

describe('kinesis through the SDK', () => {
  let k: KinesisEndpoint;
  before(async () => {
    k = await startKinesis({
      resources: [
        {
          logicalId: 'Events',
          type: 'AWS::Kinesis::Stream',
          properties: { Name: 'from-template', ShardCount: 2, RetentionPeriodHours: 48, Tags: [{ Key: 'team', Value: 'a' }] },
          physicalId: 'from-template',
          attributes: {},
          source: { file: 't.yaml', pointer: '/Resources/Events' },
        },
      ],
    });
  });
  after(() => k.close(true));

  it('serves streams declared in the template at start (CloudFormation AWS::Kinesis::Stream)', async () => {
    const { StreamDescriptionSummary: s } = await k.client.send(new DescribeStreamSummaryCommand({ StreamName: 'from-template' }));
    assert.equal(s?.StreamStatus, 'ACTIVE');
    assert.equal(s?.OpenShardCount, 2);
    assert.equal(s?.RetentionPeriodHours, 48);
    assert.equal(s?.StreamARN, ARN('from-template'));
    const tags = await k.client.send(new ListTagsForStreamCommand({ StreamName: 'from-template' }));
    assert.deepEqual(tags.Tags, [{ Key: 'team', Value: 'a' }]);
  });

  it('creates a provisioned stream whose shards split the 128-bit hash key space evenly (CreateStream, DescribeStream)', async () => {
    await k.client.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 4 }));
    const { StreamDescription: d } = await k.client.send(new DescribeStreamCommand({ StreamName: 'orders' }));
    assert.equal(d?.StreamStatus, 'ACTIVE');
    assert.equal(d?.StreamModeDetails?.StreamMode, 'PROVISIONED');
    assert.equal(d?.RetentionPeriodHours, 24); // default retention: 24 hours
    assert.equal(d?.HasMoreShards, false);
    assert.deepEqual(
      d?.Shards?.map((s) => [s.ShardId, s.HashKeyRange?.StartingHashKey, s.HashKeyRange?.EndingHashKey]),
      [
        ['shardId-000000000000', '0', '85070591730234615865843651857942052863'],
        ['shardId-000000000001', '85070591730234615865843651857942052864', '170141183460469231731687303715884105727'],
        ['shardId-000000000002', '170141183460469231731687303715884105728', '255211775190703847597530955573826158591'],
        ['shardId-000000000003', '255211775190703847597530955573826158592', '340282366920938463463374607431768211455'],
      ],
    );
    assert.match(d!.Shards![0]!.SequenceNumberRange!.StartingSequenceNumber!, /^\d+$/);
    assert.ok(d?.StreamCreationTimestamp instanceof Date);
  });

  it('creates an on-demand stream with four shards (StreamModeDetails ON_DEMAND)', async () => {
    await k.client.send(new CreateStreamCommand({ StreamName: 'ondemand', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    const { Shards } = await k.client.send(new ListShardsCommand({ StreamName: 'ondemand' }));
    assert.equal(Shards?.length, 4);
    const { StreamDescriptionSummary } = await k.client.send(new DescribeStreamSummaryCommand({ StreamARN: ARN('ondemand') }));
    assert.equal(StreamDescriptionSummary?.StreamModeDetails?.StreamMode, 'ON_DEMAND');
  });

  it('rejects a duplicate stream and an unknown one with the API error names', async () => {
    const dup = await rejection(k.client.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 })));
    assert.equal(dup.name, 'ResourceInUseException');
    assert.equal(dup.message, 'Stream orders under account 000000000000 already exists.');
    const missing = await rejection(k.client.send(new DescribeStreamCommand({ StreamName: 'nope' })));
    assert.equal(missing.name, 'ResourceNotFoundException');
    assert.equal(missing.message, 'Stream nope under account 000000000000 not found.');
    const bad = await rejection(k.client.send(new CreateStreamCommand({ StreamName: 'bad name!', ShardCount: 1 })));
    assert.equal(bad.name, 'ValidationException');
  });

  it('routes a record by the MD5 of its partition key to the shard whose HashKeyRange holds it (PutRecord)', async () => {
    const { StreamDescription: d } = await k.client.send(new DescribeStreamCommand({ StreamName: 'orders' }));
    for (const key of ['alpha', 'beta', 'gamma', 'delta', 'epsilon']) {
      const hash = partitionKeyHash(key);
      const expected = d!.Shards!.find((s) => BigInt(s.HashKeyRange!.StartingHashKey!) <= hash && hash <= BigInt(s.HashKeyRange!.EndingHashKey!))!;
      const put = await k.client.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: key, Data: Buffer.from(key) }));
      assert.equal(put.ShardId, expected.ShardId, key);
      assert.match(put.SequenceNumber!, /^\d+$/);
      assert.equal(put.EncryptionType, undefined); // omitted for unencrypted streams
    }
  });

  it('uses ExplicitHashKey instead of the partition key hash when given', async () => {
    const last = await k.client.send(
      new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'x', ExplicitHashKey: '340282366920938463463374607431768211455', Data: Buffer.from('a') }),
    );
    assert.equal(last.ShardId, 'shardId-000000000003');
    const first = await k.client.send(new PutRecordCommand({ StreamARN: ARN('orders'), PartitionKey: 'x', ExplicitHashKey: '0', Data: Buffer.from('b') }));
    assert.equal(first.ShardId, 'shardId-000000000000');
    const bad = await rejection(
      k.client.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'x', ExplicitHashKey: '340282366920938463463374607431768211456', Data: Buffer.from('c') })),
    );
    assert.equal(bad.name, 'InvalidArgumentException');
  });

  it('gives increasing decimal sequence numbers per shard and keeps PutRecords order', async () => {
    await k.client.send(new CreateStreamCommand({ StreamName: 'single', ShardCount: 1 }));
    const out = await k.client.send(
      new PutRecordsCommand({
        StreamName: 'single',
        Records: ['one', 'two', 'three'].map((d, i) => ({ Data: Buffer.from(d), PartitionKey: `p${i}` })),
      }),
    );
    assert.equal(out.FailedRecordCount, 0);
    assert.equal(out.Records?.length, 3);
    const seqs = out.Records!.map((r) => BigInt(r.SequenceNumber!));
    assert.ok(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!);
    const next = await k.client.send(new PutRecordCommand({ StreamName: 'single', PartitionKey: 'p', Data: Buffer.from('four') }));
    assert.ok(BigInt(next.SequenceNumber!) > seqs[2]!);

    const { ShardIterator } = await k.client.send(new GetShardIteratorCommand({ StreamName: 'single', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
    const got = await k.client.send(new GetRecordsCommand({ ShardIterator }));
    assert.deepEqual(got.Records?.map((r) => text(r.Data)), ['one', 'two', 'three', 'four']);
    assert.deepEqual(got.Records?.map((r) => r.PartitionKey), ['p0', 'p1', 'p2', 'p']);
    assert.equal(got.Records![0]!.SequenceNumber, out.Records![0]!.SequenceNumber);
    assert.ok(got.Records![0]!.ApproximateArrivalTimestamp instanceof Date);
    assert.equal(got.MillisBehindLatest, 0);
  });

  it('pages GetRecords with Limit and NextShardIterator, and reports how far behind the tip the reader is', async () => {
    const { ShardIterator } = await k.client.send(new GetShardIteratorCommand({ StreamName: 'single', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
    const first = await k.client.send(new GetRecordsCommand({ ShardIterator, Limit: 2 }));
    assert.deepEqual(first.Records?.map((r) => text(r.Data)), ['one', 'two']);
    assert.ok((first.MillisBehindLatest ?? -1) >= 0);
    const second = await k.client.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator, Limit: 2 }));
    assert.deepEqual(second.Records?.map((r) => text(r.Data)), ['three', 'four']);
    const empty = await k.client.send(new GetRecordsCommand({ ShardIterator: second.NextShardIterator }));
    assert.deepEqual(empty.Records, []);
    assert.equal(empty.MillisBehindLatest, 0);
    assert.ok(empty.NextShardIterator);
    await k.client.send(new PutRecordCommand({ StreamName: 'single', PartitionKey: 'p', Data: Buffer.from('five') }));
    const later = await k.client.send(new GetRecordsCommand({ ShardIterator: empty.NextShardIterator }));
    assert.deepEqual(later.Records?.map((r) => text(r.Data)), ['five']);
  });

  it('positions iterators at LATEST, AT_/AFTER_SEQUENCE_NUMBER and AT_TIMESTAMP', async () => {
    const iterator = async (type: 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER' | 'AT_TIMESTAMP', extra: Record<string, unknown> = {}) =>
      (await k.client.send(new GetShardIteratorCommand({ StreamName: 'single', ShardId: 'shardId-000000000000', ShardIteratorType: type, ...extra }))).ShardIterator;
    const read = async (it: string | undefined) => (await k.client.send(new GetRecordsCommand({ ShardIterator: it }))).Records!.map((r) => text(r.Data));

    const latest = await iterator('LATEST');
    const before = new Date(Date.now() - 1);
    await new Promise((r) => setTimeout(r, 5));
    const a = await k.client.send(new PutRecordCommand({ StreamName: 'single', PartitionKey: 'p', Data: Buffer.from('six') }));
    await k.client.send(new PutRecordCommand({ StreamName: 'single', PartitionKey: 'p', Data: Buffer.from('seven') }));
    assert.deepEqual(await read(latest), ['six', 'seven']);
    assert.deepEqual(await read(await iterator('AT_SEQUENCE_NUMBER', { StartingSequenceNumber: a.SequenceNumber })), ['six', 'seven']);
    assert.deepEqual(await read(await iterator('AFTER_SEQUENCE_NUMBER', { StartingSequenceNumber: a.SequenceNumber })), ['seven']);
    assert.deepEqual(await read(await iterator('AT_TIMESTAMP', { Timestamp: before })), ['six', 'seven']);
    assert.deepEqual(await read(await iterator('AT_TIMESTAMP', { Timestamp: new Date(Date.now() + 60_000) })), []);
  });

  it('rejects a sequence number of another shard, an unknown shard and an expired iterator', async () => {
    const put = await k.client.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'x', ExplicitHashKey: '0', Data: Buffer.from('z') }));
    const wrongShard = await rejection(
      k.client.send(
        new GetShardIteratorCommand({ StreamName: 'orders', ShardId: 'shardId-000000000001', ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: put.SequenceNumber }),
      ),
    );
    assert.equal(wrongShard.name, 'InvalidArgumentException');
    assert.match(wrongShard.message, /It encodes shardId-000000000000, while it was used in a call to a shard with shardId-000000000001/);
    const noShard = await rejection(k.client.send(new GetShardIteratorCommand({ StreamName: 'orders', ShardId: 'shardId-000000000009', ShardIteratorType: 'LATEST' })));
    assert.equal(noShard.name, 'ResourceNotFoundException');
    // "A shard iterator expires 5 minutes after it is returned to the requester."
    const { StreamDescription: d } = await k.client.send(new DescribeStreamCommand({ StreamName: 'orders' }));
    void d;
    const stale = encodeIterator({ streamKey: 1, streamName: 'orders', shardIndex: 0, position: 1, issuedMs: Date.now() - 301_000 });
    const expired = await rejection(k.client.send(new GetRecordsCommand({ ShardIterator: stale })));
    assert.equal(expired.name, 'ExpiredIteratorException');
  });

  it('lists streams with pagination and shards after ExclusiveStartShardId (ListStreams, ListShards)', async () => {
    const all = await k.client.send(new ListStreamsCommand({}));
    assert.deepEqual(all.StreamNames, ['from-template', 'ondemand', 'orders', 'single']);
    assert.equal(all.StreamSummaries?.[0]?.StreamARN, ARN('from-template'));
    const page = await k.client.send(new ListStreamsCommand({ Limit: 2 }));
    assert.deepEqual(page.StreamNames, ['from-template', 'ondemand']);
    assert.equal(page.HasMoreStreams, true);
    const rest = await k.client.send(new ListStreamsCommand({ NextToken: page.NextToken }));
    assert.deepEqual(rest.StreamNames, ['orders', 'single']);
    const shards = await k.client.send(new ListShardsCommand({ StreamName: 'orders', MaxResults: 3 }));
    assert.equal(shards.Shards?.length, 3);
    const more = await k.client.send(new ListShardsCommand({ NextToken: shards.NextToken }));
    assert.deepEqual(more.Shards?.map((s) => s.ShardId), ['shardId-000000000003']);
    const after = await k.client.send(new ListShardsCommand({ StreamName: 'orders', ExclusiveStartShardId: 'shardId-000000000001' }));
    assert.deepEqual(after.Shards?.map((s) => s.ShardId), ['shardId-000000000002', 'shardId-000000000003']);
  });

  it('changes retention within 24..8760 hours in the direction each API allows', async () => {
    await k.client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 'orders', RetentionPeriodHours: 72 }));
    const wrong = await rejection(k.client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 'orders', RetentionPeriodHours: 48 })));
    assert.equal(wrong.name, 'InvalidArgumentException');
    await k.client.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: 'orders', RetentionPeriodHours: 48 }));
    const { StreamDescriptionSummary } = await k.client.send(new DescribeStreamSummaryCommand({ StreamName: 'orders' }));
    assert.equal(StreamDescriptionSummary?.RetentionPeriodHours, 48);
    const tooShort = await rejection(k.client.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: 'orders', RetentionPeriodHours: 12 })));
    assert.equal(tooShort.name, 'InvalidArgumentException');
  });

  it('tags streams (AddTagsToStream, ListTagsForStream)', async () => {
    await k.client.send(new AddTagsToStreamCommand({ StreamName: 'orders', Tags: { b: '2', a: '1' } }));
    const { Tags } = await k.client.send(new ListTagsForStreamCommand({ StreamName: 'orders' }));
    assert.deepEqual(Tags, [
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
    ]);
  });

  it('deletes a stream; an iterator of the old stream no longer reads a re-created one', async () => {
    await k.client.send(new CreateStreamCommand({ StreamName: 'temp', ShardCount: 1 }));
    await k.client.send(new PutRecordCommand({ StreamName: 'temp', PartitionKey: 'p', Data: Buffer.from('old') }));
    const { ShardIterator } = await k.client.send(new GetShardIteratorCommand({ StreamName: 'temp', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
    await k.client.send(new DeleteStreamCommand({ StreamName: 'temp' }));
    await k.client.send(new CreateStreamCommand({ StreamName: 'temp', ShardCount: 1 }));
    const stale = await rejection(k.client.send(new GetRecordsCommand({ ShardIterator })));
    assert.equal(stale.name, 'ResourceNotFoundException');
    const fresh = await k.client.send(new GetShardIteratorCommand({ StreamName: 'temp', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
    assert.deepEqual((await k.client.send(new GetRecordsCommand({ ShardIterator: fresh.ShardIterator }))).Records, []);
  });

  it('speaks CBOR to a client that sends application/x-amz-cbor-1.1: byte-string Data, tag-1 timestamps', async () => {
    const put = await k.raw('PutRecord', 'application/x-amz-cbor-1.1', encodeCbor({ StreamName: 'temp', PartitionKey: 'c', Data: Buffer.from([0, 1, 2, 255]) }));
    assert.equal(put.status, 200);
    assert.equal(put.contentType, 'application/x-amz-cbor-1.1');
    const putOut = decodeCbor(put.body) as Record<string, unknown>;
    assert.equal(putOut['ShardId'], 'shardId-000000000000');
    const it = decodeCbor(
      (await k.raw('GetShardIterator', 'application/x-amz-cbor-1.1', encodeCbor({ StreamName: 'temp', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }))).body,
    ) as Record<string, string>;
    const got = await k.raw('GetRecords', 'application/x-amz-cbor-1.1', encodeCbor({ ShardIterator: it['ShardIterator'] }));
    assert.equal(got.body.indexOf(Buffer.from([0xc1])) > 0, true); // tag 1 precedes ApproximateArrivalTimestamp
    const records = (decodeCbor(got.body) as { Records: { Data: Buffer; ApproximateArrivalTimestamp: number }[] }).Records;
    assert.deepEqual([...records[0]!.Data], [0, 1, 2, 255]);
    assert.ok(Math.abs(records[0]!.ApproximateArrivalTimestamp - Date.now() / 1000) < 60);
    const missing = await k.raw('DescribeStream', 'application/x-amz-cbor-1.1', encodeCbor({ StreamName: 'nope' }));
    assert.equal(missing.status, 400);
    assert.equal((decodeCbor(missing.body) as Record<string, string>)['__type'], 'ResourceNotFoundException');
  });

  it('rejects Data that is not base64 with a SerializationException naming the length', async () => {
    // The wording AWS answered for Data 'Foo' / 'string' (quoted in aws/aws-sdk-php#650 and pplu/aws-sdk-perl#81):
    // "'string' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 6".
    const res = await k.raw('PutRecord', 'application/x-amz-json-1.1', Buffer.from(JSON.stringify({ StreamName: 'from-template', PartitionKey: 'p', Data: 'hello' })));
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.body.toString()), {
      __type: 'SerializationException',
      message: "'hello' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5",
    });
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    const res = await k.raw('StartStreamEncryption', 'application/x-amz-json-1.1', Buffer.from('{}'));
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.body.toString())['__type'], 'UnknownOperationException');
  });
});

describe('kinesis durability and the in-process reader', () => {
  it('keeps streams, records and sequence counters across a restart', async () => {
    const first = await startKinesis();
    await first.client.send(new CreateStreamCommand({ StreamName: 'durable', ShardCount: 1 }));
    const a = await first.client.send(new PutRecordCommand({ StreamName: 'durable', PartitionKey: 'p', Data: Buffer.from('before') }));
    await first.close();
    const second = await startKinesis({ dataDir: first.dataDir });
    try {
      const b = await second.client.send(new PutRecordCommand({ StreamName: 'durable', PartitionKey: 'p', Data: Buffer.from('after') }));
      assert.ok(BigInt(b.SequenceNumber!) > BigInt(a.SequenceNumber!));
      const { ShardIterator } = await second.client.send(
        new GetShardIteratorCommand({ StreamName: 'durable', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const got = await second.client.send(new GetRecordsCommand({ ShardIterator }));
      assert.deepEqual(got.Records?.map((r) => text(r.Data)), ['before', 'after']);
    } finally {
      await second.close(true);
    }
  });

  it('reads through the reader and signals appended shards after commit', async () => {
    const k = await startKinesis();
    try {
      await k.client.send(new CreateStreamCommand({ StreamName: 'src', ShardCount: 2 }));
      const reader = k.service.reader;
      assert.equal(reader.streamArn('src'), ARN('src'));
      assert.deepEqual(
        reader.shards(ARN('src')).map((s) => s.shardId),
        ['shardId-000000000000', 'shardId-000000000001'],
      );
      const seen: string[][] = [];
      const stop = reader.onAppend((name, shards) => seen.push([name, ...shards]));
      const put = await k.client.send(new PutRecordCommand({ StreamName: 'src', PartitionKey: 'k', ExplicitHashKey: '1', Data: Buffer.from('hello') }));
      stop();
      assert.deepEqual(seen, [['src', 'shardId-000000000000']]);
      const it = reader.iterator('src', 'shardId-000000000000', { type: 'TRIM_HORIZON' });
      const batch = reader.read(it, 10);
      assert.equal(batch.records.length, 1);
      assert.equal(batch.records[0]!.sequenceNumber, put.SequenceNumber);
      assert.equal(batch.records[0]!.data.toString(), 'hello');
      assert.deepEqual(reader.read(batch.nextIterator, 10).records, []);
    } finally {
      await k.close(true);
    }
  });
});

describe('kinesis template streams', () => {
  const stream = (properties: Record<string, unknown>) => ({
    logicalId: 'Feed',
    type: 'AWS::Kinesis::Stream',
    properties: { Name: 'feed', ...properties },
    physicalId: 'feed',
    attributes: {},
    source: { file: 't.yaml', pointer: '/Resources/Feed' },
  });

  // CloudFormation "AWS::Kinesis::Stream": ShardCount minimum 1; RetentionPeriodHours 24 to 8760.
  it('refuses a stream CloudFormation would refuse, naming the resource', async () => {
    await assert.rejects(startKinesis({ resources: [stream({ ShardCount: 0 })] }), /t\.yaml#\/Resources\/Feed: AWS::Kinesis::Stream Feed: .*'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1/);
    await assert.rejects(startKinesis({ resources: [stream({ ShardCount: 1, RetentionPeriodHours: 10 })] }), /'retentionPeriodHours' failed to satisfy constraint: Member must have value greater than or equal to 24/);
  });

  it('takes numbers given as strings, as template parameters are', async () => {
    const k = await startKinesis({ resources: [stream({ ShardCount: '3', RetentionPeriodHours: '72' })] });
    try {
      const { StreamDescriptionSummary: s } = await k.client.send(new DescribeStreamSummaryCommand({ StreamName: 'feed' }));
      assert.equal(s?.OpenShardCount, 3);
      assert.equal(s?.RetentionPeriodHours, 72);
    } finally {
      await k.close(true);
    }
  });
});
