// RDS scenario: GET /Prod/customers/{id} through a function with a module-scope pg Pool on the embedded
// PostgreSQL, vs the same handler (same pooled query, same database port) called in one process: the limit.
import { join } from 'node:path';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import type { LoadScenarioSpec } from './scenarios.js';
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

export const rds: LoadScenarioSpec = {
  name: 'rds',
  title: 'RDS: GET /Prod/customers/{id} (function + pooled pg query on the embedded PostgreSQL) vs the same handler and query in one process',
  minRatio: 0.3,
  async setup(config) {
    const dir = join(config.tmpDir, 'rds');
    mkdirSync(dir, { recursive: true });
    // The handler imports pg the way a project's function would: from node_modules above it.
    symlinkSync(join(config.root, 'node_modules'), join(dir, 'node_modules'));
    const [dbPort] = (await freePorts(1)) as [number];
    const handlerFile = join(dir, 'customers.mjs');
    writeFileSync(handlerFile, handler(dbPort));
    writeFileSync(join(dir, 'schema.sql'), SCHEMA);
    const definition = join(dir, 'template.yaml');
    writeFileSync(definition, TEMPLATE);
    const path = '/Prod/customers/42';
    return {
      targets: [
        // gatehouse first: it serves the database the limit queries too.
        {
          label: 'gatehouse',
          role: 'subject',
          path,
          start: async (): Promise<Running> => {
            const running = await startGatehouse({ root: config.root, definition, dataDir: join(dir, 'data'), startTimeoutMs: config.startTimeoutMs, extraArgs: ['--db-port', String(dbPort)] });
            // The first call waits for initdb and the migration, then every environment starts (cold starts, pool
            // connections): neither is part of the steady state measured.
            await httpGet(running.origin + path, 60_000).catch(() => undefined);
            await Promise.all(Array.from({ length: config.connections }, () => httpGet(running.origin + path, 60_000).catch(() => undefined)));
            return running;
          },
        },
        { label: 'pg in-process', role: 'limit', path, start: () => startSimpleServer('pg in-process', { kind: 'lambda-in-process', handlerFile }) },
      ],
      teardown: async () => {},
    };
  },
};
