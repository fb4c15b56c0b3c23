// RDS scenario: GET /Prod/customers/{id} through a function with a module-scope pg Pool on the embedded
// PostgreSQL, vs the same handler (same pooled query, same database port) called in one process: the limit.
import { join } from 'node:path';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import type { LoadScenarioSpec, BenchConfig, TargetSpec } from './scenarios.js';
import type { Role } from './report.js';
import { freePorts, httpGet, startGatehouse, startSimpleServer, type Running } from './servers.js';

const SCHEMA = `CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, city text NOT NULL);
INSERT INTO customers SELECT i, 'customer-' || i, 'city-' || (i % 10) FROM generate_series(1, 1000) AS i;
`;

/** The connection is fixed at write time (the bench picks the port), so the limit runs the very same file. */
const handler = (port: number) => `import pg from 'pg';
const pool = new pg.Pool({ host: '127.0.0.1', port: ${port}, user: 'bench', password: 'bench-password', database: 'shop', max: Number(process.env.POOL_SIZE ?? 10) });
export const handler = async (event) => {
  const id = event.pathParameters?.id ?? event.path.slice(event.path.lastIndexOf('/') + 1);
  const { rows } = await pool.query('SELECT id, name, city FROM customers WHERE id = $1', [Number(id)]);
  return { statusCode: rows.length ? 200 : 404, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(rows[0] ?? { message: 'not found' }) };
};
`;

const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties:
      SecretString: '{"username": "bench", "password": "bench-password"}'
  Db:
    Type: AWS::RDS::DBCluster
    Metadata: {Gatehouse: {Migrations: [schema.sql]}}
    Properties:
      Engine: aurora-postgresql
      DatabaseName: shop
      MasterUsername: !Sub "{{resolve:secretsmanager:\${Secret}:SecretString:username}}"
      MasterUserPassword: !Sub "{{resolve:secretsmanager:\${Secret}:SecretString:password}}"
  Customers:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      CodeUri: .
      Handler: customers.handler
      Timeout: 30
      Environment: {Variables: {POOL_SIZE: "2"}}
      Events:
        Get: {Type: Api, Properties: {Path: "/customers/{id}", Method: get}}
`;

/** The app (handler, migration, template) in `dir`, its function pointed at `dbPort`; returns the definition and handler files. */
function writeApp(config: BenchConfig, dir: string, dbPort: number): { definition: string; handlerFile: string } {
  mkdirSync(dir, { recursive: true });
  // The handler imports pg the way a project's function would: from node_modules above it.
  symlinkSync(join(config.root, 'node_modules'), join(dir, 'node_modules'));
  const handlerFile = join(dir, 'customers.mjs');
  writeFileSync(handlerFile, handler(dbPort));
  writeFileSync(join(dir, 'schema.sql'), SCHEMA);
  const definition = join(dir, 'template.yaml');
  writeFileSync(definition, TEMPLATE);
  return { definition, handlerFile };
}

const PATH = '/Prod/customers/42';

/** gatehouse serving the app written in `dir`; its probe reports the time from spawn to the first answer. */
function gatehouseTarget(config: BenchConfig, label: string, role: Role, dir: string, dbPort: number, extraArgs: string[] = []): TargetSpec {
  const definition = join(dir, 'template.yaml');
  let firstAnswerMs = 0;
  return {
    label,
    role,
    path: PATH,
    start: async (): Promise<Running> => {
      const started = performance.now();
      const running = await startGatehouse({ root: config.root, definition, dataDir: join(dir, 'data'), startTimeoutMs: config.startTimeoutMs, extraArgs: ['--db-port', String(dbPort), ...extraArgs] });
      // The first call waits for initdb and the migration, then every environment starts (cold starts, pool
      // connections): neither is part of the steady state measured.
      await httpGet(running.origin + PATH, 120_000).catch(() => undefined);
      firstAnswerMs = performance.now() - started;
      await Promise.all(Array.from({ length: config.connections }, () => httpGet(running.origin + PATH, 60_000).catch(() => undefined)));
      return running;
    },
    probe: async () => `first answer ${firstAnswerMs.toFixed(0)} ms after spawn (database initialised and migrated)`,
  };
}

export const rds: LoadScenarioSpec = {
  name: 'rds',
  title: 'RDS: GET /Prod/customers/{id} (function + pooled pg query on the embedded PostgreSQL) vs the same handler and query in one process',
  minRatio: 0.3,
  async setup(config) {
    const dir = join(config.tmpDir, 'rds');
    const [dbPort] = (await freePorts(1)) as [number];
    const { handlerFile } = writeApp(config, dir, dbPort);
    return {
      // gatehouse first: it serves the database the limit queries too.
      targets: [
        gatehouseTarget(config, 'gatehouse', 'subject', dir, dbPort),
        { label: 'pg in-process', role: 'limit', path: PATH, start: () => startSimpleServer('pg in-process', { kind: 'lambda-in-process', handlerFile }) },
      ],
      teardown: async () => {},
    };
  },
};

/** The PGlite fallback's cost: the same app on PGlite (`--db-engine pglite`) vs on the installed PostgreSQL, for information. */
export const rdsPglite: LoadScenarioSpec = {
  name: 'rds-pglite',
  title: 'RDS on PGlite: GET /Prod/customers/{id} with --db-engine pglite vs the same app on the installed PostgreSQL',
  minRatio: null,
  async setup(config) {
    const [litePort, pgPort] = (await freePorts(2)) as [number, number];
    const [liteDir, pgDir] = [join(config.tmpDir, 'rds-pglite'), join(config.tmpDir, 'rds-postgres')];
    writeApp(config, liteDir, litePort);
    writeApp(config, pgDir, pgPort);
    return {
      targets: [
        gatehouseTarget(config, 'gatehouse on PGlite', 'subject', liteDir, litePort, ['--db-engine', 'pglite']),
        gatehouseTarget(config, 'gatehouse on PostgreSQL', 'limit', pgDir, pgPort, ['--db-engine', 'postgres']),
      ],
      teardown: async () => {},
    };
  },
};
