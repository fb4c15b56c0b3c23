/**
 * The fallback database server when no PostgreSQL is installed: PGlite (PostgreSQL compiled to
 * WebAssembly, in a worker thread) behind a bridge on a Unix socket, the same surface as
 * PostgresEngine, so the database port, the set-up and the Data API use it unchanged.
 *
 * PGlite runs one session in one database. That database is the template's `DatabaseName`: PGlite's
 * CREATE DATABASE works, but a session cannot move to another database, so on the first start (or
 * when DatabaseName changes) PGlite starts in `postgres`, the set-up creates the database (owned by
 * the master user), and PGlite restarts in it. `<dir>/pglite-database` remembers which one was made.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { ADMIN_ROLE } from '../engine.js';
import { PgliteBridge } from './bridge.js';
import { PgliteThread } from './thread.js';

const SOCKET_PORT = 5432;
const DEFAULT_DATABASE = 'postgres';

export interface PgliteEngineOptions {
  /** This server's folder under --data-dir: `pglite/`, `admin-password`, `pglite-database`. */
  dir: string;
  /** The template's DatabaseName (PGlite's `postgres` database when absent). */
  database?: string;
  /** Creates the master user and the database, connected as the administrator to `postgres`. */
  prepare: (admin: pg.ClientConfig) => Promise<void>;
  log: (line: string) => void;
}

export class PgliteEngine {
  readonly #options: PgliteEngineOptions;
  readonly #bridge = new PgliteBridge();
  #thread: PgliteThread | null = null;
  #socketDir: string | null = null;
  #stopping = false;
  readonly socketPort = SOCKET_PORT;

  constructor(options: PgliteEngineOptions) {
    this.#options = options;
  }

  get socketDir(): string {
    if (this.#socketDir === null) throw new Error('the PGlite server is not started');
    return this.#socketDir;
  }

  get socketPath(): string {
    return path.join(this.socketDir, `.s.PGSQL.${SOCKET_PORT}`);
  }

  /** The database the administrator connects to: the only one PGlite serves. */
  get adminDatabase(): string {
    return this.#options.database ?? DEFAULT_DATABASE;
  }

  get adminPassword(): string {
    return readFileSync(path.join(this.#options.dir, 'admin-password'), 'utf8').trim();
  }

  async start(): Promise<void> {
    const { dir, database = DEFAULT_DATABASE } = this.#options;
    mkdirSync(dir, { recursive: true });
    const passwordFile = path.join(dir, 'admin-password');
    if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(24).toString('hex') + '\n', { mode: 0o600 });
    this.#socketDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-pglite-'));
    await this.#bridge.listen(this.socketPath);
    const marker = path.join(dir, 'pglite-database');
    const made = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : null;
    if (database !== DEFAULT_DATABASE && made !== database) {
      this.#options.log(`rds: creating database "${database}" in PGlite (${this.#dataDir})`);
      await this.#run(DEFAULT_DATABASE);
      await this.#options.prepare({ host: this.socketDir, port: SOCKET_PORT, user: ADMIN_ROLE, password: this.adminPassword, database: DEFAULT_DATABASE });
      await this.#retire('57P01', `PGlite restarts in database "${database}"`);
      writeFileSync(marker, database + '\n');
    }
    await this.#run(database);
  }

  get #dataDir(): string {
    return path.join(this.#options.dir, 'pglite');
  }

  /** Starts PGlite in `database` and serves it; if it stops by itself, the next one starts. */
  async #run(database: string): Promise<void> {
    const thread = new PgliteThread({ dataDir: this.#dataDir, database, adminRole: ADMIN_ROLE, adminPassword: this.adminPassword });
    this.#thread = thread;
    await this.#bridge.attach(thread, database);
    void thread.ended.then((failure) => {
      if (this.#stopping || this.#thread !== thread || failure === null) return;
      this.#options.log(`rds: ${failure.message}; its connections were closed, starting it again`);
      this.#bridge.detach('57P01', `terminating connection: ${failure.message}`);
      this.#run(database).catch((error: unknown) => this.#options.log(`rds: PGlite did not start again: ${(error as Error).message}`));
    });
  }

  async #retire(code: string, reason: string): Promise<void> {
    const thread = this.#thread;
    this.#thread = null;
    this.#bridge.detach(code, reason);
    await thread?.close();
  }

  /** Closes PGlite cleanly, so its data folder is consistent for the next start. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#bridge.close();
    await this.#retire('57P01', 'terminating connection due to administrator command');
    if (this.#socketDir !== null) rmSync(this.#socketDir, { recursive: true, force: true });
    this.#socketDir = null;
  }
}
