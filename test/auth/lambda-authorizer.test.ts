/** Lambda authorizers through a real gatehouse: REST TOKEN and REQUEST, HTTP API payload 1.0 / 2.0, caching. */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { mock, removeDir, writeFunctions } from './support.js';

const FUNCTIONS = {
  'auth.mjs': `
let calls = 0;
const statement = (effect, resource) => ({ Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] });
export const token = async (event) => {
  calls++;
  const stage = event.methodArn.split('/').slice(0, 2).join('/');
  switch (event.authorizationToken) {
    case 'allow':
      return { principalId: 'user-1', policyDocument: statement('Allow', event.methodArn),
        context: { str: 'v', num: 7, bool: true, nul: null, calls, type: event.type, methodArn: event.methodArn } };
    case 'allow-all': return { principalId: 'user-1', policyDocument: statement('Allow', stage + '/*') };
    case 'deny': return { principalId: 'user-1', policyDocument: statement('Deny', event.methodArn) };
    case 'elsewhere': return { principalId: 'user-1', policyDocument: statement('Allow', stage + '/GET/somewhere-else') };
    case 'allow-and-deny': return { principalId: 'user-1', policyDocument: { Statement: [
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stage + '/*' },
      { Action: 'execute-api:*', Effect: 'Deny', Resource: stage + '/GET/who?mi' } ] } };
    case 'unauthorized': throw new Error('Unauthorized');
    case 'object-context': return { principalId: 'u', policyDocument: statement('Allow', event.methodArn), context: { nested: { a: 1 } } };
    case 'no-principal': return { policyDocument: statement('Allow', event.methodArn) };
    default: throw new Error('boom');
  }
};
export const cached = async (event) => {
  calls++;
  return { principalId: event.authorizationToken, policyDocument: statement('Allow', event.methodArn), context: { calls } };
};
export const request = async (event) => ({ principalId: 'req', policyDocument: statement('Allow', event.methodArn), context: { event: JSON.stringify(event) } });
export const echo = async (event) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
`,
};

let codeDir: string;
let gw: TestGateway;

const fn = (handler: string, events?: Record<string, unknown>) => ({
  Type: 'AWS::Serverless::Function',
  Properties: { Runtime: 'nodejs20.x', CodeUri: codeDir, Handler: handler, ...(events && { Events: events }) },
});
const get = (path: string, auth?: string) => ({
  Type: 'Api',
  Properties: { RestApiId: { Ref: 'Api' }, Path: path, Method: 'get', ...(auth && { Auth: { Authorizer: auth } }) },
});

before(async () => {
  codeDir = writeFunctions(FUNCTIONS);
  gw = await startTestGateway(
    {
      AWSTemplateFormatVersion: '2010-09-09',
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: {
        Api: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'Prod',
            DefinitionBody: {
              openapi: '3.0.1',
              info: { title: 'auth', version: '1' },
              paths: {
                '/template': {
                  get: mock('{"principalId":"$context.authorizer.principalId","str":"$context.authorizer.str","num":"$context.authorizer.num"}'),
                },
              },
            },
            Auth: {
              DefaultAuthorizer: 'Token',
              Authorizers: {
                Token: { FunctionArn: { 'Fn::GetAtt': ['TokenFn', 'Arn'] }, Identity: { Header: 'Authorization', ValidationExpression: '[a-z-]+', ReauthorizeEvery: 0 } },
                Cached: { FunctionArn: { 'Fn::GetAtt': ['CachedFn', 'Arn'] }, Identity: { Header: 'X-Token', ReauthorizeEvery: 300 } },
                Request: {
                  FunctionPayloadType: 'REQUEST',
                  FunctionArn: { 'Fn::GetAtt': ['RequestFn', 'Arn'] },
                  Identity: { Headers: ['X-User'], QueryStrings: ['tenant'], ReauthorizeEvery: 0 },
                },
              },
            },
          },
        },
        TokenFn: fn('auth.token'),
        CachedFn: fn('auth.cached'),
        RequestFn: fn('auth.request'),
        EchoFn: fn('auth.echo', {
          WhoAmI: get('/whoami'),
          Other: get('/other'),
          Cached: get('/cached/{id}', 'Cached'),
          Request: get('/request/{id}', 'Request'),
        }),
      },
    },
    { fileName: 'template.yaml' },
  );
});

after(async () => {
  await gw?.close();
  removeDir(codeDir);
});

type Event = { requestContext: { authorizer: Record<string, unknown> } };

