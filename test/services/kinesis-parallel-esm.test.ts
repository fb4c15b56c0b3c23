/**
 * ParallelizationFactor: a Kinesis event source runs several batches of one shard at once, and the
 * records of each partition key still reach the function in order. Lambda developer guide "Using
 * Lambda with Kinesis Data Streams" ("Concurrent batches per shard": "Lambda ... process up to 10
 * batches in each shard simultaneously ... ensures in-order processing at the partition-key level");
 * Lambda API reference "CreateEventSourceMapping" (ParallelizationFactor 1-10).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { LambdaClient, GetEventSourceMappingCommand, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { startKinesisConsumer, type KinesisConsumer } from '../support/kinesis-consumer.js';
import { until } from '../support/wait.js';

// Each invocation records when it ran, so overlapping batches show.
const HANDLER = `import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 150));
  const records = event.Records.map((r) => ({ key: r.kinesis.partitionKey, data: Buffer.from(r.kinesis.data, 'base64').toString() }));
  appendFileSync(new URL('./batches.jsonl', import.meta.url), JSON.stringify({ started, ended: Date.now(), records }) + '\\n');
};
`;

interface Batch {
  started: number;
  ended: number;
  records: { key: string; data: string }[];
}

let consumer: KinesisConsumer;

before(async () => {
  consumer = await startKinesisConsumer(HANDLER, 'BatchSize: 2, ParallelizationFactor: 4');
});
after(() => consumer?.close());

const batches = () => consumer.lines<Batch>('batches');

test('batches of one shard run concurrently, each partition key in order', async () => {
  const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  const records = [];
  for (let i = 0; i < 5; i++) for (const key of keys) records.push({ PartitionKey: key, Data: Buffer.from(`${key}-${i}`) });
  await consumer.kinesis.send(new PutRecordsCommand({ StreamName: 'feed', Records: records }));

  const done = await until('every record to reach the function', () => {
    const all = batches();
    return all.reduce((n, b) => n + b.records.length, 0) >= 40 ? all : undefined;
  }, 60_000);
  const delivered = done.flatMap((b) => b.records);
  assert.equal(delivered.length, 40, 'each record once');
  // Batches log when they end; a key's records are in order across the batches of its lane.
  const inOrder = [...done].sort((x, y) => x.ended - y.ended).flatMap((b) => b.records);
  for (const key of keys) {
    assert.deepEqual(inOrder.filter((r) => r.key === key).map((r) => r.data), [0, 1, 2, 3, 4].map((i) => `${key}-${i}`), `order of ${key}`);
  }
  // At least two batches of the single shard overlapped in time.
  const overlapping = done.some((x) => done.some((y) => x !== y && x.started < y.ended && y.started < x.ended));
  assert.ok(overlapping, 'concurrent batches');

  const lambda = new LambdaClient({ endpoint: consumer.gw.gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const { EventSourceMappings } = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'consumer' }));
  const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: EventSourceMappings![0]!.UUID }));
  assert.equal(mapping.ParallelizationFactor, 4);
  lambda.destroy();
});
