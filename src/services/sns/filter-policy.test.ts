// Filter policy semantics, from the SNS Developer Guide "Amazon SNS message filtering": "Filter
// policy constraints", "String value matching" (exact, prefix, suffix, anything-but,
// equals-ignore-case), "Numeric value matching" (exact, ranges), "Key matching" (exists),
// "AND/OR logic" ($or, values of a key OR-ed, keys AND-ed), "Message body filtering" (nested keys).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matchesAttributes, matchesBody, parseFilterPolicy, type AttributeValue } from './filter-policy.js';

const s = (StringValue: string): AttributeValue => ({ DataType: 'String', StringValue });
const n = (StringValue: string): AttributeValue => ({ DataType: 'Number', StringValue });
const policy = (value: unknown) => parseFilterPolicy(JSON.stringify(value), 'MessageAttributes');

describe('filter policies on message attributes', () => {
  it('exact strings: any listed value, every key', () => {
    const p = policy({ store: ['example_corp'], event: ['order_placed', 'order_cancelled'] });
    assert.equal(matchesAttributes(p, { store: s('example_corp'), event: s('order_cancelled') }), true);
    assert.equal(matchesAttributes(p, { store: s('example_corp'), event: s('order_shipped') }), false);
    assert.equal(matchesAttributes(p, { store: s('example_corp') }), false);
    assert.equal(matchesAttributes(p, undefined), false);
  });

  it('numbers: exact and ranges match Number attributes', () => {
    assert.equal(matchesAttributes(policy({ price: [301.5] }), { price: n('301.50') }), true);
    const range = policy({ price: [{ numeric: ['>', 0, '<=', 150] }] });
    assert.equal(matchesAttributes(range, { price: n('100') }), true);
    assert.equal(matchesAttributes(range, { price: n('150') }), true);
    assert.equal(matchesAttributes(range, { price: n('151') }), false);
    assert.equal(matchesAttributes(range, { price: s('100') }), false);
  });

  it('prefix, suffix, equals-ignore-case, anything-but', () => {
    assert.equal(matchesAttributes(policy({ customer: [{ prefix: 'bus' }] }), { customer: s('business') }), true);
    assert.equal(matchesAttributes(policy({ customer: [{ suffix: 'ess' }] }), { customer: s('business') }), true);
    assert.equal(matchesAttributes(policy({ customer: [{ 'equals-ignore-case': 'BUSINESS' }] }), { customer: s('business') }), true);
    const but = policy({ event: [{ 'anything-but': ['order_cancelled', 'order_failed'] }] });
    assert.equal(matchesAttributes(but, { event: s('order_placed') }), true);
    assert.equal(matchesAttributes(but, { event: s('order_failed') }), false);
    // anything-but needs the attribute to be present.
    assert.equal(matchesAttributes(but, {}), false);
    assert.equal(matchesAttributes(policy({ event: [{ 'anything-but': { prefix: 'order-' } }] }), { event: s('order-x') }), false);
  });

  it('exists', () => {
    assert.equal(matchesAttributes(policy({ promo: [{ exists: true }] }), { promo: s('x') }), true);
    assert.equal(matchesAttributes(policy({ promo: [{ exists: true }] }), {}), false);
    assert.equal(matchesAttributes(policy({ promo: [{ exists: false }] }), {}), true);
  });

  it('String.Array attributes match when any element matches', () => {
    const p = policy({ colors: ['red'] });
    assert.equal(matchesAttributes(p, { colors: { DataType: 'String.Array', StringValue: '["blue","red"]' } }), true);
    assert.equal(matchesAttributes(p, { colors: { DataType: 'String.Array', StringValue: '["blue"]' } }), false);
  });

  it('$or between key sets', () => {
    const p = policy({ source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] });
    assert.equal(matchesAttributes(p, { source: s('aws.cloudwatch'), namespace: s('AWS/EC2') }), true);
    assert.equal(matchesAttributes(p, { source: s('aws.cloudwatch'), namespace: s('AWS/ECS') }), false);
  });

  it('rejects malformed policies', () => {
    assert.throws(() => parseFilterPolicy('not json', 'MessageAttributes'), /Invalid parameter: FilterPolicy/);
    assert.throws(() => policy({ a: [{ numeric: ['>>', 1] }] }), /FilterPolicy/);
    assert.throws(() => policy({ a: { nested: ['x'] } }), /FilterPolicy/);
  });
});

describe('filter policies on the message body', () => {
  it('matches nested keys of a JSON body', () => {
    const p = parseFilterPolicy(JSON.stringify({ order: { status: ['placed'], total: [{ numeric: ['>=', 100] }] } }), 'MessageBody');
    assert.equal(matchesBody(p, JSON.stringify({ order: { status: 'placed', total: 120 } })), true);
    assert.equal(matchesBody(p, JSON.stringify({ order: { status: 'placed', total: 20 } })), false);
    assert.equal(matchesBody(p, 'not json'), false);
    assert.equal(matchesBody(parseFilterPolicy('{"tags":["b"]}', 'MessageBody'), JSON.stringify({ tags: ['a', 'b'] })), true);
  });
});
