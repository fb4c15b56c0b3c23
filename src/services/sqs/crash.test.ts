// At-least-once durability: SendMessage acknowledges only what is committed to disk, so killing
// the process with SIGKILL while clients are sending loses no acknowledged message (SQS API
// Reference "SendMessage": a successful response means the message is stored; DESIGN.md "Embedded
// services acknowledge only what is durable").
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CREDENTIALS } from './testing.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testing-child.js');

function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) resolve({ child, url: line.trim() });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
}

describe('crash', () => {
  it('no acknowledged message is missing after kill -9 during sends', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-sqs-crash-'));
    try {
      let { child, url } = await startChild(dataDir);
      let sqs = new SQSClient({ region: 'us-east-1', endpoint: url, credentials: CREDENTIALS, maxAttempts: 1 });
      const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'crash' }))).QueueUrl!;
      const acknowledged = new Set<string>();
      let stop = false;
      const senders = Array.from({ length: 16 }, async (_, worker) => {
        for (let i = 0; !stop; i++) {
          try {
            const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `w${worker}-${i}` }));
            acknowledged.add(sent.MessageId!);
          } catch {
            return; // the process is gone
          }
        }
      });
      while (acknowledged.size < 300) await new Promise((resolve) => setTimeout(resolve, 5));
      child.removeAllListeners('exit');
      child.kill('SIGKILL');
      stop = true;
      await Promise.all(senders);
      sqs.destroy();

      ({ child, url } = await startChild(dataDir));
      sqs = new SQSClient({ region: 'us-east-1', endpoint: url, credentials: CREDENTIALS, maxAttempts: 1 });
      const found = new Set<string>();
      for (;;) {
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl.replace(/^http:\/\/[^/]+/, url), MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
        if (got.Messages === undefined) break;
        for (const m of got.Messages) found.add(m.MessageId!);
      }
      sqs.destroy();
      child.removeAllListeners('exit');
      child.kill('SIGKILL');
      const missing = [...acknowledged].filter((id) => !found.has(id));
      assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.size} acknowledged messages missing`);
      assert.ok(found.size >= acknowledged.size);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
