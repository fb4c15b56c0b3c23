/**
 * Durable user pool state in SQLite: pools (with their RS256 signing key), app clients, users
 * (scrypt password hashes, attributes, status), groups and memberships, resource servers and domains, and the refresh tokens and
 * challenge sessions handed out (kept only as SHA-256 hashes, so the file never holds a usable token).
 * AWS docs: Amazon Cognito Developer Guide "User pools", API Reference "UserType", "GroupType".
 */
import { createHash } from 'node:crypto';
import { openDatabase, type Database } from '../../storage/sqlite.js';

export interface PoolRecord {
  id: string;
  name: string;
  /** The pool's settings as CreateUserPool / the template spell them (Policies, UsernameAttributes, ...). */
  config: Record<string, unknown>;
  kid: string;
  /** PKCS#8 PEM of the RS256 key tokens are signed with. */
  privateKey: string;
  created: number;
}

export interface ClientRecord {
  id: string;
  poolId: string;
  name: string;
  secret: string | null;
  /** ExplicitAuthFlows, token validities, ... as the template / CreateUserPoolClient spell them. */
  config: Record<string, unknown>;
  created: number;
}

export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'RESET_REQUIRED';

export interface UserRecord {
  poolId: string;
  username: string;
  sub: string;
  attributes: Record<string, string>;
  /** `scrypt$N$r$p$salt$hash`, or null for a user created without a password. */
  password: string | null;
  status: UserStatus;
  enabled: boolean;
  created: number;
  modified: number;
  /** Pending sign-up confirmation code and its expiry (epoch ms). */
  code: string | null;
  codeExpires: number | null;
  /** When an admin-set temporary password stops working (epoch ms). */
  tempExpires: number | null;
}

export interface GroupRecord {
  poolId: string;
  name: string;
  description: string | null;
  precedence: number | null;
  roleArn: string | null;
  created: number;
}

export interface GrantRecord {
  poolId: string;
  clientId: string;
  username: string;
  expires: number;
  /** Sessions: the challenge they answer; refresh tokens: the sign-in they continue (auth_time, origin_jti). */
  data: Record<string, unknown>;
}

/** An OAuth 2.0 resource server: its scopes are `{identifier}/{ScopeName}` (ResourceServerType). */
export interface ResourceServerRecord {
  poolId: string;
  identifier: string;
  name: string;
  scopes: { ScopeName: string; ScopeDescription: string }[];
}

