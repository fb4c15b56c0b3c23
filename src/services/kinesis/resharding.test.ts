/**
 * Resharding through the SDK v3 client and the AWS CLI: SplitShard, MergeShards, UpdateShardCount,
 * what DescribeStream / ListShards / GetRecords show afterwards, and the errors.
 * Facts: Kinesis Data Streams API reference "SplitShard", "MergeShards", "UpdateShardCount",
 * "GetRecords" (NextShardIterator null on a closed shard, ChildShards), "ShardFilter", "Shard";
 * developer guide "Resharding a stream". Error messages as kinesalite's and moto's suites recorded
 * them from AWS, and UpdateShardCount's as the AWS CDK docs quote it (aws-kinesis Stream shardCount).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordCommand,
  SplitShardCommand,
  UpdateShardCountCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { MAX_HASH_KEY } from './hash-keys.js';
import { rejection, startKinesis, type KinesisEndpoint } from './testing.js';
import { awsCli } from '../sqs/testing.js';

const HALF = (MAX_HASH_KEY + 1n) / 2n;
const id = (n: number) => 'shardId-' + String(n).padStart(12, '0');
const text = (data: Uint8Array | undefined) => Buffer.from(data ?? []).toString('utf8');

/** Polls DescribeStreamSummary until the stream is ACTIVE again (as a client waits after a reshard). */
async function waitActive(client: KinesisClient, name: string): Promise<void> {
  for (;;) {
    const { StreamDescriptionSummary } = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function put(client: KinesisClient, name: string, data: string, hashKey: bigint) {
  return client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'p', ExplicitHashKey: hashKey.toString(), Data: Buffer.from(data) }));
}

