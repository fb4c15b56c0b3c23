/**
 * Durable STANDARD executions: a process killed with SIGKILL mid-execution, then a new one on the same
 * data folder resumes the execution from its last top-level state (a Wait keeps its deadline, a
 * `.waitForTaskToken` Task keeps its token). Step Functions developer guide, "Standard and Express
 * workflow types" (Standard workflows are durable; history is kept).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { eventually, sfnClient, startStepFunctions } from './testing.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testing-child.js');

async function startChild(dataDir: string): Promise<{ url: string; kill(): Promise<void> }> {
  const child = spawn(process.execPath, [CHILD, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
  return {
    url,
    kill: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

describe('durable STANDARD executions', () => {
  it('resume after kill -9: a Wait keeps its deadline and a task token stays valid', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-sfn-crash-'));
    const first = await startChild(dataDir);
    const client = sfnClient(first.url);
    const machine = await client.send(
      new CreateStateMachineCommand({
        name: 'durable',
        roleArn: 'arn:aws:iam::000000000000:role/r',
        definition: JSON.stringify({
          StartAt: 'Prepare',
          States: {
            Prepare: { Type: 'Pass', Assign: { who: 'Ada' }, Result: { step: 1 }, Next: 'Pause' },
            Pause: { Type: 'Wait', Seconds: 1, Next: 'Ask' },
            Ask: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'q', 'MessageBody.$': '$$.Task.Token' }, ResultPath: '$.answer', Next: 'Done' },
            Done: { Type: 'Pass', Parameters: { 'who.$': '$who', 'answer.$': '$.answer', 'step.$': '$.step' }, End: true },
          },
        }),
      }),
    );
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, input: '{}' }));
    // Killed during the Wait.
    await new Promise((r) => setTimeout(r, 300));
    await first.kill();
    client.destroy();

    const second = await startStepFunctions({ dataDir, deps: { callAws: async () => ({ MessageId: 'm-2' }) } });
    try {
      const token = await eventually(async () => {
        const h = await second.client.send(new GetExecutionHistoryCommand({ executionArn }));
        const submitted = h.events?.find((e) => e.type === 'TaskScheduled');
        return submitted === undefined ? undefined : (JSON.parse(submitted.taskScheduledEventDetails!.parameters!) as { MessageBody: string }).MessageBody;
      });
      await new Promise((r) => setTimeout(r, 50));
      await second.close();

      // A second restart while the Task waits for its token: the same token completes it.
      const third = await startStepFunctions({ dataDir });
      try {
        await third.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '"yes"' }));
        const done = await eventually(async () => {
          const d = await third.client.send(new DescribeExecutionCommand({ executionArn }));
          return d.status === 'RUNNING' ? undefined : d;
        });
        assert.equal(done.status, 'SUCCEEDED', done.cause);
        assert.deepEqual(JSON.parse(done.output!), { who: 'Ada', answer: 'yes', step: 1 });
        const types = (await third.client.send(new GetExecutionHistoryCommand({ executionArn }))).events!.map((e) => e.type);
        assert.equal(types[0], 'ExecutionStarted');
        assert.equal(types.at(-1), 'ExecutionSucceeded');
        assert.ok(types.includes('WaitStateExited'));
      } finally {
        await third.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
