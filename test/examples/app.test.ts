/** The bundled example app (the README quick start) serves what the README shows. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGatehouse, type Gatehouse } from '../../src/server/gatehouse.js';
import { createLogger } from '../../src/core/log.js';
import { call } from '../support/gateway.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
let gatehouse: Gatehouse;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-example-'));
  gatehouse = await startGatehouse({
    file: join(ROOT, 'examples/app/template.yaml'),
    port: 0,
    awsPort: 0,
    host: '127.0.0.1',
    dataDir,
    watch: false,
    parameterOverrides: {},
    log: createLogger('silent'),
  });
});
after(async () => {
  await gatehouse?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('items are stored in DynamoDB and read back through mapping templates', async () => {
  const created = await call(gatehouse.apiUrl, 'POST', '/dev/items', { headers: { 'content-type': 'application/json' }, body: '{"name":"lamp","price":12.5}' });
  assert.equal(created.status, 200);
  const { id } = created.json() as { id: string };
  assert.deepEqual((await call(gatehouse.apiUrl, 'GET', `/dev/items/${id}`)).json(), { id, name: 'lamp', price: 12.5 });
  assert.deepEqual((await call(gatehouse.apiUrl, 'GET', '/dev/items')).json(), [{ id, name: 'lamp', price: 12.5 }]);
  const missing = await call(gatehouse.apiUrl, 'GET', '/dev/items/nope');
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json(), { message: 'no item nope' });
});

test('the Lambda route answers from a warm environment, and the pets API serves MOCK routes', async () => {
  const first = (await call(gatehouse.apiUrl, 'GET', '/dev/hello/ann')).json() as { message: string; warmInvocations: number; table: string };
  assert.equal(first.message, 'hello, ann');
  assert.equal(first.table, 'template-items');
  const second = (await call(gatehouse.apiUrl, 'GET', '/dev/hello/bob')).json() as { warmInvocations: number };
  assert.equal(second.warmInvocations, first.warmInvocations + 1);
  assert.deepEqual((await call(gatehouse.apiUrl, 'GET', '/pets/pets/2')).json(), { id: 2, name: 'pet-2' });
});

test('the files API stores bodies in S3 (binary intact), lists them as JSON, serves and deletes them', async () => {
  const bytes = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7) % 256)); // every byte value, not UTF-8
  const stored = await call(gatehouse.apiUrl, 'PUT', '/dev/files/photo.bin', { headers: { 'content-type': 'application/octet-stream' }, body: bytes });
  assert.equal(stored.status, 200);
  assert.deepEqual(stored.json(), { name: 'photo.bin' });
  await call(gatehouse.apiUrl, 'PUT', '/dev/files/notes.txt', { headers: { 'content-type': 'text/plain' }, body: 'hello' });

  const listed = (await call(gatehouse.apiUrl, 'GET', '/dev/files')).json() as { name: string; size: number; modified: string }[];
  assert.deepEqual(listed.map(({ name, size }) => ({ name, size })), [{ name: 'notes.txt', size: 5 }, { name: 'photo.bin', size: 2048 }]);
  assert.ok(listed.every((file) => !Number.isNaN(Date.parse(file.modified))));

  // binaryMediaTypes: the object comes back byte for byte, with its content type.
  const fetched = await call(gatehouse.apiUrl, 'GET', '/dev/files/photo.bin', { headers: { accept: 'application/octet-stream' } });
  assert.equal(fetched.status, 200);
  assert.equal(fetched.headers['content-type'], 'application/octet-stream');
  assert.ok(fetched.body.equals(bytes));
  assert.equal((await call(gatehouse.apiUrl, 'GET', '/dev/files/notes.txt')).text, 'hello');

  const missing = await call(gatehouse.apiUrl, 'GET', '/dev/files/nope');
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json(), { message: 'no file nope' });

  assert.equal((await call(gatehouse.apiUrl, 'DELETE', '/dev/files/notes.txt')).status, 204);
  assert.deepEqual(((await call(gatehouse.apiUrl, 'GET', '/dev/files')).json() as { name: string }[]).map((file) => file.name), ['photo.bin']);
});
