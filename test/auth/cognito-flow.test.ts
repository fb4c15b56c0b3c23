/**
 * The offline sign-in flow: a user pool from the template on the embedded endpoint, a user signed up
 * (AWS CLI) and confirmed, tokens from InitiateAuth, then a REST API with a COGNITO_USER_POOLS
 * authorizer and an HTTP API with a JWT authorizer (issuer = the pool) called with them, no network.
 * Facts from the Cognito API Reference (SignUp, ConfirmSignUp, InitiateAuth, AdminCreateUser,
 * RespondToAuthChallenge, GetUser, ListUsers), Developer Guide "Understanding the identity (ID) token"
 * and "Understanding the access token" (claims), and API Gateway "Integrate a REST API with an Amazon
 * Cognito user pool" / "Controlling access to HTTP APIs with JWT authorizers" (401 {"message":"Unauthorized"}).
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { startGatehouse } from '../../src/server/gatehouse.js';
import { createLogger } from '../../src/core/log.js';
import { CognitoStore } from '../../src/services/cognito/store.js';
import { call, startTestGateway, type TestGateway } from '../support/gateway.js';

const ECHO = `export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext.authorizer.jwt.claims) });`;
const CLAIMS = '{"username":"$context.authorizer.claims[\'cognito:username\']","email":"$context.authorizer.claims.email","groups":"$context.authorizer.claims[\'cognito:groups\']"}';

const TEMPLATE = {
  Transform: 'AWS::Serverless-2016-10-31',
  Resources: {
    Pool: {
      Type: 'AWS::Cognito::UserPool',
      Properties: {
        UserPoolName: 'people',
        AutoVerifiedAttributes: ['email'],
        Policies: { PasswordPolicy: { MinimumLength: 10, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: false } },
      },
    },
    Client: {
      Type: 'AWS::Cognito::UserPoolClient',
      Properties: { UserPoolId: { Ref: 'Pool' }, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
    },
    SrpOnly: { Type: 'AWS::Cognito::UserPoolClient', Properties: { UserPoolId: { Ref: 'Pool' }, ClientName: 'srp' } },
    Admins: { Type: 'AWS::Cognito::UserPoolGroup', Properties: { UserPoolId: { Ref: 'Pool' }, GroupName: 'admins', Precedence: 1 } },
    Rest: {
      Type: 'AWS::Serverless::Api',
      Properties: {
        StageName: 'Prod',
        DefinitionBody: {
          openapi: '3.0.1',
          info: { title: 'rest', version: '1' },
          components: {
            securitySchemes: {
              Users: {
                type: 'apiKey',
                name: 'Authorization',
                in: 'header',
                'x-amazon-apigateway-authtype': 'cognito_user_pools',
                'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: [{ 'Fn::GetAtt': ['Pool', 'Arn'] }] },
              },
            },
          },
          paths: {
            '/profile': {
              get: {
                security: [{ Users: [] }],
                responses: { '200': { description: 'ok' } },
                'x-amazon-apigateway-integration': {
                  type: 'mock',
                  requestTemplates: { 'application/json': '{"statusCode": 200}' },
                  responses: { default: { statusCode: '200', responseTemplates: { 'application/json': CLAIMS } } },
                },
              },
            },
          },
        },
      },
    },
    Http: {
      Type: 'AWS::Serverless::HttpApi',
      Properties: {
        Auth: {
          DefaultAuthorizer: 'Users',
          Authorizers: {
            Users: {
              IdentitySource: '$request.header.Authorization',
              JwtConfiguration: { issuer: { 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}' }, audience: [{ Ref: 'Client' }] },
            },
          },
        },
      },
    },
    Echo: {
      Type: 'AWS::Serverless::Function',
      Properties: { Runtime: 'nodejs20.x', CodeUri: 'fn', Handler: 'index.handler', Events: { Me: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Http' }, Path: '/me', Method: 'get' } } } },
    },
  },
};

let gw: TestGateway;
const logLines: string[] = [];
let poolId: string;
let clientId: string;
let srpClientId: string;

interface AuthResult {
  AuthenticationResult?: { IdToken: string; AccessToken: string; RefreshToken?: string; ExpiresIn: number; TokenType: string };
  ChallengeName?: string;
  Session?: string;
  ChallengeParameters?: Record<string, string>;
}

/** A raw AWS JSON 1.1 call, as the SDKs send it. */
async function idp(operation: string, input: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await call(gw.gatehouse.awsUrl, 'POST', '/', {
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${operation}` },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: res.json() as Record<string, unknown> };
}

async function ok<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T> {
  const res = await idp(operation, input);
  assert.equal(res.status, 200, `${operation}: ${JSON.stringify(res.body)}`);
  return res.body as T;
}

async function fails(operation: string, input: Record<string, unknown>, type: string, message?: string): Promise<void> {
  const res = await idp(operation, input);
  assert.equal(res.status, 400, `${operation}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body['__type'], type);
  if (message !== undefined) assert.equal(res.body['message'], message);
}

function aws(...args: string[]): Promise<string> {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: join(gw.dir, 'no-config') };
  return new Promise((resolve, reject) => {
    execFile('aws', ['--endpoint-url', gw.gatehouse.awsUrl, '--output', 'json', ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`aws ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

const signIn = (username: string, password: string, client = clientId) =>
  idp('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: client, AuthParameters: { USERNAME: username, PASSWORD: password } });

before(async () => {
  gw = await startTestGateway(TEMPLATE, {
    fileName: 'template.yaml',
    files: { 'fn/index.mjs': ECHO },
    log: createLogger('info', (line) => logLines.push(line)),
  });
  const resource = (id: string) => gw.gatehouse.project.resources.find((r) => r.logicalId === id)!.physicalId;
  poolId = resource('Pool');
  clientId = resource('Client');
  srpClientId = resource('SrpOnly');
});

let restarted = false;

after(async () => {
  if (restarted) rmSync(gw.dir, { recursive: true, force: true });
  else await gw?.close();
});

describe('sign up with the AWS CLI, confirm, sign in, call both APIs', () => {
  let tokens: NonNullable<AuthResult['AuthenticationResult']>;

  test('sign-up answers UserConfirmed false and where the code went; the code is logged', async () => {
    const out = JSON.parse(
      await aws('cognito-idp', 'sign-up', '--client-id', clientId, '--username', 'ann', '--password', 'Correct-Horse1', '--user-attributes', 'Name=email,Value=Ann@Example.com'),
    ) as { UserConfirmed: boolean; UserSub: string; CodeDeliveryDetails: Record<string, string> };
    assert.equal(out.UserConfirmed, false);
    assert.match(out.UserSub, /^[0-9a-f-]{36}$/);
    assert.deepEqual(out.CodeDeliveryDetails, { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    assert.ok(logLines.some((l) => l.startsWith(`cognito: confirmation code for ann in ${poolId}: `)));
  });

  // UserNotConfirmedException "User is not confirmed." (recorded in jagregory/cognito-local PR #337).
  test('an unconfirmed user cannot sign in; a wrong code is CodeMismatchException', async () => {
    const res = await signIn('ann', 'Correct-Horse1');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { __type: 'UserNotConfirmedException', message: 'User is not confirmed.' });
    await fails('ConfirmSignUp', { ClientId: clientId, Username: 'ann', ConfirmationCode: '000000x' }, 'CodeMismatchException', 'Invalid verification code provided, please try again.');
  });

  test('confirm-sign-up with the code, then initiate-auth (AWS CLI) returns ID, access and refresh tokens', async () => {
    const code = logLines.find((l) => l.startsWith(`cognito: confirmation code for ann in ${poolId}: `))!.split(': ').pop()!;
    await aws('cognito-idp', 'confirm-sign-up', '--client-id', clientId, '--username', 'ann', '--confirmation-code', code);
    const out = JSON.parse(
      await aws('cognito-idp', 'initiate-auth', '--client-id', clientId, '--auth-flow', 'USER_PASSWORD_AUTH', '--auth-parameters', 'USERNAME=ann,PASSWORD=Correct-Horse1'),
    ) as AuthResult;
    tokens = out.AuthenticationResult!;
    assert.equal(tokens.TokenType, 'Bearer');
    assert.equal(tokens.ExpiresIn, 3600);
    assert.ok(tokens.RefreshToken);
    const iss = `https://cognito-idp.us-east-1.amazonaws.com/${poolId}`;
    const id = decodeJwt(tokens.IdToken);
    assert.equal(decodeProtectedHeader(tokens.IdToken).alg, 'RS256');
    assert.equal(id.iss, iss);
    assert.equal(id['token_use'], 'id');
    assert.equal(id['cognito:username'], 'ann');
    assert.equal(id.aud, clientId);
    assert.equal(id['email'], 'ann@example.com');
    assert.equal(id['email_verified'], true);
    assert.equal(id.exp! - id.iat!, 3600);
    const access = decodeJwt(tokens.AccessToken);
    assert.equal(access['token_use'], 'access');
    assert.equal(access['client_id'], clientId);
    assert.equal(access['username'], 'ann');
    assert.equal(access['scope'], 'aws.cognito.signin.user.admin');
    assert.equal(access.sub, id.sub);
    assert.equal(access['auth_time'], id['auth_time']);
  });

  test('the JWKS is served at <endpoint>/<poolId>/.well-known/jwks.json with the token key id', async () => {
    const res = await call(gw.gatehouse.awsUrl, 'GET', `/${poolId}/.well-known/jwks.json`);
    assert.equal(res.status, 200);
    const { keys } = res.json() as { keys: { kid: string; alg: string; kty: string; use: string }[] };
    assert.equal(keys.length, 1);
    assert.equal(keys[0]!.kid, decodeProtectedHeader(tokens.IdToken).kid);
    assert.deepEqual([keys[0]!.alg, keys[0]!.kty, keys[0]!.use], ['RS256', 'RSA', 'sig']);
  });

  test('REST COGNITO_USER_POOLS authorizer: the ID token is 200 with its claims', async () => {
    const res = await gw.call('GET', '/Prod/profile', { headers: { Authorization: tokens.IdToken } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), { username: 'ann', email: 'ann@example.com', groups: '' });
  });

  test('HTTP API JWT authorizer with the pool as issuer: ID token (aud) and access token (client_id) are 200', async () => {
    for (const token of [tokens.IdToken, tokens.AccessToken]) {
      const res = await gw.call('GET', '/me', { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, res.text);
      assert.equal((res.json() as Record<string, string>)['sub'], decodeJwt(tokens.IdToken).sub);
    }
  });

  test('a tampered token, a token expired (signed with the pool key) and no token: 401 Unauthorized on both APIs', async () => {
    const [header, payload, signature] = tokens.IdToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, 'cognito:username': 'mallory' })).toString('base64url')}.${signature}`;
    // The pool's key, read from its store, signs a token that is right in every way but exp.
    const store = new CognitoStore(join(gw.dir, 'data', 'cognito', 'cognito.sqlite'));
    const pool = store.getPool(poolId)!;
    store.close();
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ ...claims, iat: now - 7200, exp: now - 3600 }).setProtectedHeader({ kid: pool.kid, alg: 'RS256' }).sign(createPrivateKey(pool.privateKey));
    for (const headers of [{ Authorization: tampered }, { Authorization: expired }, {}] as Record<string, string>[]) {
      const rest = await gw.call('GET', '/Prod/profile', { headers });
      assert.equal(rest.status, 401);
      assert.deepEqual(rest.json(), { message: 'Unauthorized' });
      const http = await gw.call('GET', '/me', { headers: headers['Authorization'] ? { Authorization: `Bearer ${headers['Authorization']}` } : {} });
      assert.equal(http.status, 401);
      assert.deepEqual(http.json(), { message: 'Unauthorized' });
    }
  });

  test('REFRESH_TOKEN_AUTH gives new ID and access tokens of the same sign-in, without a refresh token', async () => {
    const out = await ok<AuthResult>('InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: clientId, AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken } });
    assert.equal(out.AuthenticationResult!.RefreshToken, undefined);
    assert.equal(decodeJwt(out.AuthenticationResult!.IdToken)['origin_jti'], decodeJwt(tokens.IdToken)['origin_jti']);
    await fails('InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: clientId, AuthParameters: { REFRESH_TOKEN: 'nope' } }, 'NotAuthorizedException', 'Invalid Refresh Token');
  });

  test('GetUser with the access token; an ID token is not an access token', async () => {
    const user = await ok<{ Username: string; UserAttributes: { Name: string; Value: string }[] }>('GetUser', { AccessToken: tokens.AccessToken });
    assert.equal(user.Username, 'ann');
    assert.deepEqual(user.UserAttributes.find((a) => a.Name === 'email_verified'), { Name: 'email_verified', Value: 'true' });
    assert.equal(user.UserAttributes[0]!.Name, 'sub');
    await fails('GetUser', { AccessToken: tokens.IdToken }, 'NotAuthorizedException', 'Invalid Access Token');
  });
});

describe('the pool enforces its rules with Cognito errors', () => {
  // PasswordPolicyType; wording "Password did not conform with policy: ..." as SignUp returns it.
  test('the password policy: length first, then each required character class', async () => {
    const attempt = (password: string) => fails('SignUp', { ClientId: clientId, Username: 'bob', Password: password }, 'InvalidPasswordException');
    await attempt('Short1');
    const short = await idp('SignUp', { ClientId: clientId, Username: 'bob', Password: 'Short1' });
    assert.equal(short.body['message'], 'Password did not conform with policy: Password not long enough');
    const cases: Record<string, string> = {
      'lowercase-only-1': 'Password must have uppercase characters',
      'UPPERCASE-ONLY-1': 'Password must have lowercase characters',
      'NoDigitsHere-x': 'Password must have numeric characters',
    };
    for (const [password, detail] of Object.entries(cases)) {
      const res = await idp('SignUp', { ClientId: clientId, Username: 'bob', Password: password });
      assert.equal(res.body['message'], `Password did not conform with policy: ${detail}`);
    }
    // Symbols are not required by this pool.
    await ok('SignUp', { ClientId: clientId, Username: 'bob', Password: 'NoSymbols123' });
  });

  test('a taken username is UsernameExistsException; an unknown pool client is ResourceNotFoundException', async () => {
    await fails('SignUp', { ClientId: clientId, Username: 'bob', Password: 'NoSymbols123' }, 'UsernameExistsException', 'User already exists');
    await fails('SignUp', { ClientId: 'nosuchclient', Username: 'x', Password: 'NoSymbols123' }, 'ResourceNotFoundException', 'User pool client nosuchclient does not exist.');
  });

  test('wrong password: NotAuthorizedException "Incorrect username or password."; unknown user: UserNotFoundException', async () => {
    await ok('AdminConfirmSignUp', { UserPoolId: poolId, Username: 'bob' });
    const wrong = await signIn('bob', 'NoSymbols124');
    assert.deepEqual(wrong.body, { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    const unknown = await signIn('nobody', 'NoSymbols124');
    assert.deepEqual(unknown.body, { __type: 'UserNotFoundException', message: 'User does not exist.' });
    assert.equal((await signIn('bob', 'NoSymbols123')).status, 200);
  });

  // ExplicitAuthFlows default (CreateUserPoolClient): SRP, custom and refresh only.
  test('USER_PASSWORD_AUTH on a client without it is InvalidParameterException', async () => {
    const res = await signIn('bob', 'NoSymbols123', srpClientId);
    assert.deepEqual(res.body, { __type: 'InvalidParameterException', message: 'USER_PASSWORD_AUTH flow not enabled for this client' });
  });
});

describe('admin-created users and groups', () => {
  test('AdminCreateUser, NEW_PASSWORD_REQUIRED, RespondToAuthChallenge, groups in the tokens', async () => {
    const created = await ok<{ User: { Username: string; UserStatus: string; Attributes: { Name: string }[] } }>('AdminCreateUser', {
      UserPoolId: poolId,
      Username: 'carol',
      TemporaryPassword: 'Temporary-Pass1',
      UserAttributes: [{ Name: 'email', Value: 'carol@example.com' }],
      MessageAction: 'SUPPRESS',
    });
    assert.equal(created.User.UserStatus, 'FORCE_CHANGE_PASSWORD');
    assert.deepEqual(created.User.Attributes.map((a) => a.Name), ['sub', 'email']);
    await fails('AdminCreateUser', { UserPoolId: poolId, Username: 'carol', TemporaryPassword: 'Temporary-Pass1' }, 'UsernameExistsException', 'User account already exists');
    await ok('AdminAddUserToGroup', { UserPoolId: poolId, Username: 'carol', GroupName: 'admins' });

    const challenge = await ok<AuthResult>('AdminInitiateAuth', { UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'carol', PASSWORD: 'Temporary-Pass1' } });
    assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    assert.equal(challenge.ChallengeParameters!['USER_ID_FOR_SRP'], 'carol');
    assert.deepEqual(JSON.parse(challenge.ChallengeParameters!['userAttributes']!), { email: 'carol@example.com' });
    await fails('RespondToAuthChallenge', { ClientId: clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 'forged', ChallengeResponses: { USERNAME: 'carol', NEW_PASSWORD: 'Permanent-Pass1' } }, 'NotAuthorizedException', 'Invalid session for the user, session is expired.');
    await fails('RespondToAuthChallenge', { ClientId: clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: challenge.Session, ChallengeResponses: { USERNAME: 'carol', NEW_PASSWORD: 'weak' } }, 'InvalidPasswordException');
    const done = await ok<AuthResult>('RespondToAuthChallenge', { ClientId: clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: challenge.Session, ChallengeResponses: { USERNAME: 'carol', NEW_PASSWORD: 'Permanent-Pass1' } });
    const id = done.AuthenticationResult!.IdToken;
    assert.deepEqual(decodeJwt(id)['cognito:groups'], ['admins']);
    assert.deepEqual(decodeJwt(done.AuthenticationResult!.AccessToken)['cognito:groups'], ['admins']);
    const rest = await gw.call('GET', '/Prod/profile', { headers: { Authorization: id } });
    assert.deepEqual(rest.json(), { username: 'carol', email: 'carol@example.com', groups: 'admins' });

    const user = await ok<{ UserStatus: string }>('AdminGetUser', { UserPoolId: poolId, Username: 'carol' });
    assert.equal(user.UserStatus, 'CONFIRMED');
    await fails('AdminGetUser', { UserPoolId: poolId, Username: 'nobody' }, 'UserNotFoundException', 'User does not exist.');
  });

  test('ListUsers with a filter and a page size', async () => {
    const all = await ok<{ Users: { Username: string }[] }>('ListUsers', { UserPoolId: poolId });
    assert.deepEqual(all.Users.map((u) => u.Username), ['ann', 'bob', 'carol']);
    const byEmail = await ok<{ Users: { Username: string }[] }>('ListUsers', { UserPoolId: poolId, Filter: 'email = "carol@example.com"' });
    assert.deepEqual(byEmail.Users.map((u) => u.Username), ['carol']);
    const first = await ok<{ Users: { Username: string }[]; PaginationToken: string }>('ListUsers', { UserPoolId: poolId, Limit: 2 });
    assert.equal(first.Users.length, 2);
    const rest = await ok<{ Users: { Username: string }[]; PaginationToken?: string }>('ListUsers', { UserPoolId: poolId, Limit: 2, PaginationToken: first.PaginationToken });
    assert.deepEqual(rest.Users.map((u) => u.Username), ['carol']);
    assert.equal(rest.PaginationToken, undefined);
  });

  test('DescribeUserPool and DescribeUserPoolClient show the template settings', async () => {
    const { UserPool } = await ok<{ UserPool: Record<string, unknown> }>('DescribeUserPool', { UserPoolId: poolId });
    assert.equal(UserPool['Name'], 'people');
    assert.equal(UserPool['Arn'], `arn:aws:cognito-idp:us-east-1:000000000000:userpool/${poolId}`);
    assert.equal(UserPool['EstimatedNumberOfUsers'], 3);
    const { UserPoolClient } = await ok<{ UserPoolClient: Record<string, unknown> }>('DescribeUserPoolClient', { UserPoolId: poolId, ClientId: clientId });
    assert.deepEqual(UserPoolClient['ExplicitAuthFlows'], ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    await fails('DescribeUserPool', { UserPoolId: 'us-east-1_nothere' }, 'ResourceNotFoundException', 'User pool us-east-1_nothere does not exist.');
  });
});

test('users, passwords and the signing key survive a restart', async () => {
  const before = (await signIn('ann', 'Correct-Horse1')).body as AuthResult;
  await gw.gatehouse.close();
  restarted = true;
  const again = await startGatehouse({
    file: gw.file,
    port: 0,
    awsPort: 0,
    host: '127.0.0.1',
    dataDir: join(gw.dir, 'data'),
    watch: false,
    parameterOverrides: {},
    log: createLogger('silent'),
  });
  try {
    const res = await call(again.awsUrl, 'POST', '/', {
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
      body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'ann', PASSWORD: 'Correct-Horse1' } }),
    });
    assert.equal(res.status, 200);
    // A token issued before the restart still verifies: the pool kept its key.
    const rest = await call(again.apiUrl, 'GET', '/Prod/profile', { headers: { Authorization: before.AuthenticationResult!.IdToken } });
    assert.equal(rest.status, 200);
  } finally {
    await again.close();
  }
});