describe('REST TOKEN authorizer', () => {
  // AWS docs "Output from an API Gateway Lambda authorizer": principalId and context reach
  // requestContext.authorizer; values "are all stringified" (recorded in DefinitelyTyped PR #69823:
  // {"str":"hello","bool":"true","null":null,"num":"123","principalId":"my-username","integrationLatency":0}).
  test('Allow: principalId, stringified context and integrationLatency reach the proxy event', async () => {
    const res = await gw.call('GET', '/Prod/whoami', { headers: { Authorization: 'allow' } });
    assert.equal(res.status, 200);
    const authorizer = (res.json() as Event).requestContext.authorizer;
    assert.equal(authorizer['principalId'], 'user-1');
    assert.equal(authorizer['str'], 'v');
    assert.equal(authorizer['num'], '7');
    assert.equal(authorizer['bool'], 'true');
    assert.equal(authorizer['nul'], null);
    assert.equal(typeof authorizer['integrationLatency'], 'number');
    // "Input to an API Gateway Lambda authorizer": TOKEN events carry type and methodArn
    // arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{verb}/{resource path}.
    assert.equal(authorizer['type'], 'TOKEN');
    assert.match(String(authorizer['methodArn']), /^arn:aws:execute-api:us-east-1:000000000000:[a-z0-9]{10}\/Prod\/GET\/whoami$/);
  });

  // Docs "Output from an API Gateway Lambda authorizer": $context.authorizer.principalId / .<key> in mapping templates.
  test('$context.authorizer.* in a mapping template', async () => {
    const res = await gw.call('GET', '/Prod/template', { headers: { Authorization: 'allow' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { principalId: 'user-1', str: 'v', num: '7' });
  });

  // Knowledge center "api-gateway-403-error-lambda-authorizer": explicit deny and implicit deny bodies.
  test('an explicit Deny is 403 "... with an explicit deny"', async () => {
    const res = await gw.call('GET', '/Prod/whoami', { headers: { Authorization: 'deny' } });
    assert.equal(res.status, 403);
    assert.deepEqual(res.json(), { message: 'User is not authorized to access this resource with an explicit deny' });
    assert.equal(res.headers['x-amzn-errortype'], 'AccessDeniedException');
  });

  test('a policy without a matching Allow is 403 "User is not authorized to access this resource"', async () => {
    const res = await gw.call('GET', '/Prod/whoami', { headers: { Authorization: 'elsewhere' } });
    assert.equal(res.status, 403);
    assert.deepEqual(res.json(), { message: 'User is not authorized to access this resource' });
  });

  // IAM "Policy evaluation logic": an explicit deny overrides any allow; `?` matches one character.
  test('wildcard Allow with a wildcard Deny: deny wins where both match', async () => {
    assert.equal((await gw.call('GET', '/Prod/other', { headers: { Authorization: 'allow-and-deny' } })).status, 200);
    const denied = await gw.call('GET', '/Prod/whoami', { headers: { Authorization: 'allow-and-deny' } });
    assert.equal(denied.status, 403);
    assert.equal((denied.json() as { message: string }).message, 'User is not authorized to access this resource with an explicit deny');
  });

  // Lambda authorizer blueprints: throwing "Unauthorized" gives 401 {"message":"Unauthorized"}.
  test('the function throwing "Unauthorized" is 401', async () => {
    const res = await gw.call('GET', '/Prod/whoami', { headers: { Authorization: 'unauthorized' } });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), { message: 'Unauthorized' });
  });

  // Recorded in auth0-samples/jwt-rsa-aws-custom-authorizer PR #6 and aws/chalice #670: any other
  // error is 500 {"message": null}, x-amzn-ErrorType AuthorizerConfigurationException (serverless/examples #305).
  test('any other function error is 500 {"message":null} AuthorizerConfigurationException', async () => {
    const res = await gw.call('GET', '/Prod/whoami', { headers: { Authorization: 'crash' } });
    assert.equal(res.status, 500);
    assert.equal(res.text, '{"message":null}');
    assert.equal(res.headers['x-amzn-errortype'], 'AuthorizerConfigurationException');
  });

  // serverless-offline PR #1376 (checked against API Gateway): an object in context is an
  // AuthorizerConfigurationException; docs: principalId is a required output field.
  test('an object context value or a missing principalId is a configuration error (500)', async () => {
    for (const token of ['object-context', 'no-principal']) {
      const res = await gw.call('GET', '/Prod/whoami', { headers: { Authorization: token } });
      assert.equal(res.status, 500, token);
      assert.equal(res.headers['x-amzn-errortype'], 'AuthorizerConfigurationException');
    }
  });

  // Knowledge center "Why do I get API Gateway 401 Unauthorized errors after I create a Lambda
  // authorizer?": a missing token, or one failing the token validation expression, is 401 without invoking.
  test('a missing token or one failing identityValidationExpression is 401', async () => {
    for (const headers of [{}, { Authorization: '' }, { Authorization: 'Bearer allow' }] as Record<string, string>[]) {
      const res = await gw.call('GET', '/Prod/whoami', { headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.deepEqual(res.json(), { message: 'Unauthorized' });
    }
  });
});

describe('REST authorizer caching', () => {
  // Docs "Configure a Lambda authorizer": results are cached by identity source for the TTL, and the
  // cached policy is evaluated for each request; knowledge center "api-gateway-lambda-authorization-errors":
  // a cached policy naming one method ARN refuses other paths with "User is not authorized to access this resource".
  test('a cached answer is reused for the TTL and evaluated against each method ARN', async () => {
    const first = (await gw.call('GET', '/Prod/cached/1', { headers: { 'X-Token': 't1' } }).then((r) => r.json())) as Event;
    const again = (await gw.call('GET', '/Prod/cached/1', { headers: { 'X-Token': 't1' } }).then((r) => r.json())) as Event;
    assert.equal(again.requestContext.authorizer['calls'], first.requestContext.authorizer['calls']);
    assert.equal(again.requestContext.authorizer['principalId'], 't1');

    const otherPath = await gw.call('GET', '/Prod/cached/2', { headers: { 'X-Token': 't1' } });
    assert.equal(otherPath.status, 403);
    assert.deepEqual(otherPath.json(), { message: 'User is not authorized to access this resource' });

    const otherToken = (await gw.call('GET', '/Prod/cached/2', { headers: { 'X-Token': 't2' } }).then((r) => r.json())) as Event;
    assert.notEqual(otherToken.requestContext.authorizer['calls'], first.requestContext.authorizer['calls']);
  });

  test('TTL 0 invokes the function on every request', async () => {
    const a = (await gw.call('GET', '/Prod/whoami', { headers: { Authorization: 'allow' } }).then((r) => r.json())) as Event;
    const b = (await gw.call('GET', '/Prod/whoami', { headers: { Authorization: 'allow' } }).then((r) => r.json())) as Event;
    assert.notEqual(a.requestContext.authorizer['calls'], b.requestContext.authorizer['calls']);
  });
});

describe('REST REQUEST authorizer', () => {
  // Docs "Input to an API Gateway Lambda authorizer" (REQUEST type): headers, query string, path
  // parameters, stage variables and requestContext, plus type and methodArn.
  test('the event carries the request; the backend sees the context', async () => {
    const res = await gw.call('GET', '/Prod/request/42?tenant=acme', { headers: { 'X-User': 'bob' } });
    assert.equal(res.status, 200);
    const seen = JSON.parse(String((res.json() as Event).requestContext.authorizer['event'])) as Record<string, unknown>;
    assert.equal(seen['type'], 'REQUEST');
    assert.match(String(seen['methodArn']), /\/Prod\/GET\/request\/42$/);
    assert.equal(seen['resource'], '/request/{id}');
    assert.equal(seen['httpMethod'], 'GET');
    assert.equal((seen['headers'] as Record<string, string>)['X-User'], 'bob');
    assert.deepEqual(seen['queryStringParameters'], { tenant: 'acme' });
    assert.deepEqual(seen['pathParameters'], { id: '42' });
    assert.equal('body' in seen, false);
  });

  // Authorizer API reference (identitySource): every identity source must be present and non-empty,
  // otherwise 401 without calling the function.
  test('a missing identity source is 401', async () => {
    assert.equal((await gw.call('GET', '/Prod/request/1', { headers: { 'X-User': 'bob' } })).status, 401);
    assert.equal((await gw.call('GET', '/Prod/request/1?tenant=acme')).status, 401);
    assert.equal((await gw.call('GET', '/Prod/request/1?tenant=', { headers: { 'X-User': 'bob' } })).status, 401);
  });
});

describe('HTTP API Lambda authorizers', () => {
  let http: TestGateway;
  let dir: string;

  before(async () => {
    dir = writeFunctions({
      'index.mjs': `
let calls = 0;
export const simple = async (event) => ({ isAuthorized: event.headers.authorization === 'yes',
  context: { calls: ++calls, n: 1, list: ['a', 'b'], event: { type: event.type, version: event.version, routeArn: event.routeArn, identitySource: event.identitySource } } });
export const policy = async (event) => ({ principalId: 'p', context: { v1: event.version, token: event.authorizationToken, methodArn: event.methodArn },
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: event.headers.Authorization === 'yes' || event.headers.authorization === 'yes' ? 'Allow' : 'Deny', Resource: event.methodArn ?? event.routeArn }] } });
export const echo = async (event) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
`,
    });
    const route = (path: string, auth: string) => ({ Type: 'HttpApi', Properties: { ApiId: { Ref: 'Http' }, Path: path, Method: 'get', Auth: { Authorizer: auth } } });
    http = await startTestGateway(
      {
        Transform: 'AWS::Serverless-2016-10-31',
        Resources: {
          Http: {
            Type: 'AWS::Serverless::HttpApi',
            Properties: {
              Auth: {
                Authorizers: {
                  Simple: {
                    FunctionArn: { 'Fn::GetAtt': ['SimpleFn', 'Arn'] },
                    AuthorizerPayloadFormatVersion: '2.0',
                    EnableSimpleResponses: true,
                    Identity: { Headers: ['Authorization'], ReauthorizeEvery: 300 },
                  },
                  PolicyV1: { FunctionArn: { 'Fn::GetAtt': ['PolicyFn', 'Arn'] }, AuthorizerPayloadFormatVersion: '1.0', Identity: { Headers: ['Authorization'] } },
                  PolicyV2: { FunctionArn: { 'Fn::GetAtt': ['PolicyFn', 'Arn'] }, AuthorizerPayloadFormatVersion: '2.0', Identity: { Headers: ['Authorization'] } },
                },
              },
            },
          },
          SimpleFn: { Type: 'AWS::Serverless::Function', Properties: { Runtime: 'nodejs20.x', CodeUri: dir, Handler: 'index.simple' } },
          PolicyFn: { Type: 'AWS::Serverless::Function', Properties: { Runtime: 'nodejs20.x', CodeUri: dir, Handler: 'index.policy' } },
          EchoFn: {
            Type: 'AWS::Serverless::Function',
            Properties: {
              Runtime: 'nodejs20.x',
              CodeUri: dir,
              Handler: 'index.echo',
              Events: { A: route('/simple', 'Simple'), B: route('/v1', 'PolicyV1'), C: route('/v2', 'PolicyV2') },
            },
          },
        },
      },
      { fileName: 'template.yaml' },
    );
  });

  after(async () => {
    await http?.close();
    removeDir(dir);
  });

  type V2Event = { requestContext: { authorizer: { lambda: Record<string, unknown> } } };

  // Docs "Working with AWS Lambda authorizers for HTTP APIs": 2.0 events have type REQUEST, routeArn and
  // identitySource as a list; simple responses' context (any JSON) reaches requestContext.authorizer.lambda;
  // caching by identity source for authorizerResultTtlInSeconds.
  test('payload 2.0 simple response: event shape, context types kept, cached by identity source', async () => {
    const res = await http.call('GET', '/simple', { headers: { Authorization: 'yes' } });
    assert.equal(res.status, 200);
    const lambda = (res.json() as V2Event).requestContext.authorizer.lambda;
    assert.equal(lambda['n'], 1);
    assert.deepEqual(lambda['list'], ['a', 'b']);
    const event = lambda['event'] as Record<string, unknown>;
    assert.equal(event['type'], 'REQUEST');
    assert.equal(event['version'], '2.0');
    assert.deepEqual(event['identitySource'], ['yes']);
    assert.match(String(event['routeArn']), /^arn:aws:execute-api:us-east-1:000000000000:[a-z0-9]{10}\/\$default\/GET\/simple$/);
    const again = (await http.call('GET', '/simple', { headers: { Authorization: 'yes' } }).then((r) => r.json())) as V2Event;
    assert.equal(again.requestContext.authorizer.lambda['calls'], lambda['calls']);
  });

  // re:Post "http api lambda authorizer": isAuthorized false answers 403 {"message":"Forbidden"}.
  test('isAuthorized false is 403 Forbidden; a missing identity source 401', async () => {
    const denied = await http.call('GET', '/simple', { headers: { Authorization: 'no' } });
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.json(), { message: 'Forbidden' });
    const missing = await http.call('GET', '/simple');
    assert.equal(missing.status, 401);
    assert.deepEqual(missing.json(), { message: 'Unauthorized' });
  });

  // Docs (payload format 1.0): identitySource and authorizationToken hold the joined identity values;
  // an IAM policy answer is evaluated like REST's; context reaches requestContext.authorizer.lambda.
  test('payload 1.0 and 2.0 IAM policy responses', async () => {
    const v1 = await http.call('GET', '/v1', { headers: { Authorization: 'yes' } });
    assert.equal(v1.status, 200);
    const lambda = (v1.json() as V2Event).requestContext.authorizer.lambda;
    assert.equal(lambda['v1'], '1.0');
    assert.equal(lambda['token'], 'yes');
    assert.match(String(lambda['methodArn']), /\/\$default\/GET\/v1$/);
    assert.equal((await http.call('GET', '/v2', { headers: { Authorization: 'yes' } })).status, 200);
    const denied = await http.call('GET', '/v2', { headers: { Authorization: 'no' } });
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.json(), { message: 'Forbidden' });
  });
});
