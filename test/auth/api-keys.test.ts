/** API keys, usage plans (throttle, quota, per-method throttle), stage method throttling, through a real gatehouse. */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { generatedKeyValue } from '../../src/apigw/auth/api-keys.js';
import { mock, removeDir, writeFunctions } from './support.js';

const GOOD = 'good-key-0123456789abcdefghij';
const QUOTA = 'quota-key-0123456789abcdefghij';
const THROTTLE = 'throttle-key-0123456789abcdefgh';
const DISABLED = 'disabled-key-0123456789abcdefgh';
const NO_PLAN = 'no-plan-key-0123456789abcdefghi';

let gw: TestGateway;
let codeDir: string;

const key = (value: string | undefined, enabled = true) => ({
  Type: 'AWS::ApiGateway::ApiKey',
  Properties: { ...(value !== undefined && { Value: value }), ...(enabled && { Enabled: true }) },
});
const planKey = (keyRef: string, planRef: string) => ({
  Type: 'AWS::ApiGateway::UsagePlanKey',
  Properties: { KeyId: { Ref: keyRef }, KeyType: 'API_KEY', UsagePlanId: { Ref: planRef } },
});
const plan = (extra: Record<string, unknown>) => ({
  Type: 'AWS::ApiGateway::UsagePlan',
  Properties: { ApiStages: [{ ApiId: { Ref: 'Api' }, Stage: 'Prod' }], ...extra },
});
const keyed = (template: string) => mock(template, { security: [{ api_key: [] }] });

before(async () => {
  codeDir = writeFunctions({
    'index.mjs': `
const allow = (arn) => ({ Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: arn }] });
export const authorizer = async (event) => ({ principalId: 'u', policyDocument: allow(event.methodArn),
  ...(event.authorizationToken === 'none' ? {} : { usageIdentifierKey: event.authorizationToken }) });
export const handler = async () => ({ statusCode: 200, body: 'ok' });
`,
  });
  gw = await startTestGateway(
    {
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: {
        Api: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'Prod',
            MethodSettings: [{ ResourcePath: '/throttled', HttpMethod: 'GET', ThrottlingRateLimit: 0.01, ThrottlingBurstLimit: 2 }],
            DefinitionBody: {
              openapi: '3.0.1',
              info: { title: 'keys', version: '1' },
              'x-amazon-apigateway-api-key-source': 'HEADER',
              components: { securitySchemes: { api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' } } },
              paths: {
                '/open': { get: mock('{"open":true}') },
                '/keyed': { get: keyed('{"apiKey":"$context.identity.apiKey","apiKeyId":"$context.identity.apiKeyId"}') },
                '/limited': { get: keyed('{"limited":true}') },
                '/throttled': { get: mock('{"throttled":false}') },
              },
            },
          },
        },
        GoodKey: key(GOOD),
        QuotaKey: key(QUOTA),
        ThrottleKey: key(THROTTLE),
        DisabledKey: key(DISABLED, false),
        NoPlanKey: key(NO_PLAN),
        GeneratedKey: key(undefined),
        Plan: {
          Type: 'AWS::ApiGateway::UsagePlan',
          Properties: {
            ApiStages: [{ ApiId: { Ref: 'Api' }, Stage: 'Prod', Throttle: { '/limited/GET': { RateLimit: 0.01, BurstLimit: 1 } } }],
            Quota: { Limit: 1000, Period: 'DAY' },
          },
        },
        QuotaPlan: plan({ Quota: { Limit: 2, Period: 'MONTH', Offset: 0 } }),
        ThrottlePlan: plan({ Throttle: { RateLimit: 0.01, BurstLimit: 2 } }),
        GoodPlanKey: planKey('GoodKey', 'Plan'),
        GeneratedPlanKey: planKey('GeneratedKey', 'Plan'),
        DisabledPlanKey: planKey('DisabledKey', 'Plan'),
        QuotaPlanKey: planKey('QuotaKey', 'QuotaPlan'),
        ThrottlePlanKey: planKey('ThrottleKey', 'ThrottlePlan'),
        // SAM "ApiUsagePlan": CreateUsagePlan PER_API generates the key, the plan and their association.
        SamApi: {
          Type: 'AWS::Serverless::Api',
          Properties: { StageName: 'Prod', Auth: { ApiKeyRequired: true, UsagePlan: { CreateUsagePlan: 'PER_API', Quota: { Limit: 1, Period: 'DAY' } } } },
        },
        // apiKeySource AUTHORIZER: the key is the Lambda authorizer's usageIdentifierKey.
        AuthApi: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'Prod',
            DefinitionBody: {
              openapi: '3.0.1',
              info: { title: 'authorizer-keys', version: '1' },
              'x-amazon-apigateway-api-key-source': 'AUTHORIZER',
              paths: {},
            },
            Auth: {
              ApiKeyRequired: true,
              DefaultAuthorizer: 'Token',
              Authorizers: { Token: { FunctionArn: { 'Fn::GetAtt': ['AuthorizerFn', 'Arn'] }, Identity: { Header: 'Authorization', ReauthorizeEvery: 0 } } },
            },
          },
        },
        AuthPlan: { Type: 'AWS::ApiGateway::UsagePlan', Properties: { ApiStages: [{ ApiId: { Ref: 'AuthApi' }, Stage: 'Prod' }] } },
        AuthPlanKey: planKey('GoodKey', 'AuthPlan'),
        AuthorizerFn: { Type: 'AWS::Serverless::Function', Properties: { Runtime: 'nodejs20.x', CodeUri: codeDir, Handler: 'index.authorizer' } },
        Fn: {
          Type: 'AWS::Serverless::Function',
          Properties: {
            Runtime: 'nodejs20.x',
            CodeUri: codeDir,
            Handler: 'index.handler',
            Events: {
              Sam: { Type: 'Api', Properties: { RestApiId: { Ref: 'SamApi' }, Path: '/items', Method: 'get' } },
              Auth: { Type: 'Api', Properties: { RestApiId: { Ref: 'AuthApi' }, Path: '/items', Method: 'get' } },
            },
          },
        },
      },
    },
    { fileName: 'template.yaml' },
  );
});

