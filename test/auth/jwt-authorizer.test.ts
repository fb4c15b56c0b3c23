/** HTTP API JWT authorizers (through a real gatehouse) and REST Cognito user pool authorizers (JWKS resolver overridden). */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { mock, removeDir, startHarness, startIssuer, writeFunctions, type Harness, type Issuer } from './support.js';

let issuer: Issuer;

before(async () => {
  issuer = await startIssuer();
});

after(async () => {
  await issuer?.close();
});

describe('HTTP API JWT authorizer', () => {
  let gw: TestGateway;
  let dir: string;

  before(async () => {
    dir = writeFunctions({
      'index.mjs': `export const handler = async (event) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });`,
    });
    const event = (path: string, scopes?: string[]) => ({
      Type: 'HttpApi',
      Properties: { ApiId: { Ref: 'Http' }, Path: path, Method: 'get', ...(scopes && { Auth: { Authorizer: 'Jwt', AuthorizationScopes: scopes } }) },
    });
    gw = await startTestGateway(
      {
        Transform: 'AWS::Serverless-2016-10-31',
        Resources: {
          Http: {
            Type: 'AWS::Serverless::HttpApi',
            Properties: {
              Auth: {
                DefaultAuthorizer: 'Jwt',
                Authorizers: { Jwt: { IdentitySource: '$request.header.Authorization', JwtConfiguration: { issuer: issuer.url, audience: ['client-a', 'client-b'] } } },
              },
            },
          },
          Echo: {
            Type: 'AWS::Serverless::Function',
            Properties: { Runtime: 'nodejs20.x', CodeUri: dir, Handler: 'index.handler', Events: { Me: event('/me'), Scoped: event('/scoped', ['read:things']) } },
          },
        },
      },
      { fileName: 'template.yaml' },
    );
  });

  after(async () => {
    await gw?.close();
    removeDir(dir);
  });

  type Event = { requestContext: { authorizer: { jwt: { claims: Record<string, string>; scopes: string[] | null } } } };
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  // Docs "Controlling access to HTTP APIs with JWT authorizers": signature from the issuer's jwks_uri,
  // iss, aud, exp checked; claims in requestContext.authorizer.jwt.claims (payload 2.0).
  test('a valid token reaches the route with its claims', async () => {
    const res = await gw.call('GET', '/me', { headers: bearer(await issuer.sign({ sub: 'u1', aud: 'client-b', n: 5, email: 'u1@example.com' })) });
    assert.equal(res.status, 200);
    const jwt = (res.json() as Event).requestContext.authorizer.jwt;
    assert.equal(jwt.claims['sub'], 'u1');
    assert.equal(jwt.claims['email'], 'u1@example.com');
    assert.equal(jwt.claims['iss'], issuer.url);
    assert.equal(jwt.claims['n'], '5');
  });

  // Docs "Troubleshooting issues with HTTP API JWT authorizers": every rejected token is 401 {"message":"Unauthorized"};
  // "Controlling access to HTTP APIs with JWT authorizers": exp after, nbf and iat before the current time.
  test('wrong audience, wrong issuer, expired, not yet valid, issued in the future, unpublished key, unknown kid, HMAC: 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const hmac = await new SignJWT({ iss: issuer.url, aud: 'client-a', sub: 'u1', exp: now + 60 })
      .setProtectedHeader({ alg: 'HS256', kid: issuer.kid })
      .sign(new TextEncoder().encode('a-shared-secret-that-is-long-enough!!'));
    const tokens = {
      audience: await issuer.sign({ sub: 'u1', aud: 'someone-else' }),
      issuer: await issuer.sign({ sub: 'u1', aud: 'client-a', iss: 'https://issuer.example.com' }),
      expired: await issuer.sign({ sub: 'u1', aud: 'client-a', exp: now - 60 }),
      notBefore: await issuer.sign({ sub: 'u1', aud: 'client-a', nbf: now + 600 }),
      issuedLater: await issuer.sign({ sub: 'u1', aud: 'client-a', iat: now + 600 }),
      stranger: await issuer.sign({ sub: 'u1', aud: 'client-a' }, { key: issuer.strangerKey }),
      kid: await issuer.sign({ sub: 'u1', aud: 'client-a' }, { kid: 'not-published' }),
      hmac,
      garbage: 'not.a.jwt',
    };
    for (const [name, token] of Object.entries(tokens)) {
      const res = await gw.call('GET', '/me', { headers: bearer(token) });
      assert.equal(res.status, 401, name);
      assert.deepEqual(res.json(), { message: 'Unauthorized' }, name);
    }
    assert.equal((await gw.call('GET', '/me')).status, 401);
  });

  // Newer docs: "aud or client_id – Must match one of the audience entries" (access tokens carry client_id).
  test('client_id stands in for a missing aud', async () => {
    assert.equal((await gw.call('GET', '/me', { headers: bearer(await issuer.sign({ sub: 'u1', client_id: 'client-a' })) })).status, 200);
  });

  // Docs: "scope or scp – The token must include at least one of the scopes in the route's authorizationScopes";
  // the refusal is 403 Forbidden (Troubleshooting page: insufficient_scope).
  test('route scopes: one granted scope is enough; none is 403', async () => {
    const ok = await gw.call('GET', '/scoped', { headers: bearer(await issuer.sign({ sub: 'u1', aud: 'client-a', scope: 'other read:things' })) });
    assert.equal(ok.status, 200);
    assert.deepEqual((ok.json() as Event).requestContext.authorizer.jwt.scopes, ['other', 'read:things']);
    const denied = await gw.call('GET', '/scoped', { headers: bearer(await issuer.sign({ sub: 'u1', aud: 'client-a', scope: 'write:things' })) });
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.json(), { message: 'Forbidden' });
  });
});