describe('kinesis resharding', () => {
  let k: KinesisEndpoint;
  before(async () => {
    k = await startKinesis();
  });
  after(() => k.close(true));

  it('splits a shard: the parent closes, two children take its hash key range and every new record', async () => {
    await k.client.send(new CreateStreamCommand({ StreamName: 'split', ShardCount: 1 }));
    const before = await put(k.client, 'split', 'before', 5n);
    const { ShardIterator } = await k.client.send(new GetShardIteratorCommand({ StreamName: 'split', ShardId: id(0), ShardIteratorType: 'TRIM_HORIZON' }));

    await k.client.send(new SplitShardCommand({ StreamName: 'split', ShardToSplit: id(0), NewStartingHashKey: HALF.toString() }));
    // "SplitShard is an asynchronous operation ... sets the stream status to UPDATING"; then ACTIVE.
    const updating = await k.client.send(new DescribeStreamSummaryCommand({ StreamName: 'split' }));
    assert.equal(updating.StreamDescriptionSummary?.StreamStatus, 'UPDATING');
    const busy = await rejection(k.client.send(new SplitShardCommand({ StreamName: 'split', ShardToSplit: id(1), NewStartingHashKey: '100' })));
    assert.equal(busy.name, 'ResourceInUseException');
    assert.equal(busy.message, 'Stream split under account 000000000000 not ACTIVE, instead in state UPDATING');
    await waitActive(k.client, 'split');

    const { StreamDescription: d } = await k.client.send(new DescribeStreamCommand({ StreamName: 'split' }));
    assert.deepEqual(
      d?.Shards?.map((s) => [s.ShardId, s.ParentShardId, s.HashKeyRange?.StartingHashKey, s.HashKeyRange?.EndingHashKey]),
      [
        [id(0), undefined, '0', MAX_HASH_KEY.toString()],
        [id(1), id(0), '0', (HALF - 1n).toString()],
        [id(2), id(0), HALF.toString(), MAX_HASH_KEY.toString()],
      ],
    );
    // A closed shard's SequenceNumberRange has an EndingSequenceNumber: its last record's.
    assert.equal(d?.Shards?.[0]?.SequenceNumberRange?.EndingSequenceNumber, before.SequenceNumber);
    assert.equal(d?.Shards?.[1]?.SequenceNumberRange?.EndingSequenceNumber, undefined);
    const summary = await k.client.send(new DescribeStreamSummaryCommand({ StreamName: 'split' }));
    assert.equal(summary.StreamDescriptionSummary?.OpenShardCount, 2);

    const low = await put(k.client, 'split', 'low', 5n);
    const high = await put(k.client, 'split', 'high', MAX_HASH_KEY);
    assert.equal(low.ShardId, id(1));
    assert.equal(high.ShardId, id(2));
    // Child sequence numbers come after the parent's.
    assert.ok(BigInt(low.SequenceNumber!) > BigInt(before.SequenceNumber!));

    // The parent returns what it holds, then no NextShardIterator and its ChildShards.
    const drained = await k.client.send(new GetRecordsCommand({ ShardIterator }));
    assert.deepEqual(drained.Records?.map((r) => text(r.Data)), ['before']);
    assert.equal(drained.NextShardIterator, undefined);
    assert.deepEqual(drained.ChildShards?.map((c) => [c.ShardId, c.ParentShards]), [
      [id(1), [id(0)]],
      [id(2), [id(0)]],
    ]);
    const child = await k.client.send(new GetShardIteratorCommand({ StreamName: 'split', ShardId: id(1), ShardIteratorType: 'TRIM_HORIZON' }));
    const got = await k.client.send(new GetRecordsCommand({ ShardIterator: child.ShardIterator }));
    assert.deepEqual(got.Records?.map((r) => text(r.Data)), ['low']);
    assert.ok(got.NextShardIterator !== undefined);
  });

  it('rejects splits outside the shard, of unknown or closed shards, and malformed members', async () => {
    const start = HALF.toString();
    const cases: [Record<string, string>, string, string][] = [
      [
        { ShardToSplit: id(1), NewStartingHashKey: '1' },
        'InvalidArgumentException',
        `NewStartingHashKey 1 used in SplitShard() on shard ${id(1)} in stream split under account 000000000000 is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's EndingHashKey ${HALF - 1n}.`,
      ],
      [{ ShardToSplit: 'shardId-000000000042', NewStartingHashKey: start }, 'ResourceNotFoundException', 'Could not find shard shardId-000000000042 in stream split under account 000000000000.'],
      [
        { ShardToSplit: id(0), NewStartingHashKey: start },
        'InvalidArgumentException',
        `Shard ${id(0)} in stream split under account 000000000000 has already been merged or split, and thus is not eligible for merging or splitting.`,
      ],
      [
        { ShardToSplit: id(1), NewStartingHashKey: 'sth' },
        'ValidationException',
        "1 validation error detected: Value 'sth' at 'newStartingHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
      ],
      [
        { ShardToSplit: '?', NewStartingHashKey: start },
        'ValidationException',
        "1 validation error detected: Value '?' at 'shardToSplit' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
      ],
    ];
    for (const [input, name, message] of cases) {
      const error = await rejection(k.client.send(new SplitShardCommand({ StreamName: 'split', ...input } as never)));
      assert.deepEqual([error.name, error.message], [name, message]);
    }
  });

  it('merges adjacent shards only; the child names both parents', async () => {
    await k.client.send(new CreateStreamCommand({ StreamName: 'merge', ShardCount: 3 }));
    const notAdjacent = await rejection(k.client.send(new MergeShardsCommand({ StreamName: 'merge', ShardToMerge: id(0), AdjacentShardToMerge: id(2) })));
    assert.deepEqual(
      [notAdjacent.name, notAdjacent.message],
      ['InvalidArgumentException', `Shards ${id(0)} and ${id(2)} in stream merge under account 000000000000 are not an adjacent pair of shards eligible for merging`],
    );
    await put(k.client, 'merge', 'in-1', MAX_HASH_KEY / 2n);
    await k.client.send(new MergeShardsCommand({ StreamName: 'merge', ShardToMerge: id(2), AdjacentShardToMerge: id(1) }));
    await waitActive(k.client, 'merge');
    const { Shards } = await k.client.send(new ListShardsCommand({ StreamName: 'merge' }));
    const merged = Shards?.find((s) => s.ShardId === id(3));
    assert.equal(merged?.ParentShardId, id(2));
    assert.equal(merged?.AdjacentParentShardId, id(1));
    assert.equal(merged?.HashKeyRange?.StartingHashKey, Shards?.[1]?.HashKeyRange?.StartingHashKey);
    assert.equal(merged?.HashKeyRange?.EndingHashKey, MAX_HASH_KEY.toString());
    assert.equal((await put(k.client, 'merge', 'in-3', MAX_HASH_KEY / 2n)).ShardId, id(3));
  });

  it('lists shards by ShardFilter and after ExclusiveStartShardId', async () => {
    const names = async (input: object) => (await k.client.send(new ListShardsCommand({ StreamName: 'merge', ...input }))).Shards?.map((s) => s.ShardId);
    assert.deepEqual(await names({}), [id(0), id(1), id(2), id(3)]);
    assert.deepEqual(await names({ ShardFilter: { Type: 'FROM_TRIM_HORIZON' } }), [id(0), id(1), id(2), id(3)]);
    assert.deepEqual(await names({ ShardFilter: { Type: 'AT_LATEST' } }), [id(0), id(3)]);
    assert.deepEqual(await names({ ShardFilter: { Type: 'AT_TRIM_HORIZON' } }), [id(0), id(1), id(2)]);
    assert.deepEqual(await names({ ShardFilter: { Type: 'AFTER_SHARD_ID', ShardId: id(1) } }), [id(2), id(3)]);
    assert.deepEqual(await names({ ShardFilter: { Type: 'AT_LATEST' }, ExclusiveStartShardId: id(0) }), [id(3)]);
    // FROM_TIMESTAMP: "all closed shards whose end timestamp is greater than or equal to the given timestamp and also all open shards".
    assert.deepEqual(await names({ ShardFilter: { Type: 'FROM_TIMESTAMP', Timestamp: new Date(Date.now() + 60_000) } }), [id(0), id(3)]);
    assert.deepEqual(await names({ ShardFilter: { Type: 'AT_TIMESTAMP', Timestamp: new Date(Date.now() + 60_000) } }), [id(0), id(3)]);
    const page = await k.client.send(new ListShardsCommand({ StreamName: 'merge', MaxResults: 1, ShardFilter: { Type: 'AT_LATEST' } }));
    const rest = await k.client.send(new ListShardsCommand({ NextToken: page.NextToken }));
    assert.deepEqual(rest.Shards?.map((s) => s.ShardId), [id(3)]);
  });

  it('scales uniformly with UpdateShardCount within its limits', async () => {
    await k.client.send(new CreateStreamCommand({ StreamName: 'scale', ShardCount: 2 }));
    const tooMany = await rejection(k.client.send(new UpdateShardCountCommand({ StreamName: 'scale', TargetShardCount: 5, ScalingType: 'UNIFORM_SCALING' })));
    assert.deepEqual(
      [tooMany.name, tooMany.message],
      ['LimitExceededException', 'UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: 2 Target shard count: 5'],
    );
    const out = await k.client.send(new UpdateShardCountCommand({ StreamName: 'scale', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
    assert.deepEqual([out.StreamName, out.CurrentShardCount, out.TargetShardCount], ['scale', 2, 4]);
    await waitActive(k.client, 'scale');
    // 2 -> 4 leaves 6 shards in all, 4 open with a quarter of the key space each (moto's AWS-verified totals).
    const { StreamDescription } = await k.client.send(new DescribeStreamCommand({ StreamName: 'scale' }));
    assert.equal(StreamDescription?.Shards?.length, 6);
    const open = StreamDescription!.Shards!.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined);
    assert.deepEqual(open.map((s) => s.HashKeyRange?.StartingHashKey), ['0', (HALF / 2n).toString(), HALF.toString(), ((HALF * 3n) / 2n).toString()]);
    const tooFew = await rejection(k.client.send(new UpdateShardCountCommand({ StreamName: 'scale', TargetShardCount: 1, ScalingType: 'UNIFORM_SCALING' })));
    assert.equal(tooFew.message, 'UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: 4 Target shard count: 1');
    await k.client.send(new UpdateShardCountCommand({ StreamName: 'scale', TargetShardCount: 3, ScalingType: 'UNIFORM_SCALING' }));
    await waitActive(k.client, 'scale');
    const summary = await k.client.send(new DescribeStreamSummaryCommand({ StreamName: 'scale' }));
    assert.equal(summary.StreamDescriptionSummary?.OpenShardCount, 3);

    // 4 -> 5 and 5 -> 3 leave 15 and 7 shards in all (moto's totals, "verified against AWS").
    for (const [name, from, to, total] of [['up', 4, 5, 15], ['down', 5, 3, 7]] as const) {
      await k.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: from }));
      await k.client.send(new UpdateShardCountCommand({ StreamName: name, TargetShardCount: to, ScalingType: 'UNIFORM_SCALING' }));
      const { Shards } = await k.client.send(new ListShardsCommand({ StreamName: name }));
      assert.equal(Shards?.length, total);
      assert.equal(Shards?.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined).length, to);
    }

    await k.client.send(new CreateStreamCommand({ StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    const onDemand = await rejection(k.client.send(new UpdateShardCountCommand({ StreamName: 'od', TargetShardCount: 8, ScalingType: 'UNIFORM_SCALING' })));
    assert.deepEqual([onDemand.name, onDemand.message], ['ValidationException', 'Request is invalid. Stream od under account 000000000000 is in On-Demand mode.']);
  });

  it('splits and merges from the AWS CLI', async () => {
    await k.client.send(new CreateStreamCommand({ StreamName: 'cli', ShardCount: 2 }));
    const split = await awsCli(k.url, ['kinesis', 'split-shard', '--stream-name', 'cli', '--shard-to-split', id(0), '--new-starting-hash-key', (HALF / 2n).toString()]);
    assert.equal(split.code, 0, split.stderr);
    await waitActive(k.client, 'cli');
    const listed = await awsCli(k.url, ['kinesis', 'list-shards', '--stream-name', 'cli', '--shard-filter', 'Type=AT_LATEST']);
    assert.deepEqual(
      (listed.json as { Shards: { ShardId: string }[] }).Shards.map((s) => s.ShardId),
      [id(1), id(2), id(3)],
    );
    const merge = await awsCli(k.url, ['kinesis', 'merge-shards', '--stream-name', 'cli', '--shard-to-merge', id(2), '--adjacent-shard-to-merge', id(3)]);
    assert.equal(merge.code, 0, merge.stderr);
    await waitActive(k.client, 'cli');
    const scaled = await awsCli(k.url, ['kinesis', 'update-shard-count', '--stream-name', 'cli', '--target-shard-count', '4', '--scaling-type', 'UNIFORM_SCALING']);
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.deepEqual(scaled.json, { StreamName: 'cli', CurrentShardCount: 2, TargetShardCount: 4, StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/cli' });
    const described = await awsCli(k.url, ['kinesis', 'describe-stream-summary', '--stream-name', 'cli']);
    assert.equal((described.json as { StreamDescriptionSummary: { OpenShardCount: number } }).StreamDescriptionSummary.OpenShardCount, 4);
  });
});

describe('kinesis resharding durability', () => {
  it('keeps closed shards, lineage and routing across a restart', async () => {
    const first = await startKinesis();
    await first.client.send(new CreateStreamCommand({ StreamName: 'durable', ShardCount: 1 }));
    await put(first.client, 'durable', 'old', 1n);
    await first.client.send(new SplitShardCommand({ StreamName: 'durable', ShardToSplit: id(0), NewStartingHashKey: HALF.toString() }));
    await first.close();
    const second = await startKinesis({ dataDir: first.dataDir });
    try {
      const { Shards } = await second.client.send(new ListShardsCommand({ StreamName: 'durable' }));
      assert.deepEqual(Shards?.map((s) => [s.ShardId, s.ParentShardId, s.SequenceNumberRange?.EndingSequenceNumber !== undefined]), [
        [id(0), undefined, true],
        [id(1), id(0), false],
        [id(2), id(0), false],
      ]);
      assert.equal((await put(second.client, 'durable', 'new', MAX_HASH_KEY)).ShardId, id(2));
      const { ShardIterator } = await second.client.send(new GetShardIteratorCommand({ StreamName: 'durable', ShardId: id(0), ShardIteratorType: 'TRIM_HORIZON' }));
      const got = await second.client.send(new GetRecordsCommand({ ShardIterator }));
      assert.deepEqual(got.Records?.map((r) => text(r.Data)), ['old']);
      assert.equal(got.NextShardIterator, undefined);
    } finally {
      await second.close(true);
    }
  });
});
