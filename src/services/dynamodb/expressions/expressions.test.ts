/**
 * Expression parsing, binding and evaluation without HTTP (Developer Guide "Condition and filter
 * expressions, operators, and functions", "Update expressions", "Projection expressions",
 * "Reserved words in DynamoDB"). Messages are DynamoDB's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AttributeMap } from '../types.js';
import { ExpressionAttributes } from './attributes.js';
import { bindCondition, bindProjection, bindUpdate } from './bind.js';
import { evaluate } from './evaluate.js';
import { parseCondition, parseProjection, parseUpdate } from './parser.js';
import { Projection } from './projection.js';
import { applyUpdate } from './update.js';

function attrs(names?: Record<string, string>, values?: Record<string, unknown>) {
  return ExpressionAttributes.from({ ExpressionAttributeNames: names, ExpressionAttributeValues: values }, true, true, 'ConditionExpression is null');
}

function check(expression: string, item: AttributeMap, values?: Record<string, unknown>, names?: Record<string, string>): boolean {
  return evaluate(bindCondition(parseCondition(expression, 'ConditionExpression'), attrs(names, values), 'ConditionExpression'), item);
}

function update(expression: string, item: AttributeMap, values?: Record<string, unknown>, names?: Record<string, string>) {
  return applyUpdate(item, bindUpdate(parseUpdate(expression), attrs(names, values), ['pk']));
}

const item: AttributeMap = {
  pk: { S: 'p' },
  n: { N: '5' },
  s: { S: 'hello' },
  tags: { SS: ['a', 'b'] },
  arr: { L: [{ N: '1' }, { S: 'two' }, { M: { deep: { S: 'x' } } }] },
  doc: { M: { a: { N: '1' }, b: { M: { c: { BOOL: true } } } } },
};

describe('condition expressions', () => {
  it('evaluates comparators, BETWEEN, IN and functions', () => {
    assert.equal(check('n > :v', item, { ':v': { N: '4.9' } }), true);
    assert.equal(check('n BETWEEN :a AND :b', item, { ':a': { N: '5' }, ':b': { N: '6' } }), true);
    assert.equal(check('s IN (:a, :b)', item, { ':a': { S: 'x' }, ':b': { S: 'hello' } }), true);
    assert.equal(check('begins_with(s, :p) AND contains(tags, :t)', item, { ':p': { S: 'he' }, ':t': { S: 'b' } }), true);
    assert.equal(check('attribute_type(doc.b.c, :t)', item, { ':t': { S: 'BOOL' } }), true);
    assert.equal(check('size(arr) = :three AND size(s) > :four', item, { ':three': { N: '3' }, ':four': { N: '4' } }), true);
    assert.equal(check('attribute_exists(arr[2].deep) AND attribute_not_exists(arr[3])', item), true);
    assert.equal(check('#n <> :v', item, { ':v': { N: '5' } }, { '#n': 'n' }), false);
    // A missing attribute compares false, except <> (Developer Guide "Comparison operator and function reference").
    assert.equal(check('absent < :v', item, { ':v': { N: '1' } }), false);
    assert.equal(check('absent <> :v', item, { ':v': { N: '1' } }), true);
    // Mismatched types compare false rather than failing.
    assert.equal(check('s > :v', item, { ':v': { N: '1' } }), false);
  });

  it('binds NOT tighter than AND, AND tighter than OR', () => {
    assert.equal(check('NOT n = :five OR n = :five AND s = :nope', item, { ':five': { N: '5' }, ':nope': { S: 'no' } }), false);
    assert.equal(check('(NOT n = :five OR n = :five) AND s = :hello', item, { ':five': { N: '5' }, ':hello': { S: 'hello' } }), true);
  });

  it('reports syntax errors, reserved words and bad functions as DynamoDB does', () => {
    assert.throws(() => parseCondition('a = ', 'ConditionExpression'), { message: 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="' });
    assert.throws(() => parseCondition('a = = :v', 'ConditionExpression'), { message: 'Invalid ConditionExpression: Syntax error; token: "=", near: "= = :v"' });
    assert.throws(() => parseCondition('status = :s', 'ConditionExpression'), { message: 'Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status' });
    assert.throws(() => parseCondition('foo(a)', 'ConditionExpression'), { message: 'Invalid ConditionExpression: Invalid function name; function: foo' });
    assert.throws(() => parseCondition('attribute_exists(:v)', 'ConditionExpression'), {
      message: 'Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists',
    });
    assert.throws(() => parseCondition('begins_with(a)', 'ConditionExpression'), {
      message: 'Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1',
    });
    assert.throws(() => parseCondition('', 'ConditionExpression'), { message: 'Invalid ConditionExpression: The expression can not be empty;' });
    assert.throws(() => check('a BETWEEN :hi AND :lo', item, { ':hi': { N: '5' }, ':lo': { N: '1' } }), {
      message: 'Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}',
    });
    assert.throws(() => check('begins_with(s, :n)', item, { ':n': { N: '1' } }), {
      message: 'Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N',
    });
    assert.throws(() => check('#x = :v', item, { ':v': { N: '1' } }), {
      message: 'Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x',
    });
  });
});

describe('update expressions', () => {
  it('computes every SET value from the old item', () => {
    const r = update('SET a = b, b = a', { pk: { S: 'p' }, a: { N: '1' }, b: { N: '2' } });
    assert.deepEqual(r.item, { pk: { S: 'p' }, a: { N: '2' }, b: { N: '1' } });
  });

  it('refuses overlapping paths and key attributes', () => {
    assert.throws(() => update('SET a = :v, a.b = :v', item, { ':v': { N: '1' } }), {
      message: 'Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]',
    });
    assert.throws(() => update('SET pk = :v', item, { ':v': { S: 'x' } }), { message: 'One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key' });
    assert.throws(() => parseUpdate('SET a = :v SET b = :v'), { message: 'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;' });
    assert.throws(() => update('ADD s :v', item, { ':v': { S: 'x' } }), {
      message: 'Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING',
    });
  });

  it('applies SET, REMOVE, ADD and DELETE', () => {
    const r = update(
      'SET n = n + :one, c = if_not_exists(c, :zero) - :one, doc.b.z = :one, arr[9] = :end REMOVE arr[0], s ADD tags :more, cnt :one DELETE gone :a',
      { ...item, gone: { SS: ['a'] } },
      { ':one': { N: '1' }, ':zero': { N: '0' }, ':end': { S: 'end' }, ':more': { SS: ['c', 'a'] }, ':a': { SS: ['a'] } },
    );
    assert.deepEqual(r.item['n'], { N: '6' });
    assert.deepEqual(r.item['c'], { N: '-1' });
    assert.deepEqual(r.item['doc'], { M: { a: { N: '1' }, b: { M: { c: { BOOL: true }, z: { N: '1' } } } } });
    assert.deepEqual(r.item['arr'], { L: [{ S: 'two' }, { M: { deep: { S: 'x' } } }, { S: 'end' }] });
    assert.equal(r.item['s'], undefined);
    assert.deepEqual(r.item['tags'], { SS: ['a', 'b', 'c'] });
    assert.deepEqual(r.item['cnt'], { N: '1' });
    assert.equal(r.item['gone'], undefined, 'a set emptied by DELETE disappears');
    assert.deepEqual(item['n'], { N: '5' }, 'the old item is untouched');
    assert.deepEqual((item['doc']!.M!['b']!.M as AttributeMap)['z'], undefined);
  });

  it('fails at run time as DynamoDB does', () => {
    assert.throws(() => update('SET x = s + :one', item, { ':one': { N: '1' } }), { message: 'An operand in the update expression has an incorrect data type' });
    assert.throws(() => update('SET x = nothing + :one', item, { ':one': { N: '1' } }), { message: 'The provided expression refers to an attribute that does not exist in the item' });
    assert.throws(() => update('SET nothing.x = :one', item, { ':one': { N: '1' } }), { message: 'The document path provided in the update expression is invalid for update' });
  });
});

describe('projection expressions', () => {
  it('keeps nested keys and list elements', () => {
    const paths = bindProjection(parseProjection('pk, doc.b, arr[2].deep, arr[0], #s'), attrs({ '#s': 's' }));
    assert.deepEqual(new Projection(paths).apply(item), {
      pk: { S: 'p' },
      doc: { M: { b: { M: { c: { BOOL: true } } } } },
      arr: { L: [{ N: '1' }, { M: { deep: { S: 'x' } } }] },
      s: { S: 'hello' },
    });
  });

  it('refuses overlapping paths', () => {
    assert.throws(() => bindProjection(parseProjection('a, a.b'), attrs()), {
      message: 'Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]',
    });
  });
});
