/**
 * The embedded DynamoDB and DynamoDB Streams (Amazon DynamoDB API Reference, DynamoDB Streams API
 * Reference): one SQLite database under the data folder, template tables created at start, and a
 * periodic sweep that deletes items past their TTL and trims 24-hour stream retention.
 */
import path from 'node:path';
import { claimDatabase } from '../../storage/sqlite.js';
import type { EmbeddedService, ServiceFactory } from '../service.js';
import type { DynamoContext } from './context.js';
import { readTableStream, type StreamEventRecord } from './operations/streams.js';
import { claims, handleRequest } from './protocol.js';
import { createTables, Store } from './store.js';
import { padSequence } from './stream-log.js';
import { createTemplateTables } from './template.js';

export type { StreamEventRecord } from './operations/streams.js';

/** How often expired items are swept; reads already hide them in between. */
const SWEEP_INTERVAL_MS = 1000;
const SWEEP_BATCH = 500;

export interface DynamoDbService extends EmbeddedService {
  /** Stream records of a table after a sequence number (for event source mappings). */
  readStreamRecords(tableName: string, afterSequenceNumber: string | undefined, limit: number): StreamEventRecord[];
  /** The sequence number of the newest stream record of any table (reading after it = LATEST). */
  latestStreamSequence(): string;
  /** Calls `listener` with the tables whose stream records a commit made durable; returns the unsubscribe. */
  onStreamAppend(listener: (tables: ReadonlySet<string>) => void): () => void;
  /** Deletes expired items now (the timer does it every second). Returns how many went. */
  sweep(): number;
}

let active: DynamoDbService | undefined;

export const dynamodbService: ServiceFactory = async (context) => {
  const db = claimDatabase(path.join(context.dataDir, 'dynamodb.sqlite'), 'dynamodb', createTables);
  const store = new Store(db, context.region);
  const ctx: DynamoContext = { store, region: context.region, accountId: context.accountId, now: () => Date.now(), ...(context.iam && { iam: context.iam }) };
  try {
    createTemplateTables(ctx, context.project, context.log);
  } catch (error) {
    db.close();
    throw error;
  }

  const sweep = (): number => {
    const now = ctx.now() / 1000;
    let total = 0;
    for (;;) {
      const n = store.sweepExpired(now, SWEEP_BATCH);
      total += n;
      if (n < SWEEP_BATCH) break;
    }
    store.trim(now);
    return total;
  };
  const timer = setInterval(() => {
    try {
      sweep();
    } catch (error) {
      context.log.warn(`dynamodb: TTL sweep failed: ${(error as Error).message}`);
    }
  }, SWEEP_INTERVAL_MS);
  timer.unref();

  const streamListeners = new Set<(tables: ReadonlySet<string>) => void>();
  store.onStreamCommit = (tables) => {
    for (const listener of streamListeners) listener(tables);
  };
  let closed = false;
  const service: DynamoDbService = {
    name: 'dynamodb',
    matches: claims,
    handle: (request, res) => handleRequest(ctx, context.log, request, res),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      store.close();
      db.close();
      if (active === service) active = undefined;
    },
    readStreamRecords: (tableName, afterSequenceNumber, limit) => readTableStream(store, tableName, afterSequenceNumber, limit),
    latestStreamSequence: () => padSequence(store.streamLog.lastSequence()),
    onStreamAppend(listener) {
      streamListeners.add(listener);
      return () => streamListeners.delete(listener);
    },
    sweep,
  };
  active = service;
  return service;
};

/**
 * Stream records of `tableName` with a sequence number after `afterSequenceNumber` (from the oldest
 * retained record when undefined), at most `limit`, oldest first, each with its `eventSourceARN`.
 * Reads the most recently started embedded DynamoDB.
 */
export function readStreamRecords(tableName: string, afterSequenceNumber: string | undefined, limit: number): StreamEventRecord[] {
  if (active === undefined) throw new Error('The embedded DynamoDB is not running');
  return active.readStreamRecords(tableName, afterSequenceNumber, limit);
}
