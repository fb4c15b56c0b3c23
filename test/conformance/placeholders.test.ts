// Unit tests of placeholder substitution and `save:` specs.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaseFormatError, StepFailure } from './errors.js';
import { headersFromRaw } from './match.js';
import { emptyContext, queueNamesIn, substituteDeep, substituteString, substituteTemplate } from './placeholders.js';
import { evaluateSaveSpec, parsePath } from './save.js';

function ctx() {
  const c = emptyContext();
  c.port = 4001;
  c.awsPort = 4002;
  c.upstream = 'http://127.0.0.1:4003';
  c.upstreamPort = 4003;
  c.saved.set('n', 42).set('obj', { a: [1] }).set('s', 'text');
  c.jwts.set('good', 'h.p.s');
  c.queueUrls.set('q1', 'http://127.0.0.1:4002/000000000000/q1');
  return c;
}

describe('substituteString', () => {
  it('fills the fixed placeholders as text', () => {
    assert.equal(substituteString('127.0.0.1:${port}', ctx()), '127.0.0.1:4001');
    assert.equal(substituteString('${awsEndpoint}/x', ctx()), 'http://127.0.0.1:4002/x');
    assert.equal(substituteString('arn:aws:sns:${region}:${accountId}:t', ctx()), 'arn:aws:sns:us-east-1:000000000000:t');
    assert.equal(substituteString('${upstream}/a', ctx()), 'http://127.0.0.1:4003/a');
    assert.equal(substituteString('Bearer ${jwt:good}', ctx()), 'Bearer h.p.s');
    assert.equal(substituteString('${queueUrl:q1}', ctx()), 'http://127.0.0.1:4002/000000000000/q1');
    assert.equal(substituteString('${port}', ctx()), '4001');
  });

  it('a whole-string ${saved:KEY} keeps its type; inside text it is inserted as text', () => {
    assert.equal(substituteString('${saved:n}', ctx()), 42);
    assert.deepEqual(substituteString('${saved:obj}', ctx()), { a: [1] });
    assert.equal(substituteString('n=${saved:n}', ctx()), 'n=42');
    assert.equal(substituteString('o=${saved:obj}', ctx()), 'o={"a":[1]}');
    assert.equal(substituteString('<<re:^${saved:s}$>>', ctx()), '<<re:^text$>>');
  });

  it('unknown names stay as they are; missing values are case errors', () => {
    assert.equal(substituteString('${AWS::Region} ${foo} ${Fn.Arn}', ctx()), '${AWS::Region} ${foo} ${Fn.Arn}');
    assert.throws(() => substituteString('${saved:nope}', ctx()), CaseFormatError);
    assert.throws(() => substituteString('${jwt:nope}', ctx()), CaseFormatError);
    assert.throws(() => substituteString('${upstream}', emptyContext()), CaseFormatError);
  });
});

describe('substituteDeep and queue names', () => {
  it('walks objects, arrays and keys', () => {
    const step = { headers: { Host: '127.0.0.1:${port}' }, list: ['${saved:n}', 1, null], '${saved:s}': true };
    assert.deepEqual(substituteDeep(step, ctx()), { headers: { Host: '127.0.0.1:4001' }, list: [42, 1, null], text: true });
  });

  it('finds ${queueUrl:NAME} uses', () => {
    assert.deepEqual([...queueNamesIn({ a: ['${queueUrl:one}', 'x ${queueUrl:two}'] })], ['one', 'two']);
  });

  it('templates get only ${upstream} and ${upstreamPort}', () => {
    const text = 'uri: ${upstream}/x\nport: ${upstreamPort}\nsub: !Sub "arn:${AWS::Region}:${port}"';
    assert.equal(
      substituteTemplate(text, 'http://127.0.0.1:9', 9),
      'uri: http://127.0.0.1:9/x\nport: 9\nsub: !Sub "arn:${AWS::Region}:${port}"',
    );
  });
});

describe('save specs', () => {
  const source = {
    json: () => ({ a: { b: [{ c: 'deep' }] }, 'odd.key': 1 }),
    status: 201,
    body: '{"x":1}',
    headers: headersFromRaw(['X-Id', 'one', 'x-id', 'two']),
  };

  it('parses paths', () => {
    assert.deepEqual(parsePath('.a.b[0].c'), ['a', 'b', 0, 'c']);
    assert.deepEqual(parsePath('["odd.key"]'), ['odd.key']);
  });

  it('reads json paths, status, body and headers', () => {
    assert.equal(evaluateSaveSpec('json.a.b[0].c', source), 'deep');
    assert.deepEqual(evaluateSaveSpec('json.a', source), { b: [{ c: 'deep' }] });
    assert.equal(evaluateSaveSpec('json["odd.key"]', source), 1);
    assert.equal(evaluateSaveSpec('status', source), 201);
    assert.equal(evaluateSaveSpec('body', source), '{"x":1}');
    assert.equal(evaluateSaveSpec('headers.X-ID', source), 'one, two');
  });

  it('a missing value fails the step; an unknown spec is a case error', () => {
    assert.throws(() => evaluateSaveSpec('json.a.nope', source), StepFailure);
    assert.throws(() => evaluateSaveSpec('headers.none', source), StepFailure);
    assert.throws(() => evaluateSaveSpec('cookies', source), CaseFormatError);
    assert.throws(() => evaluateSaveSpec('status', { json: () => ({}) }), CaseFormatError);
  });
});
