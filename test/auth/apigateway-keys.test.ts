/**
 * API keys and usage plans managed on the running gateway with the AWS CLI v1 (`aws apigateway ...`
 * against the embedded endpoint): the template's keys and plans are listed, a key created and added
 * to a plan is accepted by the API at once, a deleted one is refused.
 * AWS docs: API Gateway API reference CreateApiKey / GetApiKeys / GetApiKey / DeleteApiKey /
 * GetUsagePlans / CreateUsagePlanKey / GetUsagePlanKeys; "Usage plans and API keys for REST APIs"
 * (403 {"message":"Forbidden"} without a valid key).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { awsCli } from '../../src/services/sqs/testing.js';
import { restApi, mock } from './support.js';

const TEMPLATE_KEY = 'template-key-0123456789abcdefghij';
let gw: TestGateway;
let cli: (...args: string[]) => Promise<{ code: number; stderr: string; json: unknown }>;

before(async () => {
  gw = await startTestGateway(
    {
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: {
        Api: restApi('keys', { '/keyed': { get: mock('{"ok":true}', { security: [{ api_key: [] }] }) } }),
        TemplateKey: { Type: 'AWS::ApiGateway::ApiKey', Properties: { Name: 'from-template', Value: TEMPLATE_KEY, Enabled: true } },
        Plan: {
          Type: 'AWS::ApiGateway::UsagePlan',
          Properties: { UsagePlanName: 'gold', ApiStages: [{ ApiId: { Ref: 'Api' }, Stage: 'Prod' }], Throttle: { RateLimit: 100, BurstLimit: 50 }, Quota: { Limit: 1000, Period: 'DAY' } },
        },
        PlanKey: { Type: 'AWS::ApiGateway::UsagePlanKey', Properties: { KeyId: { Ref: 'TemplateKey' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'Plan' } } },
      },
    },
    { fileName: 'template.yaml' },
  );
  cli = (...args) => awsCli(gw.gatehouse.awsUrl, ['apigateway', ...args]);
});

after(async () => {
  await gw?.close();
});

test('the template keys and usage plans are visible', async () => {
  const keys = await cli('get-api-keys', '--include-values');
  assert.equal(keys.code, 0, keys.stderr);
  const items = (keys.json as { items: { name: string; value: string; enabled: boolean; stageKeys: string[] }[] }).items;
  const key = items.find((k) => k.name === 'from-template');
  assert.equal(key?.value, TEMPLATE_KEY);
  assert.equal(key?.enabled, true);
  const apiId = gw.gatehouse.project.apis[0]!.id;
  assert.deepEqual(key?.stageKeys, [`${apiId}/Prod`]);

  const plans = await cli('get-usage-plans');
  assert.equal(plans.code, 0, plans.stderr);
  const plan = (plans.json as { items: Record<string, unknown>[] }).items.find((p) => p['name'] === 'gold');
  assert.deepEqual(plan?.['throttle'], { burstLimit: 50, rateLimit: 100 });
  assert.deepEqual(plan?.['quota'], { limit: 1000, offset: 0, period: 'DAY' });
  assert.deepEqual(plan?.['apiStages'], [{ apiId, stage: 'Prod' }]);
});

test('a key created with the CLI and added to a plan is accepted at once; deleted, it is refused', async () => {
  const value = 'cli-made-key-0123456789abcdefghij';
  assert.equal((await gw.call('GET', '/Prod/keyed', { headers: { 'x-api-key': value } })).status, 403);

  const created = await cli('create-api-key', '--name', 'cli-key', '--value', value, '--enabled');
  assert.equal(created.code, 0, created.stderr);
  const key = created.json as { id: string; value: string; name: string; enabled: boolean; createdDate: unknown };
  assert.equal(key.value, value);
  assert.equal(key.enabled, true);
  assert.equal(typeof key.createdDate, 'number', 'the CLI prints the epoch-seconds timestamp');

  const fetched = await cli('get-api-key', '--api-key', key.id);
  assert.equal(fetched.code, 0, fetched.stderr);
  assert.equal((fetched.json as { value?: string }).value, undefined, 'the value only with --include-value');

  const plans = (await cli('get-usage-plans')).json as { items: { id: string; name: string }[] };
  const planId = plans.items.find((p) => p.name === 'gold')!.id;
  const added = await cli('create-usage-plan-key', '--usage-plan-id', planId, '--key-id', key.id, '--key-type', 'API_KEY');
  assert.equal(added.code, 0, added.stderr);
  assert.deepEqual(added.json, { id: key.id, type: 'API_KEY', value, name: 'cli-key' });
  const planKeys = (await cli('get-usage-plan-keys', '--usage-plan-id', planId)).json as { items: { id: string }[] };
  assert.ok(planKeys.items.some((k) => k.id === key.id));

  const ok = await gw.call('GET', '/Prod/keyed', { headers: { 'x-api-key': value } });
  assert.equal(ok.status, 200);

  const deleted = await cli('delete-api-key', '--api-key', key.id);
  assert.equal(deleted.code, 0, deleted.stderr);
  const refused = await gw.call('GET', '/Prod/keyed', { headers: { 'x-api-key': value } });
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.json(), { message: 'Forbidden' });
});

test('unknown ids are NotFoundException; a duplicate value is ConflictException', async () => {
  const missing = await cli('get-api-key', '--api-key', 'nope');
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /NotFoundException/);
  const duplicate = await cli('create-api-key', '--name', 'again', '--value', TEMPLATE_KEY);
  assert.notEqual(duplicate.code, 0);
  assert.match(duplicate.stderr, /ConflictException/);
});
