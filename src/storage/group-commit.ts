/**
 * Group commit of queued writes: writes queued while the previous batch is being made durable run
 * in one SQLite transaction, each in its own savepoint (one that throws rolls back and rejects
 * alone), and one fsync (WalSync, off the event loop) makes the whole batch durable before any of
 * its writes resolves. A batch commits at the end of the event-loop turn that queued its first
 * write, or, while the previous batch's fsync runs, once that fsync ends: under load every batch
 * collects what arrived during one fsync, so commits (WAL pages written) and fsyncs stay few per
 * write. While writes arrive concurrently, durable writes also wait out CommitPacer's pause. SQLite docs: "Transaction" (lang_transaction.html), "SAVEPOINT" (lang_savepoint.html).
 */
import type { Database } from './sqlite.js';
import { WalSync } from './wal-sync.js';
import { CommitPacer } from './commit-pacer.js';

interface Pending {
  run: () => unknown;
  durable: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  readonly #db: Database;
  readonly #savepoint;
  readonly #release;
  readonly #rollbackTo;
  readonly #wal: WalSync;
  readonly #pacer = new CommitPacer();
  #queue: Pending[] = [];
  #afterCommit: (() => void)[] = [];
  /** A turn-end flush is scheduled. */
  #scheduled = false;
  /** Durable writes wait in the queue for the running fsync. */
  #waiting = false;
  /** Called when a commit fails: caches derived from the database may hold what it lost. */
  onAbort: (() => void) | undefined;

  constructor(db: Database) {
    this.#db = db;
    // Prepared once: a nested db.transaction() per write would build a new wrapper each time.
    this.#savepoint = db.prepare('SAVEPOINT write');
    this.#release = db.prepare('RELEASE write');
    this.#rollbackTo = db.prepare('ROLLBACK TO write');
    this.#wal = new WalSync(db);
  }

  /**
   * Runs `fn` inside the next batch's transaction (synchronously with the other writes of the
   * batch, in submission order) and settles once the batch is durable. `durable: false` writes
   * settle at the commit when the whole batch is such writes: a process crash keeps them (the WAL
   * is in the OS), a power loss may undo them. They never wait for a running fsync or the pacer's
   * pause: meanwhile they commit at the end of their turn, apart from the durable writes waiting.
   */
  write<T>(fn: () => T, durable = true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run: fn, durable, resolve: resolve as (value: unknown) => void, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => this.#turnEnd());
    });
  }

  /** Runs `callback` once the current batch is committed (before it is durable). */
  afterCommit(callback: () => void): void {
    this.#afterCommit.push(callback);
  }

  /** Commits what is queued now and lets go of the WAL file: the database closes next. */
  close(): void {
    this.#flush(this.#take(() => true));
    this.#wal.close();
  }

  #turnEnd(): void {
    this.#scheduled = false;
    const running = this.#waiting || !this.#queue.some((p) => p.durable) ? null : (this.#wal.running() ?? this.#pacer.pause());
    if (!this.#waiting && running === null) {
      this.#flush(this.#take(() => true));
      return;
    }
    this.#flush(this.#take((p) => !p.durable));
    if (running === null) return;
    // The durable writes wait for the running fsync (or the pacer's pause): whatever arrives meanwhile joins them.
    this.#waiting = true;
    const after = () => {
      this.#waiting = false;
      this.#flush(this.#take(() => true));
    };
    running.then(after, after);
  }

  /** Removes and returns the queued writes `pick` accepts, in submission order. */
  #take(pick: (pending: Pending) => boolean): Pending[] {
    const taken = this.#queue.filter(pick);
    if (taken.length > 0) this.#queue = this.#queue.filter((p) => !pick(p));
    return taken;
  }

  #flush(batch: Pending[]): void {
    if (batch.length === 0) return;
    if (!this.#db.open) {
      for (const item of batch) item.reject(new Error('The store is closed'));
      return;
    }
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      this.#db.transaction(() => {
        for (const item of batch) {
          this.#savepoint.run();
          try {
            outcomes.push({ ok: true, value: item.run() });
            this.#release.run();
          } catch (error) {
            this.#rollbackTo.run();
            this.#release.run();
            outcomes.push({ ok: false, value: error });
          }
        }
      })();
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of the batch is durable.
      this.#afterCommit = [];
      this.onAbort?.();
      for (const item of batch) item.reject(error);
      return;
    }
    this.#pacer.committed(batch.length);
    const callbacks = this.#afterCommit;
    this.#afterCommit = [];
    const settle = () =>
      batch.forEach((item, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) item.resolve(outcome.value);
        else item.reject(outcome.value);
      });
    if (batch.some((item) => item.durable)) {
      this.#wal.sync().then(settle, (error: unknown) => {
        for (const item of batch) item.reject(error);
      });
    } else {
      settle();
    }
    for (const callback of callbacks) callback();
  }
}