/** Temporary credentials handed out by an identity pool (GetCredentialsForIdentity). */
export interface IdentityCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  roleArn: string;
  identityId: string;
  poolId: string;
  expires: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS pools (id TEXT PRIMARY KEY, name TEXT NOT NULL, config TEXT NOT NULL, kid TEXT NOT NULL, private_key TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS clients (id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, name TEXT NOT NULL, secret TEXT, config TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  pool_id TEXT NOT NULL, username TEXT NOT NULL, sub TEXT NOT NULL, attributes TEXT NOT NULL, password TEXT,
  status TEXT NOT NULL, enabled INTEGER NOT NULL, created INTEGER NOT NULL, modified INTEGER NOT NULL,
  code TEXT, code_expires INTEGER, temp_expires INTEGER,
  PRIMARY KEY (pool_id, username)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS groups (
  pool_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, precedence INTEGER, role_arn TEXT, created INTEGER NOT NULL,
  PRIMARY KEY (pool_id, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS memberships (pool_id TEXT NOT NULL, group_name TEXT NOT NULL, username TEXT NOT NULL, PRIMARY KEY (pool_id, username, group_name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS identities (pool_id TEXT NOT NULL, login TEXT NOT NULL, identity_id TEXT NOT NULL, PRIMARY KEY (pool_id, login)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS credentials (
  access_key TEXT PRIMARY KEY, secret TEXT NOT NULL, role_arn TEXT NOT NULL, identity_id TEXT NOT NULL, pool_id TEXT NOT NULL, expires INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS resource_servers (pool_id TEXT NOT NULL, identifier TEXT NOT NULL, name TEXT NOT NULL, scopes TEXT NOT NULL, PRIMARY KEY (pool_id, identifier)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS domains (domain TEXT PRIMARY KEY, pool_id TEXT NOT NULL, created INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS grants (
  hash TEXT PRIMARY KEY, kind TEXT NOT NULL, pool_id TEXT NOT NULL, client_id TEXT NOT NULL, username TEXT NOT NULL,
  data TEXT NOT NULL, expires INTEGER NOT NULL
) WITHOUT ROWID;
`;

interface UserRow {
  pool_id: string;
  username: string;
  sub: string;
  attributes: string;
  password: string | null;
  status: UserStatus;
  enabled: number;
  created: number;
  modified: number;
  code: string | null;
  code_expires: number | null;
  temp_expires: number | null;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

function toUser(row: UserRow): UserRecord {
  return {
    poolId: row.pool_id,
    username: row.username,
    sub: row.sub,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    password: row.password,
    status: row.status,
    enabled: row.enabled === 1,
    created: row.created,
    modified: row.modified,
    code: row.code,
    codeExpires: row.code_expires,
    tempExpires: row.temp_expires,
  };
}

export class CognitoStore {
  readonly #db: Database;

  constructor(file: string) {
    this.#db = openDatabase(file, { schema: (db) => db.exec(SCHEMA) });
  }

  close(): void {
    this.#db.close();
  }

  getPool(id: string): PoolRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM pools WHERE id = ?').get(id) as
      | { id: string; name: string; config: string; kid: string; private_key: string; created: number }
      | undefined;
    return row && { id: row.id, name: row.name, config: JSON.parse(row.config) as Record<string, unknown>, kid: row.kid, privateKey: row.private_key, created: row.created };
  }

  listPools(): PoolRecord[] {
    const ids = this.#db.prepare('SELECT id FROM pools ORDER BY created, id').all() as { id: string }[];
    return ids.map((r) => this.getPool(r.id)!);
  }

  putPool(pool: PoolRecord): void {
    this.#db
      .prepare('INSERT INTO pools (id, name, config, kid, private_key, created) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, config = excluded.config')
      .run(pool.id, pool.name, JSON.stringify(pool.config), pool.kid, pool.privateKey, pool.created);
  }

  getClient(id: string): ClientRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM clients WHERE id = ?').get(id) as
      | { id: string; pool_id: string; name: string; secret: string | null; config: string; created: number }
      | undefined;
    return row && { id: row.id, poolId: row.pool_id, name: row.name, secret: row.secret, config: JSON.parse(row.config) as Record<string, unknown>, created: row.created };
  }

  putClient(client: ClientRecord): void {
    this.#db
      .prepare('INSERT INTO clients (id, pool_id, name, secret, config, created) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, secret = excluded.secret, config = excluded.config')
      .run(client.id, client.poolId, client.name, client.secret, JSON.stringify(client.config), client.created);
  }

  getUser(poolId: string, username: string): UserRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM users WHERE pool_id = ? AND username = ?').get(poolId, username) as UserRow | undefined;
    return row && toUser(row);
  }

  /** Users whose attribute `name` equals `value` (sign-in by email or phone number). */
  findUsersByAttribute(poolId: string, name: string, value: string): UserRecord[] {
    const rows = this.#db.prepare('SELECT * FROM users WHERE pool_id = ? AND json_extract(attributes, ?) = ?').all(poolId, `$."${name}"`, value) as UserRow[];
    return rows.map(toUser);
  }

  listUsers(poolId: string, after: string | null, limit: number): UserRecord[] {
    const rows = this.#db
      .prepare('SELECT * FROM users WHERE pool_id = ? AND username > ? ORDER BY username LIMIT ?')
      .all(poolId, after ?? '', limit) as UserRow[];
    return rows.map(toUser);
  }

  countUsers(poolId: string): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM users WHERE pool_id = ?').get(poolId) as { n: number }).n;
  }

  putUser(user: UserRecord): void {
    this.#db
      .prepare(
        `INSERT INTO users (pool_id, username, sub, attributes, password, status, enabled, created, modified, code, code_expires, temp_expires)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(pool_id, username) DO UPDATE SET attributes = excluded.attributes, password = excluded.password, status = excluded.status,
           enabled = excluded.enabled, modified = excluded.modified, code = excluded.code, code_expires = excluded.code_expires, temp_expires = excluded.temp_expires`,
      )
      .run(
        user.poolId,
        user.username,
        user.sub,
        JSON.stringify(user.attributes),
        user.password,
        user.status,
        user.enabled ? 1 : 0,
        user.created,
        user.modified,
        user.code,
        user.codeExpires,
        user.tempExpires,
      );
  }

  deleteUser(poolId: string, username: string): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM users WHERE pool_id = ? AND username = ?').run(poolId, username);
      this.#db.prepare('DELETE FROM memberships WHERE pool_id = ? AND username = ?').run(poolId, username);
      this.#db.prepare('DELETE FROM grants WHERE pool_id = ? AND username = ?').run(poolId, username);
    })();
  }

  getGroup(poolId: string, name: string): GroupRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM groups WHERE pool_id = ? AND name = ?').get(poolId, name) as
      | { pool_id: string; name: string; description: string | null; precedence: number | null; role_arn: string | null; created: number }
      | undefined;
    return row && { poolId: row.pool_id, name: row.name, description: row.description, precedence: row.precedence, roleArn: row.role_arn, created: row.created };
  }

  putGroup(group: GroupRecord): void {
    this.#db
      .prepare(
        'INSERT INTO groups (pool_id, name, description, precedence, role_arn, created) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(pool_id, name) DO UPDATE SET description = excluded.description, precedence = excluded.precedence, role_arn = excluded.role_arn',
      )
      .run(group.poolId, group.name, group.description, group.precedence, group.roleArn, group.created);
  }

  addMembership(poolId: string, groupName: string, username: string): void {
    this.#db.prepare('INSERT OR IGNORE INTO memberships (pool_id, group_name, username) VALUES (?, ?, ?)').run(poolId, groupName, username);
  }

  /** The user's groups, by precedence (lowest first, as `cognito:groups` and `cognito:preferred_role` use it) then name. */
  groupsOf(poolId: string, username: string): GroupRecord[] {
    const names = this.#db.prepare('SELECT group_name FROM memberships WHERE pool_id = ? AND username = ?').all(poolId, username) as { group_name: string }[];
    return names
      .map((n) => this.getGroup(poolId, n.group_name))
      .filter((g): g is GroupRecord => g !== undefined)
      .sort((a, b) => (a.precedence ?? Infinity) - (b.precedence ?? Infinity) || a.name.localeCompare(b.name));
  }

  putResourceServer(server: ResourceServerRecord): void {
    this.#db
      .prepare('INSERT INTO resource_servers (pool_id, identifier, name, scopes) VALUES (?, ?, ?, ?) ON CONFLICT(pool_id, identifier) DO UPDATE SET name = excluded.name, scopes = excluded.scopes')
      .run(server.poolId, server.identifier, server.name, JSON.stringify(server.scopes));
  }

  listResourceServers(poolId: string): ResourceServerRecord[] {
    const rows = this.#db.prepare('SELECT * FROM resource_servers WHERE pool_id = ? ORDER BY identifier').all(poolId) as { pool_id: string; identifier: string; name: string; scopes: string }[];
    return rows.map((r) => ({ poolId: r.pool_id, identifier: r.identifier, name: r.name, scopes: JSON.parse(r.scopes) as ResourceServerRecord['scopes'] }));
  }

  deleteResourceServer(poolId: string, identifier: string): boolean {
    return this.#db.prepare('DELETE FROM resource_servers WHERE pool_id = ? AND identifier = ?').run(poolId, identifier).changes > 0;
  }

  /** A user pool domain (prefix or custom domain, lower case) and the pool it serves. */
  putDomain(domain: string, poolId: string, created: number): void {
    this.#db.prepare('INSERT INTO domains (domain, pool_id, created) VALUES (?, ?, ?) ON CONFLICT(domain) DO UPDATE SET pool_id = excluded.pool_id').run(domain.toLowerCase(), poolId, created);
  }

  poolOfDomain(domain: string): string | undefined {
    return (this.#db.prepare('SELECT pool_id FROM domains WHERE domain = ?').get(domain.toLowerCase()) as { pool_id: string } | undefined)?.pool_id;
  }

  deleteDomain(domain: string): boolean {
    return this.#db.prepare('DELETE FROM domains WHERE domain = ?').run(domain.toLowerCase()).changes > 0;
  }

  /** Stores a refresh token or challenge session under its hash. */
  putGrant(kind: 'refresh' | 'session', token: string, grant: GrantRecord): void {
    this.#db
      .prepare('INSERT INTO grants (hash, kind, pool_id, client_id, username, data, expires) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(hashToken(token), kind, grant.poolId, grant.clientId, grant.username, JSON.stringify(grant.data), grant.expires);
  }

  getGrant(kind: 'refresh' | 'session', token: string): GrantRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM grants WHERE hash = ? AND kind = ?').get(hashToken(token), kind) as
      | { pool_id: string; client_id: string; username: string; data: string; expires: number }
      | undefined;
    return row && { poolId: row.pool_id, clientId: row.client_id, username: row.username, expires: row.expires, data: JSON.parse(row.data) as Record<string, unknown> };
  }

  deleteGrant(kind: 'refresh' | 'session', token: string): void {
    this.#db.prepare('DELETE FROM grants WHERE hash = ? AND kind = ?').run(hashToken(token), kind);
  }

  /** The identity pool identity of a login (`{provider}/{sub}`), created on first use. */
  identityOf(poolId: string, login: string, create: () => string): string {
    const row = this.#db.prepare('SELECT identity_id FROM identities WHERE pool_id = ? AND login = ?').get(poolId, login) as { identity_id: string } | undefined;
    if (row !== undefined) return row.identity_id;
    const id = create();
    this.#db.prepare('INSERT INTO identities (pool_id, login, identity_id) VALUES (?, ?, ?)').run(poolId, login, id);
    return id;
  }

  /** The login an identity id belongs to (`unauthenticated:{id}` for guests), or undefined. */
  loginOf(identityId: string): { poolId: string; login: string } | undefined {
    const row = this.#db.prepare('SELECT pool_id, login FROM identities WHERE identity_id = ?').get(identityId) as { pool_id: string; login: string } | undefined;
    return row && { poolId: row.pool_id, login: row.login };
  }

  putCredentials(c: IdentityCredentials): void {
    this.#db
      .prepare('INSERT INTO credentials (access_key, secret, role_arn, identity_id, pool_id, expires) VALUES (?, ?, ?, ?, ?, ?)')
      .run(c.accessKeyId, c.secretAccessKey, c.roleArn, c.identityId, c.poolId, c.expires);
  }

  liveCredentials(now: number): IdentityCredentials[] {
    const rows = this.#db.prepare('SELECT * FROM credentials WHERE expires >= ?').all(now) as {
      access_key: string;
      secret: string;
      role_arn: string;
      identity_id: string;
      pool_id: string;
      expires: number;
    }[];
    return rows.map((r) => ({ accessKeyId: r.access_key, secretAccessKey: r.secret, roleArn: r.role_arn, identityId: r.identity_id, poolId: r.pool_id, expires: r.expires }));
  }

  /** Drops expired refresh tokens, sessions and identity pool credentials. */
  sweep(now: number): void {
    this.#db.prepare('DELETE FROM grants WHERE expires < ?').run(now);
    this.#db.prepare('DELETE FROM credentials WHERE expires < ?').run(now);
  }
}
