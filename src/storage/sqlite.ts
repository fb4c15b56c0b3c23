/**
 * Durable storage for the embedded services: one SQLite database per service under --data-dir,
 * in WAL mode with synchronous=FULL so a write is acknowledged only once it is on disk (stores with
 * a group commit hand the fsync to WalSync, which does it off the event loop: wal-sync.ts).
 * (better-sqlite3 12: 13 crashes on Node 20.)
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

export type Database = BetterSqlite3.Database;

// Loaded on first use so a gateway without embedded state never pays for the native module.
const require = createRequire(import.meta.url);

export interface OpenOptions {
  /** Creates or upgrades the tables; runs at every open, before the database is used. */
  schema?: (db: Database) => void;
  /** locking_mode=EXCLUSIVE (see claimDatabase). */
  exclusive?: boolean;
}

export function openDatabase(file: string, options: OpenOptions = {}): Database {
  mkdirSync(dirname(file), { recursive: true });
  const Sqlite = require('better-sqlite3') as typeof BetterSqlite3;
  const created = options.schema !== undefined && !existsSync(file);
  const db = new Sqlite(file);
  // Before the first WAL access: an exclusive connection keeps the WAL index in its own memory.
  if (options.exclusive) db.pragma('locking_mode = EXCLUSIVE');
  // A new file is made durable once, by the checkpoint below, instead of by an fsync at the switch
  // to WAL and at every CREATE: 90-130 ms per new database here became 20-30.
  if (created) db.pragma('synchronous = OFF');
  db.pragma('journal_mode = WAL');
  options.schema?.(db);
  db.pragma('synchronous = FULL');
  if (created) db.pragma('wal_checkpoint(FULL)');
  db.pragma('foreign_keys = ON');
  return db;
}

/** Adds the columns a newer release needs to a table created by an older one (`name` -> column definition). */
export function ensureColumns(db: Database, table: string, columns: Record<string, string>): void {
  const present = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
  for (const [name, definition] of Object.entries(columns)) {
    if (!present.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${definition}`);
  }
}

/**
 * Opens a service's database for this process alone (locking_mode=EXCLUSIVE, the lock taken at
 * once): SQLite keeps its file locks instead of taking and dropping them around every transaction
 * (a read costs ~4 µs instead of 10-20, a commit saves its fcntl calls) and needs no shared-memory
 * WAL index; a second gatehouse on the same folder fails here, clearly, instead of racing this one.
 */
export function claimDatabase(file: string, service: string, schema?: (db: Database) => void): Database {
  let db: Database | undefined;
  try {
    db = openDatabase(file, { exclusive: true, ...(schema && { schema }) });
    db.exec('BEGIN IMMEDIATE; COMMIT');
    return db;
  } catch (error) {
    db?.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new Error(`${service}: ${file} is in use by another process`);
    throw error;
  }
}
