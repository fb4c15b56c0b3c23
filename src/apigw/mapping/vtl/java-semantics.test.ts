/** Java value semantics under the engine: Double.toString, java.util.regex, String.split, JSON typing, equality. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaMatches, javaReplace, javaSplit } from './java-regex.js';
import { JsonSyntaxError, parseJavaJson } from './json.js';
import { JavaDouble, javaDoubleToString, javaEquals, javaToString, JsonArray, velocityEquals } from './values.js';
import { JavaException } from './errors.js';

test('Double.toString', () => {
  const cases: Array<[number, string]> = [
    [1, '1.0'],
    [-0, '-0.0'],
    [3.5, '3.5'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [1234567, '1234567.0'],
    [12345678, '1.2345678E7'],
    [1e21, '1.0E21'],
    [1.5e-7, '1.5E-7'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [0.1 + 0.2, '0.30000000000000004'],
  ];
  for (const [d, s] of cases) assert.equal(javaDoubleToString(d), s, String(d));
});

test('String.matches is a whole-string match', () => {
  assert.equal(javaMatches('abc', 'b'), false);
  assert.equal(javaMatches('abc', '.b.'), true);
  assert.equal(javaMatches('ab', 'a|ab'), true);
  assert.equal(javaMatches('ABC', '(?i)abc'), true);
  assert.equal(javaMatches('a\nb', 'a.b'), false);
  assert.equal(javaMatches('a\nb', '(?s)a.b'), true);
});

test('Java regex constructs are translated', () => {
  assert.equal(javaMatches('Ab1', '\\p{Alpha}\\p{Lower}\\p{Digit}'), true);
  assert.equal(javaMatches('a.b', '\\Qa.b\\E'), true);
  assert.equal(javaMatches('axb', '\\Qa.b\\E'), false);
  assert.equal(javaMatches('aaa', 'a*+'), true);
  assert.equal(javaMatches('é', '\\p{L}'), true);
  assert.equal(javaMatches('[x]', '\\[x\\]'), true);
  assert.equal(javaMatches('a b', 'a\\sb'), true);
  assert.equal(javaMatches('a\u00a0b', 'a\\sb'), false); // Java's \s is ASCII whitespace only
  assert.equal(javaMatches('a-b', '[a\\-z]-b'), true);
  assert.equal(javaMatches('x]', 'x]'), true);
  assert.throws(() => javaMatches('a', '[a&&[b]]'), JavaException);
  assert.throws(() => javaMatches('a', 'a{'), JavaException);
  assert.throws(() => javaMatches('a', '(a'), JavaException);
});

test('$ in a Java pattern also matches before a final line terminator', () => {
  assert.equal(javaReplace('abc\n', 'c$', 'X', true), 'abX\n');
  assert.equal(javaReplace('abc', '\\z', '!', true), 'abc!');
});

test('replacement strings use Java syntax', () => {
  assert.equal(javaReplace('a1b2', '(\\d)', '<$1>', true), 'a<1>b<2>');
  assert.equal(javaReplace('john smith', '(?<first>\\w+) (?<last>\\w+)', '${last}, ${first}', true), 'smith, john');
  assert.equal(javaReplace('cost', 'cost', '\\$5', true), '$5');
  assert.equal(javaReplace('aaa', 'a', 'b', false), 'baa');
  assert.equal(javaReplace('a.b', '.', '-', true), '---');
  assert.throws(() => javaReplace('a', 'a', '$', true), JavaException);
  assert.throws(() => javaReplace('a', 'a', '$2', true), JavaException);
});

test('String.split', () => {
  const split = (s: string, re: string, limit = 0): unknown[] => Array.from(javaSplit(s, re, limit));
  assert.deepEqual(split('a,b,,c,,', ','), ['a', 'b', '', 'c']);
  assert.deepEqual(split(',a', ','), ['', 'a']);
  assert.deepEqual(split(',', ','), []);
  assert.deepEqual(split('', ','), ['']);
  assert.deepEqual(split('abc', ''), ['a', 'b', 'c']);
  assert.deepEqual(split('a,b,c', ',', 2), ['a', 'b,c']);
  assert.deepEqual(split('a,b,,', ',', -1), ['a', 'b', '', '']);
  assert.deepEqual(split('a1b22c', '\\d+'), ['a', 'b', 'c']);
  assert.deepEqual(split('a.b', '.'), []);
});

test('JSON is typed like json-smart: LinkedHashMap, JSONArray, Integer, Double', () => {
  const doc = parseJavaJson('{"i": 1, "d": 1.0, "e": 1e2, "neg": -0, "s": "x\\u00e9", "l": [true, null], "o": {}}') as Map<string, unknown>;
  assert.ok(doc instanceof Map);
  assert.deepEqual(Array.from(doc.keys()), ['i', 'd', 'e', 'neg', 's', 'l', 'o']);
  assert.equal(doc.get('i'), 1);
  assert.ok(doc.get('d') instanceof JavaDouble);
  assert.equal(javaToString(doc.get('e')), '100.0');
  assert.equal(doc.get('neg'), 0);
  assert.equal(doc.get('s'), 'xé');
  assert.ok(doc.get('l') instanceof JsonArray);
  assert.equal(javaToString(doc), '{i=1, d=1.0, e=100.0, neg=0, s=xé, l=[true,null], o={}}');
  for (const bad of ['{', '[1,]', '{"a" 1}', "{'a': 1}", '01', 'nul', '"\\x"', '[1] 2']) {
    assert.throws(() => parseJavaJson(bad), JsonSyntaxError, bad);
  }
  assert.throws(() => parseJavaJson('['.repeat(10000)), JsonSyntaxError);
});

test('equals and == follow Java', () => {
  assert.equal(javaEquals(1, new JavaDouble(1)), false); // Integer.equals(Double)
  assert.equal(velocityEquals(1, new JavaDouble(1)), true); // MathUtils.compare
  assert.equal(velocityEquals(1, '1'), true); // toString comparison across classes
  assert.equal(velocityEquals(true, 'true'), true);
  assert.equal(velocityEquals(null, null), true);
  assert.equal(velocityEquals(null, ''), false);
  assert.equal(javaEquals([1, 'a'], JsonArray.from([1, 'a'])), true); // List.equals across list classes
  assert.equal(javaEquals(new Map([['a', [1]]]), { a: [1] }), true); // Map.equals
  assert.equal(javaEquals(new Map([['a', 1]]), { a: 2 }), false);
});
