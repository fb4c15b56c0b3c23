/**
 * JSONPath as Step Functions evaluates it. Facts: Amazon States Language specification "Paths" and
 * "Reference Paths" (a Reference Path identifies a single node; `$` alone is the whole input);
 * developer guide "Using JSONPath paths" (`$$.` context object, `$.store.book[*].author`-style
 * selections, filters) and "Passing data between states with variables" (`$varName` references).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePath, evaluatePath, PathSyntaxError, setAtPath } from './jsonpath.js';

const store = {
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings of the Century', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', title: 'Sword of Honour', price: 12.99 },
      { category: 'fiction', author: 'Herman Melville', title: 'Moby Dick', isbn: '0-553-21311-3', price: 8.99 },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
  'odd key': 1,
};
const get = (path: string, input: unknown = store, extra: Partial<Parameters<typeof evaluatePath>[1]> = {}) => evaluatePath(compilePath(path), { input, ...extra });

describe('JSONPath', () => {
  it('selects single nodes with definite paths (dot, bracket, index, negative index)', () => {
    assert.deepEqual(get('$'), { found: true, value: store });
    assert.deepEqual(get('$.store.bicycle.color'), { found: true, value: 'red' });
    assert.deepEqual(get("$['odd key']"), { found: true, value: 1 });
    assert.deepEqual(get('$.store.book[1].author'), { found: true, value: 'Evelyn Waugh' });
    assert.deepEqual(get('$.store.book[-1].title'), { found: true, value: 'Moby Dick' });
    assert.equal(get('$.store.missing').found, false);
    assert.equal(get('$.store.book[7]').found, false);
  });

  it('returns lists for wildcards, recursive descent, slices, unions and filters', () => {
    assert.deepEqual(get('$.store.book[*].author').value, ['Nigel Rees', 'Evelyn Waugh', 'Herman Melville']);
    assert.deepEqual(get('$..price').value, [8.95, 12.99, 8.99, 19.95]);
    assert.deepEqual(get('$.store.book[0:2].price').value, [8.95, 12.99]);
    assert.deepEqual(get('$.store.book[0,2].price').value, [8.95, 8.99]);
    assert.deepEqual(get('$.store.book[?(@.price < 10)].title').value, ['Sayings of the Century', 'Moby Dick']);
    assert.deepEqual(get("$.store.book[?(@.category == 'fiction' && @.price > 10)].author").value, ['Evelyn Waugh']);
    assert.deepEqual(get('$.store.book[?(@.isbn)].title').value, ['Moby Dick']);
    assert.deepEqual(get('$.store.book[?(@.author =~ /.*Rees/)].price').value, [8.95]);
    assert.deepEqual(get('$.nothing[*]').value, []);
  });

  it('reads the context object with $$ and variables with $name', () => {
    const context = { Execution: { Name: 'run-1' }, Map: { Item: { Index: 2 } } };
    assert.equal(get('$$.Execution.Name', {}, { context }).value, 'run-1');
    assert.equal(get('$$.Map.Item.Index', {}, { context }).value, 2);
    const variables = (name: string) => (name === 'total' ? { found: true, value: { n: 5 } } : { found: false });
    assert.deepEqual(get('$total.n', {}, { variables }), { found: true, value: 5 });
    assert.equal(get('$missing', {}, { variables }).found, false);
  });

  it('rejects malformed paths', () => {
    assert.throws(() => compilePath('store.book'), PathSyntaxError);
    assert.throws(() => compilePath('$.a['), PathSyntaxError);
  });

  it('writes at Reference Paths, creating missing objects and failing inside non-objects (ResultPath)', () => {
    const input = { a: { b: 1 }, s: 'text', list: [1, 2] };
    assert.deepEqual(setAtPath(input, compilePath('$.a.c'), 9), { ok: true, value: { a: { b: 1, c: 9 }, s: 'text', list: [1, 2] } });
    assert.deepEqual(setAtPath(input, compilePath('$.x.y'), 9), { ok: true, value: { ...input, x: { y: 9 } } });
    assert.deepEqual(setAtPath(input, compilePath('$.list[1]'), 'two'), { ok: true, value: { ...input, list: [1, 'two'] } });
    assert.deepEqual(setAtPath(input, compilePath('$.s.t'), 1), { ok: false });
    assert.deepEqual(setAtPath('scalar', compilePath('$.t'), 1), { ok: false });
    assert.deepEqual(input, { a: { b: 1 }, s: 'text', list: [1, 2] }, 'the input is not modified');
    assert.equal(compilePath('$.a[*]').reference, false);
  });
});
