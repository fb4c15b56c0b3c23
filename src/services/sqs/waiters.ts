/**
 * Long polling: ReceiveMessage calls waiting for a queue to have a message (WaitTimeSeconds).
 * A send wakes as many waiters as messages it added; each waiter also sleeps no longer than the
 * time its queue's next delayed or in-flight message becomes visible, then looks again.
 * AWS docs: SQS Developer Guide, "Amazon SQS short and long polling".
 */

interface Waiter {
  resolve: () => void;
  timer: NodeJS.Timeout;
  onAbort: (() => void) | undefined;
  signal: AbortSignal | undefined;
}

export class ReceiveWaiters {
  readonly #byQueue = new Map<string, Set<Waiter>>();

  /** Resolves when woken for `queue`, at `until` (epoch ms), or when `signal` aborts. */
  wait(queue: string, until: number, now: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      let set = this.#byQueue.get(queue);
      if (set === undefined) {
        set = new Set();
        this.#byQueue.set(queue, set);
      }
      const waiters = set;
      const waiter: Waiter = {
        resolve: () => {
          clearTimeout(waiter.timer);
          if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
          waiters.delete(waiter);
          if (waiters.size === 0 && this.#byQueue.get(queue) === waiters) this.#byQueue.delete(queue);
          resolve();
        },
        timer: setTimeout(() => waiter.resolve(), Math.max(0, until - now)),
        onAbort: undefined,
        signal,
      };
      if (signal !== undefined) {
        if (signal.aborted) {
          clearTimeout(waiter.timer);
          resolve();
          return;
        }
        waiter.onAbort = () => waiter.resolve();
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      waiters.add(waiter);
    });
  }

  /** Wakes up to `count` waiters of `queue`, oldest first. */
  wake(queue: string, count = 1): void {
    const set = this.#byQueue.get(queue);
    if (set === undefined) return;
    for (const waiter of set) {
      if (count-- <= 0) break;
      waiter.resolve();
    }
  }

  wakeAll(queue: string): void {
    this.wake(queue, Number.POSITIVE_INFINITY);
  }

  /** Releases every waiter (service shutdown). */
  close(): void {
    for (const queue of [...this.#byQueue.keys()]) this.wakeAll(queue);
  }
}
