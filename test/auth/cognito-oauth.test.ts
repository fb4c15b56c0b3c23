/**
 * The embedded user pool's OAuth 2.0 token endpoint: machine-to-machine access tokens from the
 * client_credentials grant with the scopes of the template's resource server, used against a REST
 * API's Cognito authorizer and an HTTP API's JWT authorizer that require scopes; refresh tokens from
 * InitiateAuth redeemed there; userInfo with a user access token; every refusal with Cognito's error.
 * AWS docs: Cognito Developer Guide "Token endpoint" (client_secret_basic / client_secret_post, HTTP 400
 * `{"error": ...}`, no refresh_token in a refresh response), "UserInfo endpoint", "Scopes, M2M, and API
 * authorization with resource servers", "Understanding the access token"; API Gateway "Integrate a REST
 * API with an Amazon Cognito user pool" (access token with one of the method's scopes, else 401
 * {"message":"Unauthorized"}), "Controlling access to HTTP APIs with JWT authorizers" (a token without
 * the route's scopes: 403 {"message":"Forbidden"}).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { call, startTestGateway, type TestGateway, type TestResponse } from '../support/gateway.js';
import { cognitoScheme, mock, restApi } from './support.js';

const ECHO = `export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext.authorizer.jwt.scopes) });`;
const users = (scopes: string[]) => ({ security: [{ Users: scopes }] });

const TEMPLATE = {
  Transform: 'AWS::Serverless-2016-10-31',
  Resources: {
    Pool: { Type: 'AWS::Cognito::UserPool', Properties: { UserPoolName: 'shop' } },
    Domain: { Type: 'AWS::Cognito::UserPoolDomain', Properties: { Domain: 'shop-auth', UserPoolId: { Ref: 'Pool' } } },
    Orders: {
      Type: 'AWS::Cognito::UserPoolResourceServer',
      Properties: { UserPoolId: { Ref: 'Pool' }, Identifier: 'orders', Name: 'orders', Scopes: [{ ScopeName: 'read', ScopeDescription: 'r' }, { ScopeName: 'write', ScopeDescription: 'w' }] },
    },
    Backend: {
      Type: 'AWS::Cognito::UserPoolClient',
      DependsOn: 'Orders',
      Properties: {
        UserPoolId: { Ref: 'Pool' },
        ClientName: 'backend',
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['client_credentials'],
        // Ref of a resource server is its identifier (CloudFormation AWS::Cognito::UserPoolResourceServer "Return values").
        AllowedOAuthScopes: [{ 'Fn::Sub': '${Orders}/read' }, 'orders/write'],
      },
    },
    Reporting: {
      Type: 'AWS::Cognito::UserPoolClient',
      DependsOn: 'Orders',
      Properties: { UserPoolId: { Ref: 'Pool' }, ClientName: 'reporting', GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['orders/read'] },
    },
    Web: {
      Type: 'AWS::Cognito::UserPoolClient',
      Properties: { UserPoolId: { Ref: 'Pool' }, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
    },
    Rest: restApi('rest', { '/orders': { get: mock('{"listed":true}', users(['orders/read'])), post: mock('{"placed":true}', users(['orders/write'])) } }, { Users: cognitoScheme('Pool') }),
    Http: {
      Type: 'AWS::Serverless::HttpApi',
      Properties: {
        Auth: {
          Authorizers: {
            Machines: {
              IdentitySource: '$request.header.Authorization',
              JwtConfiguration: { issuer: { 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}' }, audience: [{ Ref: 'Backend' }, { Ref: 'Reporting' }] },
            },
          },
        },
      },
    },
    Writer: {
      Type: 'AWS::Serverless::Function',
      Properties: {
        Runtime: 'nodejs20.x',
        CodeUri: 'fn',
        Handler: 'index.handler',
        Events: { Write: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Http' }, Path: '/orders', Method: 'post', Auth: { Authorizer: 'Machines', AuthorizationScopes: ['orders/write'] } } } },
      },
    },
  },
};

let gw: TestGateway;
let poolId: string;
const clients: Record<string, { id: string; secret: string }> = {};

before(async () => {
  gw = await startTestGateway(TEMPLATE, { fileName: 'template.yaml', files: { 'fn/index.mjs': ECHO } });
  const resource = (id: string) => gw.gatehouse.project.resources.find((r) => r.logicalId === id)!;
  poolId = resource('Pool').physicalId;
  for (const name of ['Backend', 'Reporting', 'Web']) {
    const r = resource(name);
    clients[name] = { id: r.physicalId, secret: String(r.attributes['ClientSecret']) };
  }
});

after(async () => {
  await gw?.close();
});

function basic(client: { id: string; secret: string }): string {
  return `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;
}

function tokenRequest(form: Record<string, string>, headers: Record<string, string> = {}, path = '/oauth2/token'): Promise<TestResponse> {
  return call(gw.gatehouse.awsUrl, 'POST', path, {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

async function m2mToken(client: { id: string; secret: string }, form: Record<string, string> = {}): Promise<string> {
  const res = await tokenRequest({ grant_type: 'client_credentials', ...form }, { Authorization: basic(client) });
  assert.equal(res.status, 200, res.text);
  return (res.json() as { access_token: string }).access_token;
}

test('client_credentials: an access token for the client with every scope it is allowed, as Cognito shapes it', async () => {
  const res = await tokenRequest({ grant_type: 'client_credentials' }, { Authorization: basic(clients['Backend']!) });
  assert.equal(res.status, 200, res.text);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'token_type']);
  assert.equal(body['token_type'], 'Bearer');
  assert.equal(body['expires_in'], 3600);
  const claims = decodeJwt(String(body['access_token']));
  assert.equal(claims.iss, `https://cognito-idp.us-east-1.amazonaws.com/${poolId}`);
  assert.equal(claims.sub, clients['Backend']!.id);
  assert.equal(claims['client_id'], clients['Backend']!.id);
  assert.equal(claims['token_use'], 'access');
  assert.equal(claims['scope'], 'orders/read orders/write');
  assert.equal(claims['version'], 2);
  assert.equal(claims['username'], undefined);
});

test('client_secret_post on the pool domain (Host header), asking for one scope', async () => {
  const res = await tokenRequest(
    { grant_type: 'client_credentials', client_id: clients['Backend']!.id, client_secret: clients['Backend']!.secret, scope: 'orders/read' },
    { Host: 'shop-auth.auth.us-east-1.amazoncognito.com' },
  );
  assert.equal(res.status, 200, res.text);
  assert.equal(decodeJwt((res.json() as { access_token: string }).access_token)['scope'], 'orders/read');
  // Another pool's domain does not know the client.
  const other = await tokenRequest({ grant_type: 'client_credentials', client_id: clients['Backend']!.id, client_secret: clients['Backend']!.secret }, { Host: 'elsewhere.auth.localhost' });
  assert.equal(other.status, 400);
  assert.deepEqual(other.json(), { error: 'invalid_client' });
});

test('REST Cognito authorizer with scopes: the right scope passes, a token without it is 401 Unauthorized', async () => {
  const read = await m2mToken(clients['Reporting']!);
  const write = await m2mToken(clients['Backend']!, { scope: 'orders/write' });
  assert.deepEqual((await gw.call('GET', '/Prod/orders', { headers: { Authorization: read } })).json(), { listed: true });
  assert.deepEqual((await gw.call('POST', '/Prod/orders', { headers: { Authorization: write } })).json(), { placed: true });
  const refused = await gw.call('POST', '/Prod/orders', { headers: { Authorization: read } });
  assert.equal(refused.status, 401);
  assert.deepEqual(refused.json(), { message: 'Unauthorized' });
});

test('HTTP API JWT authorizer with scopes: the right scope passes, a token without it is 403 Forbidden', async () => {
  const read = await m2mToken(clients['Reporting']!);
  const write = await m2mToken(clients['Backend']!);
  const allowed = await gw.call('POST', '/orders', { headers: { Authorization: `Bearer ${write}` } });
  assert.equal(allowed.status, 200, allowed.text);
  assert.deepEqual(allowed.json(), ['orders/read', 'orders/write']);
  const refused = await gw.call('POST', '/orders', { headers: { Authorization: `Bearer ${read}` } });
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.json(), { message: 'Forbidden' });
});

test('refusals carry the token endpoint errors, all HTTP 400', async () => {
  const backend = clients['Backend']!;
  const cases: [string, Promise<TestResponse>][] = [
    ['invalid_client', tokenRequest({ grant_type: 'client_credentials' }, { Authorization: basic({ id: backend.id, secret: 'wrong' }) })],
    ['invalid_client', tokenRequest({ grant_type: 'client_credentials' }, { Authorization: basic({ id: 'nosuchclient', secret: 'x' }) })],
    ['invalid_client', tokenRequest({ grant_type: 'client_credentials', client_id: backend.id })],
    ['invalid_request', tokenRequest({ client_id: backend.id, client_secret: backend.secret })],
    ['unsupported_grant_type', tokenRequest({ grant_type: 'password', username: 'a', password: 'b' }, { Authorization: basic(backend) })],
    ['invalid_scope', tokenRequest({ grant_type: 'client_credentials', scope: 'orders/write' }, { Authorization: basic(clients['Reporting']!) })],
    ['invalid_scope', tokenRequest({ grant_type: 'client_credentials', scope: 'orders/delete' }, { Authorization: basic(backend) })],
    ['unauthorized_client', tokenRequest({ grant_type: 'client_credentials', client_id: clients['Web']!.id })],
    ['unauthorized_client', tokenRequest({ grant_type: 'authorization_code', code: 'abc', redirect_uri: 'https://x' }, { Authorization: basic(backend) })],
    ['invalid_grant', tokenRequest({ grant_type: 'refresh_token', client_id: clients['Web']!.id, refresh_token: 'not-a-token' })],
    ['invalid_request', tokenRequest({ grant_type: 'refresh_token', client_id: clients['Web']!.id })],
  ];
  for (const [error, pending] of cases) {
    const res = await pending;
    assert.equal(res.status, 400, `${error}: ${res.text}`);
    assert.deepEqual(res.json(), { error });
  }
  const notForm = await call(gw.gatehouse.awsUrl, 'POST', '/oauth2/token', { headers: { 'Content-Type': 'application/json' }, body: '{"grant_type":"client_credentials"}' });
  assert.deepEqual(notForm.json(), { error: 'invalid_request' });
});

test('refresh_token grant at /{poolId}/oauth2/token, then userInfo with the new access token', async () => {
  const admin = (operation: string, input: Record<string, unknown>) =>
    call(gw.gatehouse.awsUrl, 'POST', '/', {
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${operation}` },
      body: JSON.stringify({ UserPoolId: poolId, ...input }),
    });
  await admin('AdminCreateUser', { Username: 'ada', UserAttributes: [{ Name: 'email', Value: 'ada@example.com' }], MessageAction: 'SUPPRESS' });
  await admin('AdminSetUserPassword', { Username: 'ada', Password: 'Analytical-Engine1', Permanent: true });
  const signIn = await admin('AdminInitiateAuth', { ClientId: clients['Web']!.id, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ada', PASSWORD: 'Analytical-Engine1' } });
  const refreshToken = (signIn.json() as { AuthenticationResult: { RefreshToken: string } }).AuthenticationResult.RefreshToken;

  const res = await tokenRequest({ grant_type: 'refresh_token', client_id: clients['Web']!.id, refresh_token: refreshToken }, {}, `/${poolId}/oauth2/token`);
  assert.equal(res.status, 200, res.text);
  const body = res.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'id_token', 'token_type']);
  assert.equal(decodeJwt(String(body['id_token']))['cognito:username'], 'ada');

  const info = await call(gw.gatehouse.awsUrl, 'GET', '/oauth2/userInfo', { headers: { Authorization: `Bearer ${String(body['access_token'])}` } });
  assert.equal(info.status, 200, info.text);
  const profile = info.json() as Record<string, string>;
  assert.equal(profile['email'], 'ada@example.com');
  assert.equal(profile['username'], 'ada');
  assert.match(profile['sub']!, /^[0-9a-f-]{36}$/);

  // A machine token has no user; no token at all is a bad request.
  const machine = await call(gw.gatehouse.awsUrl, 'GET', '/oauth2/userInfo', { headers: { Authorization: `Bearer ${await m2mToken(clients['Backend']!)}` } });
  assert.equal(machine.status, 401);
  assert.match(String(machine.headers['www-authenticate']), /^error="invalid_token"/);
  const missing = await call(gw.gatehouse.awsUrl, 'GET', '/oauth2/userInfo');
  assert.equal(missing.status, 400);
  assert.match(String(missing.headers['www-authenticate']), /^error="invalid_request"/);

  const discovery = await call(gw.gatehouse.awsUrl, 'GET', `/${poolId}/.well-known/openid-configuration`);
  assert.equal((discovery.json() as Record<string, string>)['token_endpoint'], `${gw.gatehouse.awsUrl}/${poolId}/oauth2/token`);
});

test('a resource server, an app client and a domain made through the API serve client_credentials at once', async () => {
  const idp = async <T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T> => {
    const res = await call(gw.gatehouse.awsUrl, 'POST', '/', {
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${operation}` },
      body: JSON.stringify(input),
    });
    assert.equal(res.status, 200, `${operation}: ${res.text}`);
    return res.json() as T;
  };
  const server = await idp('CreateResourceServer', { UserPoolId: poolId, Identifier: 'https://invoices.example.com', Name: 'invoices', Scopes: [{ ScopeName: 'send', ScopeDescription: 's' }] });
  assert.deepEqual(server['ResourceServer'], { UserPoolId: poolId, Identifier: 'https://invoices.example.com', Name: 'invoices', Scopes: [{ ScopeName: 'send', ScopeDescription: 's' }] });
  const listed = await idp<{ ResourceServers: { Identifier: string }[] }>('ListResourceServers', { UserPoolId: poolId, MaxResults: 10 });
  assert.deepEqual(listed.ResourceServers.map((r) => r.Identifier), ['https://invoices.example.com', 'orders']);
  const made = await idp<{ UserPoolClient: { ClientId: string; ClientSecret: string } }>('CreateUserPoolClient', {
    UserPoolId: poolId,
    ClientName: 'invoicer',
    GenerateSecret: true,
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['client_credentials'],
    AllowedOAuthScopes: ['https://invoices.example.com/send'],
  });
  const client = { id: made.UserPoolClient.ClientId, secret: made.UserPoolClient.ClientSecret };
  await idp('CreateUserPoolDomain', { UserPoolId: poolId, Domain: 'billing-auth' });
  assert.equal((await idp<{ DomainDescription: { UserPoolId: string } }>('DescribeUserPoolDomain', { Domain: 'billing-auth' })).DomainDescription.UserPoolId, poolId);
  // DescribeUserPoolDomain of a domain nobody has: an empty description, not an error.
  assert.deepEqual(await idp('DescribeUserPoolDomain', { Domain: 'nobody-has-this' }), { DomainDescription: {} });

  const res = await tokenRequest({ grant_type: 'client_credentials' }, { Authorization: basic(client), Host: 'billing-auth.auth.localhost' });
  assert.equal(res.status, 200, res.text);
  assert.equal(decodeJwt((res.json() as { access_token: string }).access_token)['scope'], 'https://invoices.example.com/send');
});

// The token endpoint and the keys are public on AWS: --verify-signatures must not ask them for SigV4.
test('with --verify-signatures the token endpoint and the JWKS still answer unsigned requests', async () => {
  const strict = await startTestGateway(TEMPLATE, { fileName: 'template.yaml', files: { 'fn/index.mjs': ECHO }, serve: { verifySignatures: { accessKeys: {} } } });
  try {
    const backend = strict.gatehouse.project.resources.find((r) => r.logicalId === 'Backend')!;
    const res = await call(strict.gatehouse.awsUrl, 'POST', '/oauth2/token', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic({ id: backend.physicalId, secret: String(backend.attributes['ClientSecret']) }) },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 200, res.text);
    const keys = await call(strict.gatehouse.awsUrl, 'GET', `/${poolId}/.well-known/jwks.json`);
    assert.equal(keys.status, 200, keys.text);
    // A signed API call with a wrong key is still refused.
    const unsigned = await call(strict.gatehouse.awsUrl, 'POST', '/', {
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.ListUserPools' },
      body: '{"MaxResults":1}',
    });
    assert.equal(unsigned.status, 400);
  } finally {
    await strict.close();
  }
});
