/**
 * RDS / Aurora PostgreSQL end to end: a template's cluster and instance become real PostgreSQL servers that a
 * function reaches with `pg` (pooled across warm invocations), the RDS Data API through the SDK, a Step
 * Functions `aws-sdk:rdsdata` task, managed master passwords, restarts, and engines gatehouse does not serve.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { stringify } from 'yaml';
import { RDSDataClient, ExecuteStatementCommand, BeginTransactionCommand, RollbackTransactionCommand, CommitTransactionCommand, BatchExecuteStatementCommand } from '@aws-sdk/client-rds-data';
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { startGatehouse, type Gatehouse } from '../../src/server/gatehouse.js';
import { createLogger } from '../../src/core/log.js';
import { DefinitionError } from '../../src/definitions/index.js';
import { call } from '../support/gateway.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

const FUNCTION = `
import pg from 'pg';
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
const pool = new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: process.env.SECRET })).then(({ SecretString }) => {
  const s = JSON.parse(SecretString);
  return new pg.Pool({ host: s.host, port: s.port, user: s.username, password: s.password, database: s.dbname, max: 2, application_name: 'pooled-fn' });
});
export async function handler(event) {
  const db = await pool;
  if (event.httpMethod === 'POST') {
    const { rows } = await db.query('INSERT INTO notes (body) VALUES ($1) RETURNING id, body', [JSON.parse(event.body).body]);
    return { statusCode: 201, body: JSON.stringify(rows[0]) };
  }
  if (event.pathParameters?.id) {
    const { rows } = await db.query('SELECT id, body FROM notes WHERE id = $1', [Number(event.pathParameters.id)]);
    return rows.length ? { statusCode: 200, body: JSON.stringify(rows[0]) } : { statusCode: 404, body: '{"message":"not found"}' };
  }
  const { rows } = await db.query('SELECT id, body FROM notes ORDER BY id');
  return { statusCode: 200, body: JSON.stringify(rows) };
}
`;

const TEMPLATE = {
  AWSTemplateFormatVersion: '2010-09-09',
  Transform: 'AWS::Serverless-2016-10-31',
  Resources: {
    Secret: {
      Type: 'AWS::SecretsManager::Secret',
      Properties: {
        Name: 'notes-db',
        GenerateSecretString: { SecretStringTemplate: '{"username": "notes"}', GenerateStringKey: 'password', PasswordLength: 20, ExcludePunctuation: true },
      },
    },
    Cluster: {
      Type: 'AWS::RDS::DBCluster',
      Metadata: { Gatehouse: { Migrations: ['schema.sql'] } },
      Properties: {
        Engine: 'aurora-postgresql',
        DatabaseName: 'notes',
        EnableHttpEndpoint: true,
        MasterUsername: { 'Fn::Sub': '{{resolve:secretsmanager:${Secret}:SecretString:username}}' },
        MasterUserPassword: { 'Fn::Sub': '{{resolve:secretsmanager:${Secret}:SecretString:password}}' },
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 1 },
      },
    },
    Writer: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'aurora-postgresql', DBClusterIdentifier: { Ref: 'Cluster' }, DBInstanceClass: 'db.serverless' } },
    Attachment: { Type: 'AWS::SecretsManager::SecretTargetAttachment', Properties: { SecretId: { Ref: 'Secret' }, TargetId: { Ref: 'Cluster' }, TargetType: 'AWS::RDS::DBCluster' } },
    Plain: {
      Type: 'AWS::RDS::DBInstance',
      Properties: { Engine: 'postgres', DBInstanceClass: 'db.t4g.micro', MasterUsername: 'owner', ManageMasterUserPassword: true, DatabaseName: 'plain' },
    },
    Notes: {
      Type: 'AWS::Serverless::Function',
      Properties: {
        Runtime: 'nodejs20.x',
        CodeUri: 'fn',
        Handler: 'index.handler',
        ReservedConcurrentExecutions: 4,
        // The first call waits for a fresh cluster (initdb) on a loaded machine.
        Timeout: 60,
        Environment: { Variables: { SECRET: { Ref: 'Secret' } } },
        Events: {
          List: { Type: 'Api', Properties: { Path: '/notes', Method: 'get' } },
          Create: { Type: 'Api', Properties: { Path: '/notes', Method: 'post' } },
          Get: { Type: 'Api', Properties: { Path: '/notes/{id}', Method: 'get' } },
        },
      },
    },
    CountNotes: {
      Type: 'AWS::Serverless::StateMachine',
      Properties: {
        Type: 'EXPRESS',
        Definition: {
          StartAt: 'Count',
          States: {
            Count: {
              Type: 'Task',
              Resource: 'arn:aws:states:::aws-sdk:rdsdata:executeStatement',
              Parameters: { ResourceArn: { 'Fn::GetAtt': ['Cluster', 'DBClusterArn'] }, SecretArn: { Ref: 'Secret' }, Database: 'notes', Sql: 'SELECT count(*) AS n FROM notes' },
              End: true,
            },
          },
        },
      },
    },
  },
  Outputs: {
    ClusterArn: { Value: { 'Fn::GetAtt': ['Cluster', 'DBClusterArn'] } },
    ClusterPort: { Value: { 'Fn::GetAtt': ['Cluster', 'Endpoint.Port'] } },
    WriterPort: { Value: { 'Fn::GetAtt': ['Writer', 'Endpoint.Port'] } },
    PlainPort: { Value: { 'Fn::GetAtt': ['Plain', 'Endpoint.Port'] } },
    PlainArn: { Value: { 'Fn::GetAtt': ['Plain', 'DBInstanceArn'] } },
    PlainSecret: { Value: { 'Fn::GetAtt': ['Plain', 'MasterUserSecret.SecretArn'] } },
    SecretArn: { Value: { Ref: 'Secret' } },
    StateMachine: { Value: { Ref: 'CountNotes' } },
  },
};

let dir: string;
let gatehouse: Gatehouse;

function start(file = join(dir, 'template.yaml'), dataDir = join(dir, 'data')): Promise<Gatehouse> {
  return startGatehouse({ file, port: 0, awsPort: 0, host: '127.0.0.1', dataDir, watch: false, parameterOverrides: {}, log: createLogger('silent'), databasePort: 0 });
}

const clientConfig = () => ({ endpoint: gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
const output = (key: string) => String(gatehouse.project.outputs[key]!.value);

async function masterClient(): Promise<pg.Client> {
  const secret = JSON.parse((await new SecretsManagerClient(clientConfig()).send(new GetSecretValueCommand({ SecretId: 'notes-db' }))).SecretString!) as Record<string, string | number>;
  const client = new pg.Client({ host: String(secret['host']), port: Number(secret['port']), user: String(secret['username']), password: String(secret['password']), database: String(secret['dbname']) });
  await client.connect();
  return client;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-rds-'));
  // Functions resolve packages upward from their code folder, as a project's would.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'fn'));
  writeFileSync(join(dir, 'fn/index.mjs'), FUNCTION);
  writeFileSync(join(dir, 'schema.sql'), "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL);\nINSERT INTO notes (body) VALUES ('seeded');\n");
  writeFileSync(join(dir, 'template.yaml'), stringify(TEMPLATE));
  gatehouse = await start();
  // A fresh cluster (initdb) on a loaded machine can outlast API Gateway's 29 s integration timeout: the
  // database port holds this connection until the server is ready.
  await (await masterClient()).end();
});
after(async () => {
  await gatehouse?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('GetAtt: a cluster and its instances share one endpoint; a standalone instance has its own port', () => {
  assert.equal(output('ClusterPort'), output('WriterPort'));
  assert.equal(Number(output('PlainPort')), Number(output('ClusterPort')) + 1);
  assert.match(output('ClusterArn'), /^arn:aws:rds:us-east-1:000000000000:cluster:[a-z0-9-]+$/);
  // RDS names the managed master secret rds!db-<uuid> (RDS User Guide "Password management with Amazon RDS and AWS Secrets Manager").
  assert.match(output('PlainSecret'), /^arn:aws:secretsmanager:us-east-1:000000000000:secret:rds!db-[0-9a-f-]{36}-[A-Za-z0-9]{6}$/);
});

test('CRUD through the API: a function with a pooled pg connection reads the migration and its own writes', async () => {
  const list = await call(gatehouse.apiUrl, 'GET', '/Prod/notes');
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json(), [{ id: 1, body: 'seeded' }]);
  const created = await call(gatehouse.apiUrl, 'POST', '/Prod/notes', { headers: { 'content-type': 'application/json' }, body: '{"body":"hello"}' });
  assert.equal(created.status, 201);
  const { id } = created.json() as { id: number };
  assert.deepEqual((await call(gatehouse.apiUrl, 'GET', `/Prod/notes/${id}`)).json(), { id, body: 'hello' });
  assert.equal((await call(gatehouse.apiUrl, 'GET', '/Prod/notes/999')).status, 404);
});

test('connections stay bounded under 200 concurrent requests: warm environments x pool size', async () => {
  const responses = await Promise.all(Array.from({ length: 200 }, () => call(gatehouse.apiUrl, 'GET', '/Prod/notes')));
  assert.ok(responses.every((r) => r.status === 200), responses.find((r) => r.status !== 200)?.text);
  const client = await masterClient();
  try {
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pooled-fn'");
    // ReservedConcurrentExecutions 4 environments, each with a Pool of max 2.
    assert.ok(rows[0]!.n >= 1 && rows[0]!.n <= 8, `${rows[0]!.n} connections`);
  } finally {
    await client.end();
  }
});

test('Data API: typed parameters, result metadata, JSON records, batches, and a rolled back transaction leaves no rows', async () => {
  const data = new RDSDataClient(clientConfig());
  const target = { resourceArn: output('ClusterArn'), secretArn: output('SecretArn'), database: 'notes' };
  const inserted = await data.send(
    new ExecuteStatementCommand({ ...target, sql: 'INSERT INTO notes (body) VALUES (:body) RETURNING id, body', parameters: [{ name: 'body', value: { stringValue: 'from data api' } }], includeResultMetadata: true }),
  );
  // Field union members and ColumnMetadata (RDS Data API Reference "Field", "ColumnMetadata").
  assert.equal(inserted.numberOfRecordsUpdated, 1);
  assert.equal(inserted.records![0]![1]!.stringValue, 'from data api');
  assert.equal(typeof inserted.records![0]![0]!.longValue, 'number');
  assert.deepEqual(inserted.columnMetadata!.map((c) => [c.name, c.typeName]), [['id', 'int4'], ['body', 'text']]);

  const json = await data.send(new ExecuteStatementCommand({ ...target, sql: "SELECT id, body, NULL AS nothing FROM notes WHERE body = 'seeded'", formatRecordsAs: 'JSON' }));
  assert.equal(json.records, undefined);
  assert.deepEqual(JSON.parse(json.formattedRecords!), [{ id: 1, body: 'seeded', nothing: null }]);

  const batch = await data.send(new BatchExecuteStatementCommand({ ...target, sql: 'INSERT INTO notes (body) VALUES (:b)', parameterSets: [[{ name: 'b', value: { stringValue: 'b1' } }], [{ name: 'b', value: { stringValue: 'b2' } }]] }));
  assert.equal(batch.updateResults!.length, 2);

  const { transactionId } = await data.send(new BeginTransactionCommand(target));
  await data.send(new ExecuteStatementCommand({ ...target, transactionId, sql: "INSERT INTO notes (body) VALUES ('rolled back')" }));
  // Statuses as the API reference documents them (RollbackTransaction / CommitTransaction "Response Syntax").
  assert.equal((await data.send(new RollbackTransactionCommand({ ...target, transactionId }))).transactionStatus, 'Rollback Complete');
  const left = await data.send(new ExecuteStatementCommand({ ...target, sql: "SELECT count(*) FROM notes WHERE body = 'rolled back'" }));
  assert.deepEqual(left.records, [[{ longValue: 0 }]]);

  const committed = await data.send(new BeginTransactionCommand(target));
  await data.send(new ExecuteStatementCommand({ ...target, transactionId: committed.transactionId, sql: "INSERT INTO notes (body) VALUES ('kept')" }));
  assert.equal((await data.send(new CommitTransactionCommand({ ...target, transactionId: committed.transactionId }))).transactionStatus, 'Transaction Committed');
});

test('Data API errors: SQL errors, unknown transactions, clusters without the HTTP endpoint', async () => {
  const data = new RDSDataClient(clientConfig());
  const target = { resourceArn: output('ClusterArn'), secretArn: output('SecretArn'), database: 'notes' };
  // Error names and HTTP statuses of the RDS Data API Reference "Errors" of ExecuteStatement.
  await assert.rejects(data.send(new ExecuteStatementCommand({ ...target, sql: 'SELECT * FROM missing' })), (e: Error & { $metadata: { httpStatusCode: number } }) => {
    assert.equal(e.name, 'DatabaseErrorException');
    assert.equal(e.$metadata.httpStatusCode, 400);
    assert.match(e.message, /relation "missing" does not exist/);
    return true;
  });
  await assert.rejects(data.send(new CommitTransactionCommand({ ...target, transactionId: 'nope' })), { name: 'NotFoundException' });
  await assert.rejects(data.send(new ExecuteStatementCommand({ ...target, sql: 'SELECT :x' })), { name: 'BadRequestException' });
  await assert.rejects(
    data.send(new ExecuteStatementCommand({ resourceArn: output('PlainArn'), secretArn: output('PlainSecret'), sql: 'SELECT 1' })),
    { name: 'HttpEndpointNotEnabledException' },
  );
});

test('ManageMasterUserPassword: the rds! secret holds credentials that open the instance', async () => {
  const secret = JSON.parse((await new SecretsManagerClient(clientConfig()).send(new GetSecretValueCommand({ SecretId: output('PlainSecret') }))).SecretString!) as { username: string; password: string };
  assert.equal(secret.username, 'owner');
  const client = new pg.Client({ host: '127.0.0.1', port: Number(output('PlainPort')), user: secret.username, password: secret.password, database: 'plain' });
  await client.connect();
  assert.equal((await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db, 'plain');
  await client.end();
  const wrong = new pg.Client({ host: '127.0.0.1', port: Number(output('PlainPort')), user: 'owner', password: 'wrong', database: 'plain' });
  await assert.rejects(wrong.connect(), /password authentication failed/);
});

test('a Step Functions aws-sdk:rdsdata:executeStatement task runs SQL with no function', async () => {
  // StartSyncExecution's endpoint has a `sync-` host prefix, which a local endpoint does not.
  const sfn = new SFNClient({ ...clientConfig(), disableHostPrefix: true });
  const result = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: output('StateMachine'), input: '{}' }));
  assert.equal(result.status, 'SUCCEEDED', result.cause);
  // AWS SDK integrations return the SDK response with PascalCase member names (Step Functions "AWS SDK service integrations").
  const out = JSON.parse(result.output!) as { Records: { LongValue: number }[][] };
  assert.ok(out.Records[0]![0]!.LongValue >= 1);
});

test('restart keeps the data, and the migration is not run twice', async () => {
  await gatehouse.close();
  gatehouse = await start();
  await (await masterClient()).end();
  const list = (await call(gatehouse.apiUrl, 'GET', '/Prod/notes')).json() as { body: string }[];
  assert.ok(list.some((n) => n.body === 'hello'));
  assert.equal(list.filter((n) => n.body === 'seeded').length, 1);
});

test('engines gatehouse does not serve fail at start naming the property and what is supported', async () => {
  const file = join(dir, 'mysql.yaml');
  writeFileSync(file, stringify({ Resources: { Db: { Type: 'AWS::RDS::DBCluster', Properties: { Engine: 'aurora-mysql', MasterUsername: 'a', MasterUserPassword: 'b' } } } }));
  await assert.rejects(start(file, join(dir, 'mysql-data')), (error: Error) => {
    assert.ok(error instanceof DefinitionError);
    assert.match(error.message, /#\/Resources\/Db\/Properties\/Engine: Db: engine "aurora-mysql" is not served by gatehouse; supported: postgres, aurora-postgresql/);
    return true;
  });
});
