/**
 * `--enforce-iam` on AWS_IAM methods: the caller's identity-based policies (inline, group, customer
 * managed, attached AWS::IAM::Policy) decide `execute-api:Invoke` on the method ARN, combined with the
 * resource policy as API Gateway documents it; credentials from the IAM config act as a role session.
 * Sources: IAM User Guide "Policy evaluation logic" (explicit deny > allow > implicit deny), "IAM policy
 * elements: Variables and tags"; API Gateway "Control access to a REST API with IAM permissions"
 * (`arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}`), "How API Gateway resource
 * policies affect authorization workflow" (Table A: same account, either policy may allow, a deny wins);
 * the 403 body "User: {arn} is not authorized to perform: execute-api:Invoke on resource: {arn}" as in the
 * AWS knowledge center article "api-gateway-403-error-lambda-authorizer".
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { signedCall, type Credentials } from '../support/sigv4.js';
import { mock, samRestApi, SIGV4_SCHEME } from './support.js';

const IDENTITY = '{"userArn":"$context.identity.userArn","caller":"$context.identity.caller"}';
const iam = (op: Record<string, unknown> = {}) => mock(IDENTITY, { security: [{ sigv4: [] }], ...op });
const invoke = (resource: string | string[], effect = 'Allow') => ({ Version: '2012-10-17', Statement: [{ Effect: effect, Action: 'execute-api:Invoke', Resource: resource }] });

const TEMPLATE = {
  Transform: 'AWS::Serverless-2016-10-31',
  Resources: {
    Api: samRestApi('iam', {
      components: { securitySchemes: SIGV4_SCHEME },
      paths: {
        '/reports': { get: iam(), post: iam() },
        '/admin': { get: iam() },
        '/public': { get: iam() },
        '/users/{id}': { get: iam() },
      },
      'x-amazon-apigateway-policy': {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['Carol', 'Arn'] } }, Action: 'execute-api:Invoke', Resource: 'execute-api:/Prod/GET/public' }],
      },
    }),
    Alice: {
      Type: 'AWS::IAM::User',
      Properties: {
        UserName: 'alice',
        Policies: [
          { PolicyName: 'read-reports', PolicyDocument: invoke('arn:aws:execute-api:*:*:*/Prod/GET/reports') },
          { PolicyName: 'no-admin', PolicyDocument: { Statement: [{ Effect: 'Deny', Action: 'execute-api:*', Resource: 'arn:aws:execute-api:*:*:*/*/*/admin' }] } },
          { PolicyName: 'everything-else', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', NotResource: ['arn:aws:execute-api:*:*:*/Prod/POST/*', 'arn:aws:execute-api:*:*:*/Prod/GET/public', 'arn:aws:execute-api:*:*:*/Prod/GET/users/*'] }] } },
        ],
      },
    },
    AliceKey: { Type: 'AWS::IAM::AccessKey', Properties: { UserName: { Ref: 'Alice' } } },
    Admins: { Type: 'AWS::IAM::Group', Properties: { GroupName: 'admins', ManagedPolicyArns: [{ Ref: 'InvokeAll' }] } },
    InvokeAll: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: invoke('arn:aws:execute-api:us-east-1:000000000000:*/Prod/*') } },
    Bob: { Type: 'AWS::IAM::User', Properties: { UserName: 'bob', Groups: [{ Ref: 'Admins' }] } },
    BobKey: { Type: 'AWS::IAM::AccessKey', Properties: { UserName: { Ref: 'Bob' } } },
    Carol: { Type: 'AWS::IAM::User', Properties: { UserName: 'carol' } },
    CarolKey: { Type: 'AWS::IAM::AccessKey', Properties: { UserName: { Ref: 'Carol' } } },
    AppUser: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'app-user', AssumeRolePolicyDocument: { Statement: [] } } },
    OwnProfile: {
      Type: 'AWS::IAM::Policy',
      Properties: { PolicyName: 'own-profile', Roles: [{ Ref: 'AppUser' }], PolicyDocument: invoke('arn:aws:execute-api:*:*:*/Prod/GET/users/${cognito-identity.amazonaws.com:sub}') },
    },
  },
};

const CONFIG = {
  credentials: [{ accessKeyId: 'ASIAEXAMPLESESSION1', secretAccessKey: 'session-secret', role: 'AppUser', sessionName: 'web', context: { 'cognito-identity.amazonaws.com:sub': 'us-east-1:1111' } }],
};

let gw: TestGateway;
const keys: Record<string, Credentials> = {};
let apiId: string;

before(async () => {
  gw = await startTestGateway(TEMPLATE, { fileName: 'template.yaml', iam: { enforce: true, config: CONFIG } });
  for (const name of ['Alice', 'Bob', 'Carol']) {
    const key = gw.gatehouse.project.resources.find((r) => r.logicalId === `${name}Key`)!;
    keys[name] = { accessKeyId: key.physicalId, secretAccessKey: String(key.attributes['SecretAccessKey']) };
  }
  keys['Session'] = { accessKeyId: 'ASIAEXAMPLESESSION1', secretAccessKey: 'session-secret' };
  apiId = gw.gatehouse.deployment.apis[0]!.id;
});

