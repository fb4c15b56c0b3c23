/**
 * Intrinsic functions, with the examples of the Step Functions developer guide page "Intrinsic
 * functions for JSONPath states" (each expected value below is the page's documented output).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateIntrinsic, IntrinsicSyntaxError, parseIntrinsic } from './intrinsics.js';
import { StatesError } from './errors.js';

const run = (text: string, input: unknown = {}, context: unknown = {}) => evaluateIntrinsic(parseIntrinsic(text), { input, context });
const nine = { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9] };

describe('intrinsic functions', () => {
  it('States.Format fills {} placeholders in order; \\{ and \\} are literal braces', () => {
    assert.equal(run("States.Format('Hello, my name is {}.', $.name)", { name: 'Arnav' }), 'Hello, my name is Arnav.');
    assert.equal(run("States.Format('{} + {} = {}', 1, 2, $.sum)", { sum: 3 }), '1 + 2 = 3');
    assert.equal(run("States.Format('\\{literal\\} {}', 'x')"), '{literal} x');
    assert.equal(run("States.Format('Today is {}', $$.Execution.StartTime)", {}, { Execution: { StartTime: '2024-01-01T00:00:00Z' } }), 'Today is 2024-01-01T00:00:00Z');
    assert.equal(run("States.Format('it\\'s {}', 'ok')"), "it's ok");
    assert.throws(() => run("States.Format('{}', $.obj)", { obj: { a: 1 } }), (e: StatesError) => e.error === 'States.IntrinsicFailure');
  });

  it('States.StringToJson and States.JsonToString', () => {
    assert.deepEqual(run('States.StringToJson($.escapedJsonString)', { escapedJsonString: '{"foo": "bar"}' }), { foo: 'bar' });
    assert.equal(run('States.JsonToString($.unescapedJson)', { unescapedJson: { foo: 'bar' } }), '{"foo":"bar"}');
  });

  it('array functions: Array, ArrayPartition, ArrayContains, ArrayRange, ArrayGetItem, ArrayLength, ArrayUnique', () => {
    assert.deepEqual(run("States.Array('Foo', 2020, $.someJson, null)", { someJson: { random: 'abcdefg' } }), ['Foo', 2020, { random: 'abcdefg' }, null]);
    assert.deepEqual(run('States.ArrayPartition($.inputArray, 4)', nine), [[1, 2, 3, 4], [5, 6, 7, 8], [9]]);
    assert.equal(run('States.ArrayContains($.inputArray, $.lookingFor)', { ...nine, lookingFor: 5 }), true);
    assert.deepEqual(run('States.ArrayRange(1, 9, 2)'), [1, 3, 5, 7, 9]);
    assert.equal(run('States.ArrayGetItem($.inputArray, $.index)', { ...nine, index: 5 }), 6);
    assert.equal(run('States.ArrayLength($.inputArray)', nine), 9);
    assert.deepEqual(run('States.ArrayUnique($.inputArray)', { inputArray: [1, 2, 3, 3, 3, 3, 3, 3, 4] }), [1, 2, 3, 4]);
    assert.throws(() => run('States.ArrayRange(1, 2000, 1)'), (e: StatesError) => e.error === 'States.IntrinsicFailure');
  });

  it('encoding and hashing: Base64Encode, Base64Decode, Hash', () => {
    assert.equal(run('States.Base64Encode($.input)', { input: 'Data to encode' }), 'RGF0YSB0byBlbmNvZGU=');
    assert.equal(run('States.Base64Decode($.base64)', { base64: 'RGF0YSB0byBlbmNvZGU=' }), 'Data to encode');
    assert.equal(run('States.Hash($.Data, $.Algorithm)', { Data: 'input data', Algorithm: 'SHA-1' }), 'aaff4a450a104cd177d28d18d74485e8cae074b7');
  });

  it('States.JsonMerge merges shallowly and requires false', () => {
    const input = { json1: { a: { a1: 1, a2: 2 }, b: 2 }, json2: { a: { a3: 1, a4: 2 }, c: 3 } };
    assert.deepEqual(run('States.JsonMerge($.json1, $.json2, false)', input), { a: { a3: 1, a4: 2 }, b: 2, c: 3 });
    assert.throws(() => run('States.JsonMerge($.json1, $.json2, true)', input), (e: StatesError) => e.error === 'States.IntrinsicFailure');
  });

  it('math: MathRandom within [start, end) and repeatable with a seed; MathAdd', () => {
    for (let i = 0; i < 50; i++) {
      const n = run('States.MathRandom(1, 999)') as number;
      assert.ok(Number.isInteger(n) && n >= 1 && n < 999);
    }
    assert.equal(run('States.MathRandom(1, 999, 7)'), run('States.MathRandom(1, 999, 7)'));
    assert.equal(run('States.MathAdd($.value1, $.step)', { value1: 111, step: -1 }), 110);
  });

  it('States.StringSplit splits on every delimiter character', () => {
    assert.deepEqual(run('States.StringSplit($.inputString, $.splitter)', { inputString: '1,2,3,4,5', splitter: ',' }), ['1', '2', '3', '4', '5']);
    assert.deepEqual(run('States.StringSplit($.inputString, $.splitter)', { inputString: 'This.is+a,test=string', splitter: '.+,=' }), ['This', 'is', 'a', 'test', 'string']);
  });

  it('States.UUID returns a version 4 UUID; calls nest', () => {
    assert.match(run('States.UUID()') as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(run("States.Format('{} items', States.ArrayLength($.inputArray))", nine), '9 items');
  });

  it('rejects unknown functions and bad syntax', () => {
    assert.throws(() => parseIntrinsic('States.Nope(1)'), IntrinsicSyntaxError);
    assert.throws(() => parseIntrinsic("States.Format('x'"), IntrinsicSyntaxError);
  });
});
