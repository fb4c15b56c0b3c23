/**
 * JSONata states with the real jsonata package. Facts: Step Functions developer guide "Transforming data
 * with JSONata in Step Functions" (Arguments and Output, `$states.input` / `.result` / `.errorOutput` /
 * `.context`, Condition, the functions Step Functions adds, an undefined result is
 * States.QueryEvaluationError) and "Passing data between states with variables" (Assign, `$name`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createJsonataEvaluator } from './jsonata.js';
import { execute } from './testing.js';
import { validateDefinition } from './validate.js';

const jsonata = createJsonataEvaluator();
const LAMBDA = 'arn:aws:states:::lambda:invoke';

describe('JSONata states', () => {
  it('pass data through Arguments, Assign, Condition and Output, reading $states and variables', async () => {
    const r = await execute(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Price',
        States: {
          Price: {
            Type: 'Task',
            Resource: LAMBDA,
            Arguments: { FunctionName: 'price', Payload: { items: '{% $states.input.cart.items %}' } },
            Assign: { total: '{% $states.result.Payload.total %}', customer: '{% $states.input.customer %}' },
            Output: '{% $states.result.Payload %}',
            Next: 'Decide',
          },
          Decide: {
            Type: 'Choice',
            Choices: [{ Condition: '{% $total > 100 %}', Next: 'Big' }],
            Default: 'Small',
          },
          Big: { Type: 'Pass', Output: { size: 'big' }, End: true },
          Small: {
            Type: 'Pass',
            Output: {
              size: 'small',
              greeting: "{% 'Hello ' & $uppercase($customer) %}",
              total: '{% $total %}',
              execution: '{% $states.context.Execution.Name %}',
              state: '{% $states.context.State.Name %}',
              fromPrevious: '{% $states.input.total %}',
            },
            End: true,
          },
        },
      },
      { customer: 'ada', cart: { items: [{ price: 10, qty: 2 }, { price: 5, qty: 1 }] } },
      {
        jsonata,
        tasks: { [LAMBDA]: (p) => ({ Payload: { total: (p as { Payload: { items: { price: number; qty: number }[] } }).Payload.items.reduce((n, i) => n + i.price * i.qty, 0) } }) },
      },
    );
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(r.output, { size: 'small', greeting: 'Hello ADA', total: 25, execution: 'run-1', state: 'Small', fromPrevious: 25 });
  });

  it('offers the functions Step Functions adds ($partition, $range, $hash, $random, $uuid, $parse) and not $eval', async () => {
    const r = await execute(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'F',
        States: {
          F: {
            Type: 'Pass',
            Output: {
              partition: '{% $partition([1, 2, 3, 4, 5], 2) %}',
              range: '{% $range(0, 10, 5) %}',
              hash: "{% $hash('hello', 'SHA-256') %}",
              seeded: '{% $random(7) = $random(7) %}',
              uuid: '{% $uuid() %}',
              parsed: '{% $parse($states.input.json).a %}',
            },
            End: true,
          },
        },
      },
      { json: '{"a": [1, 2]}' },
      { jsonata },
    );
    const out = r.output as Record<string, unknown>;
    assert.deepEqual(out['partition'], [[1, 2], [3, 4], [5]]);
    assert.deepEqual(out['range'], [0, 5, 10]);
    assert.equal(out['hash'], '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    assert.equal(out['seeded'], true);
    assert.match(out['uuid'] as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(out['parsed'], [1, 2]);
    const evaluated = await execute({ QueryLanguage: 'JSONata', StartAt: 'E', States: { E: { Type: 'Pass', Output: "{% $eval('1 + 1') %}", End: true } } }, {}, { jsonata });
    assert.equal(evaluated.error, 'States.QueryEvaluationError');
    assert.match(evaluated.cause!, /\$eval is not supported/);
  });

  it('catches errors with $states.errorOutput, and fails with States.QueryEvaluationError on an undefined result', async () => {
    const caught = await execute(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: LAMBDA, Catch: [{ ErrorEquals: ['States.ALL'], Output: { failed: '{% $states.errorOutput.Error %}' }, Next: 'Done' }], End: true },
          Done: { Type: 'Succeed' },
        },
      },
      {},
      { jsonata, tasks: {} },
    );
    assert.deepEqual(caught.output, { failed: 'States.TaskFailed' });
    const missing = await execute({ QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input.nope %}', End: true } } }, {}, { jsonata });
    assert.equal(missing.status, 'FAILED');
    assert.equal(missing.error, 'States.QueryEvaluationError');
    assert.match(missing.cause!, /returned nothing/);
  });

  it('mixes query languages per state (QueryLanguage on a state overrides the machine)', async () => {
    const r = await execute(
      {
        StartAt: 'Path',
        States: {
          Path: { Type: 'Pass', Parameters: { 'n.$': '$.n' }, Assign: { 'doubled.$': 'States.MathAdd($.n, $.n)' }, Next: 'Nata' },
          Nata: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $doubled * 10 + $states.input.n %}', End: true },
        },
      },
      { n: 2 },
      { jsonata },
    );
    assert.equal(r.output, 42);
  });
});

describe('JSONata validation', () => {
  it('rejects JSONPath fields in JSONata states and JSONata fields in JSONPath states', () => {
    const diagnostics = validateDefinition({
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Parameters: { x: 1 }, ResultPath: '$.x', Next: 'B' },
        B: { Type: 'Pass', QueryLanguage: 'JSONPath', Output: 1, End: true },
      },
    });
    assert.deepEqual(
      diagnostics.map((d) => d.location),
      ['/States/A/Parameters', '/States/A/ResultPath', '/States/B/Output'],
    );
  });
});
