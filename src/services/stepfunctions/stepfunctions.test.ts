/**
 * The embedded Step Functions through the real SDK v3 SFN client over HTTP. Facts: Step Functions API
 * reference (CreateStateMachine, DescribeStateMachine, ListStateMachines, DeleteStateMachine,
 * StartExecution — idempotent for the same name and input while RUNNING —, StartSyncExecution — "returns
 * a 200 OK response, even if your execution fails" —, DescribeExecution, GetExecutionHistory,
 * ListExecutions, StopExecution, SendTaskSuccess/Failure/Heartbeat); CloudFormation
 * AWS::StepFunctions::StateMachine and SAM AWS::Serverless::StateMachine (DefinitionString,
 * DefinitionUri, DefinitionSubstitutions).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { eventually, machineResource, rejection, startStepFunctions, type SfnEndpoint } from './testing.js';

const ROLE = 'arn:aws:iam::000000000000:role/sfn';
const SM = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;
const def = (d: unknown) => JSON.stringify(d);

async function finished(client: SFNClient, executionArn: string) {
  return eventually(async () => {
    const d = await client.send(new DescribeExecutionCommand({ executionArn }));
    return d.status === 'RUNNING' ? undefined : d;
  });
}

describe('state machines', () => {
  let s: SfnEndpoint;
  before(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-sfn-tpl-'));
    writeFileSync(path.join(dir, 'flow.asl.yaml'), 'StartAt: Hello\nStates:\n  Hello:\n    Type: Pass\n    Result: ${Greeting}\n    End: true\n');
    s = await startStepFunctions({
      templateFile: path.join(dir, 'template.yaml'),
      resources: [
        machineResource('from-uri', { DefinitionUri: 'flow.asl.yaml', DefinitionSubstitutions: { Greeting: 'hi' }, Type: 'EXPRESS' }),
        machineResource(
          'from-string',
          { DefinitionString: '{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"${Value}","End":true}}}', DefinitionSubstitutions: { Value: 'v1' }, RoleArn: ROLE },
          'AWS::StepFunctions::StateMachine',
        ),
      ],
    });
  });
  after(() => s.close(true));

  it('serves template machines: DefinitionUri (YAML, relative to the template) and DefinitionString, with substitutions', async () => {
    const uri = await s.client.send(new DescribeStateMachineCommand({ stateMachineArn: SM('from-uri') }));
    assert.equal(uri.type, 'EXPRESS');
    assert.deepEqual(JSON.parse(uri.definition!), { StartAt: 'Hello', States: { Hello: { Type: 'Pass', Result: 'hi', End: true } } });
    const str = await s.client.send(new DescribeStateMachineCommand({ stateMachineArn: SM('from-string') }));
    assert.equal(str.type, 'STANDARD');
    assert.equal(str.roleArn, ROLE);
    assert.equal(JSON.parse(str.definition!).States.A.Result, 'v1');
    assert.equal(str.status, 'ACTIVE');
    assert.ok(str.creationDate instanceof Date);
  });

  it('creates, lists, updates and deletes machines', async () => {
    const definition = def({ StartAt: 'A', States: { A: { Type: 'Succeed' } } });
    const created = await s.client.send(new CreateStateMachineCommand({ name: 'made', definition, roleArn: ROLE }));
    assert.equal(created.stateMachineArn, SM('made'));
    const again = await s.client.send(new CreateStateMachineCommand({ name: 'made', definition, roleArn: ROLE }));
    assert.equal(again.creationDate?.getTime(), created.creationDate?.getTime(), 'an identical CreateStateMachine is idempotent');
    const clash = await rejection(s.client.send(new CreateStateMachineCommand({ name: 'made', definition: def({ StartAt: 'B', States: { B: { Type: 'Succeed' } } }), roleArn: ROLE })));
    assert.equal(clash.name, 'StateMachineAlreadyExists');
    const list = await s.client.send(new ListStateMachinesCommand({}));
    assert.deepEqual(list.stateMachines?.map((m) => m.name), ['from-string', 'from-uri', 'made']);
    await s.client.send(new UpdateStateMachineCommand({ stateMachineArn: SM('made'), definition: def({ StartAt: 'Z', States: { Z: { Type: 'Succeed' } } }) }));
    assert.equal(JSON.parse((await s.client.send(new DescribeStateMachineCommand({ stateMachineArn: SM('made') }))).definition!).StartAt, 'Z');
    await s.client.send(new DeleteStateMachineCommand({ stateMachineArn: SM('made') }));
    const gone = await rejection(s.client.send(new DescribeStateMachineCommand({ stateMachineArn: SM('made') })));
    assert.equal(gone.name, 'StateMachineDoesNotExist');
  });

  it('rejects invalid definitions, names and ARNs', async () => {
    const bad = await rejection(s.client.send(new CreateStateMachineCommand({ name: 'bad', definition: def({ StartAt: 'A', States: { A: { Type: 'Pass' } } }), roleArn: ROLE })));
    assert.equal(bad.name, 'InvalidDefinition');
    assert.match(bad.message, /SCHEMA_VALIDATION_FAILED: Exactly one of "Next" or "End" is required at \/States\/A/);
    const json = await rejection(s.client.send(new CreateStateMachineCommand({ name: 'bad', definition: '{', roleArn: ROLE })));
    assert.equal(json.name, 'InvalidDefinition');
    const name = await rejection(s.client.send(new CreateStateMachineCommand({ name: 'bad name', definition: def({ StartAt: 'A', States: { A: { Type: 'Succeed' } } }), roleArn: ROLE })));
    assert.equal(name.name, 'InvalidName');
    const arn = await rejection(s.client.send(new DescribeStateMachineCommand({ stateMachineArn: 'nope' })));
    assert.equal(arn.name, 'InvalidArn');
    const v = await s.client.send(new ValidateStateMachineDefinitionCommand({ definition: def({ StartAt: 'X', States: { A: { Type: 'Succeed' } } }) }));
    assert.equal(v.result, 'FAIL');
    assert.equal(v.diagnostics?.[0]?.code, 'MISSING_TRANSITION_TARGET');
  });
});

describe('executions', () => {
  let s: SfnEndpoint;
  const calls: { service: string; action: string; input: unknown }[] = [];
  const lambdaCalls: { fn: string; payload: string }[] = [];
  before(async () => {
    s = await startStepFunctions({
      deps: {
        callAws: async (service, action, input) => {
          calls.push({ service, action, input });
          if (service === 'dynamodb' && action === 'GetItem') return { Item: { id: { S: 'o-1' }, total: { N: '250' } } };
          if (service === 'dynamodb' && action === 'PutItem') throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
          return { MessageId: 'm-1' };
        },
        lambda: {
          async invoke(fn, payload) {
            lambdaCalls.push({ fn, payload: String(payload) });
            const event = JSON.parse(String(payload)) as Record<string, unknown>;
            if (event['hang'] === true) return new Promise((resolve) => setTimeout(() => resolve({ payload: Buffer.from('{}') }), 500));
            if (fn.endsWith(':missing')) throw Object.assign(new Error('Function not found'), { code: 'ResourceNotFoundException' });
            if (event['fail'] === true) return { payload: Buffer.from('{"errorType":"PaymentDeclined","errorMessage":"card refused","trace":[]}'), functionError: 'Unhandled' };
            return { payload: Buffer.from(JSON.stringify({ charged: event['amount'] })) };
          },
        },
      },
    });
  });
  after(() => s.close(true));

  const create = async (name: string, definition: unknown, type: 'STANDARD' | 'EXPRESS' = 'STANDARD') =>
    (await s.client.send(new CreateStateMachineCommand({ name, definition: def(definition), roleArn: ROLE, type }))).stateMachineArn!;

  it('runs a STANDARD execution in the background; DescribeExecution, history and ListExecutions report it', async () => {
    const arn = await create('greet', { StartAt: 'Greet', States: { Greet: { Type: 'Pass', Parameters: { 'greeting.$': '$.test' }, End: true } } });
    const started = await s.client.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"test": "value"}', name: 'first' }));
    assert.equal(started.executionArn, 'arn:aws:states:us-east-1:000000000000:execution:greet:first');
    assert.ok(started.startDate instanceof Date);
    const d = await finished(s.client, started.executionArn!);
    assert.equal(d.status, 'SUCCEEDED');
    assert.equal(d.input, '{"test": "value"}');
    assert.deepEqual(JSON.parse(d.output!), { greeting: 'value' });
    assert.equal(d.stateMachineArn, arn);
    const h = await s.client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    assert.deepEqual(h.events?.map((e) => e.type), ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    assert.deepEqual(h.events?.map((e) => [e.id, e.previousEventId]), [[1, 0], [2, 1], [3, 2], [4, 3]]);
    assert.equal(h.events?.[1]?.stateEnteredEventDetails?.name, 'Greet');
    assert.equal(h.events?.[3]?.executionSucceededEventDetails?.output, '{"greeting":"value"}');
    const list = await s.client.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    assert.deepEqual(list.executions?.map((e) => [e.name, e.status]), [['first', 'SUCCEEDED']]);
    const again = await rejection(s.client.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{}', name: 'first' })));
    assert.equal(again.name, 'ExecutionAlreadyExists');
  });

  it('answers StartSyncExecution with the result, failures included, for EXPRESS machines only', async () => {
    const ok = await create('sync-ok', { StartAt: 'S', States: { S: { Type: 'Pass', Parameters: { 'message.$': '$.name', source: 'express' }, End: true } } }, 'EXPRESS');
    const r = await s.client.send(new StartSyncExecutionCommand({ stateMachineArn: ok, input: '{"name":"Ada"}' }));
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(r.output!), { message: 'Ada', source: 'express' });
    assert.match(r.executionArn!, /^arn:aws:states:us-east-1:000000000000:express:sync-ok:[^:]+:[^:]+$/);
    assert.ok((r.billingDetails?.billedDurationInMilliseconds ?? 0) >= 100);
    const failing = await create('sync-fail', { StartAt: 'R', States: { R: { Type: 'Fail', Error: 'OrderRejected', Cause: 'Out of stock' } } }, 'EXPRESS');
    const f = await s.client.send(new StartSyncExecutionCommand({ stateMachineArn: failing, input: '{}' }));
    assert.deepEqual([f.status, f.error, f.cause, f.output], ['FAILED', 'OrderRejected', 'Out of stock', undefined]);
    // A Fail state's Cause is optional ("Fail workflow state"): without one the answer has no cause.
    const bare = await create('sync-bare', { StartAt: 'R', States: { R: { Type: 'Fail', Error: 'OrderRejected' } } }, 'EXPRESS');
    const b = await s.client.send(new StartSyncExecutionCommand({ stateMachineArn: bare, input: '{}' }));
    assert.deepEqual([b.status, b.error, 'cause' in b], ['FAILED', 'OrderRejected', false]);
    const standard = await rejection(s.client.send(new StartSyncExecutionCommand({ stateMachineArn: SM('greet') })));
    assert.equal(standard.name, 'StateMachineTypeNotSupported');
    const express = await rejection(s.client.send(new ListExecutionsCommand({ stateMachineArn: ok })));
    assert.equal(express.name, 'StateMachineTypeNotSupported');
  });

  it('rejects bad input, unknown machines and unknown executions', async () => {
    const input = await rejection(s.client.send(new StartExecutionCommand({ stateMachineArn: SM('greet'), input: '{nope' })));
    assert.equal(input.name, 'InvalidExecutionInput');
    const machine = await rejection(s.client.send(new StartExecutionCommand({ stateMachineArn: SM('none') })));
    assert.equal(machine.name, 'StateMachineDoesNotExist');
    const exec = await rejection(s.client.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:greet:none' })));
    assert.equal(exec.name, 'ExecutionDoesNotExist');
  });

  it('stops a running execution: ABORTED with ExecutionAborted', async () => {
    const arn = await create('sleepy', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } });
    const { executionArn } = await s.client.send(new StartExecutionCommand({ stateMachineArn: arn }));
    await new Promise((r) => setTimeout(r, 30));
    const stop = await s.client.send(new StopExecutionCommand({ executionArn, error: 'Cancelled', cause: 'by test' }));
    assert.ok(stop.stopDate instanceof Date);
    const d = await s.client.send(new DescribeExecutionCommand({ executionArn }));
    assert.deepEqual([d.status, d.error, d.cause], ['ABORTED', 'Cancelled', 'by test']);
    const h = await s.client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));
    assert.equal(h.events?.[0]?.type, 'ExecutionAborted');
    assert.equal(h.events?.[0]?.executionAbortedEventDetails?.error, 'Cancelled');
  });

  it('is idempotent for the same name and input while RUNNING', async () => {
    const arn = await create('idem', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } });
    const a = await s.client.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'once', input: '{"a":1}' }));
    const b = await s.client.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'once', input: '{"a":1}' }));
    assert.equal(b.executionArn, a.executionArn);
    assert.equal(b.startDate?.getTime(), a.startDate?.getTime());
    const other = await rejection(s.client.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'once', input: '{"a":2}' })));
    assert.equal(other.name, 'ExecutionAlreadyExists');
    await s.client.send(new StopExecutionCommand({ executionArn: a.executionArn }));
  });

  it('runs EXPRESS executions started asynchronously (kept in memory for DescribeExecution)', async () => {
    const arn = await create('express-async', { StartAt: 'P', States: { P: { Type: 'Pass', Result: 'done', End: true } } }, 'EXPRESS');
    const { executionArn } = await s.client.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{}' }));
    assert.match(executionArn!, /:express:express-async:/);
    const d = await finished(s.client, executionArn!);
    assert.deepEqual([d.status, d.output], ['SUCCEEDED', '"done"']);
  });

  it('stops an execution promptly even while a Lambda invocation is still running', async () => {
    const arn = await create('long-lambda', { StartAt: 'Slow', States: { Slow: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:slow', End: true } } });
    const { executionArn } = await s.client.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"hang":true}' }));
    await new Promise((r) => setTimeout(r, 30));
    await s.client.send(new StopExecutionCommand({ executionArn }));
    const d = await s.client.send(new DescribeExecutionCommand({ executionArn }));
    assert.equal(d.status, 'ABORTED');
  });

  it('times out an execution after the machine TimeoutSeconds', async () => {
    const arn = await create('slow', { TimeoutSeconds: 1, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 30, End: true } } });
    const { executionArn } = await s.client.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const d = await finished(s.client, executionArn!);
    assert.deepEqual([d.status, d.error], ['TIMED_OUT', 'States.Timeout']);
  });

  it('mixes a Lambda task, a DynamoDB task and a Choice (lambda:invoke result shape, callAws routing)', async () => {
    const arn = await create('checkout', {
      StartAt: 'Load',
      States: {
        Load: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: 'orders', Key: { id: { 'S.$': '$.id' } } }, ResultSelector: { 'total.$': 'States.StringToJson($.Item.total.N)' }, ResultPath: '$.order', Next: 'Big?' },
        'Big?': { Type: 'Choice', Choices: [{ Variable: '$.order.total', NumericGreaterThan: 100, Next: 'Charge' }], Default: 'Skip' },
        Charge: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'charge', Payload: { 'amount.$': '$.order.total' } }, OutputPath: '$.Payload', End: true },
        Skip: { Type: 'Succeed' },
      },
    });
    const r = await s.client.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"id":"o-1"}' }));
    const d = await finished(s.client, r.executionArn!);
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    assert.deepEqual(JSON.parse(d.output!), { charged: 250 });
    assert.deepEqual(calls.find((c) => c.action === 'GetItem'), { service: 'dynamodb', action: 'GetItem', input: { TableName: 'orders', Key: { id: { S: 'o-1' } } } });
    assert.deepEqual(lambdaCalls.at(-1), { fn: 'charge', payload: '{"amount":250}' });
  });

  it('names failures as Step Functions does: errorType of the function, Lambda.*, <Service>.<Code>', async () => {
    const arn = await create('failures', {
      StartAt: 'Direct',
      States: {
        Direct: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:pay', Catch: [{ ErrorEquals: ['PaymentDeclined'], ResultPath: '$.declined', Next: 'Missing' }], Next: 'Missing' },
        Missing: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:missing' }, Catch: [{ ErrorEquals: ['Lambda.ResourceNotFoundException'], ResultPath: '$.missing', Next: 'Put' }], Next: 'Put' },
        Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 't', Item: {} }, End: true },
      },
    });
    const r = await s.client.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"fail":true}' }));
    const d = await finished(s.client, r.executionArn!);
    assert.deepEqual([d.status, d.error, d.cause], ['FAILED', 'DynamoDB.ConditionalCheckFailedException', 'The conditional request failed']);
    const h = await s.client.send(new GetExecutionHistoryCommand({ executionArn: r.executionArn }));
    const failed = h.events?.find((e) => e.type === 'LambdaFunctionFailed');
    assert.equal(failed?.lambdaFunctionFailedEventDetails?.error, 'PaymentDeclined');
    assert.equal(JSON.parse(failed!.lambdaFunctionFailedEventDetails!.cause!).errorMessage, 'card refused');
    const taskFailed = h.events?.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails?.error);
    assert.deepEqual(taskFailed, ['Lambda.ResourceNotFoundException', 'DynamoDB.ConditionalCheckFailedException']);
  });

  it('waits for SendTaskSuccess / SendTaskFailure on .waitForTaskToken, with heartbeats', async () => {
    const arn = await create('approve', {
      StartAt: 'Ask',
      States: {
        Ask: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', HeartbeatSeconds: 5, Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } }, End: true },
      },
    });
    const tokenOf = async (before: number) =>
      // The JSON body reaches SQS as its text.
      eventually(async () => (calls.length > before ? (JSON.parse((calls.at(-1)!.input as { MessageBody: string }).MessageBody) as { token: string }).token : undefined));
    let before = calls.length;
    const one = await s.client.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const token = await tokenOf(before);
    await s.client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await s.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
    const d1 = await finished(s.client, one.executionArn!);
    assert.deepEqual([d1.status, JSON.parse(d1.output!)], ['SUCCEEDED', { approved: true }]);
    const used = await rejection(s.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })));
    assert.equal(used.name, 'TaskDoesNotExist');

    before = calls.length;
    const two = await s.client.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const token2 = await tokenOf(before);
    await s.client.send(new SendTaskFailureCommand({ taskToken: token2, error: 'Denied', cause: 'manager said no' }));
    const d2 = await finished(s.client, two.executionArn!);
    assert.deepEqual([d2.status, d2.error, d2.cause], ['FAILED', 'Denied', 'manager said no']);
    // SendTaskFailure's cause is optional: none given, none reported.
    before = calls.length;
    const three = await s.client.send(new StartExecutionCommand({ stateMachineArn: arn }));
    await s.client.send(new SendTaskFailureCommand({ taskToken: await tokenOf(before), error: 'Denied' }));
    const d3 = await finished(s.client, three.executionArn!);
    assert.deepEqual([d3.status, d3.error, 'cause' in d3], ['FAILED', 'Denied', false]);
    const invalid = await rejection(s.client.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' })));
    assert.equal(invalid.name, 'InvalidToken');
  });

  it('starts child executions with states:startExecution.sync:2 and waits for their output', async () => {
    const child = await create('child', { StartAt: 'D', States: { D: { Type: 'Pass', Parameters: { 'doubled.$': 'States.MathAdd($.n, $.n)' }, End: true } } });
    const parent = await create('parent', {
      StartAt: 'Run',
      States: { Run: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: child, Input: { 'n.$': '$.n' } }, OutputPath: '$.Output', End: true } },
    });
    const r = await s.client.send(new StartExecutionCommand({ stateMachineArn: parent, input: '{"n":21}' }));
    const d = await finished(s.client, r.executionArn!);
    assert.deepEqual([d.status, JSON.parse(d.output ?? 'null')], ['SUCCEEDED', { doubled: 42 }]);
    const children = await s.client.send(new ListExecutionsCommand({ stateMachineArn: child }));
    assert.equal(children.executions?.length, 1);
  });
});
