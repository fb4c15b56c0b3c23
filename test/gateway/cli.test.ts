/** The `gatehouse` command as a user runs it: start-up summary, broken definitions, drain on SIGTERM, --watch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { call } from '../support/gateway.js';
import { startUpstream } from '../support/upstream.js';
import { freePort, waitForHealth } from '../support/process.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const CLI = join(ROOT, 'dist/gatehouse.mjs');

function writeDefinition(definition: object | string, name = 'openapi.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  const file = join(dir, name);
  writeFileSync(file, typeof definition === 'string' ? definition : stringify(definition));
  return file;
}

function mockApi(message: string): object {
  return {
    openapi: '3.0.1',
    info: { title: 'cli', version: '1' },
    paths: {
      '/hello': {
        get: {
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-integration': {
            type: 'mock',
            requestTemplates: { 'application/json': '{"statusCode": 200}' },
            responses: { default: { statusCode: '200', responseTemplates: { 'application/json': `{"message": "${message}"}` } } },
          },
        },
      },
    },
  };
}

test('a broken definition fails at start naming the file, the place and every problem', () => {
  const file = writeDefinition({
    openapi: '3.0.1',
    info: { title: 'broken', version: '1' },
    paths: {
      '/a': { get: { responses: {}, 'x-amazon-apigateway-integration': { type: 'teleport' } } },
      '/b': { get: { responses: {}, 'x-amazon-apigateway-integration': { type: 'http' } } },
    },
  });
  const result = spawnSync(process.execPath, [CLI, 'validate', file], { encoding: 'utf8' });
  assert.equal(result.status, 1);
  assert.match(result.stderr, new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.match(result.stderr, /#\/paths\/~1a\/get/);
  assert.match(result.stderr, /#\/paths\/~1b\/get/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
});

test('a template resource the embedded services refuse fails serve at start, naming the file and the resource', async () => {
  // DynamoDB API Reference, CreateTable: TableName has a minimum length of 3.
  const file = writeDefinition(
    `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Short:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ab
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      BillingMode: PAY_PER_REQUEST
`,
    'template.yaml',
  );
  const [port, awsPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-data-'));
  const result = spawnSync(process.execPath, [CLI, 'serve', file, '--port', String(port), '--aws-port', String(awsPort), '--data-dir', dataDir], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /is not a valid definition/);
  assert.match(result.stderr, /template\.yaml#\/Resources\/Short: AWS::DynamoDB::Table Short: .*'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
});

test('routes prints the route table', () => {
  const file = writeDefinition(mockApi('hi'));
  const result = spawnSync(process.execPath, [CLI, 'routes', file], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /GET\s+\/hello\s+-> MOCK/);
});

test('serve prints a summary, drains in-flight requests on SIGTERM and exits 0', async () => {
  const upstream = await startUpstream((_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"finished":true}');
    }, 500);
  });
  const file = writeDefinition({
    openapi: '3.0.1',
    info: { title: 'drain', version: '1' },
    paths: {
      '/slow': { get: { responses: {}, 'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'GET', uri: `${upstream.url}/slow` } } },
    },
  });
  const [port, awsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [CLI, 'serve', file, '--port', String(port), '--aws-port', String(awsPort), '--data-dir', join(file, '../data')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  try {
    await waitForHealth(awsPort, 10_000);
    assert.match(output, /REST API drain/);
    assert.match(output, new RegExp(`http://127.0.0.1:${port}/dev/`));
    const inFlight = call(`http://127.0.0.1:${port}`, 'GET', '/dev/slow');
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGTERM');
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { finished: true });
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    assert.equal(code, 0);
  } finally {
    child.kill('SIGKILL');
    await upstream.close();
  }
});

test('--watch reloads a changed definition without dropping the process, and keeps serving on a broken edit', async () => {
  const file = writeDefinition(mockApi('first'));
  const [port, awsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [CLI, 'serve', file, '--watch', '--port', String(port), '--aws-port', String(awsPort), '--data-dir', join(file, '../data')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  try {
    await waitForHealth(awsPort, 10_000);
    const base = `http://127.0.0.1:${port}`;
    assert.deepEqual((await call(base, 'GET', '/dev/hello')).json(), { message: 'first' });
    writeFileSync(file, stringify(mockApi('second')));
    await eventually(async () => assert.deepEqual((await call(base, 'GET', '/dev/hello')).json(), { message: 'second' }));
    writeFileSync(file, 'openapi: 3.0.1\npaths: [not, a, map');
    await eventually(async () => assert.match(output, /reload of .* failed/));
    assert.deepEqual((await call(base, 'GET', '/dev/hello')).json(), { message: 'second' });
  } finally {
    child.kill('SIGKILL');
  }
});

async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// --redis is the flag the issue names; --redis-url (shipped first) stays an alias and must agree with it.
test('--redis and its alias --redis-url: a bad URL or two different URLs are refused before start', () => {
  const file = writeDefinition(mockApi('hi'));
  const bad = spawnSync(process.execPath, [CLI, 'serve', file, '--redis', 'http://nope'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^gatehouse: --redis /);
  const both = spawnSync(process.execPath, [CLI, 'serve', file, '--redis', 'redis://127.0.0.1:1', '--redis-url', 'redis://127.0.0.1:2'], { encoding: 'utf8' });
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--redis and --redis-url \(its alias\) name different URLs/);
});
