/**
 * One embedded PostgreSQL server: the binaries installed on this machine (Debian's
 * /usr/lib/postgresql/<version>/bin, or initdb + postgres on PATH), a cluster initialised once under
 * --data-dir and a postmaster that is a child of gatehouse, listening on a Unix socket only (the
 * proxy in front of it owns the TCP port). PostgreSQL refuses to run as root: then the server runs
 * as the `postgres` system user. Every connection authenticates with SCRAM-SHA-256; gatehouse keeps
 * an administrator of its own whose password lives beside the cluster.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The role gatehouse uses to create the template's roles and databases. */
export const ADMIN_ROLE = 'gatehouse_admin';
/** The socket file is `.s.PGSQL.<port>`: the port is only a name here. */
const SOCKET_PORT = 5432;

export class PostgresNotFoundError extends Error {
  constructor() {
    super(
      'no PostgreSQL found for the template\'s RDS databases: install it (Debian/Ubuntu: `apt-get install postgresql`, ' +
        'macOS: `brew install postgresql`), or point gatehouse at an existing server with --postgres-url postgres://user:password@host:5432/postgres',
    );
    this.name = 'PostgresNotFoundError';
  }
}

/** The folder holding initdb and postgres: the newest Debian version, else PATH. */
export function findPostgresBin(): string | null {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => existsSync(path.join(debian, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return path.join(debian, versions[0]!, 'bin');
  }
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir !== '' && existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres'))) return dir;
  }
  return null;
}

interface RunAs {
  uid: number;
  gid: number;
}

/** Root runs the server as `postgres` (PostgreSQL will not start as root); anyone else as themselves. */
function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (line === undefined) throw new Error('gatehouse runs as root and PostgreSQL refuses to: create a `postgres` system user (the postgresql package does) or run gatehouse as another user');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** A folder the server user may traverse: root-owned private parents (mkdtemp's 0700) get the search bit, said in the log. */
function grantSearch(dir: string, user: RunAs, log: (line: string) => void): void {
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    const { mode } = statSync(d);
    if ((mode & 0o001) !== 0) continue;
    chmodSync(d, mode | 0o001);
    log(`rds: gave ${d} the search permission (o+x) so the postgres user reaches the database folder`);
  }
  chownSync(dir, user.uid, user.gid);
}

export interface EngineOptions {
  /** This server's folder under --data-dir: `pgdata/`, `admin-password`, `postgres.log`. */
  dir: string;
  log: (line: string) => void;
}

export class PostgresEngine {
  readonly #options: EngineOptions;
  #child: ChildProcess | null = null;
  #socketDir: string | null = null;
  #exited: Promise<void> = Promise.resolve();
  readonly #onExit = () => this.#child?.kill('SIGINT');

  constructor(options: EngineOptions) {
    this.#options = options;
  }

  get #dataDir(): string {
    return path.join(this.#options.dir, 'pgdata');
  }

  /** The folder to pass as `host` to a client (the Unix socket's folder). */
  get socketDir(): string {
    if (this.#socketDir === null) throw new Error('the PostgreSQL server is not started');
    return this.#socketDir;
  }

  get socketPath(): string {
    return path.join(this.socketDir, `.s.PGSQL.${SOCKET_PORT}`);
  }

  readonly socketPort = SOCKET_PORT;

  /** The database the administrator connects to for the set-up. */
  readonly adminDatabase = 'postgres';

  /** The administrator's password, created with the cluster. */
  get adminPassword(): string {
    return readFileSync(path.join(this.#options.dir, 'admin-password'), 'utf8').trim();
  }

  /** Initialises the cluster on first use, stops a postmaster a killed gatehouse left behind, starts the server. */
  async start(): Promise<void> {
    const bin = findPostgresBin();
    if (bin === null) throw new PostgresNotFoundError();
    const user = runAs();
    mkdirSync(this.#options.dir, { recursive: true });
    this.#socketDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-pg-'));
    if (user) grantSearch(this.#socketDir, user, this.#options.log);
    if (!existsSync(path.join(this.#dataDir, 'PG_VERSION'))) await this.#init(bin, user);
    await stopLeftover(this.#dataDir);
    await this.#launch(bin, user);
  }

  async #init(bin: string, user: RunAs | undefined): Promise<void> {
    rmSync(this.#dataDir, { recursive: true, force: true });
    mkdirSync(this.#dataDir, { mode: 0o700 });
    if (user) grantSearch(this.#dataDir, user, this.#options.log);
    const password = randomBytes(24).toString('hex');
    // initdb reads the password from a file the server user can read: the private socket folder.
    const pwfile = path.join(this.#socketDir!, 'pwfile');
    writeFileSync(pwfile, password + '\n', { mode: 0o600 });
    if (user) chownSync(pwfile, user.uid, user.gid);
    this.#options.log(`rds: initialising a PostgreSQL cluster in ${this.#dataDir}`);
    try {
      await run(path.join(bin, 'initdb'), ['-D', this.#dataDir, '-U', ADMIN_ROLE, `--pwfile=${pwfile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-locale'], user);
    } catch (error) {
      rmSync(this.#dataDir, { recursive: true, force: true });
      throw error;
    } finally {
      rmSync(pwfile, { force: true });
    }
    writeFileSync(path.join(this.#options.dir, 'admin-password'), password + '\n', { mode: 0o600 });
  }

  async #launch(bin: string, user: RunAs | undefined): Promise<void> {
    const logFd = openSync(path.join(this.#options.dir, 'postgres.log'), 'a');
    if (user) chownSync(path.join(this.#options.dir, 'postgres.log'), user.uid, user.gid);
    const child = spawn(
      path.join(bin, 'postgres'),
      ['-D', this.#dataDir, '-k', this.#socketDir!, '-p', String(SOCKET_PORT), '-c', 'listen_addresses=', '-c', 'max_connections=200'],
      { stdio: ['ignore', logFd, logFd], ...(user ?? {}) },
    );
    closeSync(logFd);
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    process.once('exit', this.#onExit);
    const early = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`PostgreSQL exited (code ${code}) while starting: see ${path.join(this.#options.dir, 'postgres.log')}`))),
    );
    early.catch(() => {});
    await Promise.race([waitReady(this.#dataDir), early]);
  }

  /** Fast shutdown: open transactions roll back, then the server stops. */
  async stop(): Promise<void> {
    process.off('exit', this.#onExit);
    if (this.#child !== null && this.#child.exitCode === null) this.#child.kill('SIGINT');
    await this.#exited;
    this.#child = null;
    if (this.#socketDir !== null) rmSync(this.#socketDir, { recursive: true, force: true });
    this.#socketDir = null;
  }
}

function run(file: string, args: string[], user: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(user ?? {}) });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(file)} failed (${code}): ${stderr.trim()}`))));
  });
}

/** postmaster.pid's 8th line says `ready` once the server accepts connections (what pg_ctl -w waits for). */
async function waitReady(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  for (;;) {
    try {
      if (readFileSync(pidFile, 'utf8').split('\n')[7]?.trim() === 'ready') return;
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A postmaster still running on this cluster (gatehouse was killed) is shut down before a new one starts. */
async function stopLeftover(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isPostgres(pid)) return;
  process.kill(pid, 'SIGINT');
  while (isPostgres(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
}

function isPostgres(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    // No /proc (macOS): ask ps.
    try {
      return execFileSync('ps', ['-p', String(pid), '-o', 'comm='], { encoding: 'utf8' }).includes('postgres');
    } catch {
      return false;
    }
  }
}
