/**
 * Retry and Catch. Facts: Step Functions developer guide "Handling errors in Step Functions workflows"
 * (IntervalSeconds default 1, MaxAttempts default 3, BackoffRate default 2.0, MaxDelaySeconds caps the
 * interval, retriers and catchers are tried in order, States.ALL matches any error except States.Runtime
 * and States.DataLimitExceeded, States.TaskFailed matches any error except States.Timeout, a Catcher's
 * ResultPath places {Error, Cause} in the raw input), and "Passing data between states with variables".
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatesError } from './errors.js';
import { errorMatches } from './errors.js';
import { retryDelayMs } from './interpreter.js';
import { execute } from './testing.js';

/** A task failing `failures` times with `error`, then answering {ok: attempt}. */
function flaky(failures: number, error = 'Busy') {
  let calls = 0;
  return () => {
    calls++;
    if (calls <= failures) throw new StatesError(error, `attempt ${calls}`);
    return { ok: calls };
  };
}

const task = (extra: Record<string, unknown>) => ({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'r', End: true, ...extra }, Handled: { Type: 'Pass', End: true } } });

describe('Retry', () => {
  it('retries with IntervalSeconds * BackoffRate^n and succeeds', async () => {
    const r = await execute(task({ Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 3 }] }), {}, { tasks: { r: flaky(3) } });
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(r.output, { ok: 4 });
    assert.deepEqual(r.sleeps, [2000, 6000, 18000]);
    assert.equal(r.types.filter((t) => t === 'TaskScheduled').length, 4);
  });
  it('defaults to 1 second, 3 attempts, rate 2.0, and fails once attempts are spent', async () => {
    const r = await execute(task({ Retry: [{ ErrorEquals: ['States.ALL'] }] }), {}, { tasks: { r: flaky(10) } });
    assert.deepEqual([r.status, r.error, r.cause], ['FAILED', 'Busy', 'attempt 4']);
    assert.deepEqual(r.sleeps, [1000, 2000, 4000]);
  });
  it('caps the interval with MaxDelaySeconds and randomizes it with JitterStrategy FULL', () => {
    assert.equal(retryDelayMs({ IntervalSeconds: 10, BackoffRate: 10, MaxDelaySeconds: 30 }, 3), 30_000);
    for (let i = 0; i < 20; i++) assert.ok(retryDelayMs({ IntervalSeconds: 4, JitterStrategy: 'FULL' }, 1) <= 8000);
  });
  it('uses the first retrier whose ErrorEquals matches; MaxAttempts 0 never retries', async () => {
    const r = await execute(task({ Retry: [{ ErrorEquals: ['Other'], MaxAttempts: 5 }, { ErrorEquals: ['Busy'], MaxAttempts: 0 }] }), {}, { tasks: { r: flaky(1) } });
    assert.equal(r.status, 'FAILED');
    assert.deepEqual(r.sleeps, []);
  });
  it("grows a retrier's interval over all its retries and counts MaxAttempts per error (the guide's complex retry scenario)", async () => {
    // Developer guide "Handling errors", complex retry scenarios: ErrorA, ErrorB, ErrorC, ErrorB, ErrorB
    // wait 1, 2, 5 and 4 seconds, then the fifth error is caught: ErrorB has had its two retries.
    const errors = ['ErrorA', 'ErrorB', 'ErrorC', 'ErrorB', 'ErrorB'];
    let calls = 0;
    const r = await execute(
      task({
        Retry: [
          { ErrorEquals: ['ErrorA', 'ErrorB'], IntervalSeconds: 1, BackoffRate: 2.0, MaxAttempts: 2 },
          { ErrorEquals: ['ErrorC'], IntervalSeconds: 5 },
        ],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }],
      }),
      {},
      {
        tasks: {
          r: () => {
            const error = errors[calls++];
            if (error !== undefined) throw new StatesError(error, `attempt ${calls}`);
            return 'done';
          },
        },
      },
    );
    assert.deepEqual(r.sleeps, [1000, 2000, 5000, 4000]);
    assert.equal(calls, 5);
    assert.deepEqual([r.status, r.output], ['SUCCEEDED', { Error: 'ErrorB', Cause: 'attempt 5' }]);
  });
  it('exposes the attempt number as $$.State.RetryCount', async () => {
    let calls = 0;
    const r = await execute(task({ Parameters: { 'n.$': '$$.State.RetryCount' }, Retry: [{ ErrorEquals: ['Busy'], MaxAttempts: 2 }] }), {}, {
      tasks: {
        r: (p) => {
          if (calls++ < 2) throw new StatesError('Busy', '');
          return p;
        },
      },
    });
    assert.deepEqual(r.output, { n: 2 });
  });
});

describe('Catch', () => {
  it('transitions to Next with {Error, Cause} at ResultPath inside the raw input', async () => {
    const r = await execute(task({ Catch: [{ ErrorEquals: ['Busy'], ResultPath: '$.error', Next: 'Handled' }] }), { order: 1 }, { tasks: { r: flaky(1) } });
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(r.output, { order: 1, error: { Error: 'Busy', Cause: 'attempt 1' } });
  });
  it('replaces the input with the error output by default and can Assign from it', async () => {
    const machine = {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: 'r', End: true, Catch: [{ ErrorEquals: ['States.ALL'], Assign: { 'why.$': '$.Cause' }, Next: 'Handled' }] },
        Handled: { Type: 'Pass', Parameters: { 'err.$': '$.Error', 'why.$': '$why' }, End: true },
      },
    };
    const r = await execute(machine, {}, { tasks: { r: flaky(1, 'Boom') } });
    assert.deepEqual(r.output, { err: 'Boom', why: 'attempt 1' });
  });
  it('retries first, then catches', async () => {
    const r = await execute(task({ Retry: [{ ErrorEquals: ['Busy'], MaxAttempts: 1 }], Catch: [{ ErrorEquals: ['Busy'], Next: 'Handled' }] }), {}, { tasks: { r: flaky(5) } });
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(r.sleeps, [1000]);
  });
  it('States.ALL does not catch States.Runtime', async () => {
    const r = await execute(task({ InputPath: '$.missing', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }] }), {}, { tasks: { r: () => ({}) } });
    assert.deepEqual([r.status, r.error], ['FAILED', 'States.Runtime']);
  });
  it('States.TaskFailed matches task errors except States.Timeout', () => {
    assert.equal(errorMatches(['States.TaskFailed'], 'Lambda.ServiceException', true), true);
    assert.equal(errorMatches(['States.TaskFailed'], 'States.Timeout', true), false);
    assert.equal(errorMatches(['States.ALL'], 'States.Timeout', true), true);
    assert.equal(errorMatches(['States.ALL'], 'States.DataLimitExceeded', true), false);
  });
});
