/**
 * The S3 metadata store: buckets, objects, multipart uploads and parts in SQLite
 * (`<dataDir>/s3.sqlite`); bodies in the BlobStore's files, small ones in the `bodies` table.
 * Every statement is prepared once; writes are group-committed (GroupCommit), and a write that
 * must check and change together runs in one savepoint.
 * AWS docs: Amazon S3 API Reference (API_Operations_Amazon_Simple_Storage_Service.html).
 */
import { join } from 'node:path';
import { GroupCommit } from '../../../storage/group-commit.js';
import { claimDatabase, type Database } from '../../../storage/sqlite.js';
import type { Bucket, Checksum, ChecksumAlgorithm, ChecksumType, ObjectMeta, ObjectSummary, Part, StoredObject, Upload } from '../model.js';
import { BlobStore } from './blobs.js';

const SCHEMA_VERSION = 1;
const SCHEMA = `
CREATE TABLE buckets (
  name TEXT PRIMARY KEY,
  region TEXT NOT NULL,
  created INTEGER NOT NULL,
  policy TEXT
) WITHOUT ROWID;
CREATE TABLE objects (
  bucket TEXT NOT NULL REFERENCES buckets(name),
  key TEXT NOT NULL,
  blob TEXT,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  modified INTEGER NOT NULL,
  storage_class TEXT NOT NULL,
  checksum_algorithm TEXT,
  checksum TEXT,
  checksum_type TEXT,
  parts INTEGER,
  inline INTEGER NOT NULL,
  meta TEXT NOT NULL,
  PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
-- Small bodies, apart from the object rows so listing scans stay compact.
CREATE TABLE bodies (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  body BLOB NOT NULL,
  PRIMARY KEY (bucket, key)
);
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  bucket TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,
  key TEXT NOT NULL,
  initiated INTEGER NOT NULL,
  storage_class TEXT NOT NULL,
  checksum_algorithm TEXT,
  checksum_type TEXT,
  meta TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX uploads_by_key ON uploads (bucket, key, initiated, id);
CREATE TABLE parts (
  upload_id TEXT NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  blob TEXT,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  modified INTEGER NOT NULL,
  checksum TEXT,
  PRIMARY KEY (upload_id, number)
) WITHOUT ROWID;
`;

interface ObjectRow {
  bucket: string;
  key: string;
  blob: string | null;
  inline: number;
  size: number;
  etag: string;
  modified: number;
  storage_class: string;
  checksum_algorithm: string | null;
  checksum: string | null;
  checksum_type: string | null;
  parts: number | null;
  meta: string;
}

type SummaryRow = [string, number, string, number, string, ChecksumAlgorithm | null, ChecksumType | null];

interface UploadRow {
  id: string;
  bucket: string;
  key: string;
  initiated: number;
  storage_class: string;
  checksum_algorithm: string | null;
  checksum_type: string | null;
  meta: string;
}

/** Raised inside a transaction to abort it with a service error; rethrown as is. */
export type WriteCheck = (current: StoredObject | undefined) => void;

export class S3Store {
  readonly blobs: BlobStore;
  readonly #db: Database;
  readonly #batch: GroupCommit;
  readonly #sql;