after(async () => {
  await gw?.close();
  removeDir(codeDir);
});

describe('API keys (apiKeySource HEADER)', () => {
  // LocalStack AWS-validated test TestUsagePlans::test_api_key_required_for_methods (also the public
  // conformance case gateway/api-key-missing): no key, an unknown key, a disabled key -> 403 {"message":"Forbidden"}.
  test('missing, unknown, disabled or plan-less keys are 403 Forbidden', async () => {
    for (const headers of [{}, { 'x-api-key': 'unknown-0123456789abcdefghij' }, { 'x-api-key': DISABLED }, { 'x-api-key': NO_PLAN }] as Record<string, string>[]) {
      const res = await gw.call('GET', '/Prod/keyed', { headers });
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.deepEqual(res.json(), { message: 'Forbidden' });
      assert.equal(res.headers['x-amzn-errortype'], 'ForbiddenException');
    }
    assert.equal((await gw.call('GET', '/Prod/open')).status, 200);
  });

  // Mapping template reference: $context.identity.apiKey / apiKeyId for methods that require a key.
  test('a key in a plan of the stage passes; $context.identity.apiKey and apiKeyId are set', async () => {
    const res = await gw.call('GET', '/Prod/keyed', { headers: { 'x-api-key': GOOD } });
    assert.equal(res.status, 200);
    const body = res.json() as { apiKey: string; apiKeyId: string };
    assert.equal(body.apiKey, GOOD);
    assert.match(body.apiKeyId, /^[a-z0-9]{10}$/);
  });

  test('a key without Value gets a stable generated one', async () => {
    const value = generatedKeyValue(gw.gatehouse.project.stackName, 'GeneratedKey');
    assert.equal(value.length, 40);
    assert.equal((await gw.call('GET', '/Prod/keyed', { headers: { 'x-api-key': value } })).status, 200);
  });

  // Docs "Usage plans": quota exhausted -> 429 "Limit Exceeded" (gateway response QUOTA_EXCEEDED, 429).
  test('an exhausted quota is 429 Limit Exceeded', async () => {
    assert.equal((await gw.call('GET', '/Prod/keyed', { headers: { 'x-api-key': QUOTA } })).status, 200);
    assert.equal((await gw.call('GET', '/Prod/keyed', { headers: { 'x-api-key': QUOTA } })).status, 200);
    const res = await gw.call('GET', '/Prod/keyed', { headers: { 'x-api-key': QUOTA } });
    assert.equal(res.status, 429);
    assert.deepEqual(res.json(), { message: 'Limit Exceeded' });
    assert.equal(res.headers['x-amzn-errortype'], 'LimitExceededException');
  });

  // Docs "Throttle requests": per-client limits of a usage plan, token bucket (burst, then rate);
  // gateway response THROTTLED 429 "Too Many Requests".
  test('the plan throttle limits the key after its burst', async () => {
    assert.equal((await gw.call('GET', '/Prod/keyed', { headers: { 'x-api-key': THROTTLE } })).status, 200);
    assert.equal((await gw.call('GET', '/Prod/keyed', { headers: { 'x-api-key': THROTTLE } })).status, 200);
    const res = await gw.call('GET', '/Prod/keyed', { headers: { 'x-api-key': THROTTLE } });
    assert.equal(res.status, 429);
    assert.deepEqual(res.json(), { message: 'Too Many Requests' });
  });

  // CloudFormation UsagePlan ApiStage.Throttle: per-method limits keyed "/resource/METHOD".
  test('a per-method plan throttle applies to that method only', async () => {
    assert.equal((await gw.call('GET', '/Prod/limited', { headers: { 'x-api-key': GOOD } })).status, 200);
    assert.equal((await gw.call('GET', '/Prod/limited', { headers: { 'x-api-key': GOOD } })).status, 429);
    assert.equal((await gw.call('GET', '/Prod/keyed', { headers: { 'x-api-key': GOOD } })).status, 200);
  });
});

