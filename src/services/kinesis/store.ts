/**
 * Durable Kinesis state in SQLite: streams, their shards (hash key ranges, the last sequence
 * counter handed out, lineage and closing after a reshard) and records. A PutRecord(s) commits
 * before it is acknowledged; a reshard commits before it is answered.
 * AWS docs: Kinesis Data Streams developer guide, "Terminology and concepts" (streams, shards, data
 * records, retention) and "Resharding a stream" (parent and child shards).
 */
import { ensureColumns, openDatabase, type Database } from '../../storage/sqlite.js';
import { evenRanges, type HashKeyRange } from './hash-keys.js';

export type StreamMode = 'PROVISIONED' | 'ON_DEMAND';

export interface ShardInfo {
  index: number;
  range: HashKeyRange;
  /** Counter of the last committed record (0 = none yet); the starting sequence number uses 0. */
  lastCounter: number;
  /** Counter of the last record handed a sequence number (committed or in the pending group commit). */
  assigned: number;
  /** The shards this one was split from (one) or merged from (two: ParentShardId, AdjacentParentShardId). */
  parents: number[];
  createdMs: number;
  /** Set when a split or merge closed the shard: the counter of its last record, and when. */
  closed: { counter: number; ms: number } | undefined;
}

/** One split or merge: the shards it closes and the children it opens (indexes follow on from the stream's last shard). */
export interface ShardChange {
  close: number[];
  create: { index: number; range: HashKeyRange; parents: number[] }[];
}

export interface StreamInfo {
  /** Incarnation key: a stream deleted and created again under the same name gets a new one. */
  key: number;
  name: string;
  mode: StreamMode;
  retentionHours: number;
  createdMs: number;
  /** Every shard, open or closed, at its index. */
  shards: ShardInfo[];
  /** The open shards by starting hash key: where new records go. */
  open: ShardInfo[];
  tags: Record<string, string>;
  /** Until then the stream reports UPDATING after a reshard (not stored: a restart finds it ACTIVE). */
  updatingUntilMs: number;
  /** When UpdateShardCount ran (its rolling 24-hour limit). */
  scalings: number[];
}

export interface StoredRecord {
  counter: number;
  partitionKey: string;
  data: Buffer;
  arrivalMs: number;
}

