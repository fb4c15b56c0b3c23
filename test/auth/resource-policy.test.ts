/** Resource policies alone and combined with a Lambda authorizer, through a real gatehouse (callers come from 127.0.0.1). */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { mock, removeDir, writeFunctions } from './support.js';

let gw: TestGateway;
let codeDir: string;

const policy = (statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });
const invoke = (effect: string, resource: string, condition?: unknown) => ({
  Effect: effect,
  Principal: '*',
  Action: 'execute-api:Invoke',
  Resource: resource,
  ...(condition !== undefined && { Condition: condition }),
});
const hostOf = (logicalId: string) => ({ host: `${gw.gatehouse.project.apis.find((a) => a.logicalId === logicalId)!.id}.execute-api.localhost` });

before(async () => {
  codeDir = writeFunctions({
    'index.mjs': `
let calls = 0;
export const authorizer = async (event) => {
  calls++;
  const stage = event.methodArn.split('/').slice(0, 2).join('/');
  const resource = event.authorizationToken === 'allow' ? event.methodArn : stage + '/GET/elsewhere';
  return { principalId: 'u', context: { calls }, policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }] } };
};
`,
  });
  const openapi = (paths: Record<string, unknown>, resourcePolicy: unknown) => ({
    openapi: '3.0.1',
    info: { title: 'policy', version: '1' },
    'x-amazon-apigateway-policy': resourcePolicy,
    paths,
  });
  gw = await startTestGateway(
    {
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: {
        // Allows everyone, denies one method to loopback callers.
        Open: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'Prod',
            DefinitionBody: openapi(
              { '/open': { get: mock('{"open":true}') }, '/blocked': { get: mock('{"blocked":false}') } },
              policy([invoke('Allow', 'execute-api:/*'), invoke('Deny', 'execute-api:/*/GET/blocked', { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } })]),
            ),
          },
        },
        // Allows only 10.0.0.0/8: loopback callers are implicitly denied.
        Closed: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'Prod',
            DefinitionBody: openapi({ '/x': { get: mock('{}') } }, policy([invoke('Allow', 'execute-api:/*', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })])),
          },
        },
        // SAM shorthand: IpRangeBlacklist.
        Sam: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'Prod',
            DefinitionBody: openapi({ '/x': { get: mock('{}') } }, undefined),
            Auth: { ResourcePolicy: { IpRangeBlacklist: ['127.0.0.1', '::1'] } },
          },
        },
        // A Lambda authorizer with a policy allowing /allowed-by-policy and denying /denied-by-policy.
        WithAuthorizer: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'Prod',
            DefinitionBody: openapi(
              {
                '/allowed-by-policy': { get: mock('{"calls":"$context.authorizer.calls"}') },
                '/denied-by-policy': { get: mock('{}') },
                '/silent': { get: mock('{}') },
              },
              policy([invoke('Allow', 'execute-api:/*/GET/allowed-by-policy'), invoke('Deny', 'execute-api:/*/GET/denied-by-policy')]),
            ),
            Auth: {
              DefaultAuthorizer: 'Token',
              Authorizers: { Token: { FunctionArn: { 'Fn::GetAtt': ['AuthorizerFn', 'Arn'] }, Identity: { Header: 'Authorization', ReauthorizeEvery: 0 } } },
            },
          },
        },
        AuthorizerFn: { Type: 'AWS::Serverless::Function', Properties: { Runtime: 'nodejs20.x', CodeUri: codeDir, Handler: 'index.authorizer' } },
      },
    },
    { fileName: 'template.yaml' },
  );
});

after(async () => {
  await gw?.close();
  removeDir(codeDir);
});

const arnPattern = (path: string) => new RegExp(`^arn:aws:execute-api:us-east-1:000000000000:[a-z0-9]{10}/Prod/GET${path}$`);

describe('resource policy only', () => {
  // Docs "How API Gateway resource policies affect authorization workflow": with no authorizer the
  // policy must explicitly allow; knowledge center "api-gateway-403-error-lambda-authorizer" gives the
  // bodies "User: anonymous is not authorized to perform: execute-api:Invoke on resource: <arn>[ with an explicit deny]".
  test('an explicit Deny by source IP is 403 with the explicit deny message', async () => {
    assert.equal((await gw.call('GET', '/Prod/open', { headers: hostOf('Open') })).status, 200);
    const res = await gw.call('GET', '/Prod/blocked', { headers: hostOf('Open') });
    assert.equal(res.status, 403);
    const message = (res.json() as { message: string }).message;
    const prefix = 'User: anonymous is not authorized to perform: execute-api:Invoke on resource: ';
    assert.ok(message.startsWith(prefix) && message.endsWith(' with an explicit deny'), message);
    assert.match(message.slice(prefix.length, -' with an explicit deny'.length), arnPattern('/blocked'));
  });

  test('no statement allowing the caller is an implicit deny', async () => {
    const res = await gw.call('GET', '/Prod/x', { headers: hostOf('Closed') });
    assert.equal(res.status, 403);
    const message = (res.json() as { message: string }).message;
    assert.match(message, /^User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:\S+\/Prod\/GET\/x$/);
  });

  // SAM "ApiAuth" ResourcePolicy: IpRangeBlacklist denies the listed ranges.
  test('SAM IpRangeBlacklist', async () => {
    const res = await gw.call('GET', '/Prod/x', { headers: hostOf('Sam') });
    assert.equal(res.status, 403);
    assert.match((res.json() as { message: string }).message, / with an explicit deny$/);
  });
});

describe('resource policy with a Lambda authorizer (Table A)', () => {
  test('resource policy Allow + authorizer silent = Allow', async () => {
    const res = await gw.call('GET', '/Prod/allowed-by-policy', { headers: { ...hostOf('WithAuthorizer'), Authorization: 'silent' } });
    assert.equal(res.status, 200);
  });

  test('resource policy Deny = explicit deny, before the authorizer runs', async () => {
    const res = await gw.call('GET', '/Prod/denied-by-policy', { headers: { ...hostOf('WithAuthorizer'), Authorization: 'allow' } });
    assert.equal(res.status, 403);
    assert.match((res.json() as { message: string }).message, / with an explicit deny$/);
    // The policy's explicit deny is checked "before calling the Lambda authorizer": no token needed to be refused.
    assert.equal((await gw.call('GET', '/Prod/denied-by-policy', { headers: hostOf('WithAuthorizer') })).status, 403);
  });

  test('both silent = implicit deny; authorizer Allow + resource policy silent = Allow', async () => {
    const res = await gw.call('GET', '/Prod/silent', { headers: { ...hostOf('WithAuthorizer'), Authorization: 'silent' } });
    assert.equal(res.status, 403);
    assert.deepEqual(res.json(), { message: 'User is not authorized to access this resource' });
    assert.equal((await gw.call('GET', '/Prod/silent', { headers: { ...hostOf('WithAuthorizer'), Authorization: 'allow' } })).status, 200);
  });
});
