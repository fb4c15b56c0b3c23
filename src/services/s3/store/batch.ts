/**
 * Group commit: writes queued within one event-loop turn run in a single SQLite transaction, so
 * concurrent requests share one fsync (done off the event loop by WalSync) instead of paying one
 * each. Each write runs in its own savepoint: one that throws rolls back alone and rejects alone.
 * SQLite docs: "Transaction" (lang_transaction.html), "SAVEPOINT" (lang_savepoint.html).
 */
import type { Database } from '../../../storage/sqlite.js';
import { WalSync } from '../../../storage/wal-sync.js';

interface Pending {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class WriteBatcher {
  readonly #db: Database;
  readonly #savepoint;
  readonly #release;
  readonly #rollbackTo;
  readonly #wal: WalSync;
  #queue: Pending[] = [];
  #scheduled = false;

  constructor(db: Database) {
    this.#db = db;
    // Prepared once: a nested db.transaction() per write would build a new wrapper each time.
    this.#savepoint = db.prepare('SAVEPOINT write');
    this.#release = db.prepare('RELEASE write');
    this.#rollbackTo = db.prepare('ROLLBACK TO write');
    this.#wal = new WalSync(db);
  }

  /** Runs `fn` inside the next batch's transaction; settles once that transaction is durable. */
  write<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run: fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Commits what is queued now (before closing the database). */
  drain(): void {
    if (this.#queue.length > 0) this.#flush();
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
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
      for (const item of batch) item.reject(error);
      return;
    }
    this.#wal.sync().then(
      () =>
        batch.forEach((item, i) => {
          const outcome = outcomes[i]!;
          if (outcome.ok) item.resolve(outcome.value);
          else item.reject(outcome.value);
        }),
      (error: unknown) => {
        for (const item of batch) item.reject(error);
      },
    );
  }
}
