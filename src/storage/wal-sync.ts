/**
 * The durability step of a group commit, off the event loop. A database handed to WalSync commits
 * with synchronous=NORMAL (the WAL frames are written to the OS, not yet synced); `sync()` then
 * syncs the WAL file on libuv's thread pool, and a write is acknowledged only after that. This is
 * what synchronous=FULL does at each commit ("the WAL file is synchronized after each transaction
 * commit", sqlite.org/pragma.html#pragma_synchronous), except that the event loop keeps serving
 * requests while the disk works instead of blocking in fsync. Commits that land while a sync is
 * running share the next one. Under NORMAL SQLite still syncs the WAL before every checkpoint, so
 * frames a checkpoint moves into the database file stay durable too.
 *
 * The database must be opened exclusively (claimDatabase): SQLite then keeps one WAL file from the
 * first write to close, so its descriptor stays open between syncs. fdatasync, not fsync: it
 * flushes the data and the size, skipping only metadata such as the modification time that a later
 * read does not need (man 2 fdatasync), which SQLite's own WAL syncs skip too.
 */
import { close, fdatasync, open } from 'node:fs';
import { promisify } from 'node:util';
import type { Database } from './sqlite.js';

const openFile = promisify(open);
const syncData = promisify(fdatasync);

export class WalSync {
  readonly #walFile: string;
  #fd: number | null = null;
  #closed = false;
  /** The sync in progress; it may have started before the latest commit. */
  #running: Promise<void> | null = null;
  /** The sync that starts once the running one ends, shared by every commit made meanwhile. */
  #queued: Promise<void> | null = null;

  constructor(db: Database) {
    db.pragma('synchronous = NORMAL');
    this.#walFile = `${db.name}-wal`;
  }

  /** The sync in progress (settles when it ends), or null when the disk is idle. */
  running(): Promise<void> | null {
    return this.#running;
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

  /** Lets go of the WAL file, after the running sync if any (the database closes: it syncs itself). */
  close(): void {
    this.#closed = true;
    if (this.#running === null) this.#release();
  }

  #start(): Promise<void> {
    const running = this.#sync().finally(() => {
      if (this.#running === running) this.#running = null;
      if (this.#closed && this.#running === null) this.#release();
    });
    this.#running = running;
    return running;
  }

  async #sync(): Promise<void> {
    // Closing the database checkpoints the WAL into the database file and syncs it.
    if (this.#closed) return;
    if (this.#fd === null) {
      try {
        this.#fd = await openFile(this.#walFile, 'r');
      } catch (error) {
        // No WAL file: the database was closed, which checkpointed and synced it, then deleted it.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
    }
    await syncData(this.#fd);
  }

  #release(): void {
    if (this.#fd === null) return;
    close(this.#fd, () => {});
    this.#fd = null;
  }
}
