/**
 * PGlite has a single session, so connections take turns on it, first come first served. A turn
 * lasts until the session is idle again (ReadyForQuery 'I'): a connection inside a transaction
 * block keeps the session, and the others wait, so transactions never interleave.
 */
export class TurnLock {
  #holder: object | null = null;
  readonly #waiting: { owner: object; resolve: () => void }[] = [];

  /** Resolves when `owner` has the session (at once if it already has it). */
  acquire(owner: object): Promise<void> {
    if (this.#holder === null || this.#holder === owner) {
      this.#holder = owner;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push({ owner, resolve }));
  }

  /** Hands the session to the longest waiting connection. */
  release(owner: object): void {
    if (this.#holder !== owner) return;
    const next = this.#waiting.shift();
    this.#holder = next?.owner ?? null;
    next?.resolve();
  }

  /** One turn for `owner` around `work`, released even when `work` fails. */
  async run<T>(owner: object, work: () => Promise<T>): Promise<T> {
    await this.acquire(owner);
    try {
      return await work();
    } finally {
      this.release(owner);
    }
  }
}
