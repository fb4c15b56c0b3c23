/** The bundled example app (the README quick start) serves what the README shows. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGatehouse, type Gatehouse } from '../../src/server/gatehouse.js';
import { createLogger } from '../../src/core/log.js';
import pg from 'pg';
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
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
    databasePort: 0,
  });
  // Wait for the example's database (a fresh cluster runs initdb) so the first call stays within API Gateway's 29 s.
  const secrets = new SecretsManagerClient({ endpoint: gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const secret = JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: 'template-shop-db' }))).SecretString!) as Record<string, string>;
  const db = new pg.Client({ host: secret['host'], port: Number(secret['port']), user: secret['username'], password: secret['password'], database: secret['dbname'] });
  await db.connect();
  await db.end();
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

test('customers: a pooled pg function on the Aurora PostgreSQL cluster; reports: the Data API through a mapping template', async () => {
  const seeded = await call(gatehouse.apiUrl, 'GET', '/shop/customers');
  assert.equal(seeded.status, 200, seeded.text);
  assert.deepEqual((seeded.json() as { name: string }[]).map((c) => c.name), ['Ada Lovelace', 'Grace Hopper']);
  const created = await call(gatehouse.apiUrl, 'POST', '/shop/customers', {
    headers: { 'content-type': 'application/json' },
    body: '{"name":"Alan Turing","email":"alan@example.com","city":"London"}',
  });
  assert.equal(created.status, 201);
  const { id } = created.json() as { id: number };
  assert.deepEqual((await call(gatehouse.apiUrl, 'GET', `/shop/customers/${id}`)).json(), { id, name: 'Alan Turing', email: 'alan@example.com', city: 'London' });
  assert.equal((await call(gatehouse.apiUrl, 'GET', '/shop/customers/999')).status, 404);
  const duplicate = await call(gatehouse.apiUrl, 'POST', '/shop/customers', { headers: { 'content-type': 'application/json' }, body: '{"name":"A","email":"alan@example.com","city":"Paris"}' });
  assert.equal(duplicate.status, 409);
  assert.deepEqual((await call(gatehouse.apiUrl, 'GET', '/shop/reports')).json(), [
    { city: 'London', customers: 2 },
    { city: 'New York', customers: 1 },
  ]);
});
