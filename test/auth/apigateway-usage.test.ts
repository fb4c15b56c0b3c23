/**
 * Usage plans and keys changed on the running gateway with the AWS CLI v1, seen by the API at once:
 * GetUsage reports the requests the gateway counted, UpdateUsage grants more of the quota, a key
 * disabled with UpdateApiKey is refused on the next request, UpdateUsagePlan's new limits apply.
 * AWS docs: API Gateway API reference "GetUsage" (values per API key ID, one [used quota, remaining
 * quota] per day), "CreateUsagePlan" / "DeleteUsagePlan", "UpdateUsage" / "UpdateApiKey" / "UpdateUsagePlan" (AWS CLI examples
 * `path="/remaining"`, `path='/enabled',value='false'`, `path="/throttle/burstLimit"`);
 * "Usage plans and API keys for REST APIs" (403 {"message":"Forbidden"} for a key that is not valid,
 * 429 {"message":"Limit Exceeded"} past the quota, 429 {"message":"Too Many Requests"} when throttled).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { awsCli } from '../../src/services/sqs/testing.js';
import { restApi, mock } from './support.js';

const METERED = 'metered-key-0123456789abcdefghij';
const SWITCHED = 'switched-key-0123456789abcdefghi';
const TUNED = 'tuned-key-0123456789abcdefghijkl';
const QUOTA = 5;
let gw: TestGateway;
let cli: (...args: string[]) => Promise<{ code: number; stderr: string; json: unknown }>;
let ids: Record<string, string>;

before(async () => {
  const key = (Value: string) => ({ Type: 'AWS::ApiGateway::ApiKey', Properties: { Name: Value.split('-')[0], Value, Enabled: true } });
  const planKey = (k: string, plan: string) => ({ Type: 'AWS::ApiGateway::UsagePlanKey', Properties: { KeyId: { Ref: k }, KeyType: 'API_KEY', UsagePlanId: { Ref: plan } } });
  gw = await startTestGateway(
    {
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: {
        Api: restApi('usage', { '/keyed': { get: mock('{"ok":true}', { security: [{ api_key: [] }] }) } }),
        Metered: key(METERED),
        Switched: key(SWITCHED),
        Tuned: key(TUNED),
        Daily: {
          Type: 'AWS::ApiGateway::UsagePlan',
          Properties: { UsagePlanName: 'daily', ApiStages: [{ ApiId: { Ref: 'Api' }, Stage: 'Prod' }], Quota: { Limit: QUOTA, Period: 'DAY' } },
        },
        Open: {
          Type: 'AWS::ApiGateway::UsagePlan',
          Properties: { UsagePlanName: 'open', ApiStages: [{ ApiId: { Ref: 'Api' }, Stage: 'Prod' }], Throttle: { RateLimit: 1000, BurstLimit: 1000 } },
        },
        MeteredInDaily: planKey('Metered', 'Daily'),
        SwitchedInDaily: planKey('Switched', 'Daily'),
        TunedInOpen: planKey('Tuned', 'Open'),
      },
    },
    { fileName: 'template.yaml' },
  );
  cli = (...args) => awsCli(gw.gatehouse.awsUrl, ['apigateway', ...args]);
  const keys = (await cli('get-api-keys')).json as { items: { id: string; name: string }[] };
  const plans = (await cli('get-usage-plans')).json as { items: { id: string; name: string }[] };
  ids = Object.fromEntries([...keys.items, ...plans.items].map((x) => [x.name, x.id]));
});

after(async () => {
  await gw?.close();
});

const call = (key: string) => gw.call('GET', '/Prod/keyed', { headers: { 'x-api-key': key } });
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

test('get-usage reports the requests the gateway counted; update-usage grants more of the quota', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await call(METERED)).status, 200);
  // Yesterday and today: the run may cross midnight UTC, so the days are added up.
  const usage = await cli('get-usage', '--usage-plan-id', ids['daily']!, '--key-id', ids['metered']!, '--start-date', day(-1), '--end-date', day(0));
  assert.equal(usage.code, 0, usage.stderr);
  const report = usage.json as { usagePlanId: string; startDate: string; items: Record<string, [number, number][]> };
  assert.equal(report.usagePlanId, ids['daily']);
  assert.deepEqual(Object.keys(report.items), [ids['metered']]);
  const days = report.items[ids['metered']!]!;
  assert.equal(days.length, 2);
  assert.equal(days[0]![0] + days[1]![0], 3);
  assert.equal(days[1]![1], QUOTA - days[1]![0], 'remaining = limit - used today (a DAY quota)');

  // Without --key-id: every key of the plan, the unused one with its whole quota.
  const all = (await cli('get-usage', '--usage-plan-id', ids['daily']!, '--start-date', day(0), '--end-date', day(0))).json as { items: Record<string, unknown> };
  assert.deepEqual(Object.keys(all.items).sort(), [ids['metered'], ids['switched']].sort());
  assert.deepEqual(all.items[ids['switched']!], [[0, QUOTA]]);

  const granted = await cli('update-usage', '--usage-plan-id', ids['daily']!, '--key-id', ids['metered']!, '--patch-operations', 'op=replace,path=/remaining,value=4');
  assert.equal(granted.code, 0, granted.stderr);
  const after = (granted.json as { items: Record<string, [number, number][]> }).items[ids['metered']!]!;
  assert.equal(after[0]![1], 4);
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await call(METERED);
    statuses.push(res.status);
    if (res.status === 429) assert.deepEqual(res.json(), { message: 'Limit Exceeded' });
  }
  assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
});

test('update-api-key: a disabled key is refused on the next request, enabled again it passes', async () => {
  assert.equal((await call(SWITCHED)).status, 200);
  const disabled = await cli('update-api-key', '--api-key', ids['switched']!, '--patch-operations', 'op=replace,path=/enabled,value=false', 'op=replace,path=/name,value=renamed');
  assert.equal(disabled.code, 0, disabled.stderr);
  const view = disabled.json as { id: string; name: string; enabled: boolean; value?: string; lastUpdatedDate: number; createdDate: number };
  assert.equal(view.enabled, false);
  assert.equal(view.name, 'renamed');
  assert.equal(view.value, undefined);
  assert.ok(view.lastUpdatedDate >= view.createdDate);
  const refused = await call(SWITCHED);
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.json(), { message: 'Forbidden' });

  const enabled = await cli('update-api-key', '--api-key', ids['switched']!, '--patch-operations', 'op=replace,path=/enabled,value=true');
  assert.equal(enabled.code, 0, enabled.stderr);
  assert.equal((await call(SWITCHED)).status, 200);
});

test('update-usage-plan: a new throttle and quota apply to the next requests', async () => {
  assert.equal((await call(TUNED)).status, 200);
  const tightened = await cli(
    'update-usage-plan',
    '--usage-plan-id',
    ids['open']!,
    '--patch-operations',
    'op=replace,path=/throttle/burstLimit,value=2',
    'op=replace,path=/throttle/rateLimit,value=0.01',
    'op=add,path=/quota/limit,value=100',
  );
  assert.equal(tightened.code, 0, tightened.stderr);
  const plan = tightened.json as { throttle: unknown; quota: unknown };
  assert.deepEqual(plan.throttle, { burstLimit: 2, rateLimit: 0.01 });
  assert.deepEqual(plan.quota, { limit: 100, offset: 0, period: 'DAY' });
  const statuses = [(await call(TUNED)).status, (await call(TUNED)).status];
  const throttled = await call(TUNED);
  assert.deepEqual(statuses, [200, 200]);
  assert.equal(throttled.status, 429);
  assert.deepEqual(throttled.json(), { message: 'Too Many Requests' });

  // The quota counts from its creation: the two requests that passed.
  const usage = (await cli('get-usage', '--usage-plan-id', ids['open']!, '--start-date', day(0), '--end-date', day(0))).json as { items: Record<string, [number, number][]> };
  assert.deepEqual(usage.items[ids['tuned']!], [[2, 98]]);

  const loosened = await cli('update-usage-plan', '--usage-plan-id', ids['open']!, '--patch-operations', 'op=remove,path=/throttle');
  assert.equal(loosened.code, 0, loosened.stderr);
  assert.equal((loosened.json as { throttle?: unknown }).throttle, undefined);
  assert.equal((await call(TUNED)).status, 200);
});

test('create-usage-plan: a plan made at run time meters its keys; deleted, its keys are refused', async () => {
  const apiId = gw.gatehouse.project.apis[0]!.id;
  const [plan, key] = await Promise.all([
    cli('create-usage-plan', '--name', 'runtime', '--api-stages', `apiId=${apiId},stage=Prod`, '--quota', 'limit=3,period=DAY', '--throttle', 'rateLimit=50,burstLimit=20'),
    cli('create-api-key', '--name', 'runtime-key', '--value', 'runtime-key-0123456789abcdefghij', '--enabled'),
  ]);
  assert.equal(plan.code, 0, plan.stderr);
  const made = plan.json as { id: string; name: string; apiStages: unknown; quota: unknown; throttle: unknown };
  assert.deepEqual([made.name, made.apiStages, made.quota, made.throttle], ['runtime', [{ apiId, stage: 'Prod' }], { limit: 3, offset: 0, period: 'DAY' }, { burstLimit: 20, rateLimit: 50 }]);
  const keyId = (key.json as { id: string }).id;
  assert.equal((await cli('create-usage-plan-key', '--usage-plan-id', made.id, '--key-id', keyId, '--key-type', 'API_KEY')).code, 0);
  assert.equal((await call('runtime-key-0123456789abcdefghij')).status, 200);
  const usage = (await cli('get-usage', '--usage-plan-id', made.id, '--start-date', day(0), '--end-date', day(0))).json as { items: Record<string, [number, number][]> };
  assert.deepEqual(usage.items, { [keyId]: [[1, 2]] });

  const deleted = await cli('delete-usage-plan', '--usage-plan-id', made.id);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal((await call('runtime-key-0123456789abcdefghij')).status, 403);
  const unknownStage = await cli('create-usage-plan', '--name', 'nowhere', '--api-stages', 'apiId=nope,stage=Prod');
  assert.match(unknownStage.stderr, /NotFoundException.*API Stage not found: nope:Prod/);
});

test('errors: unknown ids are NotFoundException, unsupported patch paths BadRequestException', async () => {
  const results = await Promise.all([
    cli('get-usage', '--usage-plan-id', 'nope', '--start-date', day(0), '--end-date', day(0)),
    cli('update-api-key', '--api-key', 'nope', '--patch-operations', 'op=replace,path=/name,value=x'),
    cli('update-api-key', '--api-key', ids['metered']!, '--patch-operations', 'op=replace,path=/value,value=x'),
    cli('update-usage', '--usage-plan-id', ids['daily']!, '--key-id', ids['metered']!, '--patch-operations', 'op=add,path=/remaining,value=1'),
    cli('get-usage', '--usage-plan-id', ids['daily']!, '--start-date', day(0), '--end-date', day(-1)),
    cli('update-usage-plan', '--usage-plan-id', ids['daily']!, '--patch-operations', 'op=add,path=/apiStages,value=nope:Prod'),
  ]);
  const [plan, key, path, op, range, stage] = results;
  assert.match(plan!.stderr, /NotFoundException.*Invalid Usage Plan ID specified/);
  assert.match(key!.stderr, /NotFoundException.*Invalid API Key identifier specified/);
  assert.match(path!.stderr, /BadRequestException.*Invalid patch path '\/value' specified for op 'replace'/);
  assert.match(op!.stderr, /BadRequestException.*Invalid patch path '\/remaining' specified for op 'add'. Must be one of: \[\]/);
  assert.match(range!.stderr, /BadRequestException/);
  assert.match(stage!.stderr, /NotFoundException.*API Stage not found: nope:Prod/);
  for (const r of results) assert.notEqual(r.code, 0);
});
