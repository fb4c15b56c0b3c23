/**
 * Event source mappings across a restart on the same data folder: the pollers stop with the
 * gatehouse, and a Kinesis mapping resumes at its checkpoint (Lambda developer guide "Using Lambda
 * with Kinesis Data Streams": Lambda checkpoints per shard and resumes from the last processed
 * record), so nothing is processed twice and nothing is skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { startGatehouse, type Gatehouse } from '../../src/server/gatehouse.js';
import { createLogger } from '../../src/core/log.js';
import { until } from '../support/wait.js';
import { kinesisConsumerTemplate } from '../support/kinesis-consumer.js';

const TEMPLATE = kinesisConsumerTemplate();

const CONSUMER = `import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  for (const r of event.Records) appendFileSync(new URL('./seen.txt', import.meta.url), Buffer.from(r.kinesis.data, 'base64').toString() + '\\n');
};`;

test('a Kinesis mapping resumes at its checkpoint after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-esm-restart-'));
  mkdirSync(join(dir, 'fn'));
  writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
  writeFileSync(join(dir, 'fn', 'consumer.mjs'), CONSUMER);
  const seen = () => (existsSync(join(dir, 'fn', 'seen.txt')) ? readFileSync(join(dir, 'fn', 'seen.txt'), 'utf8').trim().split('\n') : []);
  const start = () =>
    startGatehouse({ file: join(dir, 'template.yaml'), port: 0, awsPort: 0, host: '127.0.0.1', dataDir: join(dir, 'data'), watch: false, parameterOverrides: {}, log: createLogger('silent') });
  const put = async (gatehouse: Gatehouse, values: string[]) => {
    const kinesis = new KinesisClient({ endpoint: gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    try {
      await kinesis.send(new PutRecordsCommand({ StreamName: 'feed', Records: values.map((v) => ({ PartitionKey: 'k', Data: Buffer.from(v) })) }));
    } finally {
      kinesis.destroy();
    }
  };
  const processed = (count: number) => until(`${count} records processed`, () => seen().length >= count);
  try {
    let gatehouse = await start();
    await put(gatehouse, ['a', 'b', 'c']);
    await processed(3);
    await gatehouse.close();

    gatehouse = await start();
    try {
      await put(gatehouse, ['d', 'e']);
      await processed(5);
      // Give a wrongly rewound poller the time to show itself.
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(seen(), ['a', 'b', 'c', 'd', 'e']);
    } finally {
      await gatehouse.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
