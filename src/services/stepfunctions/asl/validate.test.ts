/**
 * Definition validation. Facts: Amazon States Language specification ("StartAt", "States", every state
 * reachable, exactly one of Next/End, States.ALL alone in the last retrier/catcher, Reference Paths in
 * ResultPath, a Wait state has exactly one of its four timing fields) and API reference
 * "CreateStateMachine" (InvalidDefinition).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from './validate.js';

const codes = (definition: unknown) => validateDefinition(definition).map((d) => `${d.code} ${d.location}`);

describe('definition validation', () => {
  it('accepts a valid machine', () => {
    assert.deepEqual(codes({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Succeed' } } }), []);
  });
  it('reports missing StartAt targets, Next targets and unreachable states', () => {
    assert.deepEqual(codes({ StartAt: 'X', States: { A: { Type: 'Pass', End: true } } }), ['MISSING_TRANSITION_TARGET /StartAt']);
    assert.deepEqual(codes({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nope' } } }), ['MISSING_TRANSITION_TARGET /States/A']);
    assert.deepEqual(codes({ StartAt: 'A', States: { A: { Type: 'Pass', End: true }, B: { Type: 'Pass', End: true } } }), ['SCHEMA_VALIDATION_FAILED /States/B']);
  });
  it('requires exactly one of Next or End, and a known Type', () => {
    assert.deepEqual(codes({ StartAt: 'A', States: { A: { Type: 'Pass' } } }), ['SCHEMA_VALIDATION_FAILED /States/A']);
    assert.deepEqual(codes({ StartAt: 'A', States: { A: { Type: 'Nope', End: true } } }), ['SCHEMA_VALIDATION_FAILED /States/A']);
  });
  it('checks retriers, ResultPath, Wait fields, paths and intrinsic functions', () => {
    assert.equal(codes({ StartAt: 'A', States: { A: { Type: 'Task', Resource: 'r', End: true, Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }] } } }).length, 1);
    assert.equal(codes({ StartAt: 'A', States: { A: { Type: 'Pass', ResultPath: '$.a[*]', End: true } } }).length, 1);
    assert.equal(codes({ StartAt: 'A', States: { A: { Type: 'Wait', Seconds: 1, SecondsPath: '$.s', End: true } } }).length, 1);
    assert.equal(codes({ StartAt: 'A', States: { A: { Type: 'Pass', Parameters: { 'x.$': 'States.Nope()' }, End: true } } }).length, 1);
    assert.equal(codes({ StartAt: 'A', States: { A: { Type: 'Pass', Parameters: { 'x.$': 'not a path' }, End: true } } }).length, 1);
  });
  it('checks nested Parallel branches and Map processors', () => {
    const bad = { StartAt: 'B', States: { B: { Type: 'Pass' } } };
    assert.deepEqual(codes({ StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [bad], End: true } } }), ['SCHEMA_VALIDATION_FAILED /States/P/Branches[0]/States/B']);
    assert.deepEqual(codes({ StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: bad, End: true } } }), ['SCHEMA_VALIDATION_FAILED /States/M/ItemProcessor/States/B']);
  });
});
