/**
 * The durability step of a group commit, off the event loop. A database handed to WalSync commits
 * with synchronous=NORMAL (the WAL frames are written to the OS, not yet synced); `sync()` then
 * fsyncs the WAL file on libuv's thread pool, and a write is acknowledged only after that. This is
 * what synchronous=FULL does at each commit ("the WAL file is synchronized after each transaction
 * commit", sqlite.org/pragma.html#pragma_synchronous), except that the event loop keeps serving
 * requests while the disk works instead of blocking in fsync. Commits that land while an fsync is
 * running share the next one. Under NORMAL SQLite still syncs the WAL before every checkpoint, so
 * frames a checkpoint moves into the database file stay durable too.
 */
import { open } from 'node:fs/promises';
import type { Database } from './sqlite.js';

export class WalSync {
  readonly #walFile: string;
  /** The fsync in progress; it may have started before the latest commit. */
  #running: Promise<void> | null = null;
  /** The fsync that starts once the running one ends, shared by every commit made meanwhile. */
  #queued: Promise<void> | null = null;

  constructor(db: Database) {
    db.pragma('synchronous = NORMAL');
    this.#walFile = `${db.name}-wal`;
  }

  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void> {
    if (this.#queued !== null) return this.#queued;
    if (this.#running === null) return this.#start();
    const after = () => {
      this.#queued = null;
      return this.#start();
    };
    this.#queued = this.#running.then(after, after);
    return this.#queued;
  }

  #start(): Promise<void> {
    const running = this.#fsync().finally(() => {
      if (this.#running === running) this.#running = null;
    });
    this.#running = running;
    return running;
  }

  async #fsync(): Promise<void> {
    // Opened per sync: an fd kept open would outlive a WAL file SQLite deletes on close.
    let handle;
    try {
      handle = await open(this.#walFile, 'r');
    } catch (error) {
      // The last connection closed: SQLite checkpointed (and synced) the WAL, then deleted it.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
