/** What every SQS operation works with: the store, the long-poll waiters, the clock, names. */
import type { SqsStore } from './store.js';
import type { ReceiveWaiters } from './waiters.js';

export interface SqsContext {
  store: SqsStore;
  waiters: ReceiveWaiters;
  region: string;
  accountId: string;
  /** Base URL queue URLs are built on ('http://127.0.0.1:4566'). */
  endpoint: string;
  /** Epoch milliseconds (replaceable in tests). */
  now(): number;
  /** Last PurgeQueue per queue name (AWS allows one per 60 seconds). */
  purgedAt: Map<string, number>;
}
