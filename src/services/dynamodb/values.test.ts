/**
 * Numbers, attribute values and key encoding, without HTTP. AWS facts: Developer Guide
 * "Supported data types" (Number: 38 digits, 1E-130..9.99E+125), "Item sizes", API Reference
 * "Query" (S and B sort bytewise, N numerically).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeKey, encodeNumber, prefixEnd, segmentRange } from './keys.js';
import { addNumbers, compareNumbers, normalizeNumber } from './numbers.js';
import { compareStrings, itemSize, validateValue, valuesEqual } from './types.js';

describe('numbers', () => {
  it('canonicalizes number text', () => {
    assert.equal(normalizeNumber('1.50'), '1.5');
    assert.equal(normalizeNumber('-000.0100'), '-0.01');
    assert.equal(normalizeNumber('1e2'), '100');
    assert.equal(normalizeNumber('-0'), '0');
    assert.equal(normalizeNumber('.5'), '0.5');
    assert.equal(normalizeNumber('12.5E-3'), '0.0125');
    assert.equal(normalizeNumber('abc'), undefined);
    assert.equal(normalizeNumber('1..2'), undefined);
  });

  it('enforces 38 significant digits and the magnitude range', () => {
    assert.equal(normalizeNumber('9'.repeat(38)), '9'.repeat(38));
    assert.throws(() => normalizeNumber('1' + '0'.repeat(37) + '1'), /Attempting to store more than 38 significant digits in a Number/);
    assert.equal(normalizeNumber('9.9999999999999999999999999999999999999E+125')!.length, 126);
    assert.throws(() => normalizeNumber('1E+126'), /Number overflow/);
    assert.equal(normalizeNumber('1E-130'), '0.' + '0'.repeat(129) + '1');
    assert.throws(() => normalizeNumber('1E-131'), /Number underflow/);
  });

  it('adds and compares exactly, beyond float precision', () => {
    assert.equal(addNumbers('0.1', '0.2'), '0.3');
    assert.equal(addNumbers('12345678901234567890123456789012345678', '1'), '12345678901234567890123456789012345679');
    assert.equal(addNumbers('5', '7.25', true), '-2.25');
    assert.equal(compareNumbers('12345678901234567890123456789012345678', '12345678901234567890123456789012345679'), -1);
    assert.equal(compareNumbers('-1', '-1.5'), 1);
    assert.equal(compareNumbers('0.001', '0.01'), -1);
    assert.equal(compareNumbers('100', '99.999'), 1);
  });

  it('encodes numbers so byte order is numeric order', () => {
    const values = ['-1e10', '-100', '-1.5', '-1', '-0.001', '0', '0.001', '0.5', '1', '1.5', '2', '10', '99.9', '100', '1e30'];
    const shuffled = [...values].sort(() => Math.random() - 0.5);
    const sorted = shuffled.sort((a, b) => Buffer.compare(encodeNumber(normalizeNumber(a)!), encodeNumber(normalizeNumber(b)!)));
    assert.deepEqual(sorted, values);
  });
});

describe('strings, binaries and keys', () => {
  it('orders strings by UTF-8 bytes, not UTF-16 units', () => {
    const a = '\uffff';
    const b = '\u{10000}';
    assert.equal(Buffer.compare(Buffer.from(a), Buffer.from(b)), -1);
    assert.ok(compareStrings(a, b) < 0);
    assert.ok(a > b, 'JavaScript string order differs: the reason for compareStrings');
    assert.equal(Buffer.compare(encodeKey('S', { S: a }), encodeKey('S', { S: b })), -1);
  });

  it('computes begins_with bounds and scan segments', () => {
    assert.deepEqual(prefixEnd(Buffer.from('ab')), Buffer.from('ac'));
    assert.deepEqual(prefixEnd(Buffer.from([0x61, 0xff])), Buffer.from([0x62]));
    assert.equal(prefixEnd(Buffer.from([0xff])), undefined);
    assert.deepEqual(segmentRange(0, 2), [0, 2 ** 31 - 1]);
    assert.deepEqual(segmentRange(1, 2), [2 ** 31, 2 ** 32 - 1]);
  });
});

describe('attribute values', () => {
  it('validates with DynamoDB messages', () => {
    assert.throws(() => validateValue({}), /Supplied AttributeValue is empty, must contain exactly one of the supported datatypes/);
    assert.throws(() => validateValue({ S: 'a', N: '1' }), /Supplied AttributeValue has more than one datatypes set/);
    assert.throws(() => validateValue({ SS: [] }), /One or more parameter values were invalid: An string set {2}may not be empty/);
    assert.throws(() => validateValue({ NS: ['1', '1.0'] }), /Input collection \[1, 1.0\] contains duplicates/);
    assert.throws(() => validateValue({ NULL: false }), /Null attribute value types must have the value of true/);
    assert.throws(() => validateValue({ N: 'x1' }), /The parameter cannot be converted to a numeric value: x1/);
  });

  it('compares sets as sets and numbers by value', () => {
    assert.ok(valuesEqual(validateValue({ SS: ['a', 'b'] }), validateValue({ SS: ['b', 'a'] })));
    assert.ok(valuesEqual(validateValue({ N: '1.0' }), validateValue({ N: '1' })));
    assert.ok(!valuesEqual(validateValue({ N: '1' }), validateValue({ S: '1' })));
  });

  it('sizes items as the Developer Guide describes', () => {
    // "abc"(3) + S "hello"(5) ; "n"(1) + N 3 digits -> ceil(3/2)+1 = 3 ; "l"(1) + L: 3 + (BOOL 1 + 1)
    assert.equal(itemSize({ abc: { S: 'hello' }, n: { N: '123' }, l: { L: [{ BOOL: true }] } }), 3 + 5 + 1 + 3 + 1 + 5);
  });
});
