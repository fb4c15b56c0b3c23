/**
 * The login roles of a PGlite (pg_authid), kept in memory so a login does not need a turn on the
 * session: a connection inside a transaction does not hold up the others' logins. Statements that
 * change roles (CREATE / ALTER / DROP ROLE, whose command tags sessions watch) empty the cache; the
 * next login reads pg_authid again in a turn of its own, so it sees only committed changes.
 */
import type { PgliteThread } from './thread.js';
import type { TurnLock } from './turns.js';

export interface Role {
  rolpassword: string | null;
  rolcanlogin: boolean;
  rolsuper: boolean;
  /** PGlite reads timestamptz as a Date; 'infinity' as Infinity. */
  rolvaliduntil: Date | number | null;
}

/** Command tags of the statements that change a role's login (CREATE USER and ALTER USER report ROLE). */
const ROLE_CHANGE = /^(CREATE|ALTER|DROP) ROLE\b/;

export class RoleCache {
  readonly #thread: PgliteThread;
  readonly #lock: TurnLock;
  #roles: Promise<Map<string, Role>> | null = null;

  constructor(thread: PgliteThread, lock: TurnLock) {
    this.#thread = thread;
    this.#lock = lock;
  }

  /** Empties the cache when a statement's command tag says it changed roles. */
  observe(commandTag: string): void {
    if (ROLE_CHANGE.test(commandTag)) this.#roles = null;
  }

  /** The role named `user`, or null when there is none or its password has expired (VALID UNTIL). */
  async login(user: string): Promise<Role | null> {
    this.#roles ??= this.#lock.run(this, async () => {
      const rows = await this.#thread.query<Role & { rolname: string }>('SELECT rolname, rolpassword, rolcanlogin, rolsuper, rolvaliduntil FROM pg_authid');
      return new Map(rows.map(({ rolname, ...role }) => [rolname, role]));
    });
    const loading = this.#roles;
    loading.catch(() => {
      if (this.#roles === loading) this.#roles = null;
    });
    const role = (await loading).get(user) ?? null;
    if (role === null || (role.rolvaliduntil !== null && Number(role.rolvaliduntil) < Date.now())) return null;
    return role;
  }
}
