/**
 * The whole per-user flow offline, under `--enforce-iam`: users sign in to the embedded user pool, trade
 * their ID token for identity pool credentials (GetId, GetCredentialsForIdentity), and call the embedded
 * DynamoDB with the AWS SDK v3; the authenticated role's policy keys items on
 * `${cognito-identity.amazonaws.com:sub}`, so each user reaches only its own.
 * Sources: Cognito Identity API Reference "GetId", "GetCredentialsForIdentity"; Cognito Developer Guide
 * "Identity pools authentication flow" (enhanced flow) and "IAM roles"; DynamoDB Developer Guide
 * "Using IAM policy conditions for fine-grained access control" (the identity-pool example).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { call, startTestGateway, type TestGateway } from '../support/gateway.js';

const TEMPLATE = {
  Resources: {
    Pool: { Type: 'AWS::Cognito::UserPool', Properties: { UserPoolName: 'players' } },
    Client: { Type: 'AWS::Cognito::UserPoolClient', Properties: { UserPoolId: { Ref: 'Pool' }, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] } },
    Identities: {
      Type: 'AWS::Cognito::IdentityPool',
      Properties: {
        AllowUnauthenticatedIdentities: false,
        CognitoIdentityProviders: [{ ClientId: { Ref: 'Client' }, ProviderName: { 'Fn::GetAtt': ['Pool', 'ProviderName'] } }],
      },
    },
    Player: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Policies: [
          {
            PolicyName: 'own-scores',
            PolicyDocument: {
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
                  Resource: { 'Fn::GetAtt': ['Scores', 'Arn'] },
                  Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['${cognito-identity.amazonaws.com:sub}'] } },
                },
              ],
            },
          },
        ],
      },
    },
    Roles: { Type: 'AWS::Cognito::IdentityPoolRoleAttachment', Properties: { IdentityPoolId: { Ref: 'Identities' }, Roles: { authenticated: { 'Fn::GetAtt': ['Player', 'Arn'] } } } },
    Scores: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: 'scores',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'player', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'player', KeyType: 'HASH' }],
      },
    },
  },
};

let gw: TestGateway;
let ids: { pool: string; client: string; identityPool: string; provider: string };

async function aws(target: string, input: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await call(gw.gatehouse.awsUrl, 'POST', '/', {
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: res.json() as Record<string, unknown> };
}

async function ok(target: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await aws(target, input);
  assert.equal(res.status, 200, `${target}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A confirmed user, signed in: its ID token. */
async function signedIn(username: string): Promise<string> {
  await ok('AWSCognitoIdentityProviderService.AdminCreateUser', { UserPoolId: ids.pool, Username: username, MessageAction: 'SUPPRESS' });
  await ok('AWSCognitoIdentityProviderService.AdminSetUserPassword', { UserPoolId: ids.pool, Username: username, Password: 'Pa55word!x', Permanent: true });
  const auth = await ok('AWSCognitoIdentityProviderService.InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: ids.client, AuthParameters: { USERNAME: username, PASSWORD: 'Pa55word!x' } });
  return (auth['AuthenticationResult'] as { IdToken: string }).IdToken;
}

/** GetId then GetCredentialsForIdentity, and a DynamoDB client with those credentials. */
async function player(idToken: string): Promise<{ identityId: string; db: DynamoDBClient }> {
  const logins = { [ids.provider]: idToken };
  const { IdentityId } = (await ok('AWSCognitoIdentityService.GetId', { IdentityPoolId: ids.identityPool, Logins: logins })) as { IdentityId: string };
  const out = (await ok('AWSCognitoIdentityService.GetCredentialsForIdentity', { IdentityId, Logins: logins })) as {
    Credentials: { AccessKeyId: string; SecretKey: string; SessionToken: string; Expiration: number };
  };
  assert.match(out.Credentials.AccessKeyId, /^ASIA/);
  assert.ok(out.Credentials.Expiration * 1000 > Date.now());
  const db = new DynamoDBClient({
    endpoint: gw.gatehouse.awsUrl,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: out.Credentials.AccessKeyId, secretAccessKey: out.Credentials.SecretKey, sessionToken: out.Credentials.SessionToken },
  });
  return { identityId: IdentityId, db };
}

before(async () => {
  gw = await startTestGateway(TEMPLATE, { fileName: 'template.yaml', iam: { enforce: true } });
  const resource = (id: string) => gw.gatehouse.project.resources.find((r) => r.logicalId === id)!;
  ids = { pool: resource('Pool').physicalId, client: resource('Client').physicalId, identityPool: resource('Identities').physicalId, provider: String(resource('Pool').attributes['ProviderName']) };
});

after(async () => {
  await gw?.close();
});

test('each signed-in user reaches only the items keyed by its own identity id', async () => {
  const ann = await player(await signedIn('ann'));
  const ben = await player(await signedIn('ben'));
  assert.match(ann.identityId, /^us-east-1:[0-9a-f-]{36}$/);
  assert.notEqual(ann.identityId, ben.identityId);
  try {
    await ann.db.send(new PutItemCommand({ TableName: 'scores', Item: { player: { S: ann.identityId }, score: { N: '10' } } }));
    const got = await ann.db.send(new GetItemCommand({ TableName: 'scores', Key: { player: { S: ann.identityId } } }));
    assert.equal(got.Item?.['score']?.N, '10');
    await assert.rejects(ben.db.send(new GetItemCommand({ TableName: 'scores', Key: { player: { S: ann.identityId } } })), (error: Error) => {
      assert.equal(error.name, 'AccessDeniedException');
      assert.match(error.message, /^User: arn:aws:sts::000000000000:assumed-role\/[^/]+\/CognitoIdentityCredentials is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table\/scores because no identity-based policy allows the dynamodb:GetItem action$/);
      return true;
    });
  } finally {
    ann.db.destroy();
    ben.db.destroy();
  }
});

test('GetId is stable per user; guests and foreign tokens are refused', async () => {
  const token = await signedIn('cat');
  const first = await ok('AWSCognitoIdentityService.GetId', { IdentityPoolId: ids.identityPool, Logins: { [ids.provider]: token } });
  const again = await ok('AWSCognitoIdentityService.GetId', { IdentityPoolId: ids.identityPool, Logins: { [ids.provider]: token } });
  assert.equal(first['IdentityId'], again['IdentityId']);
  const guest = await aws('AWSCognitoIdentityService.GetId', { IdentityPoolId: ids.identityPool });
  assert.deepEqual(guest.body, { __type: 'NotAuthorizedException', message: 'Unauthenticated access is not supported for this identity pool.' });
  const forged = await aws('AWSCognitoIdentityService.GetId', { IdentityPoolId: ids.identityPool, Logins: { [ids.provider]: token.slice(0, -4) + 'AAAA' } });
  assert.equal(forged.body['__type'], 'NotAuthorizedException');
  const stolen = await aws('AWSCognitoIdentityService.GetCredentialsForIdentity', { IdentityId: first['IdentityId'] });
  assert.equal(stolen.body['__type'], 'NotAuthorizedException');
});
