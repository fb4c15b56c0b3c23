/**
 * The embedded Secrets Manager through the AWS SDK v3 and the AWS CLI v1, the template's secrets
 * (GenerateSecretString rules, dynamic references) and durability across a restart.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  SecretsManagerClient,
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  DescribeSecretCommand,
  ListSecretsCommand,
  UpdateSecretCommand,
  DeleteSecretCommand,
  GetRandomPasswordCommand,
} from '@aws-sdk/client-secrets-manager';
import { createLogger } from '../../core/log.js';
import type { Project, TemplateResource } from '../../definitions/model.js';
import { createAwsEndpointHandler } from '../../server/aws-endpoint.js';
import type { EmbeddedService } from '../service.js';
import { testProject } from '../testing.js';
import { prepareSecrets, secretsManagerService } from './index.js';
import { generatePassword } from './passwords.js';

const run = promisify(execFile);
let dataDir: string;
let server: Server;
let service: EmbeddedService;
let url: string;
let client: SecretsManagerClient;

const TEMPLATE_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:template-db-AbCdEf';

function resource(logicalId: string, type: string, properties: Record<string, unknown>, physicalId = logicalId): TemplateResource {
  return { logicalId, type, properties, physicalId, attributes: {}, source: { file: '/tmp/template.yaml', pointer: `/Resources/${logicalId}` } };
}

async function open(project: Project): Promise<void> {
  service = await secretsManagerService({ dataDir, region: 'us-east-1', accountId: '000000000000', endpoint: 'http://127.0.0.1', log: createLogger('silent'), project });
  server = createServer(createAwsEndpointHandler({ ready: () => true, services: () => [service], log: createLogger('silent') }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new SecretsManagerClient({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
}

async function shut(): Promise<void> {
  await new Promise((resolve) => server.close(resolve));
  await service.close();
}

const templateProject = () =>
  testProject([
    resource('Db', 'AWS::SecretsManager::Secret', { Name: 'template-db', GenerateSecretString: { SecretStringTemplate: '{"username":"app"}', GenerateStringKey: 'password', PasswordLength: 12, ExcludePunctuation: true } }, TEMPLATE_ARN),
    resource('Fn', 'AWS::Serverless::Function', { Environment: { Variables: { USER: `{{resolve:secretsmanager:${TEMPLATE_ARN}:SecretString:username}}`, WHOLE: '{{resolve:secretsmanager:template-db}}' } } }),
  ]);

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-secrets-'));
  const project = prepareSecrets(templateProject(), dataDir);
  const fn = project.resources.find((r) => r.logicalId === 'Fn')!;
  assert.equal((fn.properties['Environment'] as { Variables: Record<string, string> }).Variables['USER'], 'app');
  await open(project);
});
after(async () => {
  await shut();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('template secrets', () => {
  it('GenerateSecretString fills GenerateStringKey of SecretStringTemplate with a password following the rules', async () => {
    const value = await client.send(new GetSecretValueCommand({ SecretId: 'template-db' }));
    assert.equal(value.ARN, TEMPLATE_ARN);
    const secret = JSON.parse(value.SecretString!) as { username: string; password: string };
    assert.equal(secret.username, 'app');
    assert.match(secret.password, /^[A-Za-z0-9]{12}$/);
    // Partial ARN (without the random suffix) finds the secret too (Secrets Manager "Finding secrets from a partial ARN").
    assert.equal((await client.send(new DescribeSecretCommand({ SecretId: TEMPLATE_ARN.slice(0, -7) }))).Name, 'template-db');
  });

  it('a dynamic reference to the whole SecretString, and the value kept across restarts', async () => {
    const before = (await client.send(new GetSecretValueCommand({ SecretId: 'template-db' }))).SecretString;
    const project = templateProject();
    prepareSecrets(project, dataDir);
    const variables = (project.resources[1]!.properties['Environment'] as { Variables: Record<string, string> }).Variables;
    assert.equal(variables['WHOLE'], before);
  });

  it('an unknown secret in a dynamic reference fails naming the reference', () => {
    const project = testProject([resource('Fn', 'AWS::Serverless::Function', { Env: '{{resolve:secretsmanager:nope:SecretString:x}}' })]);
    assert.throws(() => prepareSecrets(project, dataDir), /dynamic reference \{\{resolve:secretsmanager:nope:SecretString:x\}\}: secret nope does not exist/);
  });
});

describe('API through the SDK', () => {
  it('creates, reads, versions, describes, lists, updates and deletes secrets', async () => {
    const created = await client.send(new CreateSecretCommand({ Name: 'sdk/one', SecretString: 'v1', Description: 'first', Tags: [{ Key: 'team', Value: 'a' }] }));
    // ARN shape: the name plus '-' and 6 random characters (Secrets Manager User Guide "Secret ARN").
    assert.match(created.ARN!, /^arn:aws:secretsmanager:us-east-1:000000000000:secret:sdk\/one-[A-Za-z0-9]{6}$/);
    const first = await client.send(new GetSecretValueCommand({ SecretId: 'sdk/one' }));
    assert.equal(first.SecretString, 'v1');
    assert.deepEqual(first.VersionStages, ['AWSCURRENT']);
    assert.ok(first.CreatedDate instanceof Date);

    const put = await client.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'v2' }));
    assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
    // The previous current version becomes AWSPREVIOUS (Secrets Manager "Secret versions").
    assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'sdk/one', VersionStage: 'AWSPREVIOUS' }))).SecretString, 'v1');
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'sdk/one' }));
    assert.equal(described.Description, 'first');
    assert.deepEqual(Object.values(described.VersionIdsToStages!).sort(), [['AWSCURRENT'], ['AWSPREVIOUS']]);

    await client.send(new UpdateSecretCommand({ SecretId: 'sdk/one', Description: 'updated', SecretString: 'v3' }));
    assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'sdk/one' }))).SecretString, 'v3');

    const listed = await client.send(new ListSecretsCommand({ Filters: [{ Key: 'tag-key', Values: ['team'] }] }));
    assert.deepEqual(listed.SecretList!.map((s) => s.Name), ['sdk/one']);

    const deleted = await client.send(new DeleteSecretCommand({ SecretId: 'sdk/one', RecoveryWindowInDays: 7 }));
    assert.ok(deleted.DeletionDate instanceof Date);
    // A secret scheduled for deletion cannot be read (GetSecretValue "InvalidRequestException").
    await assert.rejects(client.send(new GetSecretValueCommand({ SecretId: 'sdk/one' })), { name: 'InvalidRequestException' });
    await client.send(new DeleteSecretCommand({ SecretId: 'sdk/one', ForceDeleteWithoutRecovery: true }));
    await assert.rejects(client.send(new DescribeSecretCommand({ SecretId: 'sdk/one' })), { name: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
  });

  it('rejects a duplicate name and answers GetRandomPassword with the rules', async () => {
    await client.send(new CreateSecretCommand({ Name: 'dup', SecretString: 'x' }));
    await assert.rejects(client.send(new CreateSecretCommand({ Name: 'dup', SecretString: 'y' })), { name: 'ResourceExistsException' });
    const { RandomPassword } = await client.send(new GetRandomPasswordCommand({ PasswordLength: 40, ExcludeNumbers: true, ExcludePunctuation: true, ExcludeCharacters: 'aeiou' }));
    assert.match(RandomPassword!, /^[b-df-hj-np-tv-zA-Z]{40}$/);
  });
});

describe('passwords', () => {
  it('includes each included character class by default (GetRandomPassword RequireEachIncludedType)', () => {
    for (let i = 0; i < 50; i++) {
      const password = generatePassword({ PasswordLength: 4 });
      assert.match(password, /[a-z]/);
      assert.match(password, /[A-Z]/);
      assert.match(password, /[0-9]/);
      assert.match(password, /[^A-Za-z0-9]/);
    }
  });
});

describe('AWS CLI v1', () => {
  it('get-secret-value and list-secrets', async () => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const { stdout } = await run('aws', ['--endpoint-url', url, '--output', 'json', 'secretsmanager', 'get-secret-value', '--secret-id', 'template-db'], { env, timeout: 60_000 });
    const value = JSON.parse(stdout) as { Name: string; SecretString: string };
    assert.equal(value.Name, 'template-db');
    assert.equal((JSON.parse(value.SecretString) as { username: string }).username, 'app');
  });
});