export interface NewRecord {
  shardIndex: number;
  partitionKey: string;
  data: Buffer;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS streams (
  key INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  mode TEXT NOT NULL,
  retention_hours INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  tags TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS shards (
  stream_key INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  start_hash TEXT NOT NULL,
  end_hash TEXT NOT NULL,
  last_counter INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (stream_key, idx)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS records (
  stream_key INTEGER NOT NULL,
  shard INTEGER NOT NULL,
  counter INTEGER NOT NULL,
  partition_key TEXT NOT NULL,
  data BLOB NOT NULL,
  arrival_ms INTEGER NOT NULL,
  PRIMARY KEY (stream_key, shard, counter)
) WITHOUT ROWID;
`;

interface StreamRow {
  key: number;
  name: string;
  mode: StreamMode;
  retention_hours: number;
  created_ms: number;
  tags: string;
  scalings: string;
}

interface ShardRow {
  stream_key: number;
  idx: number;
  start_hash: string;
  end_hash: string;
  last_counter: number;
  parent: number | null;
  adjacent_parent: number | null;
  created_ms: number;
  closed_counter: number | null;
  closed_ms: number | null;
}

interface RecordRow {
  counter: number;
  partition_key: string;
  data: Buffer;
  arrival_ms: number;
}

export class KinesisStore {
  readonly #db: Database;
  /** Streams by name: every read of the hot path (PutRecord shard choice, counters) stays in memory. */
  readonly #streams = new Map<string, StreamInfo>();
  readonly #statements;
  #pending: { stream: StreamInfo; records: readonly NewRecord[]; counters: number[]; now: number; resolve(c: number[]): void; reject(e: unknown): void }[] = [];

  constructor(file: string) {
    this.#db = openDatabase(file, { schema: (db) => db.exec(SCHEMA) });
    ensureColumns(this.#db, 'streams', { scalings: "TEXT NOT NULL DEFAULT '[]'" });
    ensureColumns(this.#db, 'shards', {
      parent: 'INTEGER',
      adjacent_parent: 'INTEGER',
      created_ms: 'INTEGER NOT NULL DEFAULT 0',
      closed_counter: 'INTEGER',
      closed_ms: 'INTEGER',
    });
    const db = this.#db;
    this.#statements = {
      insertStream: db.prepare('INSERT INTO streams (name, mode, retention_hours, created_ms, tags) VALUES (?, ?, ?, ?, ?)'),
      insertShard: db.prepare(
        'INSERT INTO shards (stream_key, idx, start_hash, end_hash, last_counter, parent, adjacent_parent, created_ms) VALUES (?, ?, ?, ?, 0, ?, ?, ?)',
      ),
      closeShard: db.prepare('UPDATE shards SET closed_counter = ?, closed_ms = ? WHERE stream_key = ? AND idx = ?'),
      setScalings: db.prepare('UPDATE streams SET scalings = ? WHERE key = ?'),
      deleteStream: db.prepare('DELETE FROM streams WHERE key = ?'),
      deleteShards: db.prepare('DELETE FROM shards WHERE stream_key = ?'),
      deleteRecords: db.prepare('DELETE FROM records WHERE stream_key = ?'),
      setRetention: db.prepare('UPDATE streams SET retention_hours = ? WHERE key = ?'),
      setTags: db.prepare('UPDATE streams SET tags = ? WHERE key = ?'),
      setMode: db.prepare('UPDATE streams SET mode = ? WHERE key = ?'),
      insertRecord: db.prepare('INSERT INTO records (stream_key, shard, counter, partition_key, data, arrival_ms) VALUES (?, ?, ?, ?, ?, ?)'),
      setCounter: db.prepare('UPDATE shards SET last_counter = ? WHERE stream_key = ? AND idx = ?'),
      read: db.prepare(
        'SELECT counter, partition_key, data, arrival_ms FROM records WHERE stream_key = ? AND shard = ? AND counter >= ? AND arrival_ms >= ? ORDER BY counter LIMIT ?',
      ),
      firstAtOrAfter: db.prepare(
        'SELECT counter FROM records WHERE stream_key = ? AND shard = ? AND arrival_ms >= ? ORDER BY counter LIMIT 1',
      ),
      trim: db.prepare('DELETE FROM records WHERE stream_key = ? AND arrival_ms < ?'),
    };
    this.#load();
  }

  #load(): void {
    const streams = this.#db.prepare('SELECT key, name, mode, retention_hours, created_ms, tags, scalings FROM streams').all() as StreamRow[];
    const shards = this.#db.prepare('SELECT * FROM shards ORDER BY stream_key, idx').all() as ShardRow[];
    for (const row of streams) {
      const stream: StreamInfo = {
        key: row.key,
        name: row.name,
        mode: row.mode,
        retentionHours: row.retention_hours,
        createdMs: row.created_ms,
        tags: JSON.parse(row.tags) as Record<string, string>,
        shards: shards
          .filter((s) => s.stream_key === row.key)
          .map((s) => ({
            index: s.idx,
            range: { start: BigInt(s.start_hash), end: BigInt(s.end_hash) },
            lastCounter: s.last_counter,
            assigned: s.last_counter,
            parents: [s.parent, s.adjacent_parent].filter((p): p is number => p !== null),
            // Shards stored before resharding existed were created with their stream.
            createdMs: s.created_ms || row.created_ms,
            closed: s.closed_counter === null ? undefined : { counter: s.closed_counter, ms: s.closed_ms ?? 0 },
          })),
        open: [],
        updatingUntilMs: 0,
        scalings: JSON.parse(row.scalings) as number[],
      };
      stream.open = openShards(stream.shards);
      this.#streams.set(row.name, stream);
    }
  }

  get(name: string): StreamInfo | undefined {
    return this.#streams.get(name);
  }

  list(): StreamInfo[] {
    return [...this.#streams.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  create(name: string, shardCount: number, mode: StreamMode, retentionHours: number, tags: Record<string, string>, now: number): StreamInfo {
    const ranges = evenRanges(shardCount);
    const s = this.#statements;
    const key = this.#db.transaction(() => {
      const key = Number(s.insertStream.run(name, mode, retentionHours, now, JSON.stringify(tags)).lastInsertRowid);
      ranges.forEach((range, index) => s.insertShard.run(key, index, range.start.toString(), range.end.toString(), null, null, now));
      return key;
    })();
    const shards: ShardInfo[] = ranges.map((range, index) => ({ index, range, lastCounter: 0, assigned: 0, parents: [], createdMs: now, closed: undefined }));
    const stream: StreamInfo = { key, name, mode, retentionHours, createdMs: now, tags, shards, open: openShards(shards), updatingUntilMs: 0, scalings: [] };
    this.#streams.set(name, stream);
    return stream;
  }

  /**
   * Applies splits and merges in one transaction: each closed shard ends at the last sequence
   * number it handed out (pending appends are committed first), children start empty.
   */
  reshard(stream: StreamInfo, changes: readonly ShardChange[], now: number): void {
    this.#commit();
    const s = this.#statements;
    // Shards a change creates and a later one closes (UpdateShardCount) close empty.
    const lastCounter = (index: number) => stream.shards[index]?.assigned ?? 0;
    this.#db.transaction(() => {
      for (const change of changes) {
        for (const index of change.close) s.closeShard.run(lastCounter(index), now, stream.key, index);
        for (const child of change.create) {
          s.insertShard.run(stream.key, child.index, child.range.start.toString(), child.range.end.toString(), child.parents[0] ?? null, child.parents[1] ?? null, now);
        }
      }
    })();
    for (const change of changes) {
      for (const index of change.close) {
        const shard = stream.shards[index]!;
        shard.closed = { counter: shard.assigned, ms: now };
      }
      for (const child of change.create) {
        const shard: ShardInfo = { index: child.index, range: child.range, lastCounter: 0, assigned: 0, parents: child.parents, createdMs: now, closed: undefined };
        stream.shards[child.index] = shard;
      }
    }
    stream.open = openShards(stream.shards);
  }

  setScalings(stream: StreamInfo, scalings: number[]): void {
    this.#statements.setScalings.run(JSON.stringify(scalings), stream.key);
    stream.scalings = scalings;
  }

  delete(stream: StreamInfo): void {
    this.#commit();
    const s = this.#statements;
    this.#db.transaction(() => {
      s.deleteRecords.run(stream.key);
      s.deleteShards.run(stream.key);
      s.deleteStream.run(stream.key);
    })();
    this.#streams.delete(stream.name);
  }

  setRetention(stream: StreamInfo, hours: number): void {
    this.#statements.setRetention.run(hours, stream.key);
    stream.retentionHours = hours;
  }

  setMode(stream: StreamInfo, mode: StreamMode): void {
    this.#statements.setMode.run(mode, stream.key);
    stream.mode = mode;
  }

  setTags(stream: StreamInfo, tags: Record<string, string>): void {
    this.#statements.setTags.run(JSON.stringify(tags), stream.key);
    stream.tags = tags;
  }

  /**
   * Appends records and resolves with each record's counter once they are committed. Appends of one
   * event-loop turn share a transaction (group commit): with synchronous=FULL each commit waits for
   * the disk, so one fsync per turn instead of one per request.
   */
  append(stream: StreamInfo, records: readonly NewRecord[], now: number): Promise<number[]> {
    const counters = records.map((record) => ++stream.shards[record.shardIndex]!.assigned);
    return new Promise((resolve, reject) => {
      this.#pending.push({ stream, records, counters, now, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => this.#commit());
    });
  }

  #commit(): void {
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    const s = this.#statements;
    try {
      this.#db.transaction(() => {
        const last = new Map<StreamInfo, Map<number, number>>();
        for (const { stream, records, counters, now } of batch) {
          let shards = last.get(stream);
          if (shards === undefined) last.set(stream, (shards = new Map()));
          records.forEach((record, i) => {
            s.insertRecord.run(stream.key, record.shardIndex, counters[i]!, record.partitionKey, record.data, now);
            shards.set(record.shardIndex, Math.max(shards.get(record.shardIndex) ?? 0, counters[i]!));
          });
        }
        for (const [stream, shards] of last) for (const [index, counter] of shards) s.setCounter.run(counter, stream.key, index);
      })();
    } catch (error) {
      // Counters handed out stay used: sequence numbers only have to increase, gaps are allowed.
      for (const entry of batch) entry.reject(error);
      return;
    }
    // Only once committed do readers (LATEST, GetRecords) see the records.
    for (const { stream, records, counters } of batch) {
      records.forEach((record, i) => {
        const shard = stream.shards[record.shardIndex]!;
        shard.lastCounter = Math.max(shard.lastCounter, counters[i]!);
      });
    }
    for (const entry of batch) entry.resolve(entry.counters);
  }

  read(stream: StreamInfo, shardIndex: number, fromCounter: number, notBeforeMs: number, limit: number): StoredRecord[] {
    const rows = this.#statements.read.all(stream.key, shardIndex, fromCounter, notBeforeMs, limit) as RecordRow[];
    return rows.map((r) => ({ counter: r.counter, partitionKey: r.partition_key, data: r.data, arrivalMs: r.arrival_ms }));
  }

  /** Counter of the first record that arrived at or after `ms`, or undefined when none has. */
  firstAtOrAfter(stream: StreamInfo, shardIndex: number, ms: number): number | undefined {
    const row = this.#statements.firstAtOrAfter.get(stream.key, shardIndex, ms) as { counter: number } | undefined;
    return row?.counter;
  }

  /** Deletes records older than each stream's retention period. */
  trim(now: number): void {
    for (const stream of this.#streams.values()) this.#statements.trim.run(stream.key, now - stream.retentionHours * 3_600_000);
  }

  close(): void {
    this.#commit();
    this.#db.close();
  }
}

function openShards(shards: readonly ShardInfo[]): ShardInfo[] {
  return shards.filter((s) => s.closed === undefined).sort((a, b) => (a.range.start < b.range.start ? -1 : 1));
}
