/**
 * DynamoDB Streams storage: one row per stream, records in a global autoincrement sequence
 * (DynamoDB Streams API Reference "StreamRecord"; Developer Guide "Change data capture for
 * DynamoDB Streams": 24-hour retention, KEYS_ONLY / NEW_IMAGE / OLD_IMAGE / NEW_AND_OLD_IMAGES).
 * Records are appended by Store.write inside the item's transaction.
 */
import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { keySchemaJson, type StreamState, type StreamViewType, type TableDefinition } from './schema.js';
import { itemSize, type AttributeMap } from './types.js';

/** Stream records are kept 24 hours. */
const RETENTION_S = 24 * 3600;

/** DynamoDB's stream sequence numbers are decimal strings; fixed width keeps them comparable as text. */
export const padSequence = (seq: number | bigint): string => String(seq).padStart(21, '0');

export interface StreamRow {
  id: number;
  table_name: string;
  arn: string;
  label: string;
  view_type: StreamViewType;
  key_schema: string;
  created: number;
  first_seq: number;
  closed: number | null;
}

export interface StreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  dynamodb: Record<string, unknown>;
  userIdentity?: { type: string; principalId: string };
}

export class StreamLog {
  constructor(
    private readonly sql: (text: string) => BetterSqlite3.Statement,
    private readonly region: string,
  ) {}


  lastSequence(): number {
    const row = this.sql("SELECT seq FROM sqlite_sequence WHERE name = 'stream_records'").get() as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  create(def: TableDefinition, viewType: StreamViewType, label: string, nowSeconds: number): StreamState {
    const arn = `${def.arn}/stream/${label}`;
    // A stream re-created with the same label (template tables use a fixed one) replaces the old row.
    this.sql('DELETE FROM streams WHERE arn = ?').run(arn);
    const info = this.sql('INSERT INTO streams (table_name, arn, label, view_type, key_schema, created, first_seq) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      def.name,
      arn,
      label,
      viewType,
      JSON.stringify(keySchemaJson(def.key)),
      nowSeconds,
      this.lastSequence() + 1,
    );
    return { id: Number(info.lastInsertRowid), arn, label, viewType };
  }

  close(id: number): void {
    this.sql('UPDATE streams SET closed = ? WHERE id = ? AND closed IS NULL').run(Date.now() / 1000, id);
  }

  list(tableName: string | undefined): StreamRow[] {
    return (
      tableName === undefined ? this.sql('SELECT * FROM streams ORDER BY id').all() : this.sql('SELECT * FROM streams WHERE table_name = ? ORDER BY id').all(tableName)
    ) as StreamRow[];
  }

  byArn(arn: string): StreamRow | undefined {
    return this.sql('SELECT * FROM streams WHERE arn = ?').get(arn) as StreamRow | undefined;
  }

  bounds(id: number): { first: number | null; last: number | null } {
    return this.sql('SELECT min(seq) AS first, max(seq) AS last FROM stream_records WHERE stream = ?').get(id) as { first: number | null; last: number | null };
  }

  append(def: TableDefinition, stream: StreamState, old: AttributeMap | undefined, next: AttributeMap | undefined, nowSeconds: number, byTtl: boolean): void {
    const source = (next ?? old)!;
    const keys: AttributeMap = { [def.key.hash]: source[def.key.hash]! };
    if (def.key.range !== undefined) keys[def.key.range] = source[def.key.range]!;
    const view = stream.viewType;
    const dynamodb: Record<string, unknown> = { ApproximateCreationDateTime: Math.floor(nowSeconds), Keys: keys };
    if (next !== undefined && (view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES')) dynamodb['NewImage'] = next;
    if (old !== undefined && (view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES')) dynamodb['OldImage'] = old;
    dynamodb['SizeBytes'] = itemSize(keys) + (dynamodb['NewImage'] === undefined ? 0 : itemSize(next!)) + (dynamodb['OldImage'] === undefined ? 0 : itemSize(old!));
    dynamodb['StreamViewType'] = view;
    const record: StreamRecord = {
      eventID: randomUUID().replace(/-/g, ''),
      eventName: old === undefined ? 'INSERT' : next === undefined ? 'REMOVE' : 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.region,
      dynamodb,
    };
    // TTL deletions name the service as the actor (Developer Guide "Time to Live: streams").
    if (byTtl) record.userIdentity = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
    this.sql('INSERT INTO stream_records (stream, created, record) VALUES (?, ?, ?)').run(stream.id, nowSeconds, JSON.stringify(record));
  }

  /** Records of a stream with sequence number > `after`, oldest first, SequenceNumber filled in. */
  records(streamId: number, after: number, limit: number): { seq: number; record: StreamRecord }[] {
    const rows = this.sql('SELECT seq, record FROM stream_records WHERE stream = ? AND seq > ? ORDER BY seq LIMIT ?').all(streamId, after, limit) as {
      seq: number;
      record: string;
    }[];
    return rows.map((row) => {
      const record = JSON.parse(row.record) as StreamRecord;
      const d = record.dynamodb;
      // SequenceNumber sits before SizeBytes, where DynamoDB puts it.
      const { SizeBytes, StreamViewType, ...rest } = d;
      record.dynamodb = { ...rest, SequenceNumber: padSequence(row.seq), SizeBytes, StreamViewType };
      return { seq: row.seq, record };
    });
  }

  trim(nowSeconds: number): void {
    this.sql('DELETE FROM stream_records WHERE created < ?').run(nowSeconds - RETENTION_S);
  }
}
