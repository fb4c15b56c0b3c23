/**
 * What RDS sets up in a new database server, done on every start so template edits apply: the master
 * user (its password follows the template), the `DatabaseName` database owned by it, then each
 * migration file not yet applied to that database, once, in a transaction, as the master user.
 * Applied files are recorded in the `gatehouse_migrations` table of that database.
 * RDS docs: "Master user account privileges" (CREATEDB, CREATEROLE, pg_monitor / pg_signal_backend via rds_superuser).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { loadPg } from './pg.js';
import type { DatabaseServer } from './servers.js';

export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;

export async function bootstrap(admin: pg.ClientConfig, server: DatabaseServer, log: (line: string) => void): Promise<void> {
  await createRoleAndDatabase(admin, server);
  if (server.migrations.length > 0) await migrate({ ...admin, database: server.databaseName ?? 'postgres' }, server, log);
}

/** The master user (created, or its password brought in line with the template) and the `DatabaseName` database it owns. */
export async function createRoleAndDatabase(admin: pg.ClientConfig, server: DatabaseServer): Promise<void> {
  const { Client } = await loadPg();
  const client = new Client(admin);
  await client.connect();
  try {
    const user = server.masterUsername;
    const role = await client.query('SELECT rolsuper FROM pg_roles WHERE rolname = $1', [user]);
    if (role.rowCount === 0) {
      await client.query(`CREATE ROLE ${ident(user)} LOGIN CREATEDB CREATEROLE PASSWORD ${literal(server.masterPassword)}`);
      await client.query(`GRANT pg_monitor, pg_signal_backend TO ${ident(user)}`);
    } else {
      await client.query(`ALTER ROLE ${ident(user)} PASSWORD ${literal(server.masterPassword)}`);
    }
    if (server.databaseName !== undefined) {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [server.databaseName]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${ident(server.databaseName)} OWNER ${ident(user)}`);
    }
  } finally {
    await client.end();
  }
}

async function migrate(admin: pg.ClientConfig, server: DatabaseServer, log: (line: string) => void): Promise<void> {
  const { Client } = await loadPg();
  const client = new Client(admin);
  await client.connect();
  try {
    await client.query(`SET ROLE ${ident(server.masterUsername)}`);
    await client.query('CREATE TABLE IF NOT EXISTS gatehouse_migrations (name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const applied = new Set((await client.query<{ name: string }>('SELECT name FROM gatehouse_migrations')).rows.map((r) => r.name));
    for (const file of server.migrations) {
      const name = path.basename(file);
      if (applied.has(name)) continue;
      const sql = readFileSync(file, 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO gatehouse_migrations (name, sha256) VALUES ($1, $2)', [name, createHash('sha256').update(sql).digest('hex')]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed on ${server.logicalId}: ${(error as Error).message}`);
      }
      log(`rds: ${server.logicalId}: applied ${name}`);
    }
  } finally {
    await client.end();
  }
}
