/**
 * Choice Rules. Facts: Step Functions developer guide "Choice workflow state" (comparison operators,
 * Is* tests, StringMatches with `*` and `\\*`, And/Or/Not, "...Path" operators comparing two input
 * values, a type mismatch makes a comparison false) and the States Language "Timestamps" format.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRule, stringMatches } from './choice.js';
import { StatesError } from './errors.js';

const input = { s: 'banana', n: 42, b: true, t: '2016-08-18T17:33:00Z', later: '2016-08-18T18:00:00+01:00', other: 42, nil: null, list: [1] };
const rule = (r: Record<string, unknown>) => evaluateRule(r, { input });

describe('choice rules', () => {
  it('string comparisons', () => {
    assert.equal(rule({ Variable: '$.s', StringEquals: 'banana' }), true);
    assert.equal(rule({ Variable: '$.s', StringLessThan: 'cherry' }), true);
    assert.equal(rule({ Variable: '$.s', StringGreaterThan: 'apple' }), true);
    assert.equal(rule({ Variable: '$.s', StringLessThanEquals: 'banana' }), true);
    assert.equal(rule({ Variable: '$.s', StringGreaterThanEquals: 'bananas' }), false);
    assert.equal(rule({ Variable: '$.s', StringEqualsPath: '$.s' }), true);
  });

  it('numeric comparisons and a type mismatch being false', () => {
    assert.equal(rule({ Variable: '$.n', NumericEquals: 42 }), true);
    assert.equal(rule({ Variable: '$.n', NumericLessThan: 50 }), true);
    assert.equal(rule({ Variable: '$.n', NumericGreaterThan: 50 }), false);
    assert.equal(rule({ Variable: '$.n', NumericLessThanEquals: 42 }), true);
    assert.equal(rule({ Variable: '$.n', NumericGreaterThanEquals: 43 }), false);
    assert.equal(rule({ Variable: '$.n', NumericEqualsPath: '$.other' }), true);
    assert.equal(rule({ Variable: '$.n', NumericLessThanPath: '$.other' }), false);
    assert.equal(rule({ Variable: '$.s', NumericEquals: 42 }), false);
  });

  it('boolean and timestamp comparisons', () => {
    assert.equal(rule({ Variable: '$.b', BooleanEquals: true }), true);
    assert.equal(rule({ Variable: '$.b', BooleanEqualsPath: '$.b' }), true);
    assert.equal(rule({ Variable: '$.t', TimestampEquals: '2016-08-18T17:33:00Z' }), true);
    assert.equal(rule({ Variable: '$.t', TimestampGreaterThan: '2016-08-18T17:00:00Z' }), true);
    assert.equal(rule({ Variable: '$.later', TimestampLessThanPath: '$.t' }), true); // 17:00Z < 17:33Z
    assert.equal(rule({ Variable: '$.t', TimestampLessThanEquals: '2016-08-18T17:33:00Z' }), true);
    assert.equal(rule({ Variable: '$.t', TimestampGreaterThanEquals: '2017-01-01T00:00:00Z' }), false);
    assert.equal(rule({ Variable: '$.s', TimestampEquals: '2016-08-18T17:33:00Z' }), false);
  });

  it('type tests: IsNull, IsPresent, IsNumeric, IsString, IsBoolean, IsTimestamp', () => {
    assert.equal(rule({ Variable: '$.nil', IsNull: true }), true);
    assert.equal(rule({ Variable: '$.s', IsNull: false }), true);
    assert.equal(rule({ Variable: '$.missing', IsPresent: false }), true);
    assert.equal(rule({ Variable: '$.s', IsPresent: true }), true);
    assert.equal(rule({ Variable: '$.n', IsNumeric: true }), true);
    assert.equal(rule({ Variable: '$.s', IsString: true }), true);
    assert.equal(rule({ Variable: '$.b', IsBoolean: true }), true);
    assert.equal(rule({ Variable: '$.t', IsTimestamp: true }), true);
    assert.equal(rule({ Variable: '$.s', IsTimestamp: true }), false);
  });

  it('StringMatches: * matches any run, \\* is a literal star', () => {
    assert.equal(stringMatches('log-2024.txt', 'log-*.txt'), true);
    assert.equal(stringMatches('log-2024.csv', 'log-*.txt'), false);
    assert.equal(stringMatches('a*b', 'a\\*b'), true);
    assert.equal(stringMatches('axb', 'a\\*b'), false);
    assert.equal(rule({ Variable: '$.s', StringMatches: 'ba*' }), true);
  });

  it('And, Or and Not combine rules', () => {
    assert.equal(rule({ And: [{ Variable: '$.n', NumericGreaterThan: 1 }, { Variable: '$.s', StringEquals: 'banana' }] }), true);
    assert.equal(rule({ Or: [{ Variable: '$.n', NumericGreaterThan: 100 }, { Variable: '$.b', BooleanEquals: true }] }), true);
    assert.equal(rule({ Not: { Variable: '$.s', StringEquals: 'banana' } }), false);
  });

  it('a missing Variable path is a States.Runtime error unless tested with IsPresent', () => {
    assert.throws(() => rule({ Variable: '$.missing', StringEquals: 'x' }), (e: StatesError) => e.error === 'States.Runtime');
  });
});
