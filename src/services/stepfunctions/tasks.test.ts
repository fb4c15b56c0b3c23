/**
 * Task resource routing. Facts: Step Functions developer guide "Invoke an AWS Lambda function with Step
 * Functions" (lambda:invoke answers {ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata,
 * StatusCode}; a function error fails the task with its errorType and the error payload as cause),
 * "Integrating services with Step Functions" (aws-sdk:<service>:<apiAction>, parameters in the API's
 * PascalCase, errors prefixed with the service name), "Handling errors" (Lambda.ResourceNotFoundException,
 * Lambda.ServiceException).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../core/log.js';
import { StatesError } from './asl/errors.js';
import type { TaskInvocation } from './asl/interpreter.js';
import { createTaskRouter, type ChildExecutions, type StepFunctionsDeps } from './tasks.js';

const noChildren: ChildExecutions = {
  start: async () => {
    throw new Error('unused');
  },
  finished: async () => ({}),
};

function call(resource: string, parameters: unknown): TaskInvocation {
  return {
    resource,
    parameters,
    stateName: 'S',
    signal: new AbortController().signal,
    execution: { id: 'e', name: 'e', input: {}, startTime: '', roleArn: '', stateMachine: { id: 'm', name: 'm' }, region: 'us-east-1' },
  };
}

async function failure(promise: Promise<unknown>): Promise<StatesError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StatesError);
    return error;
  }
  throw new Error('expected a failure');
}

describe('task routing', () => {
  const invoked: unknown[] = [];
  const deps: StepFunctionsDeps = {
    lambda: {
      async invoke(fn, payload, options) {
        invoked.push({ fn, payload: String(payload), type: options?.invocationType });
        if (fn === 'gone') throw Object.assign(new Error('Function not found: gone'), { code: 'ResourceNotFoundException' });
        if (fn === 'boom') return { payload: Buffer.from('{"errorType":"ValueError","errorMessage":"bad"}'), functionError: 'Unhandled' };
        return { payload: Buffer.from('{"ok":true}') };
      },
    },
    callAws: async (service, action, input) => {
      if (action === 'GetObject') throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
      return { service, action, input };
    },
  };
  const route = createTaskRouter(deps, noChildren, createLogger('silent'));

  it('wraps lambda:invoke results and sends the Payload as the event', async () => {
    const out = (await route(call('arn:aws:states:::lambda:invoke', { FunctionName: 'fn', Payload: { a: 1 } }))) as Record<string, unknown>;
    assert.equal(out['ExecutedVersion'], '$LATEST');
    assert.equal(out['StatusCode'], 200);
    assert.deepEqual(out['Payload'], { ok: true });
    assert.ok((out['SdkResponseMetadata'] as { RequestId: string }).RequestId);
    assert.deepEqual(invoked.at(-1), { fn: 'fn', payload: '{"a":1}', type: 'RequestResponse' });
  });

  it('invokes asynchronously for .waitForTaskToken and InvocationType Event', async () => {
    const out = await route(call('arn:aws:states:::lambda:invoke.waitForTaskToken', { FunctionName: 'fn', Payload: { t: 'x' } }));
    assert.deepEqual(out, { ExecutedVersion: '$LATEST', Payload: '', StatusCode: 202 });
    assert.equal((invoked.at(-1) as { type: string }).type, 'Event');
  });

  it('returns a function ARN task result as the function answered it', async () => {
    assert.deepEqual(await route(call('arn:aws:lambda:us-east-1:000000000000:function:fn', { x: 1 })), { ok: true });
  });

  it('names function errors by errorType and service errors Lambda.<Code>', async () => {
    const e1 = await failure(route(call('arn:aws:states:::lambda:invoke', { FunctionName: 'boom' })));
    assert.equal(e1.error, 'ValueError');
    assert.deepEqual(JSON.parse(e1.cause!), { errorType: 'ValueError', errorMessage: 'bad' });
    const e2 = await failure(route(call('arn:aws:states:::lambda:invoke', { FunctionName: 'gone' })));
    assert.equal(e2.error, 'Lambda.ResourceNotFoundException');
    const none = createTaskRouter({}, noChildren, createLogger('silent'));
    assert.equal((await failure(none(call('arn:aws:states:::lambda:invoke', { FunctionName: 'fn' })))).error, 'Lambda.ServiceException');
  });

  it('sends optimized and aws-sdk integrations to callAws with the API action name', async () => {
    assert.deepEqual(await route(call('arn:aws:states:::sqs:sendMessage', { QueueUrl: 'q', MessageBody: 'm' })), { service: 'sqs', action: 'SendMessage', input: { QueueUrl: 'q', MessageBody: 'm' } });
    assert.deepEqual(await route(call('arn:aws:states:::aws-sdk:dynamodb:getItem', { TableName: 't' })), { service: 'dynamodb', action: 'GetItem', input: { TableName: 't' } });
    assert.deepEqual(await route(call('arn:aws:states:::events:putEvents', { Entries: [] })), { service: 'events', action: 'PutEvents', input: { Entries: [] } });
    const sdk = await failure(route(call('arn:aws:states:::aws-sdk:s3:getObject', { Bucket: 'b', Key: 'k' })));
    assert.deepEqual([sdk.error, sdk.cause], ['S3.NoSuchKey', 'The specified key does not exist.']);
  });

  it('fails activity tasks and integrations without an endpoint clearly', async () => {
    assert.equal((await failure(route(call('arn:aws:states:us-east-1:000000000000:activity:a', {})))).error, 'States.TaskFailed');
    const none = createTaskRouter({}, noChildren, createLogger('silent'));
    assert.equal((await failure(none(call('arn:aws:states:::sns:publish', {})))).error, 'States.TaskFailed');
  });
});
