/** The bundled example app (the README quick start) serves what the README shows. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGatehouse, type Gatehouse } from '../../src/server/gatehouse.js';
import { createLogger } from '../../src/core/log.js';
import { SQSClient, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import pg from 'pg';
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { call } from '../support/gateway.js';
import { until } from '../support/wait.js';

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

const json = { 'content-type': 'application/json' };

test('orders flow: POST /orders -> SQS -> function -> DynamoDB, read back with GET /orders/{id}', async () => {
  const posted = await call(gatehouse.apiUrl, 'POST', '/dev/orders', { headers: json, body: '{"items":[{"sku":"lamp","qty":2,"price":12.5}]}' });
  assert.equal(posted.status, 202);
  const { orderId } = posted.json() as { orderId: string };
  assert.match(orderId, /^[0-9a-f-]{36}$/);
  const order = await until('the order to be processed', async () => {
    const res = await call(gatehouse.apiUrl, 'GET', `/dev/orders/${orderId}`);
    return res.status === 200 ? res.json() : undefined;
  });
  assert.deepEqual(order, { id: orderId, status: 'received', total: 25 });
});

test('events flow: POST /events -> Kinesis -> function, counted per type', async () => {
  for (let i = 0; i < 3; i++) {
    const res = await call(gatehouse.apiUrl, 'POST', '/dev/events', { headers: json, body: '{"type":"click"}' });
    assert.equal(res.status, 200);
    assert.match((res.json() as { shardId: string }).shardId, /^shardId-\d{12}$/);
  }
  // Kinesis rejects an empty partition key; the 4xx integration response maps it to 400.
  const bad = await call(gatehouse.apiUrl, 'POST', '/dev/events', { headers: json, body: '{}' });
  assert.equal(bad.status, 400);
  assert.match((bad.json() as { message: string }).message, /partitionKey/);
  await until('three clicks counted', async () => {
    const { count } = (await call(gatehouse.apiUrl, 'GET', '/dev/events/click')).json() as { count: number };
    return count === 3 ? count : undefined;
  });
});

test('checkout flow: POST /checkout runs the EXPRESS workflow synchronously (Lambda task, Choice, DynamoDB task)', async () => {
  const paid = await call(gatehouse.apiUrl, 'POST', '/dev/checkout', { headers: json, body: '{"items":[{"price":10,"qty":3}]}' });
  assert.equal(paid.status, 200);
  const receipt = paid.json() as { status: string; orderId: string; total: number };
  assert.equal(receipt.status, 'paid');
  assert.equal(receipt.total, 30);
  // The DynamoDB task stored it under the execution name.
  assert.deepEqual((await call(gatehouse.apiUrl, 'GET', `/dev/orders/${receipt.orderId}`)).json(), { id: receipt.orderId, status: 'paid', total: 30 });
  const review = await call(gatehouse.apiUrl, 'POST', '/dev/checkout', { headers: json, body: '{"items":[{"price":1000,"qty":3}]}' });
  assert.deepEqual(review.json(), { status: 'needs-review', total: 3000 });
});

test('notify flow: POST /notify -> SNS -> fan-out to the audit queue', async () => {
  const res = await call(gatehouse.apiUrl, 'POST', '/dev/notify', { headers: json, body: '{"text":"shipped"}' });
  assert.equal(res.status, 200);
  const { messageId } = res.json() as { messageId: string };
  const sqs = new SQSClient({ endpoint: gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  try {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${gatehouse.awsUrl}/000000000000/template-notifications-audit`, WaitTimeSeconds: 5 }));
    const envelope = JSON.parse(got.Messages![0]!.Body!) as { MessageId: string; Message: string };
    assert.equal(envelope.MessageId, messageId);
    assert.equal(envelope.Message, '{"text":"shipped"}');
  } finally {
    sqs.destroy();
  }
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
