/**
 * What every S3 operation works with: the store, the service region, the owner of everything
 * (the account) and the clock. AWS docs: Amazon S3 API Reference "Owner" (API_Owner.html).
 */
import type { S3Store } from '../store/store.js';

export interface Owner {
  /** The canonical user id: 64 hex characters. */
  id: string;
  displayName: string;
}

export interface S3Context {
  store: S3Store;
  /** Region of buckets created without a LocationConstraint. */
  region: string;
  owner: Owner;
  now(): number;
}