  constructor(dataDir: string) {
    this.#db = claimDatabase(join(dataDir, 's3.sqlite'), 's3', migrate);
    this.#batch = new GroupCommit(this.#db);
    this.blobs = new BlobStore(join(dataDir, 'objects'));
    const db = this.#db;
    this.#sql = {
      getBucket: db.prepare<[string], Bucket>('SELECT name, region, created, policy FROM buckets WHERE name = ?'),
      insertBucket: db.prepare<[string, string, number]>('INSERT OR IGNORE INTO buckets (name, region, created) VALUES (?, ?, ?)'),
      deleteBucket: db.prepare<[string]>('DELETE FROM buckets WHERE name = ?'),
      listBuckets: db.prepare<[], Bucket>('SELECT name, region, created, policy FROM buckets ORDER BY name'),
      setPolicy: db.prepare<[string | null, string]>('UPDATE buckets SET policy = ? WHERE name = ?'),
      anyObject: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM objects WHERE bucket = ? LIMIT 1'),
      getObject: db.prepare<[string, string], ObjectRow>('SELECT * FROM objects WHERE bucket = ? AND key = ?'),
      getBody: db.prepare<[string, string], { body: Buffer }>('SELECT body FROM bodies WHERE bucket = ? AND key = ?'),
      putBody: db.prepare<[string, string, Buffer]>('INSERT OR REPLACE INTO bodies (bucket, key, body) VALUES (?, ?, ?)'),
      deleteBody: db.prepare<[string, string]>('DELETE FROM bodies WHERE bucket = ? AND key = ?'),
      upsertObject: db.prepare(
        `INSERT INTO objects (bucket, key, blob, size, etag, modified, storage_class, checksum_algorithm, checksum, checksum_type, parts, inline, meta)
         VALUES (@bucket, @key, @blob, @size, @etag, @modified, @storage_class, @checksum_algorithm, @checksum, @checksum_type, @parts, @inline, @meta)
         ON CONFLICT (bucket, key) DO UPDATE SET blob = excluded.blob, size = excluded.size, etag = excluded.etag,
           modified = excluded.modified, storage_class = excluded.storage_class, checksum_algorithm = excluded.checksum_algorithm,
           checksum = excluded.checksum, checksum_type = excluded.checksum_type, parts = excluded.parts, inline = excluded.inline,
           meta = excluded.meta`,
      ),
      deleteObject: db.prepare<[string, string]>('DELETE FROM objects WHERE bucket = ? AND key = ?'),
      // Raw rows (arrays): listing builds no intermediate objects per row.
      listAfter: db
        .prepare<[string, string, number], SummaryRow>(
          'SELECT key, size, etag, modified, storage_class, checksum_algorithm, checksum_type FROM objects WHERE bucket = ? AND key > ? ORDER BY key LIMIT ?',
        )
        .raw(true),
      listFrom: db
        .prepare<[string, string, number], SummaryRow>(
          'SELECT key, size, etag, modified, storage_class, checksum_algorithm, checksum_type FROM objects WHERE bucket = ? AND key >= ? ORDER BY key LIMIT ?',
        )
        .raw(true),
      insertUpload: db.prepare(
        `INSERT INTO uploads (id, bucket, key, initiated, storage_class, checksum_algorithm, checksum_type, meta)
         VALUES (@id, @bucket, @key, @initiated, @storage_class, @checksum_algorithm, @checksum_type, @meta)`,
      ),
      getUpload: db.prepare<[string], UploadRow>('SELECT * FROM uploads WHERE id = ?'),
      deleteUpload: db.prepare<[string]>('DELETE FROM uploads WHERE id = ?'),
      listUploads: db.prepare<[string, string], UploadRow>('SELECT * FROM uploads WHERE bucket = ? AND key >= ? ORDER BY key, initiated, id'),
      bucketPartBlobs: db.prepare<[string], { blob: string | null }>(
        'SELECT p.blob AS blob FROM parts p JOIN uploads u ON u.id = p.upload_id WHERE u.bucket = ?',
      ),
      getPart: db.prepare<[string, number], Part>('SELECT number, blob, size, etag, modified, checksum FROM parts WHERE upload_id = ? AND number = ?'),
      upsertPart: db.prepare<[string, number, string | null, number, string, number, string | null]>(
        `INSERT INTO parts (upload_id, number, blob, size, etag, modified, checksum) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (upload_id, number) DO UPDATE SET blob = excluded.blob, size = excluded.size, etag = excluded.etag,
           modified = excluded.modified, checksum = excluded.checksum`,
      ),
      listParts: db.prepare<[string, number, number], Part>(
        'SELECT number, blob, size, etag, modified, checksum FROM parts WHERE upload_id = ? AND number > ? ORDER BY number LIMIT ?',
      ),
      allBlobs: db.prepare<[], { blob: string }>('SELECT blob FROM objects WHERE blob IS NOT NULL UNION ALL SELECT blob FROM parts WHERE blob IS NOT NULL'),
    };
  }

  // Buckets

  getBucket(name: string): Bucket | undefined {
    return this.#sql.getBucket.get(name);
  }

  /** False when the bucket exists already. */
  createBucket(name: string, region: string, created: number): Promise<boolean> {
    return this.#batch.write(() => this.#sql.insertBucket.run(name, region, created).changes === 1);
  }

  listBuckets(): Bucket[] {
    return this.#sql.listBuckets.all();
  }

  setPolicy(name: string, policy: string | null): Promise<boolean> {
    return this.#batch.write(() => this.#sql.setPolicy.run(policy, name).changes === 1);
  }

  /** 'not-empty' while objects remain; in-progress uploads go with the bucket (their part blobs are returned). */
  deleteBucket(name: string): Promise<{ result: 'deleted' | 'missing' | 'not-empty'; blobs: (string | null)[] }> {
    return this.#batch.write(() => {
      if (this.#sql.getBucket.get(name) === undefined) return { result: 'missing' as const, blobs: [] };
      if (this.#sql.anyObject.get(name) !== undefined) return { result: 'not-empty' as const, blobs: [] };
      const blobs = this.#sql.bucketPartBlobs.all(name).map((row) => row.blob);
      this.#sql.deleteBucket.run(name);
      return { result: 'deleted' as const, blobs };
    });
  }

  // Objects

  getObject(bucket: string, key: string): StoredObject | undefined {
    const row = this.#sql.getObject.get(bucket, key);
    return row === undefined ? undefined : toObject(row);
  }

  /** The body of an inline object (read in the same tick as its row, so the two agree). */
  getInlineBody(bucket: string, key: string): Buffer | undefined {
    return this.#sql.getBody.get(bucket, key)?.body;
  }

  /**
   * Stores the object's row (a file body is written already; `body` is an inline one); `check`
   * sees the current version inside the transaction (conditional writes). Returns the replaced
   * blob to delete, or false when the bucket is gone.
   */
  putObject(object: StoredObject, check?: WriteCheck, body: Buffer | null = null): Promise<{ replaced: string | null } | false> {
    return this.#batch.write(() => {
      if (this.#sql.getBucket.get(object.bucket) === undefined) return false as const;
      const current = this.#sql.getObject.get(object.bucket, object.key);
      check?.(current === undefined ? undefined : toObject(current));
      this.#sql.upsertObject.run(fromObject(object));
      if (body !== null) this.#sql.putBody.run(object.bucket, object.key, body);
      else if (current?.inline === 1) this.#sql.deleteBody.run(object.bucket, object.key);
      return { replaced: current?.blob ?? null };
    });
  }

  /** The removed object's blob, or undefined when there was none. */
  /** The removed objects' blobs (keys that did not exist are skipped). */
  deleteObjects(bucket: string, keys: string[]): Promise<(string | null)[]> {
    return this.#batch.write(() => {
      const blobs: (string | null)[] = [];
      for (const key of keys) {
        const current = this.#sql.getObject.get(bucket, key);
        if (current === undefined) continue;
        this.#sql.deleteObject.run(bucket, key);
        if (current.inline === 1) this.#sql.deleteBody.run(bucket, key);
        blobs.push(current.blob);
      }
      return blobs;
    });
  }

  /** Objects in key order from `start` (exclusive or inclusive). */
  listObjects(bucket: string, start: string, inclusive: boolean, limit: number): ObjectSummary[] {
    const rows = (inclusive ? this.#sql.listFrom : this.#sql.listAfter).all(bucket, start, limit) as unknown as SummaryRow[];
    return rows.map(([key, size, etag, modified, storageClass, checksumAlgorithm, checksumType]) => ({
      key,
      size,
      etag,
      modified,
      storageClass,
      checksumAlgorithm,
      checksumType,
    }));
  }

  // Multipart uploads

  createUpload(upload: Upload): Promise<void> {
    return this.#batch.write(() => {
      this.#sql.insertUpload.run({
      id: upload.id,
      bucket: upload.bucket,
      key: upload.key,
      initiated: upload.initiated,
      storage_class: upload.storageClass,
      checksum_algorithm: upload.checksumAlgorithm,
      checksum_type: upload.checksumType,
        meta: JSON.stringify(upload.meta),
      });
    });
  }

  getUpload(id: string): Upload | undefined {
    const row = this.#sql.getUpload.get(id);
    return row === undefined ? undefined : toUpload(row);
  }

  /** Uploads of a bucket from `keyStart` on, by key then initiation (ListMultipartUploads order). */
  listUploads(bucket: string, keyStart: string): Upload[] {
    return this.#sql.listUploads.all(bucket, keyStart).map(toUpload);
  }

  getPart(uploadId: string, number: number): Part | undefined {
    return this.#sql.getPart.get(uploadId, number);
  }

  /** False when the upload is gone (aborted or completed meanwhile); otherwise the replaced part's blob. */
  putPart(uploadId: string, part: Part): Promise<{ replaced: string | null } | false> {
    return this.#batch.write(() => {
      if (this.#sql.getUpload.get(uploadId) === undefined) return false as const;
      const current = this.#sql.getPart.get(uploadId, part.number);
      this.#sql.upsertPart.run(uploadId, part.number, part.blob, part.size, part.etag, part.modified, part.checksum);
      return { replaced: current?.blob ?? null };
    });
  }

  listParts(uploadId: string, after: number, limit: number): Part[] {
    return this.#sql.listParts.all(uploadId, after, limit);
  }

  /** Swaps the upload for the object in one transaction; false when the upload is gone. */
  completeUpload(uploadId: string, object: StoredObject, check?: WriteCheck): Promise<{ replaced: string | null; partBlobs: (string | null)[] } | false> {
    return this.#batch.write(() => {
      if (this.#sql.getUpload.get(uploadId) === undefined) return false as const;
      const partBlobs = this.#sql.listParts.all(uploadId, 0, 10001).map((part) => part.blob);
      const current = this.#sql.getObject.get(object.bucket, object.key);
      check?.(current === undefined ? undefined : toObject(current));
      this.#sql.upsertObject.run(fromObject(object));
      if (current?.inline === 1) this.#sql.deleteBody.run(object.bucket, object.key);
      this.#sql.deleteUpload.run(uploadId);
      return { replaced: current?.blob ?? null, partBlobs };
    });
  }

  /** The aborted upload's part blobs, or false when there was no such upload. */
  abortUpload(uploadId: string): Promise<(string | null)[] | false> {
    return this.#batch.write(() => {
      if (this.#sql.getUpload.get(uploadId) === undefined) return false as const;
      const blobs = this.#sql.listParts.all(uploadId, 0, 10001).map((part) => part.blob);
      this.#sql.deleteUpload.run(uploadId);
      return blobs;
    });
  }

  /** Removes blobs older than `minAgeMs` that no row names. */
  sweepBlobs(minAgeMs: number): number {
    const known = new Set(this.#sql.allBlobs.all().map((row) => row.blob));
    return this.blobs.sweep((name) => known.has(name), minAgeMs);
  }

  close(): void {
    this.#batch.close();
    this.#db.close();
  }
}

