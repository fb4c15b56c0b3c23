import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeaderList } from './header-list.js';

test('keeps the client spelling, looks up case-insensitively, keeps repeats', () => {
  const h = HeaderList.fromRaw(['X-Custom', 'a', 'x-custom', 'b', 'Host', 'h']);
  assert.equal(h.get('X-CUSTOM'), 'b');
  assert.deepEqual(h.getAll('x-custom'), ['a', 'b']);
  assert.equal(h.getJoined('x-custom'), 'a, b');
  assert.deepEqual(h.toSingleValueObject(), { 'X-Custom': 'b', Host: 'h' });
  assert.deepEqual(h.toMultiValueObject(), { 'X-Custom': ['a', 'b'], Host: ['h'] });
  h.set('x-custom', 'c');
  assert.deepEqual(h.toMultiValueObject(), { Host: ['h'], 'x-custom': ['c'] });
  h.delete('HOST');
  assert.equal(h.has('host'), false);
});
