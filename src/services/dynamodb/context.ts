/** What every operation receives: the store, the identity AWS would answer with, and a clock. */
import type { Store } from './store.js';
import type { IamIdentities } from '../../iam/identities.js';

export interface DynamoContext {
  store: Store;
  region: string;
  accountId: string;
  /** Milliseconds since the epoch; replaceable in tests. */
  now(): number;
  /** With `enforce`, calls signed by these identities are authorized against their policies. */
  iam?: IamIdentities;
}

export type Input = Record<string, unknown>;
export type Operation = (ctx: DynamoContext, input: Input) => unknown;