after(async () => {
  await gw?.close();
});

const arn = (method: string, path: string) => `arn:aws:execute-api:us-east-1:000000000000:${apiId}/Prod/${method}${path}`;
const denied = (user: string, method: string, path: string, explicit = false) => ({
  message: `User: arn:aws:iam::000000000000:user/${user} is not authorized to perform: execute-api:Invoke on resource: ${arn(method, path)}${explicit ? ' with an explicit deny' : ''}`,
});

describe('identity policies decide execute-api:Invoke', () => {
  test('an inline Allow on the method ARN is 200; no statement for the method is 403 (implicit deny)', async () => {
    const ok = await signedCall(gw, keys['Alice']!, 'GET', '/Prod/reports');
    assert.equal(ok.status, 200, ok.text);
    assert.equal((ok.json() as { userArn: string }).userArn, 'arn:aws:iam::000000000000:user/alice');
    const post = await signedCall(gw, keys['Alice']!, 'POST', '/Prod/reports', { body: '{}' });
    assert.equal(post.status, 403);
    assert.deepEqual(post.json(), denied('alice', 'POST', '/reports'));
  });

  test('an explicit Deny beats the NotResource Allow that also matches', async () => {
    const res = await signedCall(gw, keys['Alice']!, 'GET', '/Prod/admin');
    assert.equal(res.status, 403);
    assert.deepEqual(res.json(), denied('alice', 'GET', '/admin', true));
    assert.equal(res.headers['x-amzn-errortype'], 'AccessDeniedException');
  });

  test("a group's customer managed policy allows its members", async () => {
    for (const [method, path] of [['GET', '/Prod/admin'], ['POST', '/Prod/reports'], ['GET', '/Prod/users/x']] as const) {
      const res = await signedCall(gw, keys['Bob']!, method, path, method === 'POST' ? { body: '{}' } : {});
      assert.equal(res.status, 200, `${method} ${path}: ${res.text}`);
    }
  });

  test('a user without policies is denied, except where the same-account resource policy allows it (Table A)', async () => {
    const res = await signedCall(gw, keys['Carol']!, 'GET', '/Prod/reports');
    assert.equal(res.status, 403);
    assert.deepEqual(res.json(), denied('carol', 'GET', '/reports'));
    assert.equal((await signedCall(gw, keys['Carol']!, 'GET', '/Prod/public')).status, 200);
    assert.equal((await signedCall(gw, keys['Alice']!, 'GET', '/Prod/public')).status, 403);
  });

  test('an access key nobody declared is refused', async () => {
    const res = await signedCall(gw, { accessKeyId: 'AKIANOBODY', secretAccessKey: 'x' }, 'GET', '/Prod/reports');
    assert.equal(res.status, 403);
    assert.deepEqual(res.json(), { message: 'The security token included in the request is invalid.' });
  });
});

describe('a role session from the IAM config', () => {
  test('policy variables: the attached policy allows only the path of its own cognito identity', async () => {
    const own = await signedCall(gw, keys['Session']!, 'GET', '/Prod/users/us-east-1:1111');
    assert.equal(own.status, 200, own.text);
    const body = own.json() as { userArn: string; caller: string };
    assert.equal(body.userArn, 'arn:aws:sts::000000000000:assumed-role/app-user/web');
    assert.match(body.caller, /^AROA[A-Z0-9]{17}:web$/);
    const other = await signedCall(gw, keys['Session']!, 'GET', '/Prod/users/us-east-1:2222');
    assert.equal(other.status, 403);
    assert.match((other.json() as { message: string }).message, /^User: arn:aws:sts::000000000000:assumed-role\/app-user\/web is not authorized to perform: execute-api:Invoke on resource: /);
  });
});

test('without --enforce-iam a declared user needs no identity policy (only the signature is checked)', async () => {
  const open = await startTestGateway(TEMPLATE, { fileName: 'template.yaml' });
  try {
    const key = open.gatehouse.project.resources.find((r) => r.logicalId === 'CarolKey')!;
    const res = await signedCall(open, { accessKeyId: key.physicalId, secretAccessKey: String(key.attributes['SecretAccessKey']) }, 'GET', '/Prod/reports');
    assert.equal(res.status, 200, res.text);
  } finally {
    await open.close();
  }
});

test('with --enforce-iam a broken identity policy fails the start, naming file and JSON pointer', async () => {
  const broken = {
    Resources: {
      Bad: { Type: 'AWS::IAM::User', Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] } }] } },
      BadKey: { Type: 'AWS::IAM::AccessKey', Properties: { UserName: { Ref: 'Bad' } } },
    },
  };
  await assert.rejects(startTestGateway(broken, { fileName: 'template.yaml', iam: { enforce: true } }), /template\.yaml#\/Resources\/Bad\/Properties\/Policies\/0\/PolicyDocument: Statement\[0\]\.Effect must be Allow or Deny/);
});