describe('stage method throttling', () => {
  // Docs "Throttle requests": method-level throttling in stage settings (rate, burst) -> 429 Too Many Requests.
  test('MethodSettings throttle a method after its burst, other methods untouched', async () => {
    assert.equal((await gw.call('GET', '/Prod/throttled')).status, 200);
    assert.equal((await gw.call('GET', '/Prod/throttled')).status, 200);
    const res = await gw.call('GET', '/Prod/throttled');
    assert.equal(res.status, 429);
    assert.deepEqual(res.json(), { message: 'Too Many Requests' });
    assert.equal(res.headers['x-amzn-errortype'], 'TooManyRequestsException');
    assert.equal((await gw.call('GET', '/Prod/open')).status, 200);
  });
});

describe('SAM usage plans and apiKeySource AUTHORIZER', () => {
  test('SAM Auth.UsagePlan PER_API: the generated key works and the quota holds', async () => {
    const value = generatedKeyValue(gw.gatehouse.project.stackName, 'SamApiApiKey');
    const path = '/Prod/items';
    // Several APIs serve /Prod: the execute-api host picks the API.
    const samApi = gw.gatehouse.project.apis.find((a) => a.logicalId === 'SamApi')!;
    const host = { host: `${samApi.id}.execute-api.localhost` };
    assert.equal((await gw.call('GET', path, { headers: { ...host } })).status, 403);
    assert.equal((await gw.call('GET', path, { headers: { ...host, 'x-api-key': value } })).status, 200);
    assert.equal((await gw.call('GET', path, { headers: { ...host, 'x-api-key': value } })).status, 429);
  });

  // Docs "Choose an API key source": with AUTHORIZER the key is the authorizer's usageIdentifierKey.
  test('the authorizer usageIdentifierKey is the API key', async () => {
    const authApi = gw.gatehouse.project.apis.find((a) => a.logicalId === 'AuthApi')!;
    const host = { host: `${authApi.id}.execute-api.localhost` };
    assert.equal((await gw.call('GET', '/Prod/items', { headers: { ...host, Authorization: GOOD } })).status, 200);
    assert.equal((await gw.call('GET', '/Prod/items', { headers: { ...host, Authorization: 'none' } })).status, 403);
    assert.equal((await gw.call('GET', '/Prod/items', { headers: { ...host, Authorization: QUOTA } })).status, 403);
    // The x-api-key header does not count with AUTHORIZER.
    assert.equal((await gw.call('GET', '/Prod/items', { headers: { ...host, Authorization: 'none', 'x-api-key': GOOD } })).status, 403);
  });
});
