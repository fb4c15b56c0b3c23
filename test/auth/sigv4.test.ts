/** AWS_IAM methods through a real gatehouse, requests signed with the AWS SDK's SigV4 signer (@smithy/signature-v4). */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { signedCall, type Credentials } from '../support/sigv4.js';
import { mock, samRestApi, SIGV4_SCHEME } from './support.js';

const IDENTITY = '{"accessKey":"$context.identity.accessKey","accountId":"$context.identity.accountId","caller":"$context.identity.caller","user":"$context.identity.user","userArn":"$context.identity.userArn"}';

function iamTemplate(withKeys: boolean): object {
  return {
    Transform: 'AWS::Serverless-2016-10-31',
    Resources: {
      Api: samRestApi('iam', {
        components: { securitySchemes: SIGV4_SCHEME },
        paths: {
          '/iam': { get: mock(IDENTITY, { security: [{ sigv4: [] }] }), post: mock(IDENTITY, { security: [{ sigv4: [] }] }) },
          '/denied': { get: mock('{}', { security: [{ sigv4: [] }] }) },
        },
        'x-amazon-apigateway-policy': {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
            { Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::000000000000:user/alice' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*/GET/denied' },
          ],
        },
      }),
      ...(withKeys && {
        Alice: { Type: 'AWS::IAM::User', Properties: { UserName: 'alice' } },
        AliceKey: { Type: 'AWS::IAM::AccessKey', Properties: { UserName: { Ref: 'Alice' } } },
      }),
    },
  };
}

describe('AWS_IAM with declared access keys', () => {
  let gw: TestGateway;
  let alice: Credentials;

  before(async () => {
    gw = await startTestGateway(iamTemplate(true), { fileName: 'template.yaml' });
    const key = gw.gatehouse.project.resources.find((r) => r.logicalId === 'AliceKey')!;
    alice = { accessKeyId: key.physicalId, secretAccessKey: key.attributes['SecretAccessKey'] as string };
  });

  after(async () => {
    await gw?.close();
  });

  // Gateway response MISSING_AUTHENTICATION_TOKEN (403) — "Gateway response types"; the body recorded in the
  // public conformance case gateway/missing-auth-token.
  test('an unsigned request is 403 Missing Authentication Token', async () => {
    const res = await gw.call('GET', '/Prod/iam');
    assert.equal(res.status, 403);
    assert.deepEqual(res.json(), { message: 'Missing Authentication Token' });
    assert.equal(res.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
  });

  // Mapping template reference: $context.identity.accessKey / accountId / caller / user / userArn for IAM callers.
  test('a valid header signature passes and fills $context.identity', async () => {
    const res = await signedCall(gw, alice, 'GET', '/Prod/iam?b=2&a=1');
    assert.equal(res.status, 200, res.text);
    const identity = res.json() as Record<string, string>;
    assert.equal(identity['accessKey'], alice.accessKeyId);
    assert.equal(identity['accountId'], '000000000000');
    assert.match(identity['userArn']!, /^arn:aws:iam::000000000000:user\/(.*\/)?alice$/);
    assert.match(identity['user']!, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(identity['caller'], identity['user']);
  });

  test('a signed body and a pre-signed URL pass', async () => {
    assert.equal((await signedCall(gw, alice, 'POST', '/Prod/iam', { body: '{"a":1}' })).status, 200);
    assert.equal((await signedCall(gw, alice, 'GET', '/Prod/iam?x=y', { presign: true })).status, 200);
  });

  // IAM "Signature Version 4" errors: SignatureDoesNotMatch text; API Gateway answers 403 InvalidSignatureException.
  test('a tampered query, body or secret is 403 with the signature mismatch message', async () => {
    const cases = [
      await signedCall(gw, alice, 'GET', '/Prod/iam?a=1', { tamper: (r) => (r.path = '/Prod/iam?a=2') }),
      await signedCall(gw, alice, 'POST', '/Prod/iam', { body: '{"a":1}', tamper: (r) => (r.body = '{"a":2}') }),
      await signedCall(gw, { ...alice, secretAccessKey: 'wrong-secret' }, 'GET', '/Prod/iam'),
    ];
    for (const res of cases) {
      assert.equal(res.status, 403);
      assert.ok((res.json() as { message: string }).message.startsWith('The request signature we calculated does not match the signature you provided.'));
      assert.equal(res.headers['x-amzn-errortype'], 'InvalidSignatureException');
    }
  });

  // API Gateway's wording for stale signatures: "Signature expired: <date> is now earlier than <now - 5 min> (<now> - 5 min.)".
  test('a signature older than 5 minutes is 403 Signature expired', async () => {
    const res = await signedCall(gw, alice, 'GET', '/Prod/iam', { signingDate: new Date(Date.now() - 10 * 60 * 1000) });
    assert.equal(res.status, 403);
    assert.match((res.json() as { message: string }).message, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
  });

  test('an access key nobody declared is refused', async () => {
    const res = await signedCall(gw, { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' }, 'GET', '/Prod/iam');
    assert.equal(res.status, 403);
    assert.deepEqual(res.json(), { message: 'The security token included in the request is invalid.' });
  });

  // "How API Gateway resource policies affect authorization workflow", Table A: an explicit deny in the
  // resource policy refuses an authenticated caller, naming the caller's ARN.
  test('a resource policy Deny for the caller is 403 naming the caller', async () => {
    const res = await signedCall(gw, alice, 'GET', '/Prod/denied');
    assert.equal(res.status, 403);
    assert.match((res.json() as { message: string }).message, /^User: arn:aws:iam::000000000000:user\/(.*\/)?alice is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:\S+\/Prod\/GET\/denied with an explicit deny$/);
  });
});

describe('AWS_IAM without declared keys', () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startTestGateway(iamTemplate(false), { fileName: 'template.yaml' });
  });

  after(async () => {
    await gw?.close();
  });

  // DESIGN contract: like the embedded endpoint, any credentials are accepted when none are declared.
  test('any access key is accepted as the account', async () => {
    const res = await signedCall(gw, { accessKeyId: 'AKIAANYTHING', secretAccessKey: 'whatever' }, 'GET', '/Prod/iam');
    assert.equal(res.status, 200);
    const identity = res.json() as Record<string, string>;
    assert.equal(identity['accessKey'], 'AKIAANYTHING');
    assert.equal(identity['userArn'], 'arn:aws:iam::000000000000:root');
    assert.equal((await gw.call('GET', '/Prod/iam')).status, 403);
  });
});
