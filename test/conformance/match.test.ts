// Unit tests of the conformance matcher: patterns, json vs jsonSubset, headers, status.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaseFormatError } from './errors.js';
import { headersFromRaw, matchHeaders, matchStatus, matchValue } from './match.js';

const ok = (diff: string | undefined) => assert.equal(diff, undefined);
const fails = (diff: string | undefined, includes?: string) => {
  assert.ok(diff, 'expected a mismatch');
  if (includes) assert.ok(diff.includes(includes), `"${diff}" should mention "${includes}"`);
};

describe('matchValue patterns', () => {
  it('<<any>> needs a present value of any type', () => {
    ok(matchValue('<<any>>', 0, 'exact'));
    ok(matchValue('<<any>>', null, 'exact'));
    ok(matchValue({ a: '<<any>>' }, { a: { deep: [1] } }, 'exact'));
    fails(matchValue({ a: '<<any>>' }, {}, 'subset'), '$.a');
  });

  it('<<absent>> needs the key to be missing', () => {
    ok(matchValue({ a: '<<absent>>' }, { b: 1 }, 'subset'));
    ok(matchValue({ a: '<<absent>>', b: 1 }, { b: 1 }, 'exact'));
    fails(matchValue({ a: '<<absent>>' }, { a: null }, 'subset'), '$.a');
  });

  it('<<re:...>> tests strings, and numbers/booleans through String()', () => {
    ok(matchValue('<<re:^[0-9a-f-]{36}$>>', '123e4567-e89b-12d3-a456-426614174000', 'exact'));
    ok(matchValue('<<re:^20[04]$>>', 204, 'exact'));
    ok(matchValue('<<re:^true$>>', true, 'exact'));
    fails(matchValue('<<re:^a$>>', 'b', 'exact'), 'does not match');
    fails(matchValue('<<re:.*>>', { a: 1 }, 'exact'), 'expected a string');
    fails(matchValue('<<re:.*>>', null, 'exact'));
    fails(matchValue({ k: '<<re:.*>>' }, {}, 'subset'), '$.k');
  });

  it('an invalid regex is a case error', () => {
    assert.throws(() => matchValue('<<re:(>>', 'x', 'exact'), CaseFormatError);
  });

  it('strings that only look like patterns are literal', () => {
    ok(matchValue('<<other>>', '<<other>>', 'exact'));
    fails(matchValue('<<other>>', 'x', 'exact'));
  });
});

describe('matchValue json (exact) and jsonSubset', () => {
  it('scalars compare strictly', () => {
    fails(matchValue('1', 1, 'exact'), 'expected "1", got 1');
    fails(matchValue(1, '1', 'subset'));
    fails(matchValue(null, undefined, 'subset'), '(absent)');
    fails(matchValue(false, 0, 'exact'));
    ok(matchValue(null, null, 'exact'));
  });

  it('json rejects extra keys at any level, jsonSubset allows them', () => {
    const actual = { a: 1, b: { c: 2, d: 3 } };
    fails(matchValue({ a: 1, b: { c: 2 } }, actual, 'exact'), '$.b.d: unexpected key');
    ok(matchValue({ a: 1, b: { c: 2 } }, actual, 'subset'));
    ok(matchValue({ b: {} }, actual, 'subset'));
    fails(matchValue({}, actual, 'exact'), 'unexpected key');
  });

  it('arrays need the same length and match element by element, also in subset mode', () => {
    ok(matchValue([{ a: 1 }, { a: 2 }], [{ a: 1, x: 0 }, { a: 2 }], 'subset'));
    fails(matchValue([{ a: 1 }], [{ a: 1 }, { a: 2 }], 'subset'), 'expected 1 element(s), got 2');
    fails(matchValue([1, 2], [2, 1], 'exact'), '$[0]');
    fails(matchValue([], {}, 'exact'), 'expected an array');
    fails(matchValue({}, [], 'subset'), 'expected an object');
  });

  it('only own keys count (no prototype lookups)', () => {
    fails(matchValue({ constructor: '<<any>>' }, {}, 'subset'));
  });

  it('paths name the mismatching place', () => {
    fails(matchValue({ 'x-y': [0, { 'a b': 1 }] }, { 'x-y': [0, { 'a b': 2 }] }, 'exact'), '$.x-y[1]["a b"]');
  });
});

describe('matchHeaders', () => {
  const headers = headersFromRaw([
    'Content-Type', 'application/json',
    'Set-Cookie', 'a=1; Path=/',
    'set-cookie', 'b=2; Path=/',
    'X-Multi', 'v1',
    'x-multi', 'v2',
  ]);

  it('names are case-insensitive', () => {
    ok(matchHeaders({ 'CONTENT-TYPE': 'application/json' }, headers));
  });

  it('a string is compared with all lines joined by ", "', () => {
    ok(matchHeaders({ 'x-multi': 'v1, v2' }, headers));
    ok(matchHeaders({ 'set-cookie': 'a=1; Path=/, b=2; Path=/' }, headers));
    fails(matchHeaders({ 'x-multi': 'v1' }, headers), 'header x-multi');
  });

  it('a list compares the individual lines', () => {
    ok(matchHeaders({ 'set-cookie': ['a=1; Path=/', '<<re:^b=2>>'] }, headers));
    fails(matchHeaders({ 'set-cookie': ['a=1; Path=/'] }, headers), 'expected 1 line(s)');
    fails(matchHeaders({ 'set-cookie': ['b=2; Path=/', 'a=1; Path=/'] }, headers), 'set-cookie[0]');
  });

  it('patterns: any, absent, regex', () => {
    ok(matchHeaders({ 'content-type': '<<re:^application/json>>', 'x-none': '<<absent>>', 'x-multi': '<<any>>' }, headers));
    fails(matchHeaders({ 'content-type': '<<absent>>' }, headers), 'expected (absent)');
    fails(matchHeaders({ 'x-none': '<<any>>' }, headers), 'got (absent)');
    fails(matchHeaders({ 'x-none': 'v' }, headers), 'got (absent)');
  });

  it('numbers and booleans from YAML are compared as text', () => {
    ok(matchHeaders({ n: 5, b: true }, headersFromRaw(['N', '5', 'B', 'true'])));
  });

  it('an object is a case error', () => {
    assert.throws(() => matchHeaders({ 'content-type': { a: 1 } }, headers), CaseFormatError);
  });
});

describe('matchStatus', () => {
  it('takes numbers, numeric strings and patterns', () => {
    ok(matchStatus(200, 200));
    ok(matchStatus('200', 200));
    ok(matchStatus('<<re:^20[04]$>>', 204));
    fails(matchStatus(200, 403), 'expected 200, got 403');
    fails(matchStatus('<<re:^20[04]$>>', 201));
    assert.throws(() => matchStatus('ok', 200), CaseFormatError);
  });
});
