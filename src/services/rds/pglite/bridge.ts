/**
 * The PGlite bridge: a Unix socket speaking the PostgreSQL wire protocol, in front of one PGlite,
 * where the database port's proxy sends its connections as it does to a real PostgreSQL. Connections
 * accepted before PGlite is up wait for it.
 */
import { createServer, type Server } from 'node:net';
import { rmSync } from 'node:fs';
import { Session, type Backend } from './session.js';
import type { PgliteThread } from './thread.js';
import { TurnLock } from './turns.js';
import { RoleCache } from './roles.js';

export class PgliteBridge {
  readonly #server: Server;
  readonly #sessions = new Set<Session>();
  #backend!: Promise<Backend>;
  #settle!: { resolve: (backend: Backend) => void; reject: (error: Error) => void };

  constructor() {
    this.#await();
    this.#server = createServer((socket) => {
      const session = new Session(socket, () => this.#backend);
      this.#sessions.add(session);
      socket.once('close', () => this.#sessions.delete(session));
    });
  }

  /** The next backend: connections from now on wait for it. */
  #await(): void {
    this.#backend = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    this.#backend.catch(() => {});
  }

  listen(socketPath: string): Promise<void> {
    rmSync(socketPath, { force: true });
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(socketPath, () => resolve());
    });
  }

  /** Serves `database` on this PGlite once it is up; when it cannot start, waiting connections get the reason. */
  async attach(thread: PgliteThread, database: string): Promise<void> {
    try {
      const parameters = await thread.parameters;
      const lock = new TurnLock();
      this.#settle.resolve({ thread, lock, parameters, database, roles: new RoleCache(thread, lock) });
    } catch (error) {
      this.#settle.reject(error as Error);
      throw error;
    }
  }

  /** The current PGlite is going away: its connections end with `reason`, new ones wait for the next. */
  detach(code: string, reason: string): void {
    this.#await();
    for (const session of this.#sessions) session.end(code, reason);
  }

  async close(): Promise<void> {
    this.detach('57P01', 'terminating connection due to administrator command');
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