describe('REST Cognito user pool authorizer', () => {
  const poolId = 'us-east-1_TestPool1';
  const cognitoIss = `https://cognito-idp.us-east-1.amazonaws.com/${poolId}`;
  let gw: Harness;
  let resolved: string[];

  before(async () => {
    resolved = [];
    const template = '{"sub":"$context.authorizer.claims.sub","email":"$context.authorizer.claims.email","exp":"$context.authorizer.claims.exp"}';
    gw = await startHarness(
      {
        openapi: '3.0.1',
        info: { title: 'cognito', version: '1' },
        components: {
          securitySchemes: {
            Pool: {
              type: 'apiKey',
              name: 'Authorization',
              in: 'header',
              'x-amazon-apigateway-authtype': 'cognito_user_pools',
              'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: [`arn:aws:cognito-idp:us-east-1:000000000000:userpool/${poolId}`] },
            },
          },
        },
        paths: {
          '/profile': { get: mock(template, { security: [{ Pool: [] }] }) },
          '/orders': { get: mock(template, { security: [{ Pool: ['orders/read'] }] }) },
        },
      },
      {
        // The overridable resolution the embedded Cognito will use: here the test issuer serves the pool's keys.
        jwksUri: async (iss) => {
          resolved.push(iss);
          return `${issuer.url}/.well-known/jwks.json`;
        },
      },
    );
  });

  after(async () => {
    await gw?.close();
  });

  const idToken = (extra: Record<string, unknown> = {}) =>
    issuer.sign({ iss: cognitoIss, sub: 'user-7', aud: 'app-client', token_use: 'id', email: 'seven@example.com', exp: 1_900_000_000, ...extra });
  const accessToken = (scope: string) => issuer.sign({ iss: cognitoIss, sub: 'user-7', client_id: 'app-client', token_use: 'access', scope });

  // Docs "Integrate a REST API with an Amazon Cognito user pool": without OAuth scopes on the method the
  // identity token is expected; claims in $context.authorizer.claims; exp shown as a Java date (recorded
  // Cognito authorizer events, e.g. "exp": "Wed Mar 17 17:46:40 UTC 2030").
  test('an id token passes a method without scopes; claims in $context.authorizer.claims', async () => {
    const res = await gw.call('GET', '/dev/profile', { headers: { Authorization: await idToken() } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { sub: 'user-7', email: 'seven@example.com', exp: 'Sun Mar 17 17:46:40 UTC 2030' });
    assert.deepEqual(resolved.slice(0, 1), [cognitoIss]);
  });

  // Same docs: with OAuth scopes the token must be an access token holding one of them; otherwise 401.
  test('a method with scopes wants an access token holding one of them', async () => {
    assert.equal((await gw.call('GET', '/dev/orders', { headers: { Authorization: await accessToken('orders/read profile') } })).status, 200);
    for (const token of [await accessToken('orders/write'), await idToken()]) {
      const res = await gw.call('GET', '/dev/orders', { headers: { Authorization: token } });
      assert.equal(res.status, 401);
      assert.deepEqual(res.json(), { message: 'Unauthorized' });
    }
    assert.equal((await gw.call('GET', '/dev/profile', { headers: { Authorization: await accessToken('orders/read') } })).status, 401);
  });

  // Docs "Verifying a JSON Web Token" (Cognito): iss must be the user pool's; a missing token is 401.
  test('a token of another pool, a bad signature or no token: 401', async () => {
    const other = await idToken({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' });
    const forged = await issuer.sign({ iss: cognitoIss, sub: 'x', token_use: 'id' }, { key: issuer.strangerKey });
    for (const headers of [{ Authorization: other }, { Authorization: forged }, {}] as Record<string, string>[]) {
      assert.equal((await gw.call('GET', '/dev/profile', { headers })).status, 401);
    }
  });
});
