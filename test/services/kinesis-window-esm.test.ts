/**
 * Tumbling windows (TumblingWindowInSeconds): the batches of a window carry the state the function
 * returned for the previous one, and once the window is over a final invocation with no records and
 * `isFinalInvokeForWindow: true` gets the aggregate. Lambda developer guide "Implementing stateful
 * Kinesis Data Streams processing in Lambda" (TimeWindowEventResponse, the KinesisTimeWindowEvent
 * example: window, state, shardId, eventSourceARN, isFinalInvokeForWindow, isWindowTerminatedEarly).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { startKinesisConsumer, type KinesisConsumer } from '../support/kinesis-consumer.js';
import { until } from '../support/wait.js';

// Sums the numbers of a window in its state; logs what each invocation got.
const HANDLER = `import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  const { Records, ...window } = event;
  appendFileSync(new URL('./calls.jsonl', import.meta.url), JSON.stringify({ ...window, records: Records.length }) + '\\n');
  const total = (event.state.total ?? 0) + Records.reduce((sum, r) => sum + Number(Buffer.from(r.kinesis.data, 'base64').toString()), 0);
  return { state: { total } };
};
`;

interface Call {
  window: { start: string; end: string };
  state: { total?: number };
  shardId: string;
  eventSourceARN: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
  records: number;
}

let consumer: KinesisConsumer;

before(async () => {
  consumer = await startKinesisConsumer(HANDLER, 'BatchSize: 2, TumblingWindowInSeconds: 2');
});
after(() => consumer?.close());

const calls = () => consumer.lines<Call>('calls');

test('the batches of a window pass their state along; the final invocation gets the aggregate', async () => {
  await consumer.kinesis.send(new PutRecordsCommand({ StreamName: 'feed', Records: [1, 2, 3, 4, 5].map((n) => ({ PartitionKey: 'k', Data: Buffer.from(String(n)) })) }));
  const all = await until('the final invocation of the window', () => {
    const seen = calls();
    return seen.some((c) => c.isFinalInvokeForWindow) ? seen : undefined;
  }, 30_000);
  const final = all.find((c) => c.isFinalInvokeForWindow)!;
  const batches = all.filter((c) => !c.isFinalInvokeForWindow && c.window.start === final.window.start);
  // Five records in batches of two: 2 + 2 + 1, each starting from the state the previous one returned.
  assert.deepEqual(batches.map((c) => [c.records, c.state.total ?? 0]), [
    [2, 0],
    [2, 3],
    [1, 10],
  ]);
  assert.deepEqual([final.records, final.state, final.isWindowTerminatedEarly], [0, { total: 15 }, false]);
  assert.equal(Date.parse(final.window.end) - Date.parse(final.window.start), 2000);
  assert.match(final.window.start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(final.shardId, 'shardId-000000000000');
  assert.equal(final.eventSourceARN, 'arn:aws:kinesis:us-east-1:000000000000:stream/feed');
  // The state is dropped with the window: the next window starts from {}.
  await consumer.kinesis.send(new PutRecordsCommand({ StreamName: 'feed', Records: [{ PartitionKey: 'k', Data: Buffer.from('7') }] }));
  const next = await until('a batch of a later window', () => calls().find((c) => c.window.start > final.window.start));
  assert.deepEqual(next.state, {});
});
