/**
 * Durable secrets: one SQLite database with the secrets and their versions. A version carries staging
 * labels; AWSCURRENT marks the value GetSecretValue returns, and a new current version moves the old
 * one to AWSPREVIOUS. AWS docs: Secrets Manager "Secret versions" and "Staging labels".
 */
import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '../../storage/sqlite.js';

export interface SecretRow {
  arn: string;
  name: string;
  description: string | null;
  kmsKeyId: string | null;
  tags: { Key: string; Value: string }[];
  createdAt: number;
  changedAt: number;
  accessedAt: number | null;
  /** Scheduled deletion time (ms) while the secret is marked for deletion. */
  deletedAt: number | null;
}

export interface VersionRow {
  versionId: string;
  secretString: string | null;
  secretBinary: Buffer | null;
  stages: string[];
  createdAt: number;
}

const SCHEMA = `
      CREATE TABLE IF NOT EXISTS secrets (
        arn TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT, kms_key_id TEXT, tags TEXT NOT NULL,
        created_at INTEGER NOT NULL, changed_at INTEGER NOT NULL, accessed_at INTEGER, deleted_at INTEGER);
      CREATE TABLE IF NOT EXISTS versions (
        arn TEXT NOT NULL REFERENCES secrets(arn) ON DELETE CASCADE, version_id TEXT NOT NULL,
        secret_string TEXT, secret_binary BLOB, stages TEXT NOT NULL, created_at INTEGER NOT NULL,
        PRIMARY KEY (arn, version_id));`;

export class SecretsStore {
  readonly #db: Database;

  constructor(file: string) {
    this.#db = openDatabase(file, { schema: (db) => db.exec(SCHEMA) });
  }

  /** By full ARN, ARN without the random suffix, or name. */
  find(id: string): SecretRow | undefined {
    const row = this.#db
      .prepare('SELECT * FROM secrets WHERE arn = ? OR name = ? OR (? LIKE \'arn:%\' AND substr(arn, 1, length(arn) - 7) = ?)')
      .get(id, id, id, id) as Record<string, unknown> | undefined;
    return row && toSecret(row);
  }

  list(): SecretRow[] {
    return (this.#db.prepare('SELECT * FROM secrets ORDER BY name').all() as Record<string, unknown>[]).map(toSecret);
  }

  create(secret: Omit<SecretRow, 'accessedAt' | 'deletedAt'>, version?: Omit<VersionRow, 'stages' | 'createdAt'>): void {
    this.#db.transaction(() => {
      this.#db
        .prepare('INSERT INTO secrets (arn, name, description, kms_key_id, tags, created_at, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(secret.arn, secret.name, secret.description, secret.kmsKeyId, JSON.stringify(secret.tags), secret.createdAt, secret.changedAt);
      if (version) this.#insertVersion(secret.arn, version, secret.createdAt);
    })();
  }

  update(arn: string, fields: Partial<Pick<SecretRow, 'description' | 'kmsKeyId' | 'deletedAt' | 'accessedAt' | 'changedAt'>>): void {
    const columns: Record<string, string> = { description: 'description', kmsKeyId: 'kms_key_id', deletedAt: 'deleted_at', accessedAt: 'accessed_at', changedAt: 'changed_at' };
    for (const [key, value] of Object.entries(fields)) {
      this.#db.prepare(`UPDATE secrets SET ${columns[key]} = ? WHERE arn = ?`).run(value ?? null, arn);
    }
  }

  delete(arn: string): void {
    this.#db.prepare('DELETE FROM secrets WHERE arn = ?').run(arn);
  }

  versions(arn: string): VersionRow[] {
    return (this.#db.prepare('SELECT * FROM versions WHERE arn = ? ORDER BY created_at').all(arn) as Record<string, unknown>[]).map(toVersion);
  }

  /** A version by id or by staging label (AWSCURRENT when neither is given). */
  version(arn: string, versionId?: string, stage?: string): VersionRow | undefined {
    const label = stage ?? (versionId === undefined ? 'AWSCURRENT' : undefined);
    return this.versions(arn).find((v) => (versionId === undefined || v.versionId === versionId) && (label === undefined || v.stages.includes(label)));
  }

  /** Adds a version that becomes AWSCURRENT (unless other stages are given); returns its id. */
  putVersion(arn: string, value: Omit<VersionRow, 'stages' | 'createdAt' | 'versionId'> & { versionId?: string }, stages = ['AWSCURRENT'], now = Date.now()): string {
    const versionId = value.versionId ?? randomUUID();
    this.#db.transaction(() => {
      const existing = this.versions(arn);
      if (stages.includes('AWSCURRENT')) {
        for (const v of existing) {
          const isCurrent = v.stages.includes('AWSCURRENT');
          const next = v.stages.filter((s) => !stages.includes(s) && s !== 'AWSPREVIOUS' && s !== 'AWSCURRENT');
          if (isCurrent) next.push('AWSPREVIOUS');
          this.#setStages(arn, v.versionId, next);
        }
      }
      this.#insertVersion(arn, { ...value, versionId }, now, stages);
      this.#db.prepare('UPDATE secrets SET changed_at = ? WHERE arn = ?').run(now, arn);
      // Versions without a label are removed, as Secrets Manager does when it cleans up.
      this.#db.prepare("DELETE FROM versions WHERE arn = ? AND stages = '[]'").run(arn);
    })();
    return versionId;
  }

  #setStages(arn: string, versionId: string, stages: string[]): void {
    this.#db.prepare('UPDATE versions SET stages = ? WHERE arn = ? AND version_id = ?').run(JSON.stringify(stages), arn, versionId);
  }

  #insertVersion(arn: string, version: Omit<VersionRow, 'stages' | 'createdAt'>, now: number, stages = ['AWSCURRENT']): void {
    this.#db
      .prepare('INSERT INTO versions (arn, version_id, secret_string, secret_binary, stages, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(arn, version.versionId, version.secretString, version.secretBinary, JSON.stringify(stages), now);
  }

  close(): void {
    this.#db.close();
  }
}

function toSecret(row: Record<string, unknown>): SecretRow {
  return {
    arn: row['arn'] as string,
    name: row['name'] as string,
    description: (row['description'] as string | null) ?? null,
    kmsKeyId: (row['kms_key_id'] as string | null) ?? null,
    tags: JSON.parse(row['tags'] as string) as SecretRow['tags'],
    createdAt: row['created_at'] as number,
    changedAt: row['changed_at'] as number,
    accessedAt: (row['accessed_at'] as number | null) ?? null,
    deletedAt: (row['deleted_at'] as number | null) ?? null,
  };
}

function toVersion(row: Record<string, unknown>): VersionRow {
  return {
    versionId: row['version_id'] as string,
    secretString: (row['secret_string'] as string | null) ?? null,
    secretBinary: (row['secret_binary'] as Buffer | null) ?? null,
    stages: JSON.parse(row['stages'] as string) as string[],
    createdAt: row['created_at'] as number,
  };
}
