/**
 * Input and output processing, with the examples of the Step Functions developer guide "Processing
 * input and output in Step Functions" (InputPath, Parameters, ResultSelector, ResultPath, OutputPath
 * sections; the expected outputs are the page's).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyResultPath, applyTemplate, selectPath, Variables, type Scope } from './payload.js';
import { StatesError } from './errors.js';

const scope = (context: unknown = {}): Scope => ({ context, variables: new Variables() });

describe('input and output processing', () => {
  it('InputPath selects part of the input; null gives {}', () => {
    const input = { comment: 'Example for InputPath.', dataset1: { val1: 1, val2: 2, val3: 3 }, dataset2: { val1: 'a', val2: 'b', val3: 'c' } };
    assert.deepEqual(selectPath('$.dataset2', input, scope()), { val1: 'a', val2: 'b', val3: 'c' });
    assert.deepEqual(selectPath(null, input, scope()), {});
    assert.throws(
      () => selectPath('$.dataset9', input, scope()),
      (e: StatesError) => e.error === 'States.Runtime' && e.cause === "Invalid path '$.dataset9' : No results for path: $['dataset9']",
    );
  });

  it('Parameters keeps static values and evaluates ".$" fields, nested ones too', () => {
    const input = { comment: 'Example for Parameters.', product: { details: { color: 'blue', size: 'small', material: 'cotton' }, availability: 'in stock', sku: '2317', cost: '$23' } };
    const template = { comment: 'Selecting what I care about.', MyDetails: { 'size.$': '$.product.details.size', 'exists.$': '$.product.availability', StaticValue: 'foo' } };
    assert.deepEqual(applyTemplate(template, input, scope()), { comment: 'Selecting what I care about.', MyDetails: { size: 'small', exists: 'in stock', StaticValue: 'foo' } });
  });

  it('".$" fields read the context object and intrinsic functions; a missing path is a States.Runtime error', () => {
    const context = { Execution: { Name: 'run-1' } };
    assert.deepEqual(applyTemplate({ 'name.$': '$$.Execution.Name', 'greeting.$': "States.Format('hi {}', $.who)" }, { who: 'you' }, scope(context)), { name: 'run-1', greeting: 'hi you' });
    assert.throws(
      () => applyTemplate({ 'x.$': '$.missing' }, { a: 1 }, scope()),
      (e: StatesError) => e.error === 'States.Runtime' && e.cause === `The JSONPath '$.missing' specified for the field 'x.$' could not be found in the input '{"a":1}'`,
    );
  });

  it('ResultSelector builds the effective result from the raw result', () => {
    const raw = { resourceType: 'elasticmapreduce', resource: 'createCluster.sync', output: { SdkHttpMetadata: { httpStatusCode: 200 }, ClusterId: 'AKIAIOSFODNN7EXAMPLE' } };
    assert.deepEqual(applyTemplate({ 'ClusterId.$': '$.output.ClusterId', 'ResourceType.$': '$.resourceType' }, raw, scope()), {
      ClusterId: 'AKIAIOSFODNN7EXAMPLE',
      ResourceType: 'elasticmapreduce',
    });
  });

  it('ResultPath: $ replaces the input, a path adds the result to it, null discards the result', () => {
    const input = { comment: 'This is a test of the input and output of a Task state.', details: 'Default example', who: 'AWS Step Functions' };
    const result = 'Hello, AWS Step Functions!';
    assert.equal(applyResultPath(input, result, undefined), result);
    assert.equal(applyResultPath(input, result, '$'), result);
    assert.deepEqual(applyResultPath(input, result, '$.taskresult'), { ...input, taskresult: result });
    assert.deepEqual(applyResultPath(input, result, null), input);
    assert.throws(() => applyResultPath(input, result, '$.who.name'), (e: StatesError) => e.error === 'States.ResultPathMatchFailure');
  });

  it('OutputPath selects from the combined output', () => {
    const combined = { master: { detail: [1, 2, 3] } };
    assert.deepEqual(selectPath('$.master.detail', combined, scope()), [1, 2, 3]);
  });
});
