/**
 * The interpreter, state type by state type. Facts: Step Functions developer guide pages "Pass
 * workflow state", "Task workflow state", "Choice workflow state", "Wait workflow state", "Succeed
 * workflow state", "Fail workflow state", "Accessing execution data from the Context object",
 * "Passing data between states with variables", and API reference "HistoryEvent" (event type names).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execute, testHost } from './testing.js';

const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:fn';
const one = (state: Record<string, unknown>) => ({ StartAt: 'S', States: { S: { ...state, ...(state['Type'] === 'Choice' || state['Type'] === 'Fail' || state['Type'] === 'Succeed' ? {} : { End: true }) } } });

describe('Pass', () => {
  it('passes its input through, or Result placed by ResultPath, then OutputPath', async () => {
    assert.deepEqual((await execute(one({ Type: 'Pass' }), { a: 1 })).output, { a: 1 });
    assert.deepEqual((await execute(one({ Type: 'Pass', Result: { x: 1 } }), { a: 1 })).output, { x: 1 });
    const r = await execute(one({ Type: 'Pass', Result: { x: 1 }, ResultPath: '$.r', OutputPath: '$.r.x' }), { a: 1 });
    assert.equal(r.output, 1);
    assert.deepEqual(r.types, ['PassStateEntered', 'PassStateExited']);
    assert.equal(r.events[0]!.details!['input'], '{"a":1}');
    assert.equal(r.events[1]!.details!['output'], '1');
    assert.equal(r.events[1]!.previousEventId, 1);
  });

  it('builds its result with Parameters from the input and the context object', async () => {
    const r = await execute(one({ Type: 'Pass', Parameters: { 'who.$': '$.name', 'exec.$': '$$.Execution.Name', 'state.$': '$$.State.Name', 'machine.$': '$$.StateMachine.Name' } }), { name: 'Ada' });
    assert.deepEqual(r.output, { who: 'Ada', exec: 'run-1', state: 'S', machine: 'Machine' });
  });
});

describe('Task', () => {
  it('runs the resource with its parameters and applies ResultSelector and ResultPath', async () => {
    const r = await execute(
      one({ Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { 'Key.$': '$.id' }, ResultSelector: { 'item.$': '$.Item' }, ResultPath: '$.out' }),
      { id: 'k1' },
      { tasks: { 'arn:aws:states:::dynamodb:getItem': (p) => ({ Item: { got: (p as { Key: string }).Key } }) } },
    );
    assert.deepEqual(r.output, { id: 'k1', out: { item: { got: 'k1' } } });
    assert.deepEqual(r.types, ['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited']);
    assert.deepEqual(
      { resourceType: r.events[1]!.details!['resourceType'], resource: r.events[1]!.details!['resource'], parameters: r.events[1]!.details!['parameters'] },
      { resourceType: 'dynamodb', resource: 'getItem', parameters: '{"Key":"k1"}' },
    );
  });

  it('names Lambda function ARN tasks LambdaFunction* in the history', async () => {
    const r = await execute(one({ Type: 'Task', Resource: LAMBDA }), { n: 1 }, { tasks: { [LAMBDA]: (p) => p } });
    assert.deepEqual(r.types, ['TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited']);
    const failed = await execute(one({ Type: 'Task', Resource: LAMBDA }), {}, {
      tasks: {
        [LAMBDA]: () => {
          throw Object.assign(new (class extends Error {})('x'), {});
        },
      },
    });
    assert.equal(failed.status, 'FAILED');
    assert.ok(failed.types.includes('LambdaFunctionFailed'));
  });

  it('fails with States.Timeout after TimeoutSeconds', async () => {
    const r = await execute(one({ Type: 'Task', Resource: 'slow', TimeoutSeconds: 1 }), {}, { tasks: { slow: () => new Promise((resolve) => setTimeout(resolve, 3000).unref()) } });
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Timeout');
    assert.ok(r.types.includes('TaskTimedOut'));
  });

  it('waits for SendTaskSuccess with .waitForTaskToken, the token in $$.Task.Token', async () => {
    let seen: unknown;
    const test = testHost({
      tasks: {
        'arn:aws:states:::sqs:sendMessage.waitForTaskToken': (p, call) => {
          seen = p;
          setImmediate(() => test.complete(call.taskToken!, { approved: true }));
          return { MessageId: 'm1' };
        },
      },
    });
    const r = await execute(one({ Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { 'MessageBody.$': '$$.Task.Token' } }), {}, { test });
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(r.output, { approved: true });
    assert.deepEqual(seen, { MessageBody: test.tokens[0] });
    assert.deepEqual(r.types, ['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited']);
  });

  it('fails with the SendTaskFailure error, and with States.HeartbeatTimeout when no heartbeat comes', async () => {
    const test = testHost({ tasks: { 'arn:aws:states:::lambda:invoke.waitForTaskToken': (_p, call) => (setImmediate(() => test.fail(call.taskToken!, 'Rejected', 'no')), {}) } });
    const r = await execute(one({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken' }), {}, { test });
    assert.deepEqual([r.status, r.error, r.cause], ['FAILED', 'Rejected', 'no']);
    const silent = await execute(one({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', HeartbeatSeconds: 1 }), {}, {
      tasks: { 'arn:aws:states:::lambda:invoke.waitForTaskToken': () => ({}) },
    });
    assert.equal(silent.error, 'States.HeartbeatTimeout');
    assert.ok(silent.types.includes('TaskTimedOut'));
  });
});

describe('Choice', () => {
  const machine = {
    StartAt: 'Route',
    States: {
      Route: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.size', NumericGreaterThan: 100, Next: 'Large' },
          { And: [{ Variable: '$.kind', IsPresent: true }, { Variable: '$.kind', StringEquals: 'sample' }], Next: 'Sample' },
        ],
        Default: 'Small',
      },
      Large: { Type: 'Pass', Result: 'large', End: true },
      Sample: { Type: 'Pass', Result: 'sample', End: true },
      Small: { Type: 'Pass', Result: 'small', End: true },
    },
  };
  it('takes the first matching rule, else Default', async () => {
    assert.equal((await execute(machine, { size: 250, kind: 'sample' })).output, 'large');
    assert.equal((await execute(machine, { size: 3, kind: 'sample' })).output, 'sample');
    assert.equal((await execute(machine, { size: 3 })).output, 'small');
    assert.deepEqual((await execute(machine, { size: 3 })).types, ['ChoiceStateEntered', 'ChoiceStateExited', 'PassStateEntered', 'PassStateExited']);
  });
  it('fails with States.NoChoiceMatched without a Default', async () => {
    const r = await execute({ StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.a', BooleanEquals: true, Next: 'D' }] }, D: { Type: 'Succeed' } } }, { a: false });
    assert.equal(r.error, 'States.NoChoiceMatched');
  });
});

describe('Wait', () => {
  it('waits Seconds, SecondsPath, Timestamp or TimestampPath', async () => {
    const now = () => Date.parse('2024-01-01T00:00:00Z');
    assert.deepEqual((await execute(one({ Type: 'Wait', Seconds: 5 }), {}, { now })).sleeps, [5000]);
    assert.deepEqual((await execute(one({ Type: 'Wait', SecondsPath: '$.s' }), { s: 2 }, { now })).sleeps, [2000]);
    assert.deepEqual((await execute(one({ Type: 'Wait', TimestampPath: '$.t' }), { t: '2024-01-01T00:01:00Z' }, { now })).sleeps, [60_000]);
    assert.deepEqual((await execute(one({ Type: 'Wait', Timestamp: '2024-01-01T01:00:00+01:00' }), {}, { now })).sleeps, [], 'a timestamp not in the future does not wait');
    assert.deepEqual((await execute(one({ Type: 'Wait', Seconds: 1 }), { keep: 1 })).types, ['WaitStateEntered', 'WaitStateExited']);
  });
  it('fails with States.Runtime for a SecondsPath that is not a non-negative integer', async () => {
    const r = await execute(one({ Type: 'Wait', SecondsPath: '$.s' }), { s: 'soon' });
    assert.equal(r.error, 'States.Runtime');
    assert.match(r.cause!, /^An error occurred while executing the state 'S' \(entered at the event id #1\)\./);
  });
  it('stops waiting when the execution is stopped', async () => {
    const controller = new AbortController();
    const { ExecutionInterrupted } = await import('./interpreter.js');
    setTimeout(() => controller.abort(new ExecutionInterrupted('aborted')), 20);
    const r = await execute(one({ Type: 'Wait', Seconds: 60 }), {}, { realTimers: true, signal: controller.signal });
    assert.equal(r.status, 'ABORTED');
  });
});

describe('Succeed and Fail', () => {
  it('Succeed ends the execution with its (OutputPath) output', async () => {
    const r = await execute(one({ Type: 'Succeed', OutputPath: '$.a' }), { a: { b: 1 } });
    assert.deepEqual(r.output, { b: 1 });
    assert.deepEqual(r.types, ['SucceedStateEntered', 'SucceedStateExited']);
  });
  it('Fail ends it with Error and Cause, or ErrorPath / CausePath (paths or intrinsic functions)', async () => {
    const r = await execute(one({ Type: 'Fail', Error: 'OrderRejected', Cause: 'Out of stock' }), {});
    assert.deepEqual([r.status, r.error, r.cause, r.types], ['FAILED', 'OrderRejected', 'Out of stock', ['FailStateEntered']]);
    const p = await execute(one({ Type: 'Fail', ErrorPath: '$.code', CausePath: "States.Format('item {} missing', $.item)" }), { code: 'E42', item: 7 });
    assert.deepEqual([p.error, p.cause], ['E42', 'item 7 missing']);
  });
  it('a Fail without Cause has no cause: a catcher gets {"Error"} alone', async () => {
    // Developer guide "Fail workflow state" (Cause optional) and "ResultPath" (catching an error without
    // a cause gives {"foo": "bar", "error": {"Error": "Error here"}}).
    const bare = await execute(one({ Type: 'Fail', Error: 'Error here' }), {});
    assert.deepEqual([bare.error, bare.cause], ['Error here', undefined]);
    const caught = await execute(
      {
        StartAt: 'P',
        States: {
          P: { Type: 'Parallel', Branches: [{ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Error here' } } }], Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Done' }], End: true },
          Done: { Type: 'Pass', End: true },
        },
      },
      { foo: 'bar' },
    );
    assert.deepEqual(caught.output, { foo: 'bar', error: { Error: 'Error here' } });
  });
});

describe('Assign and variables', () => {
  it('assigns after the state, from its result; later states read $name', async () => {
    const r = await execute(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Result: { price: 5 }, Assign: { 'price.$': '$.price', fixed: 'x' }, Next: 'B' },
          B: { Type: 'Pass', Parameters: { 'total.$': 'States.MathAdd($price, 1)', 'fixed.$': '$fixed' }, End: true },
        },
      },
      {},
    );
    assert.deepEqual(r.output, { total: 6, fixed: 'x' });
  });
  it('evaluates all assignments of a state with the values from before it', async () => {
    const r = await execute(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Assign: { x: 1, y: 2 }, Next: 'B' },
          B: { Type: 'Pass', Assign: { 'x.$': '$y', 'y.$': '$x' }, Next: 'C' },
          C: { Type: 'Pass', Parameters: { 'x.$': '$x', 'y.$': '$y' }, End: true },
        },
      },
      {},
    );
    assert.deepEqual(r.output, { x: 2, y: 1 });
  });
  it('keeps assignments of a Parallel branch inside the branch, which still reads outer variables', async () => {
    const r = await execute(
      {
        StartAt: 'Init',
        States: {
          Init: { Type: 'Pass', Assign: { outer: 'o' }, Next: 'P' },
          P: {
            Type: 'Parallel',
            Branches: [{ StartAt: 'In', States: { In: { Type: 'Pass', Assign: { inner: 'i' }, Parameters: { 'seen.$': '$outer' }, End: true } } }],
            Next: 'After',
          },
          After: { Type: 'Pass', Parameters: { 'inner.$': '$inner' }, End: true },
        },
      },
      {},
    );
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Runtime');
    assert.match(r.cause!, /'\$inner' specified for the field 'inner\.\$' could not be found/);
  });
});

describe('JSONata query language (plumbing, with a stand-in evaluator)', () => {
  // A stand-in for the jsonata package: `$states.input.x`-style references, numbers and `a + b`.
  const evaluate = async (expression: string, _input: unknown, bindings: Record<string, unknown>): Promise<unknown> => {
    const e = expression.trim();
    const plus = /^(.+?)\s*\+\s*(.+)$/.exec(e);
    if (plus) return ((await evaluate(plus[1]!, _input, bindings)) as number) + ((await evaluate(plus[2]!, _input, bindings)) as number);
    const eq = /^(.+?)\s*=\s*(.+)$/.exec(e);
    if (eq) return (await evaluate(eq[1]!, _input, bindings)) === (await evaluate(eq[2]!, _input, bindings));
    if (/^-?\d+$/.test(e)) return Number(e);
    if (/^'.*'$/.test(e)) return e.slice(1, -1);
    const ref = /^\$(\w+)((?:\.\w+)*)$/.exec(e);
    if (ref === null) throw new Error(`unsupported ${e}`);
    let value: unknown = bindings[ref[1]!];
    for (const key of ref[2]!.split('.').filter(Boolean)) value = (value as Record<string, unknown> | undefined)?.[key];
    return value;
  };
  it('evaluates Arguments, Output, Assign and Condition expressions with $states', async () => {
    const r = await execute(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Call',
        States: {
          Call: { Type: 'Task', Resource: 'add', Arguments: { n: '{% $states.input.n %}' }, Assign: { got: '{% $states.result.sum %}' }, Output: '{% $states.result %}', Next: 'Route' },
          Route: { Type: 'Choice', Choices: [{ Condition: '{% $got = 3 %}', Next: 'Three' }], Default: 'Other' },
          Three: { Type: 'Pass', Output: { total: '{% $got + 10 %}' }, End: true },
          Other: { Type: 'Fail', Error: 'Other' },
        },
      },
      { n: 2 },
      { tasks: { add: (p) => ({ sum: (p as { n: number }).n + 1 }) }, jsonata: evaluate },
    );
    assert.deepEqual(r.output, { total: 13 });
  });
  it('fails with States.QueryEvaluationError when no JSONata evaluator is installed', async () => {
    const r = await execute({ QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input %}', End: true } } }, {});
    assert.equal(r.error, 'States.QueryEvaluationError');
  });
});

describe('checkpoints and resumption', () => {
  it('checkpoints before each top-level state and resumes from one with its variables', async () => {
    const machine = {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { v: 1 }, Result: { step: 'a' }, Next: 'B' },
        B: { Type: 'Pass', Parameters: { 'v.$': '$v', 'from.$': '$.step' }, End: true },
      },
    };
    const first = await execute(machine, {});
    assert.deepEqual(first.test.checkpoints.map((c) => c.state), ['A', 'B']);
    const resumed = await execute(machine, {}, { checkpoint: first.test.checkpoints[1]! });
    assert.deepEqual(resumed.output, { v: 1, from: 'a' });
    assert.deepEqual(resumed.types, ['PassStateEntered', 'PassStateExited']);
  });
});
