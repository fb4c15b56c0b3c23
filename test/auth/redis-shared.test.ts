/**
 * Two gatehouse processes (the real CLI) on one redis-server share their throttle buckets and usage
 * plan quotas: the combined accepted rate holds the configured rate, and a quota is used up across both;
 * and their stage cache: an entry stored by one process answers the other.
 * AWS docs: "Throttle requests to your REST APIs for better throughput" (token bucket: burst, then
 * the rate per second; 429 {"message":"Too Many Requests"}), "Usage plans and API keys for REST APIs"
 * (quota exhausted: 429 {"message":"Limit Exceeded"}).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { stringify } from 'yaml';
import { redisMissing, startRedisServer, type RedisServer } from '../support/redis.js';
import { spawnGatehouse, type GatehouseProcess } from '../support/process.js';
import { call } from '../support/gateway.js';
import { awsCli } from '../../src/services/sqs/testing.js';
import { mock } from './support.js';
import { startUpstream, type TestUpstream } from '../support/upstream.js';

const skip = redisMissing() ?? false;
// Low enough that even a busy CI machine offers several times this load.
const RATE = 20;
// A small burst: what is left of it when the window opens counts as error (at most 5 of 120 requests),
// while a quarter second of stall on a busy machine still wastes no refill.
const BURST = 5;
const QUOTA = 25;
const KEY = 'shared-quota-key-0123456789abcdef';

let redis: RedisServer;
let dir: string;
let gateways: GatehouseProcess[] = [];
let upstream: TestUpstream;

before(async () => {
  if (skip !== false) return;
  redis = await startRedisServer();
  upstream = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ served: upstream.requests.length }));
  });
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-shared-'));
  const file = join(dir, 'template.yaml');
  writeFileSync(
    file,
    stringify({
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: {
        Api: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'Prod',
            CacheClusterEnabled: true,
            MethodSettings: [
              { ResourcePath: '/throttled', HttpMethod: 'GET', ThrottlingRateLimit: RATE, ThrottlingBurstLimit: BURST },
              { ResourcePath: '/cached', HttpMethod: 'GET', CachingEnabled: true },
            ],
            DefinitionBody: {
              openapi: '3.0.1',
              info: { title: 'shared', version: '1' },
              components: { securitySchemes: { api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' } } },
              paths: {
                '/throttled': { get: mock('{"ok":true}') },
                '/keyed': { get: mock('{"ok":true}', { security: [{ api_key: [] }] }) },
                '/cached': { get: { responses: {}, 'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'GET', uri: `${upstream.url}/cached` } } },
              },
            },
          },
        },
        Key: { Type: 'AWS::ApiGateway::ApiKey', Properties: { Value: KEY, Enabled: true } },
        Plan: {
          Type: 'AWS::ApiGateway::UsagePlan',
          Properties: { ApiStages: [{ ApiId: { Ref: 'Api' }, Stage: 'Prod' }], Quota: { Limit: QUOTA, Period: 'DAY' } },
        },
        PlanKey: { Type: 'AWS::ApiGateway::UsagePlanKey', Properties: { KeyId: { Ref: 'Key' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'Plan' } } },
      },
    }),
  );
  // One process gets the documented --redis, the other its alias --redis-url: both must share.
  gateways = await Promise.all([
    spawnGatehouse(file, ['--redis', redis.url, '--log-level', 'warn', '--data-dir', join(dir, 'a')]),
    spawnGatehouse(file, ['--redis-url', redis.url, '--log-level', 'warn', '--data-dir', join(dir, 'b')]),
  ]);
});

after(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await redis?.stop();
  await upstream?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

test('two processes on one Redis share a throttle: the combined accepted rate holds within 5%', { skip }, async (t) => {
  const pools = gateways.map((g) => new Pool(g.apiUrl, { connections: 8, pipelining: 1 }));
  const statuses = new Map<number, number>();
  // One second of warm-up at full load empties the burst; then only requests sent in the window count.
  const windowStart = Date.now() + 1_000;
  const windowEnd = windowStart + 6_000;
  // Far more load than the rate, spread over both processes, so every token is taken as soon as it exists.
  const worker = async (pool: Pool) => {
    for (let sent = Date.now(); sent < windowEnd; sent = Date.now()) {
      const res = await pool.request({ method: 'GET', path: '/Prod/throttled' });
      const body = await res.body.text();
      if (res.statusCode === 429) assert.equal(body, '{"message":"Too Many Requests"}');
      if (sent >= windowStart) statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    }
  };
  await Promise.all(pools.flatMap((pool) => Array.from({ length: 8 }, () => worker(pool))));
  const elapsed = (windowEnd - windowStart) / 1000;
  await Promise.all(pools.map((p) => p.close()));

  const accepted = statuses.get(200) ?? 0;
  const refused = statuses.get(429) ?? 0;
  assert.deepEqual([...statuses.keys()].sort(), [200, 429], `only 200 and 429: ${JSON.stringify([...statuses])}`);
  assert.ok(refused > accepted, `the load must exceed the rate (accepted ${accepted}, refused ${refused})`);
  // The bucket refills at RATE per second for both processes together.
  const rate = accepted / elapsed;
  t.diagnostic(`accepted ${accepted}, refused ${refused} in ${elapsed.toFixed(2)} s: ${rate.toFixed(1)}/s of ${RATE}/s`);
  assert.ok(Math.abs(rate - RATE) / RATE <= 0.05, `combined accepted rate ${rate.toFixed(1)}/s, configured ${RATE}/s`);
});

test('a usage plan quota is used up across both processes', { skip }, async () => {
  const startDay = new Date().toISOString().slice(0, 10);
  const results: number[] = [];
  for (let i = 0; i < QUOTA + 6; i++) {
    const res = await call(gateways[i % 2]!.apiUrl, 'GET', '/Prod/keyed', { headers: { 'x-api-key': KEY } });
    results.push(res.status);
    if (res.status === 429) assert.deepEqual(res.json(), { message: 'Limit Exceeded' });
  }
  assert.equal(results.filter((s) => s === 200).length, QUOTA);
  assert.deepEqual(results.slice(QUOTA), [429, 429, 429, 429, 429, 429]);

  // GetUsage on either process reads the shared counter (API reference "GetUsage": [used, remaining] per day).
  const plan = ((await awsCli(gateways[1]!.awsUrl, ['apigateway', 'get-usage-plans'])).json as { items: { id: string }[] }).items[0]!;
  const today = new Date().toISOString().slice(0, 10);
  const usage = await awsCli(gateways[0]!.awsUrl, ['apigateway', 'get-usage', '--usage-plan-id', plan.id, '--start-date', today, '--end-date', today]);
  assert.equal(usage.code, 0, usage.stderr);
  const days = Object.values((usage.json as { items: Record<string, [number, number][]> }).items);
  assert.equal(days.length, 1);
  // A run across midnight UTC starts a new DAY period: today then holds only what came after it.
  if (today === startDay) assert.deepEqual(days[0], [[QUOTA, 0]]);
  else assert.equal(days[0]![0]![0]! + days[0]![0]![1]!, QUOTA);
});

test('the stage cache is shared: what one process stored answers the other', { skip }, async () => {
  const first = await call(gateways[0]!.apiUrl, 'GET', '/Prod/cached');
  const second = await call(gateways[1]!.apiUrl, 'GET', '/Prod/cached');
  assert.deepEqual(first.json(), { served: 1 });
  assert.deepEqual(second.json(), { served: 1 });
  assert.equal(upstream.requests.length, 1);
});
