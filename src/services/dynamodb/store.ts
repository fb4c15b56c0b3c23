/**
 * Durable storage of the embedded DynamoDB in one SQLite database (`<dataDir>/dynamodb.sqlite`):
 * tables, items keyed by (table, partition hash, encoded partition key, encoded sort key),
 * secondary-index entries written in the same transaction as their item, and transaction tokens
 * (stream records: stream-log.ts). Only these two modules speak SQL.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from '../../storage/sqlite.js';
import { WalSync } from '../../storage/wal-sync.js';
import { CommitPacer } from '../../storage/commit-pacer.js';
import { encodeKey, hashKey, keyParts, prefixEnd, type KeyParts } from './keys.js';
import type { SortOperator } from './expressions/key-condition.js';
import type { IndexDefinition, KeySchema, TableDefinition, TableStats } from './schema.js';
import { StreamLog } from './stream-log.js';
import { itemSize, mapsEqual, type AttributeMap, type AttributeValue } from './types.js';

export { padSequence, type StreamRecord, type StreamRow } from './stream-log.js';

export type Statement = BetterSqlite3.Statement;

/** The store's tables (openDatabase's schema step). */
export function createTables(db: Database): void {
  db.exec(SCHEMA);
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tables (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  def TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
  tbl INTEGER NOT NULL, h INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,
  item TEXT NOT NULL, size INTEGER NOT NULL, expires REAL,
  PRIMARY KEY (tbl, h, pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_expiry ON items (expires) WHERE expires IS NOT NULL;
CREATE TABLE IF NOT EXISTS index_entries (
  tbl INTEGER NOT NULL, idx TEXT NOT NULL, h INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,
  th INTEGER NOT NULL, tpk BLOB NOT NULL, tsk BLOB NOT NULL,
  PRIMARY KEY (tbl, idx, h, pk, sk, tpk, tsk)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS streams (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  table_name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE, label TEXT NOT NULL, view_type TEXT NOT NULL,
  key_schema TEXT NOT NULL, created REAL NOT NULL, first_seq INTEGER NOT NULL, closed REAL
);
CREATE TABLE IF NOT EXISTS stream_records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  stream INTEGER NOT NULL, created REAL NOT NULL, record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stream_records_by_stream ON stream_records (stream, seq);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, hash TEXT NOT NULL, created REAL NOT NULL, response TEXT NOT NULL);
`;

/** ClientRequestToken idempotency lasts 10 minutes (API Reference "TransactWriteItems"). */
const TOKEN_TTL_S = 600;
export interface SortRange {
  op: SortOperator;
  values: AttributeValue[];
}

export class Store {
  private readonly tables = new Map<string, TableDefinition>();
  private readonly byId = new Map<number, TableDefinition>();
  private readonly statements = new Map<string, Statement>();
  private readonly begin: Statement;
  private readonly commit: Statement;
  private readonly rollback: Statement;
  private readonly savepoint: Statement;
  private readonly release: Statement;
  private readonly rollbackTo: Statement;
  private readonly wal: WalSync;
  private readonly pacer = new CommitPacer();
  /** The fsync of the last commit while it runs: a read must not reveal what is not yet durable. */
  private syncing: Promise<void> | null = null;
  /** Requests whose answers wait for the open batch's COMMIT. */
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  /** Stream records, written by `write` in the same transaction as the item. */
  readonly streamLog: StreamLog;
  /** Called after a commit with the tables that got stream records in it (event source mappings wake on it). */
  onStreamCommit: ((tables: ReadonlySet<string>) => void) | undefined;
  private streamed = new Set<string>();

  constructor(
    readonly db: Database,
    readonly region: string,
  ) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.savepoint = db.prepare('SAVEPOINT request');
    this.release = db.prepare('RELEASE request');
    this.rollbackTo = db.prepare('ROLLBACK TO request');
    this.wal = new WalSync(db);
    this.streamLog = new StreamLog((text) => this.sql(text), region);
    this.loadTables();
  }

  private loadTables(): void {
    this.tables.clear();
    this.byId.clear();
    for (const row of this.db.prepare('SELECT id, def FROM tables').all() as { id: number; def: string }[]) {
      const def = JSON.parse(row.def) as TableDefinition;
      def.id = row.id;
      this.tables.set(def.name, def);
      this.byId.set(def.id, def);
    }
  }

  private sql(text: string): Statement {
    let stmt = this.statements.get(text);
    if (stmt === undefined) {
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  /**
   * Runs `fn` atomically. Group commit: the first write opens a transaction that every request
   * handled until its COMMIT joins, each inside its own savepoint (a failed request rolls back
   * alone). The COMMIT comes at the end of the event-loop turn (after CommitPacer's pause while
   * writes arrive concurrently), or, while the previous commit's fsync runs, once that fsync ends,
   * so under load one commit and one fsync cover what arrived during an fsync; `durable()` holds
   * every answer until its commit is on disk (WalSync: the fsync runs off the event loop, which
   * meanwhile serves the next batch).
   */
  transaction<T>(fn: () => T): T {
    if (!this.db.inTransaction) {
      this.begin.run();
      setImmediate(() => {
        const running = this.wal.running() ?? this.pacer.pause();
        if (running === null) this.flush();
        else running.then(() => this.flush(), () => this.flush());
      });
    }
    this.savepoint.run();
    try {
      const result = fn();
      this.release.run();
      return result;
    } catch (error) {
      if (this.db.inTransaction) {
        this.rollbackTo.run();
        this.release.run();
      }
      throw error;
    }
  }

  /** Resolves once everything done so far is committed and on disk (undefined when nothing is pending). */
  durable(): Promise<void> | undefined {
    if (!this.db.inTransaction) return this.syncing ?? undefined;
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Commits the open batch and releases the answers waiting for it once it is on disk. */
  flush(): void {
    const waiters = this.waiters;
    this.waiters = [];
    const streamed = this.streamed;
    this.streamed = new Set();
    if (!this.db.inTransaction) {
      // SQLite aborted the transaction on its own (disk full, I/O error): nothing was kept.
      if (waiters.length > 0) this.loadTables();
      for (const w of waiters) w.reject(new Error('The write transaction was aborted'));
      return;
    }
    try {
      this.commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.rollback.run();
      this.loadTables();
      for (const w of waiters) w.reject(error);
      return;
    }
    this.pacer.committed(waiters.length);
    const syncing = this.wal.sync();
    this.syncing = syncing;
    syncing.then(
      () => {
        if (this.syncing === syncing) this.syncing = null;
        for (const w of waiters) w.resolve();
        if (streamed.size > 0) this.onStreamCommit?.(streamed);
      },
      (error: unknown) => {
        if (this.syncing === syncing) this.syncing = null;
        for (const w of waiters) w.reject(error);
      },
    );
  }

  /** Commits the open batch and lets go of the WAL file: the database closes next. */
  close(): void {
    this.flush();
    this.wal.close();
  }

  // ---- tables ----

  table(name: string): TableDefinition | undefined {
    return this.tables.get(name);
  }

  tableNames(): string[] {
    return [...this.tables.keys()].sort();
  }

  insertTable(def: Omit<TableDefinition, 'id'>): TableDefinition {
    const info = this.sql('INSERT INTO tables (name, def) VALUES (?, ?)').run(def.name, JSON.stringify(def));
    const full = { ...def, id: Number(info.lastInsertRowid) } as TableDefinition;
    this.saveTable(full);
    return full;
  }

  saveTable(def: TableDefinition): void {
    this.sql('UPDATE tables SET def = ? WHERE id = ?').run(JSON.stringify(def), def.id);
    this.tables.set(def.name, def);
    this.byId.set(def.id, def);
  }

  dropTable(def: TableDefinition): void {
    if (def.stream !== undefined) this.streamLog.close(def.stream.id);
    this.sql('DELETE FROM index_entries WHERE tbl = ?').run(def.id);
    this.sql('DELETE FROM items WHERE tbl = ?').run(def.id);
    this.sql('DELETE FROM tables WHERE id = ?').run(def.id);
    this.tables.delete(def.name);
    this.byId.delete(def.id);
  }

  stats(def: TableDefinition): TableStats {
    const row = this.sql('SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM items WHERE tbl = ?').get(def.id) as { n: number; bytes: number };
    const indexCounts = new Map<string, number>();
    if (def.indexes.length > 0) {
      for (const r of this.sql('SELECT idx, count(*) AS n FROM index_entries WHERE tbl = ? GROUP BY idx').all(def.id) as { idx: string; n: number }[]) {
        indexCounts.set(r.idx, r.n);
      }
    }
    return { itemCount: row.n, sizeBytes: row.bytes, indexCounts };
  }

  // ---- items ----

  private expiresOf(def: TableDefinition, item: AttributeMap): number | null {
    if (def.ttl?.enabled !== true) return null;
    const n = item[def.ttl.attribute]?.N;
    return n === undefined ? null : Number(n);
  }

  /** The item as a read sees it: an item past its TTL is already gone. */
  getItem(def: TableDefinition, key: KeyParts, nowSeconds: number): AttributeMap | undefined {
    const row = this.sql('SELECT item FROM items WHERE tbl = ? AND h = ? AND pk = ? AND sk = ? AND (expires IS NULL OR expires > ?)').get(def.id, key.h, key.pk, key.sk, nowSeconds) as
      | { item: string }
      | undefined;
    return row === undefined ? undefined : (JSON.parse(row.item) as AttributeMap);
  }

  /** The item as a write sees it (inside a transaction): an expired item is deleted first, as the TTL sweep would. */
  current(def: TableDefinition, key: KeyParts, nowSeconds: number): AttributeMap | undefined {
    const row = this.sql('SELECT item, expires FROM items WHERE tbl = ? AND h = ? AND pk = ? AND sk = ?').get(def.id, key.h, key.pk, key.sk) as
      | { item: string; expires: number | null }
      | undefined;
    if (row === undefined) return undefined;
    const item = JSON.parse(row.item) as AttributeMap;
    if (row.expires !== null && row.expires <= nowSeconds) {
      this.write(def, key, item, undefined, nowSeconds, true);
      return undefined;
    }
    return item;
  }

  /** Stores `next` (or deletes when undefined) with its index entries and stream record. */
  write(def: TableDefinition, key: KeyParts, old: AttributeMap | undefined, next: AttributeMap | undefined, nowSeconds: number, byTtl = false): void {
    if (next !== undefined) {
      this.sql('INSERT OR REPLACE INTO items (tbl, h, pk, sk, item, size, expires) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        def.id,
        key.h,
        key.pk,
        key.sk,
        JSON.stringify(next),
        itemSize(next),
        this.expiresOf(def, next),
      );
    } else if (old !== undefined) {
      this.sql('DELETE FROM items WHERE tbl = ? AND h = ? AND pk = ? AND sk = ?').run(def.id, key.h, key.pk, key.sk);
    }
    for (const index of def.indexes) this.writeIndexEntry(def, index, key, old, next);
    if (def.stream !== undefined && (old !== undefined || next !== undefined)) {
      // An update that changes nothing writes no stream record (Developer Guide "Change data capture for DynamoDB Streams").
      if (old !== undefined && next !== undefined && mapsEqual(old, next)) return;
      this.streamLog.append(def, def.stream, old, next, nowSeconds, byTtl);
      if (this.onStreamCommit !== undefined) this.streamed.add(def.name);
    }
  }

  private writeIndexEntry(def: TableDefinition, index: IndexDefinition, key: KeyParts, old: AttributeMap | undefined, next: AttributeMap | undefined): void {
    const before = old === undefined ? undefined : keyParts(index.key, old);
    const after = next === undefined ? undefined : keyParts(index.key, next);
    if (before !== undefined && after !== undefined && before.pk.equals(after.pk) && before.sk.equals(after.sk)) return;
    if (before !== undefined) {
      this.sql('DELETE FROM index_entries WHERE tbl = ? AND idx = ? AND h = ? AND pk = ? AND sk = ? AND tpk = ? AND tsk = ?').run(
        def.id,
        index.name,
        before.h,
        before.pk,
        before.sk,
        key.pk,
        key.sk,
      );
    }
    if (after !== undefined) {
      this.sql('INSERT OR REPLACE INTO index_entries (tbl, idx, h, pk, sk, th, tpk, tsk) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        def.id,
        index.name,
        after.h,
        after.pk,
        after.sk,
        key.h,
        key.pk,
        key.sk,
      );
    }
  }

  /** Fills a new index from the table's items (UpdateTable -> Create). */
  backfillIndex(def: TableDefinition, index: IndexDefinition): void {
    const rows = this.sql('SELECT h, pk, sk, item FROM items WHERE tbl = ?').all(def.id) as { h: number; pk: Buffer; sk: Buffer; item: string }[];
    for (const row of rows) this.writeIndexEntry(def, index, { h: row.h, pk: row.pk, sk: row.sk }, undefined, JSON.parse(row.item) as AttributeMap);
  }

  dropIndex(def: TableDefinition, name: string): void {
    this.sql('DELETE FROM index_entries WHERE tbl = ? AND idx = ?').run(def.id, name);
  }

  /**
   * Items of one partition in sort-key order, from the table or an index; `start` is the
   * ExclusiveStartKey's encoded position. Expired items are skipped.
   */
  query(def: TableDefinition, index: IndexDefinition | undefined, hash: Buffer, sort: SortRange | undefined, forward: boolean, start: Buffer[] | undefined, nowSeconds: number): IterableIterator<{ item: string }> {
    const schema: KeySchema = index?.key ?? def.key;
    const col = index === undefined ? 'i.sk' : 'x.sk';
    const where: string[] = [];
    const params: unknown[] = [];
    if (sort !== undefined) {
      const values = sort.values.map((v) => encodeKey(schema.rangeType!, v));
      switch (sort.op) {
        case 'BETWEEN':
          where.push(`${col} >= ?`, `${col} <= ?`);
          params.push(values[0], values[1]);
          break;
        case 'BEGINS_WITH': {
          where.push(`${col} >= ?`);
          params.push(values[0]);
          const end = prefixEnd(values[0]!);
          if (end !== undefined) {
            where.push(`${col} < ?`);
            params.push(end);
          }
          break;
        }
        default:
          where.push(`${col} ${sort.op} ?`);
          params.push(values[0]);
      }
    }
    const dir = forward ? 'ASC' : 'DESC';
    const cmp = forward ? '>' : '<';
    let text: string;
    const h = hashKey(hash);
    if (index === undefined) {
      if (start !== undefined) {
        where.push(`i.sk ${cmp} ?`);
        params.push(start[0]);
      }
      text = `SELECT i.item FROM items i WHERE i.tbl = ? AND i.h = ? AND i.pk = ? ${where.map((w) => 'AND ' + w).join(' ')} AND (i.expires IS NULL OR i.expires > ?) ORDER BY i.sk ${dir}`;
    } else {
      if (start !== undefined) {
        where.push(`(x.sk, x.tpk, x.tsk) ${cmp} (?, ?, ?)`);
        params.push(start[0], start[1], start[2]);
      }
      text =
        `SELECT i.item FROM index_entries x JOIN items i ON i.tbl = x.tbl AND i.h = x.th AND i.pk = x.tpk AND i.sk = x.tsk ` +
        `WHERE x.tbl = ? AND x.idx = ? AND x.h = ? AND x.pk = ? ${where.map((w) => 'AND ' + w).join(' ')} AND (i.expires IS NULL OR i.expires > ?) ` +
        `ORDER BY x.sk ${dir}, x.tpk ${dir}, x.tsk ${dir}`;
    }
    const head = index === undefined ? [def.id, h, hash] : [def.id, index.name, h, hash];
    return this.sql(text).iterate(...head, ...params, nowSeconds) as IterableIterator<{ item: string }>;
  }

  /** All items of a table or index in hash order, optionally one parallel-scan segment of the hash space. */
  scan(def: TableDefinition, index: IndexDefinition | undefined, segment: [number, number] | undefined, start: (number | Buffer)[] | undefined, nowSeconds: number): IterableIterator<{ item: string }> {
    const p = index === undefined ? 'i' : 'x';
    const where: string[] = [];
    const params: unknown[] = [];
    // The start key (inside the segment) is the lower bound when there is one, so each page is a range seek.
    if (start !== undefined) {
      where.push(index === undefined ? '(i.h, i.pk, i.sk) > (?, ?, ?)' : '(x.h, x.pk, x.sk, x.tpk, x.tsk) > (?, ?, ?, ?, ?)');
      params.push(...start);
    } else if (segment !== undefined) {
      where.push(`${p}.h >= ?`);
      params.push(segment[0]);
    }
    if (segment !== undefined) {
      where.push(`${p}.h <= ?`);
      params.push(segment[1]);
    }
    const text =
      index === undefined
        ? `SELECT i.item FROM items i WHERE i.tbl = ? ${where.map((w) => 'AND ' + w).join(' ')} AND (i.expires IS NULL OR i.expires > ?) ORDER BY i.h, i.pk, i.sk`
        : `SELECT i.item FROM index_entries x JOIN items i ON i.tbl = x.tbl AND i.h = x.th AND i.pk = x.tpk AND i.sk = x.tsk ` +
          `WHERE x.tbl = ? AND x.idx = ? ${where.map((w) => 'AND ' + w).join(' ')} AND (i.expires IS NULL OR i.expires > ?) ORDER BY x.h, x.pk, x.sk, x.tpk, x.tsk`;
    const head = index === undefined ? [def.id] : [def.id, index.name];
    return this.sql(text).iterate(...head, ...params, nowSeconds) as IterableIterator<{ item: string }>;
  }

  // ---- time to live ----

  /** Recomputes every item's expiry when TTL is enabled or disabled. */
  refreshExpiry(def: TableDefinition): void {
    const rows = this.sql('SELECT h, pk, sk, item FROM items WHERE tbl = ?').all(def.id) as { h: number; pk: Buffer; sk: Buffer; item: string }[];
    const update = this.sql('UPDATE items SET expires = ? WHERE tbl = ? AND h = ? AND pk = ? AND sk = ?');
    for (const row of rows) update.run(this.expiresOf(def, JSON.parse(row.item) as AttributeMap), def.id, row.h, row.pk, row.sk);
  }

  /** Deletes up to `limit` expired items (with their REMOVE stream records); returns how many. */
  sweepExpired(nowSeconds: number, limit: number): number {
    const rows = this.sql('SELECT tbl, h, pk, sk, item FROM items WHERE expires IS NOT NULL AND expires <= ? LIMIT ?').all(nowSeconds, limit) as {
      tbl: number;
      h: number;
      pk: Buffer;
      sk: Buffer;
      item: string;
    }[];
    if (rows.length === 0) return 0;
    this.transaction(() => {
      for (const row of rows) {
        const def = this.byId.get(row.tbl);
        if (def === undefined) continue;
        this.write(def, { h: row.h, pk: row.pk, sk: row.sk }, JSON.parse(row.item) as AttributeMap, undefined, nowSeconds, true);
      }
    });
    return rows.length;
  }

  /** Drops stream records past retention and expired transaction tokens. */
  trim(nowSeconds: number): void {
    this.streamLog.trim(nowSeconds);
    this.sql('DELETE FROM tokens WHERE created < ?').run(nowSeconds - TOKEN_TTL_S);
  }

  // ---- transaction tokens ----

  token(token: string, nowSeconds: number): { hash: string; response: string } | undefined {
    return this.sql('SELECT hash, response FROM tokens WHERE token = ? AND created >= ?').get(token, nowSeconds - TOKEN_TTL_S) as { hash: string; response: string } | undefined;
  }

  saveToken(token: string, hash: string, response: string, nowSeconds: number): void {
    this.sql('INSERT OR REPLACE INTO tokens (token, hash, created, response) VALUES (?, ?, ?, ?)').run(token, hash, nowSeconds, response);
  }
}
