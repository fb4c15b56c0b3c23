/**
 * Durable event source state in SQLite under the data folder: the mappings created through the
 * Lambda API (template mappings come from the template at each start) and the stream checkpoints
 * of every mapping, so a restart resumes each shard where the last successful batch ended.
 * Checkpoints are written without waiting for the disk: after a power loss a batch may be
 * delivered again, which at-least-once stream processing allows.
 * AWS docs: Lambda developer guide "Lambda event source mappings" (mappings persist until deleted;
 * stream processing is at least once).
 */
import path from 'node:path';
import { openDatabase, type Database } from '../storage/sqlite.js';
import type { Checkpoints } from './stream-poller.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mappings (uuid TEXT PRIMARY KEY, function_arn TEXT NOT NULL, props TEXT NOT NULL, last_modified REAL NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints (uuid TEXT NOT NULL, shard TEXT NOT NULL, position TEXT NOT NULL, PRIMARY KEY (uuid, shard)) WITHOUT ROWID;
`;

export interface StoredMapping {
  uuid: string;
  functionArn: string;
  /** The CreateEventSourceMapping parameters as given (updates merged in). */
  props: Record<string, unknown>;
  lastModified: number;
}

export class EventSourceStore implements Checkpoints {
  readonly #db: Database;

  constructor(dataDir: string) {
    this.#db = openDatabase(path.join(dataDir, 'event-sources.sqlite'), { schema: (db) => db.exec(SCHEMA) });
    this.#db.pragma('synchronous = NORMAL');
  }

  mappings(): StoredMapping[] {
    const rows = this.#db.prepare('SELECT uuid, function_arn, props, last_modified FROM mappings ORDER BY rowid').all() as { uuid: string; function_arn: string; props: string; last_modified: number }[];
    return rows.map((r) => ({ uuid: r.uuid, functionArn: r.function_arn, props: JSON.parse(r.props) as Record<string, unknown>, lastModified: r.last_modified }));
  }

  putMapping(mapping: StoredMapping): void {
    this.#db.pragma('synchronous = FULL');
    try {
      this.#db
        .prepare('INSERT OR REPLACE INTO mappings (uuid, function_arn, props, last_modified) VALUES (?, ?, ?, ?)')
        .run(mapping.uuid, mapping.functionArn, JSON.stringify(mapping.props), mapping.lastModified);
    } finally {
      this.#db.pragma('synchronous = NORMAL');
    }
  }

  deleteMapping(uuid: string): void {
    this.#db.prepare('DELETE FROM mappings WHERE uuid = ?').run(uuid);
    this.#db.prepare('DELETE FROM checkpoints WHERE uuid = ?').run(uuid);
  }

  get(uuid: string, shard: string): string | undefined {
    const row = this.#db.prepare('SELECT position FROM checkpoints WHERE uuid = ? AND shard = ?').get(uuid, shard) as { position: string } | undefined;
    return row?.position;
  }

  set(uuid: string, shard: string, position: string): void {
    if (!this.#db.open) return;
    this.#db.prepare('INSERT OR REPLACE INTO checkpoints (uuid, shard, position) VALUES (?, ?, ?)').run(uuid, shard, position);
  }

  close(): void {
    this.#db.close();
  }
}