function migrate(db: Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  if (version !== 0) throw new Error(`s3.sqlite has schema version ${version}; this gatehouse knows ${SCHEMA_VERSION}`);
  db.transaction(() => {
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

function toObject(row: ObjectRow): StoredObject {
  return {
    bucket: row.bucket,
    key: row.key,
    blob: row.blob,
    inline: row.inline === 1,
    size: row.size,
    etag: row.etag,
    modified: row.modified,
    storageClass: row.storage_class,
    checksum: toChecksum(row.checksum_algorithm, row.checksum, row.checksum_type),
    parts: row.parts,
    meta: JSON.parse(row.meta) as ObjectMeta,
  };
}

function fromObject(object: StoredObject): ObjectRow {
  return {
    bucket: object.bucket,
    key: object.key,
    blob: object.blob,
    inline: object.inline ? 1 : 0,
    size: object.size,
    etag: object.etag,
    modified: object.modified,
    storage_class: object.storageClass,
    checksum_algorithm: object.checksum?.algorithm ?? null,
    checksum: object.checksum?.value ?? null,
    checksum_type: object.checksum?.type ?? null,
    parts: object.parts,
    meta: JSON.stringify(object.meta),
  };
}

function toChecksum(algorithm: string | null, value: string | null, type: string | null): Checksum | null {
  if (algorithm === null || value === null) return null;
  return { algorithm: algorithm as ChecksumAlgorithm, value, type: (type ?? 'FULL_OBJECT') as ChecksumType };
}

function toUpload(row: UploadRow): Upload {
  return {
    id: row.id,
    bucket: row.bucket,
    key: row.key,
    initiated: row.initiated,
    storageClass: row.storage_class,
    checksumAlgorithm: row.checksum_algorithm as ChecksumAlgorithm | null,
    checksumType: row.checksum_type as ChecksumType | null,
    meta: JSON.parse(row.meta) as ObjectMeta,
  };
}
