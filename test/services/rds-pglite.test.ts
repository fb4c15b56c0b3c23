/**
 * The PGlite fallback (`--db-engine pglite`, what a machine without PostgreSQL gets): the template's
 * cluster through the database port with `pg` (a Pool of 10, the template's credentials, PostgreSQL's
 * own login errors), connections taking turns on PGlite's single session without interleaving
 * transactions, the migrations, the RDS Data API, and a restart that keeps the data. PGlite is slow
 * to start, so one gatehouse serves every test and the restart test comes last.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { stringify } from 'yaml';
import { RDSDataClient, ExecuteStatementCommand, BeginTransactionCommand, RollbackTransactionCommand } from '@aws-sdk/client-rds-data';
import { startGatehouse, type Gatehouse } from '../../src/server/gatehouse.js';
import { createLogger } from '../../src/core/log.js';

const TEMPLATE = {
  Resources: {
    Secret: {
      Type: 'AWS::SecretsManager::Secret',
      Properties: { Name: 'shop-db', SecretString: '{"username": "shop", "password": "shop-password"}' },
    },
    Cluster: {
      Type: 'AWS::RDS::DBCluster',
      Metadata: { Gatehouse: { Migrations: ['schema.sql'] } },
      Properties: {
        Engine: 'aurora-postgresql',
        DatabaseName: 'shop',
        EnableHttpEndpoint: true,
        MasterUsername: { 'Fn::Sub': '{{resolve:secretsmanager:${Secret}:SecretString:username}}' },
        MasterUserPassword: { 'Fn::Sub': '{{resolve:secretsmanager:${Secret}:SecretString:password}}' },
      },
    },
  },
  Outputs: {
    Port: { Value: { 'Fn::GetAtt': ['Cluster', 'Endpoint.Port'] } },
    ClusterArn: { Value: { 'Fn::GetAtt': ['Cluster', 'DBClusterArn'] } },
    SecretArn: { Value: { Ref: 'Secret' } },
  },
};

const CLI = resolve(fileURLToPath(import.meta.url), '../../../gatehouse.mjs');

let dir: string;
let gatehouse: Gatehouse;

const start = (): Promise<Gatehouse> =>
  startGatehouse({
    file: join(dir, 'template.yaml'),
    port: 0,
    awsPort: 0,
    host: '127.0.0.1',
    dataDir: join(dir, 'data'),
    watch: false,
    parameterOverrides: {},
    log: createLogger('silent'),
    databasePort: 0,
    databaseEngine: 'pglite',
  });

const output = (key: string) => String(gatehouse.project.outputs[key]!.value);
const connection = (overrides: pg.ClientConfig = {}): pg.ClientConfig => ({ host: '127.0.0.1', port: Number(output('Port')), user: 'shop', password: 'shop-password', database: 'shop', ...overrides });

async function connect(overrides: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client(connection(overrides));
  await client.connect();
  return client;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-pglite-'));
  writeFileSync(join(dir, 'schema.sql'), "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);\nINSERT INTO items (name) VALUES ('seeded');\n");
  writeFileSync(join(dir, 'template.yaml'), stringify(TEMPLATE));
  gatehouse = await start();
  // The database port holds this connection until PGlite has initialised (tens of seconds on a loaded machine).
  await (await connect()).end();
});
after(async () => {
  await gatehouse?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('CRUD with a pg Pool of 10: the template database and master user, the migration, named statements per connection', async () => {
  const pool = new pg.Pool({ ...connection(), max: 10 });
  try {
    const who = await pool.query<{ user: string; db: string }>('SELECT current_user AS user, current_database() AS db');
    assert.deepEqual(who.rows, [{ user: 'shop', db: 'shop' }]);
    assert.deepEqual((await pool.query('SELECT name FROM items')).rows, [{ name: 'seeded' }]);
    // 40 inserts over 10 connections, each preparing the same statement name.
    const inserted = await Promise.all(
      Array.from({ length: 40 }, (_, i) => pool.query<{ id: number }>({ name: 'add', text: 'INSERT INTO items (name) VALUES ($1) RETURNING id', values: [`item ${i}`] })),
    );
    assert.equal(new Set(inserted.map((r) => r.rows[0]!.id)).size, 40);
    const read = await Promise.all(Array.from({ length: 20 }, () => pool.query<{ n: number }>({ name: 'count', text: 'SELECT count(*)::int AS n FROM items WHERE name LIKE $1', values: ['item %'] })));
    assert.ok(read.every((r) => r.rows[0]!.n === 40));
    assert.equal((await pool.query("UPDATE items SET name = 'renamed' WHERE name = 'item 0'")).rowCount, 1);
    assert.equal((await pool.query("DELETE FROM items WHERE name LIKE 'item %'")).rowCount, 39);
    assert.deepEqual((await pool.query('SELECT name FROM items ORDER BY id')).rows, [{ name: 'seeded' }, { name: 'renamed' }]);
  } finally {
    await pool.end();
  }
});

test('a transaction holds the session: another connection waits, then proceeds and sees the committed rows', async () => {
  const [a, b] = [await connect(), await connect()];
  try {
    const events: string[] = [];
    await a.query('BEGIN');
    await a.query("INSERT INTO items (name) VALUES ('tx 1')");
    const waiting = b.query<{ n: number }>("SELECT count(*)::int AS n FROM items WHERE name LIKE 'tx %'").then((r) => {
      events.push('b read');
      return r.rows[0]!.n;
    });
    // A goes on with its transaction while B waits: B never runs between A's statements.
    await a.query("INSERT INTO items (name) VALUES ('tx 2')");
    events.push('a inserted');
    await a.query('COMMIT');
    events.push('a committed');
    assert.equal(await waiting, 2);
    assert.deepEqual(events, ['a inserted', 'a committed', 'b read']);
  } finally {
    await Promise.all([a.end(), b.end()]);
  }
});

test('a connection that goes away inside a transaction is rolled back, and the others proceed', async () => {
  const gone = await connect();
  gone.on('error', () => {});
  await gone.query('BEGIN');
  await gone.query("INSERT INTO items (name) VALUES ('never committed')");
  const other = await connect();
  try {
    const read = other.query<{ n: number }>("SELECT count(*)::int AS n FROM items WHERE name = 'never committed'");
    (gone as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    assert.equal((await read).rows[0]!.n, 0);
  } finally {
    await other.end();
  }
});

test('logins are checked as PostgreSQL checks them: wrong password and unknown user fail with 28P01, roles made in SQL log in', async () => {
  // SQLSTATE 28P01 invalid_password (PostgreSQL docs "PostgreSQL Error Codes"); the same answer for an unknown user.
  await assert.rejects(connect({ password: 'wrong' }), { code: '28P01', message: 'password authentication failed for user "shop"' });
  await assert.rejects(connect({ user: 'nobody' }), { code: '28P01', message: 'password authentication failed for user "nobody"' });
  // PGlite runs one database: another name is refused, naming the one it serves.
  await assert.rejects(connect({ database: 'postgres' }), (error: pg.DatabaseError) => {
    assert.equal(error.code, '3D000');
    assert.match(error.message, /runs one database, "shop"/);
    return true;
  });
  const master = await connect();
  try {
    await master.query("CREATE ROLE reader LOGIN PASSWORD 'scram-pw'");
    await master.query("SET password_encryption = 'md5'");
    await master.query("CREATE ROLE legacy LOGIN PASSWORD 'md5-pw'");
    await master.query('CREATE ROLE nologin');
  } finally {
    await master.end();
  }
  for (const [user, password] of [['reader', 'scram-pw'], ['legacy', 'md5-pw']]) {
    const client = await connect({ user, password });
    assert.equal((await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u, user);
    await client.end();
  }
  await assert.rejects(connect({ user: 'legacy', password: 'scram-pw' }), { code: '28P01' });
});

test('COPY FROM STDIN, which PGlite cannot run, is refused with an error and the connection stays usable', async () => {
  const client = await connect();
  try {
    await assert.rejects(client.query('COPY items (name) FROM STDIN'), { code: '0A000' });
    assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
  } finally {
    await client.end();
  }
});

test('the RDS Data API runs on PGlite: ExecuteStatement with parameters, a rolled back transaction leaves no rows', async () => {
  const data = new RDSDataClient({ endpoint: gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  const target = { resourceArn: output('ClusterArn'), secretArn: output('SecretArn'), database: 'shop' };
  const inserted = await data.send(
    new ExecuteStatementCommand({ ...target, sql: 'INSERT INTO items (name) VALUES (:name) RETURNING name', parameters: [{ name: 'name', value: { stringValue: 'from data api' } }] }),
  );
  // Field union members (RDS Data API Reference "Field").
  assert.deepEqual(inserted.records, [[{ stringValue: 'from data api' }]]);
  const { transactionId } = await data.send(new BeginTransactionCommand(target));
  await data.send(new ExecuteStatementCommand({ ...target, transactionId, sql: "INSERT INTO items (name) VALUES ('rolled back')" }));
  // RollbackTransaction "Response Syntax": transactionStatus.
  assert.equal((await data.send(new RollbackTransactionCommand({ ...target, transactionId }))).transactionStatus, 'Rollback Complete');
  const left = await data.send(new ExecuteStatementCommand({ ...target, sql: "SELECT count(*) FROM items WHERE name = 'rolled back'" }));
  assert.deepEqual(left.records, [[{ longValue: 0 }]]);
});

test('a statement that stops PGlite ends the connections with 57P01, and PGlite starts again on the same data', async () => {
  const [victim, bystander] = [await connect(), await connect()];
  victim.on('error', () => {});
  bystander.on('error', () => {});
  // PGlite exits inside WebAssembly when COPY waits for client data; a comment hides this one from the bridge's check.
  await assert.rejects(victim.query('COPY items (name) FROM /* ; */ STDIN'), { code: '57P01' });
  // 57P01 admin_shutdown, as PostgreSQL ends connections when it shuts down (PostgreSQL docs "PostgreSQL Error Codes").
  await assert.rejects(bystander.query('SELECT 1'), (error: Error & { code?: string }) => error.code === '57P01' || /terminated/.test(error.message));
  const client = await connect();
  try {
    assert.deepEqual((await client.query("SELECT name FROM items WHERE name = 'seeded'")).rows, [{ name: 'seeded' }]);
  } finally {
    await client.end();
  }
});

test('restart keeps the data, and the migration is not run twice', async () => {
  await gatehouse.close();
  gatehouse = await start();
  const client = await connect();
  try {
    const names = (await client.query<{ name: string }>('SELECT name FROM items ORDER BY id')).rows.map((r) => r.name);
    assert.deepEqual(names.filter((n) => n === 'seeded'), ['seeded']);
    assert.ok(names.includes('renamed') && names.includes('tx 2') && names.includes('from data api'));
  } finally {
    await client.end();
  }
});

test('--db-engine takes auto, postgres or pglite, and not together with --postgres-url', () => {
  const serve = (...args: string[]) => spawnSync(process.execPath, [CLI, 'serve', join(dir, 'template.yaml'), ...args], { encoding: 'utf8' });
  const unknown = serve('--db-engine', 'sqlite');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /--db-engine must be auto, postgres or pglite/);
  const both = serve('--db-engine', 'pglite', '--postgres-url', 'postgres://u:p@127.0.0.1:5432/postgres');
  assert.equal(both.status, 2);
  assert.match(both.stderr, /pass one of them/);
});
