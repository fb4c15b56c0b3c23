/**
 * A Kinesis event source across a split and a merge: the function gets every record of a partition
 * key in the order it was written, because a child shard is read only after its parents are read to
 * their end. Lambda developer guide "Using Lambda with Kinesis Data Streams" ("Lambda ... processes
 * parent shards before child shards" after resharding; records of a shard in order); Kinesis API
 * reference "SplitShard", "MergeShards".
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeStreamSummaryCommand, MergeShardsCommand, PutRecordsCommand, SplitShardCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { startKinesisConsumer, type KinesisConsumer } from '../support/kinesis-consumer.js';
import { until } from '../support/wait.js';

// A slow consumer: the parent shard still has unread records when the children receive theirs.
const HANDLER = `import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, 60));
  for (const r of event.Records) {
    appendFileSync(new URL('./seen.jsonl', import.meta.url), JSON.stringify({ key: r.kinesis.partitionKey, data: Buffer.from(r.kinesis.data, 'base64').toString(), shard: r.eventID.split(':')[0] }) + '\\n');
  }
};
`;

const HALF = 1n << 127n;
let consumer: KinesisConsumer;
let kinesis: KinesisClient;

before(async () => {
  consumer = await startKinesisConsumer(HANDLER, 'BatchSize: 3');
  kinesis = consumer.kinesis;
});
after(() => consumer?.close());

const seen = () => consumer.lines<{ key: string; data: string; shard: string }>('seen');

/** Ten records for each of two keys, one on each side of the split point. */
async function write(round: string): Promise<void> {
  const records = [];
  for (let i = 0; i < 10; i++) {
    for (const [key, hash] of [['low', 1n], ['high', HALF + 1n]] as const) {
      records.push({ PartitionKey: key, ExplicitHashKey: hash.toString(), Data: Buffer.from(`${round}-${i}`) });
    }
  }
  await kinesis.send(new PutRecordsCommand({ StreamName: 'feed', Records: records }));
}

async function waitActive(): Promise<void> {
  await until('the stream to be ACTIVE', async () => {
    const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'feed' }));
    return StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  });
}

test('Kinesis -> Lambda across a split and a merge: per-key order kept, parents before children', async () => {
  await write('a');
  await kinesis.send(new SplitShardCommand({ StreamName: 'feed', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: HALF.toString() }));
  await write('b');
  await waitActive();
  await kinesis.send(new MergeShardsCommand({ StreamName: 'feed', ShardToMerge: 'shardId-000000000001', AdjacentShardToMerge: 'shardId-000000000002' }));
  await write('c');

  const all = await until('every record to reach the function', () => (seen().length >= 60 ? seen() : undefined), 60_000);
  assert.equal(all.length, 60, 'each record once');
  const expected = ['a', 'b', 'c'].flatMap((round) => Array.from({ length: 10 }, (_, i) => `${round}-${i}`));
  for (const key of ['low', 'high']) {
    assert.deepEqual(all.filter((r) => r.key === key).map((r) => r.data), expected, `order of ${key}`);
  }
  // Every record of a parent reached the function before any record of its children.
  const last = (shard: string) => all.map((r) => r.shard).lastIndexOf(shard);
  const first = (shard: string) => all.findIndex((r) => r.shard === shard);
  assert.ok(last('shardId-000000000000') < Math.min(first('shardId-000000000001'), first('shardId-000000000002')));
  assert.ok(Math.max(last('shardId-000000000001'), last('shardId-000000000002')) < first('shardId-000000000003'));
  assert.deepEqual(
    [...new Set(all.map((r) => r.shard))].sort(),
    ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003'],
  );
});
