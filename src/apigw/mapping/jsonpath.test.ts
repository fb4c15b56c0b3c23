/** JSONPath (Jayway subset used by API Gateway) over plain JSON and over the VTL engine's Java values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileJsonPath, evaluateJsonPath, JsonPathSyntaxError, queryJsonPath } from './jsonpath.js';
import { parseJavaJson } from './vtl/json.js';
import { toJsonText } from './vtl/values.js';

const store = {
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings of the Century', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', title: 'Sword of Honour', price: 12.99 },
      { category: 'fiction', author: 'Herman Melville', title: 'Moby Dick', isbn: '0-553-21311-3', price: 8.99 },
      { category: 'fiction', author: 'J. R. R. Tolkien', title: 'The Lord of the Rings', isbn: '0-395-19395-8', price: 22.99 },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
  'a b': { c: 1 },
  expensive: 10,
};

const cases: Array<[string, unknown]> = [
  ['$', store],
  ['$.expensive', 10],
  ['$.store.bicycle.color', 'red'],
  ["$['a b'].c", 1],
  ['$["a b"]["c"]', 1],
  ['$.store.book[0].author', 'Nigel Rees'],
  ['$.store.book[-1].title', 'The Lord of the Rings'],
  ['$.store.book[*].author', ['Nigel Rees', 'Evelyn Waugh', 'Herman Melville', 'J. R. R. Tolkien']],
  ['$.store.book[0,1].price', [8.95, 12.99]],
  ['$.store.book[1:3].title', ['Sword of Honour', 'Moby Dick']],
  ['$.store.book[:2].price', [8.95, 12.99]],
  ['$.store.book[-2:].price', [8.99, 22.99]],
  ['$..author', ['Nigel Rees', 'Evelyn Waugh', 'Herman Melville', 'J. R. R. Tolkien']],
  ['$.store..price', [8.95, 12.99, 8.99, 22.99, 19.95]],
  ['$.store.*', [store.store.book, store.store.bicycle]],
  ["$.store.book[?(@.category == 'reference')].author", ['Nigel Rees']],
  ['$.store.book[?(@.price > 10)].title', ['Sword of Honour', 'The Lord of the Rings']],
  ['$.store.book[?(@.isbn)].title', ['Moby Dick', 'The Lord of the Rings']],
  ['$.store.book[?(!@.isbn)].title', ['Sayings of the Century', 'Sword of Honour']],
  ["$.store.book[?(@.price < 10 && @.category == 'fiction')].title", ['Moby Dick']],
  ["$.store.book[?(@.price > 20 || @.category == 'reference')].title", ['Sayings of the Century', 'The Lord of the Rings']],
  ['$.store.book[?(@.price > $.expensive)].price', [12.99, 22.99]],
  ['$.store.book[?(@.author =~ /.*Rees/)].price', [8.95]],
  ["$.store.book[?(@.category in ['reference', 'poetry'])].price", [8.95]],
  ["$.store.book[?(@.category nin ['fiction'])].price", [8.95]],
  ["$['store']['bicycle']['color','price']", { color: 'red', price: 19.95 }],
  ['store.bicycle.color', 'red'],
];

for (const [path, expected] of cases) {
  test(`jsonpath: ${path}`, () => {
    const actual = evaluateJsonPath(store, path);
    // several properties of a leaf come back as one map (Jayway), compared here as a plain object
    assert.deepEqual(actual instanceof Map ? Object.fromEntries(actual) : actual, expected);
  });
}

test('jsonpath: missing definite paths are undefined; indefinite ones are empty lists', () => {
  assert.equal(evaluateJsonPath(store, '$.nope'), undefined);
  assert.equal(evaluateJsonPath(store, '$.store.book[10]'), undefined);
  assert.equal(evaluateJsonPath(store, '$.expensive.x'), undefined);
  assert.deepEqual(evaluateJsonPath(store, '$.store.book[?(@.price > 100)]'), []);
  assert.deepEqual(evaluateJsonPath(store, '$..nope'), []);
});

test('jsonpath: invalid paths throw from compileJsonPath and give undefined from evaluateJsonPath', () => {
  for (const bad of ['$.a[', '$[?(@.a ==)]', "$['a", '$.', '$..']) {
    assert.throws(() => compileJsonPath(bad), JsonPathSyntaxError, bad);
    assert.equal(evaluateJsonPath(store, bad), undefined);
  }
});

test('jsonpath: works on the Java values of a parsed payload (Map, JsonArray, Double)', () => {
  const doc = parseJavaJson(JSON.stringify(store).replace('"expensive":10', '"expensive":10.0'));
  const titles = queryJsonPath(doc, compileJsonPath('$.store.book[?(@.price > 10)].title'));
  assert.equal(toJsonText(titles.value), '["Sword of Honour","The Lord of the Rings"]');
  const expensive = queryJsonPath(doc, compileJsonPath('$.expensive'));
  assert.equal(toJsonText(expensive.value), '10.0');
  assert.equal(queryJsonPath(doc, compileJsonPath('$.missing')).found, false);
  assert.equal(toJsonText(queryJsonPath(doc, compileJsonPath('$.store.bicycle')).value), '{"color":"red","price":19.95}');
});

test('jsonpath: compiled paths are cached and definite-ness is known up front', () => {
  assert.equal(compileJsonPath('$.a.b[0]').definite, true);
  assert.equal(compileJsonPath('$.a[*]').definite, false);
  assert.equal(compileJsonPath('$..a').definite, false);
  assert.equal(compileJsonPath('$.a[0,1]').definite, false);
  assert.equal(compileJsonPath('$.a[1:2]').definite, false);
  assert.strictEqual(compileJsonPath('$.x.y'), compileJsonPath('$.x.y'));
});
